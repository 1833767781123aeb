"""Arbitrage trades: their legs, their outcome, and the ``arbitrage_trades`` rows that keep them.

Every step of a trade (sent, hedging, outcome) is one row with a per-trade
sequence number; the latest row of a trade holds every leg's client order id,
which is enough to rebuild the trade and finish its policy after a restart.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from deltaworks_core.questdb import QuestDBReader, QuestDBWriter
from deltaworks_exec.quantities import dec

TABLE = "arbitrage_trades"
_SYMBOLS = ("pair_id", "status", "symbol", "buy_exchange", "sell_exchange")

# Leg roles: the two opening legs, a retry of the lagging leg, an unwind of the leading one.
OPENING = ("buy", "sell")
RETRY = "retry"
UNWIND = "unwind"

# Trade statuses. Only the outcomes are final; the others are finished after a restart.
SENDING = "sending"
HEDGING = "hedging"
UNRESOLVED = "unresolved"  # a leg's outcome is not known yet (its venue does not answer)
COMPLETED = "completed"  # both legs filled alike
HEDGED = "hedged"  # the lagging leg was completed by a retry within the price bound
UNWOUND = "unwound"  # the leading leg's excess was sold or bought back at market
MISSED = "missed"  # nothing filled on either leg
EXPOSED = "exposed"  # a residual beyond the bound remains: flagged for a person
OUTCOMES = frozenset({COMPLETED, HEDGED, UNWOUND, MISSED, EXPOSED})

# OMS order statuses after which a leg's fill no longer changes.
LEG_FINAL = frozenset({"filled", "canceled", "rejected", "expired", "not_sent"})


@dataclass(slots=True)
class Leg:
    """One order of a trade, as the OMS last reported it."""

    role: str
    exchange: str
    side: str
    client_order_id: str
    amount: float
    price: float | None
    status: str = "planned"
    filled: float = 0.0
    average: float | None = None
    order_id: str | None = None
    reason: str | None = None

    @property
    def resolved(self) -> bool:
        return self.status in LEG_FINAL


@dataclass(slots=True)
class ArbitrageTrade:
    """Both legs of one opportunity, the hedges the policy sent, and the outcome."""

    trade_id: str
    pair_id: str
    symbol: str
    buy_exchange: str
    sell_exchange: str
    amount: float
    buy_price: float
    sell_price: float
    expected_edge_bps: float
    retry_bound_bps: float
    legs: list[Leg] = field(default_factory=list)
    status: str = SENDING
    residual: float = 0.0
    residual_bound: float = 0.0
    realised_edge: float = 0.0
    realised_edge_bps: float | None = None
    message: str = ""
    seq: int = 0
    ts_us: int = 0

    def filled(self, side: str) -> Decimal:
        """Base amount filled on ``side`` over every leg."""
        return sum((dec(leg.filled) for leg in self.legs if leg.side == side), Decimal(0))

    def gap(self) -> Decimal:
        """Bought minus sold: the position the trade holds across both venues."""
        return self.filled("buy") - self.filled("sell")

    def count(self, role: str) -> int:
        return sum(leg.role == role for leg in self.legs)

    def public(self) -> dict[str, Any]:
        """The trade as the API and CLI show it."""
        out = asdict(self)
        out.update(
            bought=float(self.filled("buy")),
            sold=float(self.filled("sell")),
            ts=datetime.fromtimestamp(self.ts_us / 1e6, UTC).isoformat() if self.ts_us else None,
        )
        del out["ts_us"]
        return out

    def row(self) -> dict[str, Any]:
        """The trade's current state as an ``arbitrage_trades`` row."""
        doc = {"retry_bound_bps": self.retry_bound_bps, "legs": [asdict(leg) for leg in self.legs]}
        return {
            "trade_id": self.trade_id,
            "seq": self.seq,
            "pair_id": self.pair_id,
            "status": self.status,
            "symbol": self.symbol,
            "buy_exchange": self.buy_exchange,
            "sell_exchange": self.sell_exchange,
            "amount": self.amount,
            "buy_price": self.buy_price,
            "sell_price": self.sell_price,
            "expected_edge_bps": self.expected_edge_bps,
            "bought": float(self.filled("buy")),
            "sold": float(self.filled("sell")),
            "residual": self.residual,
            "residual_bound": self.residual_bound,
            "realised_edge": self.realised_edge,
            "realised_edge_bps": self.realised_edge_bps,
            "legs": json.dumps(doc, sort_keys=True),
            "message": self.message,
        }


def _trade(row: dict[str, Any]) -> ArbitrageTrade:
    doc = json.loads(row["legs"] or "{}")
    ts = row["ts"].replace(tzinfo=UTC) if row["ts"].tzinfo is None else row["ts"]
    return ArbitrageTrade(
        trade_id=row["trade_id"],
        pair_id=row["pair_id"],
        symbol=row["symbol"],
        buy_exchange=row["buy_exchange"],
        sell_exchange=row["sell_exchange"],
        amount=row["amount"],
        buy_price=row["buy_price"],
        sell_price=row["sell_price"],
        expected_edge_bps=row["expected_edge_bps"],
        retry_bound_bps=doc.get("retry_bound_bps", 0.0),
        legs=[Leg(**leg) for leg in doc.get("legs", [])],
        status=row["status"],
        residual=row["residual"] or 0.0,
        residual_bound=row["residual_bound"] or 0.0,
        realised_edge=row["realised_edge"] or 0.0,
        realised_edge_bps=row["realised_edge_bps"],
        message=row["message"] or "",
        seq=int(row["seq"]),
        ts_us=int(ts.timestamp() * 1_000_000),
    )


class TradeStore:
    """Writes trade rows (committed before the call returns) and reads them back."""

    def __init__(self, writer: QuestDBWriter, reader: QuestDBReader) -> None:
        self._writer = writer
        self._reader = reader

    def save(self, trade: ArbitrageTrade) -> None:
        row = trade.row()
        self._writer.write_row(
            TABLE,
            datetime.fromtimestamp(trade.ts_us / 1e6, UTC),
            symbols={name: row.pop(name) for name in _SYMBOLS},
            columns=row,
        )

    def latest(self, trade_id: str | None = None) -> list[ArbitrageTrade]:
        """The current state of every trade (or of ``trade_id``), newest first."""
        self._reader.wait_visible(TABLE)
        where = "WHERE trade_id = %s " if trade_id else ""
        rows = self._reader.query(
            f"SELECT * FROM {TABLE} {where}LATEST ON ts PARTITION BY trade_id",
            (trade_id,) if trade_id else (),
        )
        trades = [_trade(row) for row in rows]
        return sorted(trades, key=lambda t: t.ts_us, reverse=True)
