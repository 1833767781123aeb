"""OKX's deposit and withdrawal history: at most 100 records a page, newest first, paged
by time with ``after`` (records older than a timestamp) and ``before`` (newer than it).

With ``before`` alone the page holds the records right after it (the oldest first 100
newer than ``before``, still listed newest first), so paging forwards from a start time
and backwards from now both visit every record once.
"""

from __future__ import annotations

from collections.abc import Callable
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
        return self._page(
            params,
            self.engine.withdrawals,
            rendering.withdrawal,
            (("wdId", "id"), ("txId", "tx_id")),
        )

    def deposits(self, account: str, params: Params) -> list[dict]:
        """``asset/deposit-history``."""
        return self._page(
            params, self.engine.deposits, rendering.deposit, (("depId", "id"), ("txId", "tx_id"))
        )

    @staticmethod
    def _page(
        params: Params,
        records: Callable[..., list[Any]],
        render: Callable[[Any], dict],
        filters: tuple[tuple[str, str], ...],
    ) -> list[dict]:
        """One page of ``records`` (newest first) by OKX's ``after``/``before`` rules."""
        limit = _limit(params)
        after, before = ms_param(params, "after"), ms_param(params, "before")
        end = after - 1 if after is not None else None
        start = before + 1 if before is not None else None
        rows = records(start, end, coin=params.get("ccy") or None)
        for name, field in filters:
            if params.get(name):
                rows = [r for r in rows if getattr(r, field) == params[name]]
        out = [render(r) for r in rows]
        if params.get("state") not in (None, ""):
            out = [row for row in out if row["state"] == str(params["state"])]
        return out[-limit:] if before is not None and after is None else out[:limit]
