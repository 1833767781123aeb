"""Match withdrawals on one exchange to deposits on the other configured exchanges.

A withdrawal is a transfer when its deposit is found on another configured exchange
(the same txid; else the same asset, an amount equal to the withdrawal's or to it net of
its fee, seen within ``window`` after it), or, while no deposit is seen yet, when it was
sent to an address where another configured exchange has received deposits before.
Other withdrawals (payments out) are not transfers. Pure functions over QuestDB rows.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Literal

Row = Mapping[str, Any]
Status = Literal["in_transit", "settled", "failed"]
_FAILED = frozenset({"failed", "canceled"})
_REL_TOLERANCE = 1e-9


@dataclass(frozen=True)
class Transfer:
    """One withdrawal known to go to another configured exchange, and where it is."""

    withdrawal: Row
    deposit: Row | None
    to_exchange: str
    matched_by: Literal["txid", "amount", "address"]

    @property
    def status(self) -> Status:
        if self.withdrawal["status"] in _FAILED:
            return "failed"
        if self.deposit is None:
            return "in_transit"
        if self.deposit["status"] in _FAILED:
            return "failed"
        return "settled" if self.deposit["status"] == "ok" else "in_transit"

    @property
    def settled_at(self) -> datetime | None:
        """When the deposit was credited: its update time, else when it was seen."""
        if self.status != "settled" or self.deposit is None:
            return None
        return self.deposit.get("updated") or self.deposit["ts"]


def _same_amount(withdrawal: Row, deposit: Row) -> bool:
    sent = float(withdrawal["amount"])
    net = sent - float(withdrawal.get("fee") or 0.0)
    received = float(deposit["amount"])
    return any(math.isclose(received, a, rel_tol=_REL_TOLERANCE) for a in (sent, net))


def match_transfers(
    withdrawals: Sequence[Row],
    deposits: Iterable[Row],
    known_addresses: Mapping[str, str],
    window: timedelta,
) -> list[Transfer]:
    """The transfers among ``withdrawals`` (one sender's), oldest first.

    ``deposits``: rows of the other configured exchanges (``exchange``, ``deposit_id``,
    ``ts``, ``asset``, ``amount``, ``txid``, ``status``, ``internal``, ``updated``);
    ``known_addresses``: address -> the configured exchange that received deposits there.
    Each deposit matches at most one withdrawal: by txid first, then by amount, oldest
    withdrawal first.
    """
    pool = [d for d in deposits if not d.get("internal")]
    by_txid = {d["txid"]: d for d in pool if d.get("txid")}
    taken: set[tuple[str, str]] = set()
    found: dict[int, Transfer] = {}
    ordered = sorted(enumerate(withdrawals), key=lambda iw: iw[1]["ts"])
    for index, w in ordered:
        deposit = by_txid.get(w.get("txid")) if w.get("txid") else None
        if deposit is not None:
            taken.add((deposit["exchange"], deposit["deposit_id"]))
            found[index] = Transfer(w, deposit, deposit["exchange"], "txid")
    for index, w in ordered:
        if index in found or w.get("internal"):
            continue
        deposit = next(
            (
                d
                for d in sorted(pool, key=lambda d: d["ts"])
                if (d["exchange"], d["deposit_id"]) not in taken
                and d["asset"] == w["asset"]
                and w["ts"] <= d["ts"] <= w["ts"] + window
                and _same_amount(w, d)
            ),
            None,
        )
        if deposit is not None:
            taken.add((deposit["exchange"], deposit["deposit_id"]))
            found[index] = Transfer(w, deposit, deposit["exchange"], "amount")
        elif w.get("address") in known_addresses:
            found[index] = Transfer(w, None, known_addresses[w["address"]], "address")
    return [found[i] for i, _ in ordered if i in found]
