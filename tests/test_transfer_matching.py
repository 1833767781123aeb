"""Matching withdrawals to deposits on other exchanges: txid first, then asset + amount (net
of fee) within the window, else a known address; each deposit matched once."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from deltaworks_pipelines.transfer_matching import match_transfers

T0 = datetime(2026, 3, 1, 12, 0)
WINDOW = timedelta(days=2)


def _w(wid: str, amount: float, *, txid: str | None = None, **extra: Any) -> dict[str, Any]:
    row = {"withdrawal_id": wid, "ts": T0, "asset": "USDT", "amount": amount, "fee": 1.0}
    return {**row, "txid": txid, "address": "T-addr", "status": "ok", "internal": False, **extra}


def _d(did: str, amount: float, *, txid: str | None = None, **extra: Any) -> dict[str, Any]:
    row = {"exchange": "okx", "deposit_id": did, "ts": T0 + timedelta(minutes=7)}
    row |= {"asset": "USDT", "amount": amount, "txid": txid, "status": "ok", "internal": False}
    return {**row, "updated": None, **extra}


def test_txid_first_then_amount_net_of_fee() -> None:
    withdrawals = [_w("w1", 250.0, txid="0xabc"), _w("w2", 100.0)]
    deposits = [_d("d1", 250.0, txid="0xabc"), _d("d2", 99.0, txid="0xother")]
    found = match_transfers(withdrawals, deposits, {}, WINDOW)
    assert [
        (t.withdrawal["withdrawal_id"], t.deposit["deposit_id"], t.matched_by) for t in found
    ] == [
        ("w1", "d1", "txid"),
        ("w2", "d2", "amount"),  # 100 sent, 1 fee, 99 arrived
    ]
    assert [t.status for t in found] == ["settled", "settled"]


def test_a_deposit_matches_once_and_only_inside_the_window() -> None:
    withdrawals = [_w("w1", 50.0), _w("w2", 50.0)]
    late = _d("d2", 50.0, ts=T0 + WINDOW + timedelta(seconds=1))
    found = match_transfers(withdrawals, [_d("d1", 50.0), late], {}, WINDOW)
    assert [(t.withdrawal["withdrawal_id"], t.matched_by) for t in found] == [("w1", "amount")]


def test_known_address_is_in_transit_unknown_is_not_a_transfer() -> None:
    found = match_transfers([_w("w1", 10.0)], [], {"T-addr": "okx"}, WINDOW)
    assert [(t.to_exchange, t.matched_by, t.status) for t in found] == [
        ("okx", "address", "in_transit")
    ]
    assert match_transfers([_w("w1", 10.0)], [], {}, WINDOW) == []


def test_pending_deposit_is_in_transit_and_failures_are_failed() -> None:
    pending = match_transfers(
        [_w("w1", 5.0, txid="t")], [_d("d", 5.0, txid="t", status="pending")], {}, WINDOW
    )
    assert pending[0].status == "in_transit" and pending[0].settled_at is None
    failed = match_transfers([_w("w1", 5.0, status="failed")], [], {"T-addr": "okx"}, WINDOW)
    assert failed[0].status == "failed"
    credited = _d("d", 5.0, txid="t", updated=T0 + timedelta(minutes=9))
    [settled] = match_transfers([_w("w1", 5.0, txid="t")], [credited], {}, WINDOW)
    assert settled.settled_at == T0 + timedelta(minutes=9)
