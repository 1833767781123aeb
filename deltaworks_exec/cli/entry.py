"""The ``deltaworks-exec`` entry point: ``--json`` anywhere on the line, negative numbers as values.

Exit codes (scripts rely on them): 0 done (an order accepted), 1 the service refused or failed
(HTTP error, unreachable), 2 bad input caught before anything was sent (a usage error, an
invalid choice), 3 an order was answered ``rejected`` (risk or venue).
"""

from __future__ import annotations

import sys
from typing import Any

import typer

JSON_FLAG = "--json"


def json_anywhere(args: list[str]) -> list[str]:
    """``args`` with ``--json`` moved to the root command, wherever it was given."""
    if JSON_FLAG not in args:
        return args
    end = args.index("--") if "--" in args else len(args)
    head = [a for a in args[:end] if a != JSON_FLAG]
    if len(head) == end:
        return args
    return [JSON_FLAG, *head, *args[end:]]


def _accept_negative_numbers(command: Any) -> None:
    """Let ``-1`` be a value: unknown option-like tokens of a command pass on as arguments."""
    subcommands = getattr(command, "commands", None)
    if subcommands is None:
        command.ignore_unknown_options = True
        return
    for sub in subcommands.values():
        _accept_negative_numbers(sub)


def command(app: typer.Typer) -> Any:
    """The click command of ``app`` as the entry point runs it."""
    built = typer.main.get_command(app)
    _accept_negative_numbers(built)
    return built


def run(app: typer.Typer, prog_name: str) -> None:
    """Run ``app`` on ``sys.argv`` (``--json`` anywhere, ``-1`` a value)."""
    command(app)(args=json_anywhere(sys.argv[1:]), prog_name=prog_name)
