"""OKX's deposit and withdrawal history: at most 100 records a page, newest first, paged
by time with ``after`` (records older than a timestamp) and ``before`` (newer than it).

With ``before`` alone the page holds the records right after it (the oldest first 100
newer than ``before``, still listed newest first), so paging forwards from a start time
and backwards from now both visit every record once.
"""

from __future__ import annotations

from typing import Any

from ...engine import ExchangeEngine
from . import rendering
from .errors import param_error
from .public import ms_param

Params = dict[str, Any]
PAGE = 100


def _limit(params: Params) -> int:
    value = params.get("limit")
    if value in (None, ""):
        return PAGE
    try:
        limit = int(value)
    except (TypeError, ValueError):
        raise param_error("limit") from None
    if not 1 <= limit <= PAGE:
        raise param_error("limit")
    return limit


class Funds:
    """Deposit and withdrawal history of one engine."""

    def __init__(self, engine: ExchangeEngine) -> None:
        self.engine = engine

    def withdrawals(self, account: str, params: Params) -> list[dict]:
        """``asset/withdrawal-history``."""
        limit = _limit(params)
        after, before = ms_param(params, "after"), ms_param(params, "before")
        end = after - 1 if after is not None else None
        start = before + 1 if before is not None else None
        ccy = params.get("ccy") or None
        rows = self.engine.withdrawals(start, end, coin=ccy)
        for name, field in (("wdId", "id"), ("txId", "tx_id")):
            if params.get(name):
                rows = [w for w in rows if getattr(w, field) == params[name]]
        out = [rendering.withdrawal(w) for w in rows]
        if params.get("state") not in (None, ""):
            out = [row for row in out if row["state"] == str(params["state"])]
        return out[-limit:] if before is not None and after is None else out[:limit]

    def deposits(self, account: str, params: Params) -> list[dict]:
        """``asset/deposit-history``: the engine records no deposits yet, so none."""
        _limit(params)
        return []
