"""Read-only QuestDB queries behind the dashboard; rows come back JSON-safe."""

from __future__ import annotations

import math
from datetime import UTC, datetime
from typing import Any

from deltaworks_core.questdb import QuestDBReader

MAX_CHART_POINTS = 500


def _clean(row: dict[str, Any]) -> dict[str, Any]:
    """Timestamps as UTC-aware datetimes, non-finite floats as ``None``."""
    out: dict[str, Any] = {}
    for key, value in row.items():
        if isinstance(value, datetime) and value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        elif isinstance(value, float) and not math.isfinite(value):
            value = None
        out[key] = value
    return out


def _rows(reader: QuestDBReader, sql: str, params: list[Any]) -> list[dict[str, Any]]:
    return [_clean(row) for row in reader.query(sql, params)]


def _where(filters: dict[str, Any], alias: str = "") -> tuple[str, list[Any]]:
    """``WHERE a = %s AND ...`` for the filters that are set."""
    used = {k: v for k, v in filters.items() if v is not None}
    if not used:
        return "", []
    clause = " AND ".join(f"{alias}{name} = %s" for name in used)
    return f"WHERE {clause}", list(used.values())


def _thin(rows: list[dict[str, Any]], limit: int = MAX_CHART_POINTS) -> list[dict[str, Any]]:
    """At most ``limit`` evenly spaced rows, the last one always kept."""
    if len(rows) <= limit:
        return rows
    step = math.ceil(len(rows) / limit)
    thinned = rows[::step]
    return thinned if thinned[-1] is rows[-1] else [*thinned, rows[-1]]


def holdings(
    reader: QuestDBReader, exchange: str | None, account_type: str | None
) -> list[dict[str, Any]]:
    """Every asset of the latest snapshot of each exchange account, largest value first."""
    where, params = _where({"exchange": exchange, "account_type": account_type}, "h.")
    sql = f"""
        WITH last AS (SELECT exchange, account_type, max(ts) AS snap FROM holdings)
        SELECT h.ts, h.exchange, h.account_type, h.asset, h.free, h.used, h.total,
               h.quote, h.price, h.value
        FROM holdings h
        JOIN last ON h.exchange = last.exchange AND h.account_type = last.account_type
        {where} {"AND" if where else "WHERE"} h.ts = last.snap
        ORDER BY h.exchange, h.account_type, h.value DESC
    """
    return _rows(reader, sql, params)


def portfolio(reader: QuestDBReader, points: int) -> dict[str, list[dict[str, Any]]]:
    """Latest value per exchange and account type, and the last ``points`` rows of history
    (at most ``MAX_CHART_POINTS`` per exchange account type, oldest first)."""
    columns = "ts, exchange, account_type, quote, value, unpriced_assets"
    latest = _rows(
        reader,
        f"SELECT {columns} FROM portfolio_value LATEST ON ts PARTITION BY exchange, account_type "
        "ORDER BY exchange, account_type",
        [],
    )
    history = _rows(
        reader,
        f"SELECT {columns} FROM portfolio_value ORDER BY ts DESC LIMIT %s",
        [points],
    )
    series: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for row in reversed(history):
        series.setdefault((row["exchange"], row["account_type"]), []).append(row)
    thinned = [row for rows in series.values() for row in _thin(rows)]
    return {"latest": latest, "history": sorted(thinned, key=lambda row: row["ts"])}


def withdrawals(reader: QuestDBReader, exchange: str | None, limit: int) -> list[dict[str, Any]]:
    where, params = _where({"exchange": exchange})
    sql = (
        "SELECT ts, exchange, withdrawal_id, kind, asset, amount, fee, network, address, txid, "
        f"status FROM withdrawals {where} ORDER BY ts DESC LIMIT %s"
    )
    return _rows(reader, sql, [*params, limit])


def fills(reader: QuestDBReader, exchange: str | None, limit: int) -> list[dict[str, Any]]:
    where, params = _where({"exchange": exchange})
    sql = (
        "SELECT ts, exchange, fill_id, order_id, client_order_id, symbol, side, price, amount, "
        f"cost, fee, fee_currency, liquidity FROM fills {where} ORDER BY ts DESC LIMIT %s"
    )
    return _rows(reader, sql, [*params, limit])


_ALGO_COLUMNS = (
    "ts, algo_id, seq, algo, status, exchange, symbol, side, quantity, filled, average, "
    "target, children, message, user_name"
)


def algos(reader: QuestDBReader, limit: int) -> list[dict[str, Any]]:
    """The latest event of each parent order, most recently active first."""
    sql = (
        f"SELECT {_ALGO_COLUMNS} FROM algo_events LATEST ON ts PARTITION BY algo_id "
        "ORDER BY ts DESC LIMIT %s"
    )
    return _rows(reader, sql, [limit])


def algo_history(reader: QuestDBReader, algo_id: str) -> list[dict[str, Any]]:
    """Every event of one parent order in sequence order (thinned for a chart)."""
    sql = f"SELECT {_ALGO_COLUMNS} FROM algo_events WHERE algo_id = %s ORDER BY seq"
    return _thin(_rows(reader, sql, [algo_id]))


def arbitrage(reader: QuestDBReader, symbol: str | None, limit: int) -> list[dict[str, Any]]:
    where, params = _where({"symbol": symbol})
    sql = (
        "SELECT ts, symbol, buy_exchange, sell_exchange, buy_price, sell_price, amount, "
        f"gross_edge_bps, net_edge_bps FROM arbitrage_opportunities {where} "
        "ORDER BY ts DESC LIMIT %s"
    )
    return _rows(reader, sql, [*params, limit])


def backtest_runs(reader: QuestDBReader, limit: int) -> list[dict[str, Any]]:
    sql = (
        "SELECT ts, run_id, strategy, mode, symbols, quote, start_ts, end_ts, initial_equity, "
        "final_equity, pnl, return_pct, max_drawdown_pct, sharpe, fees, fills, slippage_bps "
        "FROM backtest_runs ORDER BY ts DESC LIMIT %s"
    )
    return _rows(reader, sql, [limit])


def backtest_equity(reader: QuestDBReader, run_id: str) -> list[dict[str, Any]]:
    """The equity curve of one run (thinned for a chart); empty for an unknown run."""
    sql = "SELECT ts, equity, drawdown_pct FROM backtest_equity WHERE run_id = %s ORDER BY ts"
    return _thin(_rows(reader, sql, [run_id]))
