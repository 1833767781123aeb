"""Parent order progress events: the ``algo_events`` rows, their sinks and their read-back.

Every state change, child order and fill progress of a parent order is one
event with a per-algorithm sequence number; the last event of an algorithm is
enough, with its children's client order ids, to rebuild it after a restart.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Protocol

from deltaworks_core.questdb import QuestDBReader, QuestDBWriter

log = logging.getLogger(__name__)

TABLE = "algo_events"
_SYMBOLS = ("algo", "status", "exchange", "symbol", "side", "user_name")


@dataclass(frozen=True, slots=True)
class AlgoEvent:
    """One progress event of one parent order.

    ``params`` holds everything needed to rebuild the algorithm (its parameters
    and start time); ``children`` is how many child client ids it has used;
    ``target`` is the quantity its schedule wanted done by ``ts``; ``user`` made the
    last request acting on the parent order (start, pause, resume, cancel).
    """

    ts: datetime
    algo_id: str
    seq: int
    algo: str
    status: str
    exchange: str
    symbol: str
    side: str
    quantity: float
    filled: float
    average: float | None
    params: dict[str, Any]
    message: str
    children: int
    target: float
    user: str | None = None

    def row(self) -> dict[str, Any]:
        """The event as an ``algo_events`` row."""
        return {
            "ts": self.ts,
            "algo_id": self.algo_id,
            "seq": self.seq,
            "algo": self.algo,
            "status": self.status,
            "exchange": self.exchange,
            "symbol": self.symbol,
            "side": self.side,
            "quantity": self.quantity,
            "filled": self.filled,
            "average": self.average,
            "params": json.dumps(self.params, sort_keys=True),
            "message": self.message,
            "children": self.children,
            "target": self.target,
            "user_name": self.user,
        }


class ProgressSink(Protocol):
    """Where parent orders report progress (QuestDB, a WebSocket fan-out, a list)."""

    def publish(self, event: AlgoEvent) -> None: ...


class MemoryProgress:
    """Keeps events in a list: backtests and tests read them back."""

    def __init__(self) -> None:
        self.events: list[AlgoEvent] = []

    def publish(self, event: AlgoEvent) -> None:
        self.events.append(event)


class QuestDBProgress:
    """Writes every event to ``algo_events`` (idempotent: key ts, algo_id, seq)."""

    def __init__(self, writer: QuestDBWriter) -> None:
        self._writer = writer

    def publish(self, event: AlgoEvent) -> None:
        row = event.row()
        self._writer.write_row(
            TABLE,
            row.pop("ts"),
            symbols={name: row.pop(name) for name in _SYMBOLS},
            columns=row,
        )


class Bus(Protocol):
    def publish(self, kind: str, data: dict[str, Any]) -> None: ...


class BusProgress:
    """Publishes every event as an ``algo`` event on the service's bus (the WebSocket feed)."""

    def __init__(self, bus: Bus) -> None:
        self._bus = bus

    def publish(self, event: AlgoEvent) -> None:
        row = event.row()
        row["ts"] = event.ts.isoformat()
        row["params"] = event.params
        self._bus.publish("algo", row)


class FanOut:
    """Publishes to several sinks in order."""

    def __init__(self, *sinks: ProgressSink) -> None:
        self._sinks = sinks

    def publish(self, event: AlgoEvent) -> None:
        for sink in self._sinks:
            sink.publish(event)


def _event(row: dict[str, Any]) -> AlgoEvent:
    ts = row["ts"]
    return AlgoEvent(
        ts=ts.replace(tzinfo=UTC) if ts.tzinfo is None else ts,
        algo_id=row["algo_id"],
        seq=int(row["seq"]),
        algo=row["algo"],
        status=row["status"],
        exchange=row["exchange"],
        symbol=row["symbol"],
        side=row["side"],
        quantity=row["quantity"],
        filled=row["filled"],
        average=row["average"],
        params=json.loads(row["params"] or "{}"),
        message=row["message"] or "",
        children=int(row["children"] or 0),
        target=row["target"] or 0.0,
        user=row["user_name"],
    )


def latest_events(reader: QuestDBReader, algo_id: str | None = None) -> list[AlgoEvent]:
    """The last event of every algorithm (or of ``algo_id``).

    Event timestamps strictly increase per algorithm, so the latest is the highest ``seq``.
    """
    where = "WHERE algo_id = %s " if algo_id else ""
    rows = reader.query(
        f"SELECT * FROM {TABLE} {where}LATEST ON ts PARTITION BY algo_id",
        (algo_id,) if algo_id else (),
    )
    return _parsed(rows)


def _parsed(rows: list[dict[str, Any]]) -> list[AlgoEvent]:
    """The rows as events, a damaged one (unreadable ``params``, missing fields) left out
    and logged: one bad row must not break every listing and recovery."""
    events = []
    for row in rows:
        try:
            events.append(_event(row))
        except (ValueError, TypeError, AttributeError) as exc:
            log.error(
                "damaged algo_events row left out",
                extra={"algo_id": row.get("algo_id"), "error": repr(exc)[:200]},
            )
    return events


def history(reader: QuestDBReader, algo_id: str) -> list[AlgoEvent]:
    """Every event of ``algo_id`` in sequence order."""
    rows = reader.query(f"SELECT * FROM {TABLE} WHERE algo_id = %s ORDER BY seq", (algo_id,))
    return [_event(row) for row in rows]
