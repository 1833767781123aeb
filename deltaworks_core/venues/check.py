"""Read-only checks of a configured exchange account: what works, what the credentials allow.

``check_exchange`` makes the calls Delta Works relies on, each once and none that
changes anything: markets, each wallet's balance, one page of withdrawals and of
deposits, open orders. Every call's outcome is a ``CheckResult``; a failure is reported
with ccxt's error class (authentication, permission, network, ...) and never raised.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Any

import ccxt

from deltaworks_core.config import ExchangeSettings, Settings
from deltaworks_core.venues.factory import create_exchange
from deltaworks_core.venues.profiles import ExchangeProfile, HistoryPaging, profile_for

HISTORY_SPAN_MS = 30 * 86_400_000  # one page of the last 30 days
_DETAIL_LIMIT = 160
_ALLOWS = {
    "markets": "public data",
    "balance": "read balances",
    "withdrawals": "read withdrawal history",
    "deposits": "read deposit history",
    "open orders": "read orders",
}


@dataclass(frozen=True)
class CheckResult:
    """One call of the check: ``ok``, and what it returned or why it failed."""

    exchange: str
    check: str
    ok: bool
    detail: str
    seconds: float


def capabilities(profile: ExchangeProfile, exchange: ExchangeSettings) -> dict[str, Any]:
    """What the exchange's profile says Delta Works does there, for the report."""
    caps = profile.capabilities
    return {
        "ccxt_id": profile.ccxt_id,
        "wallets": [w.label for w in profile.wallets_for(exchange.account_types)],
        "native_order_types": sorted(caps.native_order_types),
        "client_id_param": profile.client_ids.param,
        "lookup_by_client_id": caps.fetch_order_by_client_id,
        "withdrawals_paging": _paging(profile.withdrawals),
        "deposits_paging": _paging(profile.deposits),
        "fills_page": caps.fills_page,
        "passphrase": caps.passphrase,
    }


def _paging(paging: HistoryPaging) -> str:
    parts = [f"{paging.page_size}/page by {paging.cursor}"]
    if paging.window_ms:
        parts.append(f"{paging.window_ms // 86_400_000}-day windows")
    if paging.fiat_pass:
        parts.append("separate fiat pass")
    if paging.currency_required:
        parts.append("per currency")
    return ", ".join(parts)


def _run(exchange: str, check: str, call: Callable[[], str]) -> CheckResult:
    started = time.perf_counter()
    try:
        detail, ok = call(), True
    except ccxt.BaseError as exc:
        text = " ".join(str(exc).split())[:_DETAIL_LIMIT]
        detail, ok = f"{type(exc).__name__}: {text}", False
    return CheckResult(exchange, check, ok, detail, round(time.perf_counter() - started, 3))


def _history_page(client: Any, profile: ExchangeProfile, direction: str) -> str:
    paging: HistoryPaging = getattr(profile, direction)
    since = client.milliseconds() - HISTORY_SPAN_MS
    codes: list[str | None] = [None]
    if paging.currency_required:
        codes = sorted({a["code"] for a in client.fetch_accounts() if a.get("code")})[:1]
    fetch = getattr(client, f"fetch_{direction}")
    page = fetch(codes[0], since, paging.page_size, dict(paging.passes[0]))
    return f"{len(page)} in the last 30 days (first page)"


def check_exchange(
    settings: Settings, exchange: ExchangeSettings, simulator_url: str | None = None
) -> list[CheckResult]:
    """Every read-only check of ``exchange``, in order; failures are results, not errors."""
    profile = profile_for(exchange.ccxt_id)
    client = create_exchange(settings, exchange, simulator_url=simulator_url)
    client.options["warnOnFetchOpenOrdersWithoutSymbol"] = False
    name = exchange.name
    results = [_run(name, "markets", lambda: f"{len(client.load_markets())} markets")]
    if not results[0].ok:
        return results
    for wallet in profile.wallets_for(exchange.account_types):
        results.append(
            _run(
                name,
                f"balance {wallet.label}",
                lambda w=wallet: _balance(client.fetch_balance(dict(w.balance_params))),
            )
        )
    for direction in ("withdrawals", "deposits"):
        results.append(_run(name, direction, lambda d=direction: _history_page(client, profile, d)))
    symbol = exchange.symbols[0] if exchange.symbols else None
    results.append(
        _run(name, "open orders", lambda: f"{len(client.fetch_open_orders(symbol))} open")
    )
    return results


def _balance(balance: dict[str, Any]) -> str:
    held = sorted(code for code, amount in (balance.get("total") or {}).items() if amount)
    return f"{len(held)} assets held" + (f": {', '.join(held[:6])}" if held else "")


def allowed(results: list[CheckResult]) -> list[str]:
    """What the credentials were shown to allow (each kind of read that succeeded)."""
    found = []
    for result in results:
        kind = result.check.split(" ", 1)[0] if result.check.startswith("balance") else result.check
        if result.ok and _ALLOWS[kind] not in found:
            found.append(_ALLOWS[kind])
    return found


def report(
    settings: Settings, names: list[str], simulator_url: str | None = None
) -> list[dict[str, Any]]:
    """The check of each exchange in ``names``: its results, what the credentials allow and
    the profile's capabilities, as plain data (the CLI's ``--json``)."""
    out = []
    for name in names:
        exchange = settings.exchange(name)
        results = check_exchange(settings, exchange, simulator_url)
        out.append(
            {
                "exchange": name,
                "mode": exchange.mode,
                "ok": all(r.ok for r in results),
                "checks": [asdict(r) for r in results],
                "credentials_allow": allowed(results),
                "capabilities": capabilities(profile_for(exchange.ccxt_id), exchange),
            }
        )
    return out
