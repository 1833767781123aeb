"""Backtest results in QuestDB: ``backtest_runs``, ``backtest_fills`` and ``backtest_equity``.

Every row has a stable key (the run's creation time and id; a fill's time,
run id and sequence), so storing the same result again changes nothing.
"""

from __future__ import annotations

import json
from typing import Any

import pandas as pd

from deltaworks_core.questdb import QuestDBReader, QuestDBWriter
from deltaworks_exec.backtest.metrics import compute
from deltaworks_exec.backtest.result import RunResult
from deltaworks_exec.backtest.setup import BacktestConfig

TABLES = ("backtest_runs", "backtest_fills", "backtest_equity")
_LONGS = ("events", "orders", "fills", "rejects", "tca_orders")


def _ts(ms: int | pd.Series) -> Any:
    return pd.to_datetime(ms, unit="ms", utc=True)


def run_row(result: RunResult, config: BacktestConfig) -> dict[str, Any]:
    """The ``backtest_runs`` row of ``result``."""
    metrics = result.metrics or compute(result)
    costs = {
        "fees": {"maker_bps": config.fees.maker_bps, "taker_bps": config.fees.taker_bps},
        "slippage": {type(config.slippage).__name__: _fields(config.slippage)},
        "latency_ms": config.latency.order_ms,
    }
    row: dict[str, Any] = {
        "ts": _ts(result.created_ms),
        "run_id": result.run_id,
        "strategy": result.strategy,
        "mode": result.mode,
        "kind": result.kind,
        "quote": result.quote,
        "venues": ",".join(result.venues),
        "symbols": ",".join(result.symbols),
        "params": json.dumps(result.params, sort_keys=True),
        "costs": json.dumps(costs, sort_keys=True),
        "repairs": "; ".join(result.repairs),
        "start_ts": _ts(result.start_ms),
        "end_ts": _ts(result.end_ms),
        "elapsed_s": result.elapsed_s,
    }
    for name, value in metrics.items():
        if name in _LONGS:
            row[name] = int(value)
        elif name.startswith("tca_") or name in (
            "initial_equity", "final_equity", "pnl", "return_pct", "max_drawdown_pct",
            "sharpe", "turnover", "fees", "slippage_bps", "events_per_s",
        ):  # fmt: skip
            row[name] = float(value)
    return row


def _fields(model: object) -> dict[str, Any]:
    return {name: getattr(model, name) for name in type(model).__slots__}


def fills_frame(result: RunResult) -> pd.DataFrame:
    """The ``backtest_fills`` rows of ``result``."""
    arrival = result.arrivals()
    frame = result.fills_frame()
    if frame.empty:
        return frame
    frame = frame.drop(columns=["ts_ms"])
    frame.insert(1, "run_id", result.run_id)
    frame.insert(2, "seq", range(len(frame)))
    frame["cost"] = frame["price"] * frame["amount"]
    frame["arrival_price"] = frame["client_order_id"].map(arrival).astype(float)
    sign = frame["side"].map({"buy": 1.0, "sell": -1.0})
    frame["slippage_bps"] = (frame["price"] / frame["arrival_price"] - 1) * sign * 10_000
    return frame


def equity_frame(result: RunResult) -> pd.DataFrame:
    """The ``backtest_equity`` rows of ``result`` (drawdown from the running peak, %)."""
    frame = result.equity_frame().drop(columns=["ts_ms"])
    frame = frame.groupby("ts", as_index=False).last()
    peak = frame["equity"].cummax()
    frame["drawdown_pct"] = (peak - frame["equity"]) / peak * 100
    frame.insert(1, "run_id", result.run_id)
    return frame


def store(
    writer: QuestDBWriter, reader: QuestDBReader, result: RunResult, config: BacktestConfig
) -> None:
    """Write the run, its fills and its equity curve, and wait until they are readable."""
    writer.write_rows(
        "backtest_runs",
        [run_row(result, config)],
        symbols=("run_id", "strategy", "mode", "kind", "quote"),
    )
    fills = fills_frame(result)
    if not fills.empty:
        writer.write_dataframe(
            "backtest_fills",
            fills,
            symbols=("run_id", "venue", "symbol", "side", "fee_currency", "liquidity"),
        )
    writer.write_dataframe("backtest_equity", equity_frame(result), symbols=("run_id",))
    reader.wait_visible(list(TABLES))


def runs(reader: QuestDBReader, limit: int = 20) -> pd.DataFrame:
    """The latest stored runs, newest first."""
    return reader.query_df(
        "SELECT ts, run_id, strategy, mode, symbols, pnl, return_pct, max_drawdown_pct, sharpe, "
        f"fills FROM backtest_runs ORDER BY ts DESC LIMIT {int(limit)}"
    )
