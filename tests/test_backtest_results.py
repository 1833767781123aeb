"""Results: metrics, charts (PNG and self-contained HTML), QuestDB storage, Grafana, the CLI."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from deltaworks_core.config import QuestDBSettings
from deltaworks_core.questdb import QuestDBReader, QuestDBWriter
from deltaworks_exec.backtest.data import prepare
from deltaworks_exec.backtest.engine import Backtest
from deltaworks_exec.backtest.metrics import compute
from deltaworks_exec.backtest.report import save_html, save_png
from deltaworks_exec.backtest.result import RunResult
from deltaworks_exec.backtest.setup import BacktestConfig
from deltaworks_exec.backtest.store import store
from deltaworks_exec.cli.backtest import app
from deltaworks_exec.strategies import MovingAverageCross
from tests.backtest_support import trades

DASHBOARD = Path(__file__).resolve().parent.parent / "grafana" / "dashboards" / "backtests.json"
CONFIG = BacktestConfig()


@pytest.fixture(scope="module")
def result() -> RunResult:
    data = prepare(trades(3000, seed=21), symbol="BTC/USDT")
    run = Backtest(data, CONFIG).run(MovingAverageCross("BTC/USDT", 10, 40, 0.1))
    compute(run)
    return run


def _result(equity: list[float]) -> RunResult:
    run = RunResult("r", "s", {}, "backtest", "trades", ["v"], ["BTC/USDT"], "USDT", 0, 0, 0,
                    equity[0], equity=[(i * 60_000, e) for i, e in enumerate(equity)])  # fmt: skip
    compute(run)
    return run


def test_drawdown_return_and_sharpe():
    run = _result([100.0, 120.0, 90.0, 110.0])
    assert run.metrics["max_drawdown_pct"] == pytest.approx(25.0)
    assert run.metrics["return_pct"] == pytest.approx(10.0)
    assert run.metrics["pnl"] == pytest.approx(10.0)
    flat = _result([100.0, 100.0, 100.0])
    assert flat.metrics["sharpe"] == 0.0 and flat.metrics["max_drawdown_pct"] == 0.0
    rising = _result([100.0, 101.0, 102.5, 103.0])
    assert rising.metrics["sharpe"] > 0


def test_charts(result: RunResult, tmp_path: Path):
    png = save_png(result, tmp_path / "run.png")
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and png.stat().st_size > 10_000
    html = save_html(result, tmp_path / "run.html").read_text()
    assert "Plotly.newPlot" in html and "equity" in html
    assert f"costs {result.metrics['tca_shortfall_bps']:.2f} bps" in html
    assert not re.search(r"<script[^>]+src=", html)  # plotly.js inline: works offline


def _expand(sql: str, run_id: str, start: datetime, end: datetime) -> str:
    micros = lambda moment: int(moment.timestamp() * 1_000_000)  # noqa: E731
    sql = sql.replace("${run_id}", run_id)
    sql = re.sub(
        r"\$__timeFilter\(\s*(\w+)\s*\)",
        lambda m: (
            f"{m[1]} >= cast({micros(start)} as timestamp) "
            f"AND {m[1]} <= cast({micros(end)} as timestamp)"
        ),
        sql,
    )
    assert "$" not in sql, sql
    return sql


def test_stored_results_feed_the_dashboard(
    result: RunResult, writer: QuestDBWriter, reader: QuestDBReader
):
    store(writer, reader, result, CONFIG)
    store(writer, reader, result, CONFIG)  # idempotent
    runs = reader.query("SELECT * FROM backtest_runs WHERE run_id = %s", (result.run_id,))
    assert len(runs) == 1
    row = runs[0]
    assert row["strategy"] == "ma_cross" and row["fills"] == len(result.fills)
    assert row["pnl"] == pytest.approx(result.metrics["pnl"])
    assert json.loads(row["params"])["fast"] == 10
    assert json.loads(row["costs"])["fees"] == {"maker_bps": 10.0, "taker_bps": 10.0}
    assert row["tca_orders"] == result.metrics["tca_orders"] == len(result.decisions)
    for name in ("tca_shortfall_bps", "tca_spread_bps", "tca_impact_bps", "tca_fees_bps"):
        assert row[name] == pytest.approx(result.metrics[name])
    fills = reader.query_df(
        "SELECT * FROM backtest_fills WHERE run_id = %s ORDER BY seq", (result.run_id,)
    )
    assert len(fills) == len(result.fills)
    assert fills["price"].tolist() == [f.price for f in result.fills]
    assert fills["slippage_bps"].notna().all()
    equity = reader.scalar(
        "SELECT count() FROM backtest_equity WHERE run_id = %s", (result.run_id,)
    )
    assert equity == len({ts for ts, _ in result.equity})

    board = json.loads(DASHBOARD.read_text())
    queries = [v["query"]["rawSql"] for v in board["templating"]["list"]]
    queries += [t["rawSql"] for p in board["panels"] for t in p["targets"]]
    files = {p.read_text().strip() for p in DASHBOARD.parent.parent.glob("queries/backtests_*.sql")}
    assert set(queries) == files and len(queries) == 8
    now = datetime.now(UTC)
    for sql in queries:
        rows = reader.query(_expand(sql, result.run_id, now - timedelta(days=1), now))
        assert rows, sql


def test_cli_runs_reports_and_stores(
    tmp_path: Path, questdb_settings: QuestDBSettings, reader: QuestDBReader, monkeypatch
):
    data = tmp_path / "trades.csv"
    trades(2000, seed=5).to_csv(data, index=False)
    monkeypatch.setenv("DELTAWORKS_QUESTDB_HOST", questdb_settings.host)
    monkeypatch.setenv("DELTAWORKS_QUESTDB_HTTP_PORT", str(questdb_settings.http_port))
    monkeypatch.setenv("DELTAWORKS_QUESTDB_PG_PORT", str(questdb_settings.pg_port))
    monkeypatch.setenv("DELTAWORKS_QUESTDB_MANAGED", "false")
    args = ["ma_cross", "--data", str(data), "--symbol", "BTC/USDT", "--param", "fast=10",
            "--param", "slow=40", "--latency-ms", "100", "--slippage-bps", "2",
            "--out", str(tmp_path / "out"), "--store"]  # fmt: skip
    outcome = CliRunner().invoke(app, args, terminal_width=200)
    assert outcome.exit_code == 0, outcome.output
    run_id = re.search(r"stored run (\w+)", outcome.output)[1]
    assert "slippage_bps" in outcome.output and "100%" in outcome.output
    assert {p.suffix for p in (tmp_path / "out").iterdir()} == {".png", ".html", ".csv"}
    assert "costs per order" in outcome.output and "39 more orders" in outcome.output
    orders = pd.read_csv(tmp_path / "out" / f"backtest-{run_id}-orders.csv")
    assert orders["parent_id"].tolist()[:2] == ["ma_cross-1", "ma_cross-2"]
    assert (orders["spread_bps"] > 0).all() and (orders["fill_rate"] == 1).all()
    row = reader.query("SELECT costs FROM backtest_runs WHERE run_id = %s", (run_id,))[0]
    assert json.loads(row["costs"])["latency_ms"] == 100


def test_cli_bad_input(tmp_path: Path):
    data = tmp_path / "trades.csv"
    frame = trades(100)
    frame.loc[[5, 6], "ts"] = frame.loc[[6, 5], "ts"].to_numpy()
    frame.to_csv(data, index=False)
    args = ["ma_cross", "--data", str(data), "--symbol", "BTC/USDT"]
    outcome = CliRunner().invoke(app, args, terminal_width=200)
    assert outcome.exit_code == 2 and "timestamp goes backwards" in outcome.output
    outcome = CliRunner().invoke(app, ["nope", *args[1:]], terminal_width=200)
    assert outcome.exit_code == 2 and "unknown strategy 'nope'" in outcome.output
    outcome = CliRunner().invoke(
        app, [*args, "--repair", "sort", "--param", "fats=3"], terminal_width=200
    )
    assert outcome.exit_code == 2 and "ma_cross has no parameter 'fats'" in outcome.output
    assert "it takes fast, slow, amount" in outcome.output
    outcome = CliRunner().invoke(
        app, [*args, "--repair", "sort", "--param", "fast=abc"], terminal_width=200
    )
    assert (
        outcome.exit_code == 2 and "--param fast=abc: ma_cross's fast must be int" in outcome.output
    )
    args = ["ma_cross", "--data", str(data), "--symbol", "BTC/USDT", "--repair", "sort",
            "--param", "fast=5", "--param", "slow=10"]  # fmt: skip
    outcome = CliRunner().invoke(app, args, terminal_width=200)
    assert outcome.exit_code == 0, outcome.output
    assert "data repaired: sorted 1 out-of-order rows" in outcome.output


def test_cli_live_mode_matches_the_backtest(tmp_path: Path):
    data = tmp_path / "trades.csv"
    trades(600, seed=9).to_csv(data, index=False)
    args = ["ma_cross", "--data", str(data), "--symbol", "BTC/USDT", "--param", "fast=5",
            "--param", "slow=20", "--latency-ms", "40"]  # fmt: skip
    tables = []
    for extra in ([], ["--live"]):
        outcome = CliRunner().invoke(app, [*args, *extra], terminal_width=200)
        assert outcome.exit_code == 0, outcome.output
        rows = re.findall(r"│ (pnl|fills|fees|slippage_bps) +│ +([-\d.,]+) │", outcome.output)
        tables.append(rows)
    assert len(tables[0]) == 4 and tables[0] == tables[1]
