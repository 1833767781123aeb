"""Command-line errors are one readable line: no traceback for bad numbers, and messages
print literally (square brackets are not Rich markup)."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from deltaworks_exec.cli import app

UNREACHABLE = "http://127.0.0.1:9"  # nothing is sent: the arguments are refused first


@pytest.mark.parametrize("value", ["nan", "inf", "Infinity", "1e309", "abc"])
@pytest.mark.parametrize(
    "args",
    [
        ["order", "submit", "sim_a", "BTC/USDT", "buy", "{v}"],
        ["order", "submit", "sim_a", "BTC/USDT", "buy", "0.1", "--price", "{v}"],
        ["algo", "start", "twap", "sim_a", "BTC/USDT", "buy", "{v}", "--params", "{{}}"],
    ],
)
def test_non_finite_numbers_are_usage_errors(args: list[str], value: str) -> None:
    argv = ["--url", UNREACHABLE, *(a.format(v=value) for a in args)]
    result = CliRunner().invoke(app, argv)
    assert result.exit_code == 2, result.output
    assert "not a" in result.output and "number" in result.output
    assert ("Traceback" not in result.output and result.exception is None) or isinstance(
        result.exception, SystemExit
    )


def test_configuration_errors_print_literally(tmp_path: Path) -> None:
    config = tmp_path / "bad.toml"
    config.write_text('[[exchanges]]\nname = "Bad Name"\n')
    result = CliRunner().invoke(
        app, ["--url", UNREACHABLE, "status"], env={"DELTAWORKS_CONFIG": str(config)}
    )
    assert result.exit_code == 2
    assert "^[a-z][a-z0-9_]{0,31}$" in result.output.replace("\n", "")


def test_a_live_exchange_without_its_credentials_is_a_configuration_error(
    tmp_path: Path,
) -> None:
    config = tmp_path / "live.toml"
    config.write_text(
        '[[exchanges]]\nname = "desk"\nmode = "live"\n'
        'api_key_env = "DW_ABSENT_KEY"\nsecret_env = "DW_ABSENT_SECRET"\n'
    )
    result = CliRunner().invoke(
        app, ["--url", UNREACHABLE, "status"], env={"DELTAWORKS_CONFIG": str(config)}
    )
    assert result.exit_code == 2
    output = result.output.replace("\n", "")
    assert "configuration error" in output and "DW_ABSENT_KEY, DW_ABSENT_SECRET" in output
    assert "Traceback" not in output
