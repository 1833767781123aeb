"""Deposit and withdrawal history read completely, by the exchange profile's paging rules.

Works on anything with ccxt's ``fetch_withdrawals``/``fetch_deposits`` signature (a ccxt
exchange, or the pipelines' retrying ``ExchangeClient``) and, for exchanges that list
history per currency, ``fetch_accounts``. Records come back as ccxt transactions, each
with its kind (``crypto``/``fiat``) decided by ``HistoryPaging.kind``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from typing import Any, Literal, Protocol

from deltaworks_core.venues.profiles import HistoryPaging, profile_for

Direction = Literal["withdrawals", "deposits"]
OnPage = Callable[[], None]  # called once per exchange response
FIAT_PAGE = 500  # Binance fiat/orders: rows <= 500, paged by page number
Transaction = dict[str, Any]


class Fetch(Protocol):
    def __call__(
        self, code: str | None, since: int | None, limit: int | None, params: dict[str, Any]
    ) -> list[Transaction]: ...


def _by_offset(
    fetch: Fetch, paging: HistoryPaging, code: str | None, start: int, end: int, on_page: OnPage
) -> Iterator[Transaction]:
    """Pages of ``page_size`` by ``offset`` within a window (Binance); a short page ends it."""
    offset = 0
    while True:
        page = fetch(code, start, paging.page_size, {"endTime": end - 1, "offset": offset})
        on_page()
        yield from page
        if len(page) < paging.page_size:
            return
        offset += len(page)


def _by_until(
    fetch: Fetch, paging: HistoryPaging, code: str | None, start: int, end: int, on_page: OnPage
) -> Iterator[Transaction]:
    """Newest-first history bounded by ccxt's ``until`` (OKX's ``after``, Bybit's and
    Kraken's end): each next page ends just after the oldest record seen."""
    until = end
    seen: set[str] = set()
    while True:
        page = fetch(code, start, paging.page_size, {"until": until})
        on_page()
        new = [tx for tx in page if str(tx.get("id")) not in seen]
        yield from new
        seen.update(str(tx.get("id")) for tx in new)
        if len(page) < paging.page_size:
            return
        oldest = min(int(tx["timestamp"]) for tx in page)
        # the bound is exclusive: +1 re-reads the oldest millisecond, unless a whole page
        # shared it (then move past it rather than loop)
        until = oldest + 1 if new and oldest + 1 < until else oldest


def _by_id(
    fetch: Fetch, paging: HistoryPaging, code: str | None, start: int, end: int, on_page: OnPage
) -> Iterator[Transaction]:
    """Newest-first history paged by ``starting_after`` the last record's id (Coinbase);
    stops at a short page or once the records are older than ``start``."""
    params: dict[str, Any] = {}
    while True:
        page = fetch(code, None, paging.page_size, dict(params))
        on_page()
        yield from page
        if len(page) < paging.page_size or min(int(tx["timestamp"]) for tx in page) < start:
            return
        params["starting_after"] = page[-1]["id"]


def _fiat(
    fetch: Fetch, paging: HistoryPaging, code: str | None, start: int, end: int, on_page: OnPage
) -> Iterator[Transaction]:
    """Binance's separate fiat history: pages of ``FIAT_PAGE`` by page number."""
    page_number = 1
    while True:
        params = {"fiat": True, "until": end - 1, "page": page_number, "rows": FIAT_PAGE}
        page = fetch(code, start, None, params)
        on_page()
        yield from page
        if len(page) < FIAT_PAGE:
            return
        page_number += 1


_CURSORS = {"offset": _by_offset, "until": _by_until, "starting_after": _by_id}


def _currencies(exchange: Any) -> list[str | None]:
    """Every currency the account has an account (wallet) for, for per-currency history."""
    return sorted({str(a["code"]) for a in exchange.fetch_accounts() if a.get("code")})


def fetch_history(
    exchange: Any,
    direction: Direction,
    start_ms: int,
    end_ms: int,
    on_page: OnPage = lambda: None,
) -> list[tuple[str, Transaction]]:
    """Every (kind, ccxt transaction) of ``direction`` in ``[start_ms, end_ms)``, by id once.

    Pages by the profile of ``exchange`` (its ``id`` or ``config.ccxt_id``): page size,
    cursor, longest window, a separate fiat pass, one pass per currency where the
    exchange lists history per account. ``on_page`` is called after every response;
    when nothing is new, each window costs one request per pass.
    """
    ccxt_id = getattr(getattr(exchange, "config", None), "ccxt_id", None) or exchange.id
    paging = getattr(profile_for(ccxt_id), direction)
    method = getattr(exchange, f"fetch_{direction}")
    codes = _currencies(exchange) if paging.currency_required else [None]
    step = paging.window_ms or max(end_ms - start_ms, 1)
    found: dict[str, tuple[str, Transaction]] = {}
    for window_start in range(start_ms, end_ms, step):
        window_end = min(window_start + step, end_ms)
        for code in codes:
            for params, fiat, pages in _passes(paging):
                fetch = _with_params(method, params)
                for tx in pages(fetch, paging, code, window_start, window_end, on_page):
                    ts = tx.get("timestamp")
                    if ts is not None and start_ms <= int(ts) < end_ms:
                        found[f"{fiat}:{tx.get('id')}"] = (paging.kind(tx, fiat), tx)
    return sorted(found.values(), key=lambda kt: (int(kt[1]["timestamp"]), str(kt[1]["id"])))


def _passes(paging: HistoryPaging) -> list[tuple[Mapping[str, Any], bool, Any]]:
    """(extra params, is the fiat pass, pager) of each call over the history."""
    passes = [(params, False, _CURSORS[paging.cursor]) for params in paging.passes]
    if paging.fiat_pass:
        passes.append(({}, True, _fiat))
    return passes


def _with_params(method: Any, extra: Mapping[str, Any]) -> Fetch:
    if not extra:
        return method

    def fetch(
        code: str | None, since: int | None, limit: int | None, params: dict[str, Any]
    ) -> list[Transaction]:
        return method(code, since, limit, {**extra, **params})

    return fetch
