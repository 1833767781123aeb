"""Reads of the OMS's own history from QuestDB (start-up rebuild, order details)."""

from __future__ import annotations

from typing import Any

from deltaworks_core.questdb import QuestDBReader
from deltaworks_exec.oms.model import ManagedOrder, to_us

_LATEST = "SELECT * FROM order_events LATEST ON ts PARTITION BY order_id"


def _order(row: dict[str, Any]) -> ManagedOrder:
    return ManagedOrder(
        order_id=row["order_id"],
        client_order_id=row["client_order_id"],
        exchange=row["exchange"],
        symbol=row["symbol"],
        side=row["side"],
        type=row["type"],
        amount=row["amount"],
        price=row["price"],
        stop_price=row["stop_price"],
        time_in_force=row["time_in_force"],
        status=row["status"],
        filled=row["filled"] or 0.0,
        average=row["average"],
        venue_order_id=row["venue_order_id"],
        algo_id=row["algo_id"],
        reason=row["reason"],
        seq=row["seq"],
        ts_us=to_us(row["ts"]),
        user=row["user_name"],
    )


def load_orders(reader: QuestDBReader) -> list[ManagedOrder]:
    """Every order's latest state, with its creation time and the ids of its recorded fills."""
    reader.wait_visible(["order_events", "fills"])
    orders = {row["order_id"]: _order(row) for row in reader.query(_LATEST)}
    created = "SELECT order_id, min(ts) created FROM order_events GROUP BY order_id"
    for row in reader.query(created):
        if row["order_id"] in orders:
            orders[row["order_id"]].created_us = to_us(row["created"])
    for row in reader.query("SELECT order_id, fill_id, amount FROM fills"):
        order = orders.get(row["order_id"])
        if order is not None and row["fill_id"] not in order.fill_ids:
            order.fill_ids.add(row["fill_id"])
            order.fills_amount += row["amount"]
    return list(orders.values())


def load_control(reader: QuestDBReader) -> dict[str, str]:
    """The latest value of every service control (e.g. the kill switch)."""
    reader.wait_visible("exec_control")
    rows = reader.query("SELECT key, value FROM exec_control LATEST ON ts PARTITION BY key")
    return {row["key"]: row["value"] for row in rows}


def order_history(reader: QuestDBReader, order_id: str) -> tuple[list[dict], list[dict]]:
    """An order's transitions (by ``seq``) and its fills (by time), as stored."""
    reader.wait_visible(["order_events", "fills"])
    events = reader.query(
        "SELECT ts, seq, status, filled, average, venue_order_id, reason, user_name "
        "FROM order_events "
        "WHERE order_id = %s ORDER BY seq",
        (order_id,),
    )
    fills = reader.query(
        "SELECT ts, fill_id, price, amount, cost, fee, fee_currency, liquidity FROM fills "
        "WHERE order_id = %s ORDER BY ts",
        (order_id,),
    )
    for row in (*events, *fills):
        row["ts"] = row["ts"].isoformat() + "Z"
    return events, fills
