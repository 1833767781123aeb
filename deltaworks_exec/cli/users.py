"""``deltaworks-exec users``: users, roles and API tokens, written to QuestDB directly.

These commands need access to the service's database, not an API token: whoever
runs them administers the desk.
"""

from __future__ import annotations

import getpass
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from deltaworks_core.cli_numbers import finite
from deltaworks_core.config import ConfigError, load_settings
from deltaworks_core.questdb import QuestDBReader
from deltaworks_exec.audit.log import AuditEvent, AuditLog
from deltaworks_exec.auth.roles import Role
from deltaworks_exec.auth.store import IssuedToken, TokenRecord, UserStore, UserStoreError

users_app = typer.Typer(help="Users, roles and API tokens (local: talks to QuestDB directly).")
console = Console()

_ExpiresDays = Annotated[
    float | None,
    typer.Option(parser=finite, min=0.001, help="Days until the token expires (default: never)."),
]
_TokenName = Annotated[str, typer.Option("--name", help="What the token is for.")]


def _changed_by() -> str:
    return f"cli:{getpass.getuser()}"


class _Session:
    """The user store, and the audit trail that records each change before it is made."""

    def __init__(self, reader: QuestDBReader) -> None:
        self.store = UserStore(reader)
        self._audit = AuditLog(reader)

    def audit(self, action: str, target: str, params: str = "") -> None:
        self._audit.record(
            AuditEvent(_changed_by(), Role.ADMIN.value, action, target, params, "allowed")
        )


@contextmanager
def _session() -> Iterator[_Session]:
    try:
        settings = load_settings()
    except ConfigError as exc:
        console.print(f"[red]configuration error:[/red] {escape(str(exc))}")
        raise typer.Exit(2) from None
    with QuestDBReader(settings.questdb, max_connections=1) as reader:
        try:
            yield _Session(reader)
        except UserStoreError as exc:
            console.print(f"[red]error:[/red] {escape(str(exc))}")
            raise typer.Exit(1) from None


def _expiry(days: float | None) -> datetime | None:
    if days is None:
        return None
    return (datetime.now(UTC) + timedelta(days=days)).replace(tzinfo=None)


def _show_token(issued: IssuedToken) -> None:
    record = issued.record
    expires = record.expires_at.isoformat() if record.expires_at else "never"
    console.print(
        f"token {record.token_id} ({record.name!r}) for {record.user_name}, expires {expires}; "
        f"shown only now, store it safely:"
    )
    print(issued.token)


@users_app.command("add")
def add(
    name: Annotated[str, typer.Argument(help="User name (lower-case).")],
    role: Annotated[Role, typer.Option(help="What the user may do.")],
    token_name: _TokenName = "default",
    expires_days: _ExpiresDays = None,
) -> None:
    """Create a user with a role and a first API token (printed once)."""
    with _session() as session:
        session.audit("users_add", name, f"role={role.value}")
        store = session.store
        user = store.add_user(name, role, _changed_by())
        console.print(f"user {user.name} added with role {user.role}")
        _show_token(store.issue_token(name, token_name, _expiry(expires_days), _changed_by()))


@users_app.command("token")
def token(
    name: Annotated[str, typer.Argument(help="User name.")],
    token_name: _TokenName = "default",
    expires_days: _ExpiresDays = None,
) -> None:
    """Issue another API token for a user (printed once)."""
    with _session() as session:
        session.audit("users_token", name, f"name={token_name} expires_days={expires_days}")
        issued = session.store.issue_token(name, token_name, _expiry(expires_days), _changed_by())
        _show_token(issued)


@users_app.command("role")
def role(
    name: Annotated[str, typer.Argument(help="User name.")],
    new_role: Annotated[Role, typer.Argument(metavar="ROLE", help="The new role.")],
) -> None:
    """Give a user another role (effective from the next request)."""
    with _session() as session:
        session.audit("users_role", name, f"role={new_role.value}")
        user = session.store.set_role(name, new_role, _changed_by())
        console.print(f"user {user.name} now has role {user.role}")


@users_app.command("revoke")
def revoke(
    target: Annotated[str, typer.Argument(help="A token id, or a user name (all their tokens).")],
) -> None:
    """Revoke one token, or disable a user; refused from the next request on."""
    with _session() as session:
        session.audit("users_revoke", target)
        store = session.store
        if store.token(target) is not None:
            record = store.revoke_token(target, _changed_by())
            console.print(f"token {record.token_id} of {record.user_name} revoked")
        else:
            user = store.disable_user(target, _changed_by())
            console.print(f"user {user.name} disabled: every token of theirs is refused")


def _state(record: TokenRecord, now: datetime) -> str:
    if record.revoked:
        return "revoked"
    return "expired" if record.expired(now) else "valid"


@users_app.command("list")
def list_users() -> None:
    """Users with their roles and tokens (ids, names, expiry; never a secret)."""
    now = datetime.now(UTC).replace(tzinfo=None)
    with _session() as session:
        store = session.store
        tokens = store.tokens()
        table = Table("user", "role", "active", "token id", "token name", "expires", "state")
        for user in store.users():
            head = (user.name, user.role.value, str(user.active))
            mine = [t for t in tokens if t.user_name == user.name]
            if not mine:
                table.add_row(*head)
            for record in mine:
                expiry = record.expires_at
                expires = expiry.isoformat(timespec="seconds") if expiry else "never"
                table.add_row(*head, record.token_id, record.name, expires, _state(record, now))
        console.print(table)
