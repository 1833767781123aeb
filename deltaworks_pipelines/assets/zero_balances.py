"""Balances that went to zero: exchanges stop listing an asset once it is gone, so a snapshot
records it explicitly with zero; charts that carry the last value forward then fall to zero."""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd

from deltaworks_core.questdb import QuestDBReader

# Each asset's last row per wallet; ones last seen held and now unlisted are the vanished.
_LAST_ROWS = (
    "SELECT account_type, asset, quote, total, debt FROM holdings WHERE exchange = %s "
    "LATEST ON ts PARTITION BY account_type, asset"
)


def last_held(reader: QuestDBReader, exchange: str) -> list[tuple[str, str, str]]:
    """(account_type, asset, quote) of every asset whose last recorded row is not zero."""
    return [
        (row["account_type"], row["asset"], row["quote"])
        for row in reader.query(_LAST_ROWS, (exchange,))
        if row["total"] or row["debt"]
    ]


def with_zero_balances(
    frame: pd.DataFrame,
    exchange: str,
    held_before: Iterable[tuple[str, str, str]],
    wallets: Iterable[str],
    ts: pd.Timestamp,
) -> pd.DataFrame:
    """``frame`` (a holdings snapshot of ``exchange`` at ``ts``) plus a zero row for every
    asset held before in one of ``wallets`` and missing from the snapshot."""
    present = set(zip(frame["account_type"], frame["asset"], strict=True))
    labels = set(wallets)
    zeros = [
        {
            "ts": ts,
            "exchange": exchange,
            "account_type": account_type,
            "asset": asset,
            "free": 0.0,
            "used": 0.0,
            "total": 0.0,
            "quote": quote,
            "price": None,
            "value": 0.0,
            "priced": True,
            "debt": None,
        }
        for account_type, asset, quote in held_before
        if account_type in labels and (account_type, asset) not in present
    ]
    if not zeros:
        return frame
    zero_frame = pd.DataFrame(zeros, columns=frame.columns).astype({"ts": frame["ts"].dtype})
    return pd.concat([frame, zero_frame], ignore_index=True) if len(frame) else zero_frame
