"""The OKX dialect: ``http://HOST:PORT/<name>/api/v5/...`` and ``ws://.../<name>/ws/v5/...``.

REST requests are routed to the handlers of ``public``, ``account``, ``trade``, ``algos``,
``funds`` and ``wallet``; this module checks OKX's signature headers, counts OKX's
per-endpoint rate limits, injects the engine's transport faults and answers in OKX's
``code``/``msg``/``data`` layout. WebSockets are ``streams``'.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl

from aiohttp import web

from ...credentials import Keyring
from ...engine import ExchangeEngine, SimError
from ..base import broken, delay, dropped
from . import auth
from .account import Accounts
from .algos import Algos
from .errors import ALL_FAILED, SOME_FAILED, OkxError, order_error, too_many_requests
from .funds import Funds
from .instruments import market_rule
from .ledger import Ledger
from .limits import Limit, RateLimiter, per_2s, per_s
from .public import Public
from .streams import Streams
from .trade import Batch, Trade
from .wallet import Wallet

PREFIX = "/api/v5/"
# the engine's transport limit is stated in request weight a minute; OKX's limits are its
# own, scaled by how far the transport's limit is above 6,000 (100 times by default)
REFERENCE_WEIGHT_LIMIT = 6_000
Handler = Callable[[str, Any], Any]


@dataclass(frozen=True, slots=True)
class Route:
    handler: Handler
    limit: Limit
    private: bool = False
    places_order: bool = False


class OkxDialect:
    """OKX's v5 REST API and WebSockets over one engine."""

    market_rules = staticmethod(market_rule)

    def __init__(self, engine: ExchangeEngine, keyring: Keyring) -> None:
        self.engine = engine
        self.keyring = keyring
        self.ledger = Ledger()
        engine.add_listener(self.ledger.record)
        public = Public(engine)
        accounts = Accounts(engine, public)
        trade = Trade(engine, public, self.ledger)
        algos = Algos(engine, public, self.ledger, trade)
        funds = Funds(engine)
        wallet = Wallet(engine)
        self.limiter = RateLimiter()
        self.streams = Streams(engine, keyring, public, accounts, trade)
        get, post = _routes(public, accounts, trade, algos, funds, wallet)
        self._routes = {("GET", p): r for p, r in get.items()} | {
            ("POST", p): r for p, r in post.items()
        }

    def start(self) -> None:
        self.streams.start()

    async def stop(self) -> None:
        await self.streams.stop()

    async def handle(self, request: web.Request, path: str) -> web.StreamResponse:
        if request.headers.get("Upgrade", "").lower() == "websocket":
            return await self.streams.handle(request, path)
        route = self._routes.get((request.method, path))
        if route is None:
            return _answer(
                {"code": "404", "msg": f"Unknown path {request.method} {path}", "data": []}, 404
            )
        engine = self.engine
        await delay(engine)
        if engine.transport.take_burst():
            return _error(too_many_requests())
        failure = await broken(engine)
        if failure is not None:
            return failure
        body = await request.text() if request.can_read_body else ""
        query = request.rel_url.raw_query_string
        try:
            account = ""
            if route.private:
                signed = request.method + path + (f"?{query}" if query else "") + body
                account = auth.check_rest(
                    request.headers, self.keyring, engine.name, signed, int(time.time() * 1000)
                )
            params = _params(request.method, query, body)
            cost = len(params) if isinstance(params, list) else 1
            self.limiter.scale = engine.transport.weight_limit / REFERENCE_WEIGHT_LIMIT
            caller = account or request.remote or "ip"
            now = int(
                time.monotonic() * 1000
            )  # rate limits count wall time, not the simulated clock
            if not self.limiter.allow(caller, path, route.limit, now, cost):
                raise too_many_requests()
            result = route.handler(account, params)
        except OkxError as exc:
            return _error(exc)
        except SimError as exc:
            return _error(order_error(exc))
        if route.places_order:
            lost = await dropped(engine)
            if lost is not None:
                return lost
        if isinstance(result, Batch):
            return _answer(_batch(result), 200)
        return _answer({"code": "0", "msg": "", "data": result}, 200)


def _params(method: str, query: str, body: str) -> Any:
    if method == "GET":
        return dict(parse_qsl(query, keep_blank_values=True))
    if not body:
        return {}
    try:
        return json.loads(body)
    except ValueError:
        raise OkxError("50002", "JSON syntax error") from None


def _batch(batch: Batch) -> dict:
    failed = sum(row["sCode"] != "0" for row in batch.rows)
    now = str(int(time.time() * 1_000_000))
    code, msg = (
        ("0", "") if not failed else ALL_FAILED if failed == len(batch.rows) else SOME_FAILED
    )
    return {"code": code, "data": batch.rows, "inTime": now, "msg": msg, "outTime": now}


def _error(exc: OkxError) -> web.Response:
    return _answer({"code": exc.code, "data": [], "msg": exc.msg}, exc.status)


def _answer(payload: dict, status: int) -> web.Response:
    return web.Response(
        status=status,
        text=json.dumps(payload, separators=(",", ":")),
        content_type="application/json",
    )


def _routes(
    public: Public, accounts: Accounts, trade: Trade, algos: Algos, funds: Funds, wallet: Wallet
) -> tuple[dict[str, Route], dict[str, Route]]:
    """(GET routes, POST routes) by path, with OKX's rate limit of each endpoint."""
    p = PREFIX

    def private(handler: Handler, limit: Limit, places_order: bool = False) -> Route:
        return Route(handler, limit, private=True, places_order=places_order)

    get = {
        p + "public/instruments": Route(public.instruments_, per_2s(20)),
        p + "public/time": Route(public.time, per_2s(10)),
        p + "system/status": Route(public.status, Limit(1, 5_000)),
        p + "market/ticker": Route(public.ticker, per_2s(20)),
        p + "market/tickers": Route(public.tickers, per_2s(20)),
        p + "market/books": Route(public.books, per_2s(40)),
        p + "market/books-full": Route(public.books_full, per_2s(10)),
        p + "market/trades": Route(public.trades, per_2s(100)),
        p + "market/candles": Route(public.candles, per_2s(40)),
        p + "market/history-candles": Route(public.history_candles, per_2s(20)),
        p + "public/funding-rate": Route(public.funding_rate, per_2s(10)),
        p + "public/mark-price": Route(public.mark_price, per_2s(10)),
        p + "account/balance": private(accounts.balance, per_2s(10)),
        p + "account/positions": private(accounts.positions, per_2s(10)),
        p + "account/config": private(accounts.config, per_2s(5)),
        p + "account/trade-fee": private(accounts.trade_fee, per_2s(5)),
        p + "account/leverage-info": private(accounts.leverage_info, per_2s(20)),
        p + "asset/balances": private(accounts.funding_balances, per_s(6)),
        p + "asset/currencies": private(accounts.currencies, per_s(6)),
        p + "asset/deposit-address": private(wallet.deposit_address, per_s(6)),
        p + "asset/withdrawal-history": private(funds.withdrawals, per_s(6)),
        p + "asset/deposit-history": private(funds.deposits, per_s(6)),
        p + "trade/order": private(trade.order, per_2s(60)),
        p + "trade/orders-pending": private(trade.pending, per_2s(60)),
        p + "trade/orders-history": private(trade.history, per_2s(40)),
        p + "trade/orders-history-archive": private(trade.archive, per_2s(20)),
        p + "trade/fills": private(trade.fills, per_2s(60)),
        p + "trade/fills-history": private(trade.fills_history, per_2s(10)),
        p + "trade/order-algo": private(algos.order, per_2s(20)),
        p + "trade/orders-algo-pending": private(algos.pending, per_2s(20)),
        p + "trade/orders-algo-history": private(algos.history, per_2s(20)),
    }
    post = {
        p + "trade/order": private(trade.place, per_2s(60), places_order=True),
        p + "trade/batch-orders": private(trade.place_batch, per_2s(300), places_order=True),
        p + "trade/amend-order": private(trade.amend, per_2s(60)),
        p + "trade/amend-batch-orders": private(trade.amend_batch, per_2s(300)),
        p + "trade/cancel-order": private(trade.cancel, per_2s(60)),
        p + "trade/cancel-batch-orders": private(trade.cancel_batch, per_2s(300)),
        p + "trade/order-algo": private(algos.place, per_2s(20), places_order=True),
        p + "trade/cancel-algos": private(algos.cancel, per_2s(20)),
        p + "account/set-leverage": private(accounts.set_leverage, per_2s(20)),
        p + "asset/transfer": private(accounts.transfer, per_s(1)),
        p + "asset/withdrawal": private(wallet.withdraw, per_s(6)),
    }
    return get, post
