"""WebSocket streams ccxt.pro uses: market streams, the ws-api user data stream, and
futures user streams by listen key.

Paths under an exchange prefix, ``<kind>`` being ``ws`` or ``stream`` and ``<key>`` a ccxt
market type (spot, margin, linear): ``/<kind>/<key>/<n>`` market streams (SUBSCRIBE
``<symbol>@depth@100ms``, ``@trade``, ``@aggTrade``, ``@ticker``, ``@miniTicker``,
``!ticker@arr``, ``!miniTicker@arr``), ``/<kind>/<key>?listenKey=K`` or
``/<kind>/<key>/<K>`` user streams by listen key, ``/ws-api/<key>`` the ws-api
(``userDataStream.subscribe.signature``). User streams carry the order events and the
balance events that follow them (see ``stream_events``).
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import hmac
import json
import time
from dataclasses import dataclass, field

from aiohttp import WSMsgType, web

from ...credentials import Keyring
from ...engine import ExchangeEngine, Fill, Market, Order, SimError, atoms_str, key, mix
from .errors import BAD_KEY
from .stream_events import account_position, account_update, ticker_event
from .vocabulary import market_by_id, market_id, status_name, tif_name, type_name

PUSH_INTERVAL_S = 0.1
TICKER_INTERVAL_S = 1.0  # Binance pushes 24-hour tickers once a second
DEPTH_LEVELS = 1000
ALL_TICKERS = {"!ticker@arr": False, "!miniTicker@arr": True}  # stream -> mini


@dataclass
class _Depth:
    symbol: str
    update_id: int
    bids: dict[int, int]
    asks: dict[int, int]


@dataclass(eq=False)
class _Conn:
    ws: web.WebSocketResponse
    engine: ExchangeEngine
    linear: bool
    queue: asyncio.Queue = field(default_factory=asyncio.Queue)
    depth: dict[str, _Depth] = field(default_factory=dict)  # stream name -> state
    trades: dict[str, tuple[str, int]] = field(default_factory=dict)  # stream -> (symbol, last id)
    # stream -> (symbol, or None for every market; mini ticker?)
    tickers: dict[str, tuple[str | None, bool]] = field(default_factory=dict)
    tickers_due: float = 0.0  # monotonic time of the next ticker push
    listener: object = None
    drop_next_push: bool = False  # a forced sequence gap (``WebSocketHub.force_gap``)


class ListenKeys:
    """User-data-stream listen keys of one exchange's accounts (stable for its life)."""

    def __init__(self, engine: ExchangeEngine) -> None:
        self._engine = engine
        self._key = key(engine.seed, engine.name, "client-ids")
        self._accounts: dict[str, str] = {}

    def issue(self, account: str) -> str:
        """The listen key of ``account``."""
        self._engine.account(account)
        listen_key = f"{mix(self._key ^ key(account)):016x}" * 4
        self._accounts[listen_key] = account
        return listen_key

    def account(self, listen_key: str) -> str | None:
        return self._accounts.get(listen_key)


class WebSocketHub:
    """Accepts websocket connections of one exchange and pushes market and user events."""

    def __init__(self, engine: ExchangeEngine, keyring: Keyring, listen_keys: ListenKeys) -> None:
        self.engine = engine
        self.keyring = keyring
        self.listen_keys = listen_keys
        self._conns: set[_Conn] = set()
        self._task: asyncio.Task | None = None
        self._loop: asyncio.AbstractEventLoop | None = None

    def start(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._task = asyncio.create_task(self._pump())

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        for conn in list(self._conns):
            await conn.ws.close()

    async def handle(self, request: web.Request, path: str) -> web.WebSocketResponse:
        engine = self.engine
        ws = web.WebSocketResponse(autoping=True, heartbeat=None)
        await ws.prepare(request)
        parts = path.strip("/").split("/")
        conn = _Conn(ws, engine, linear=len(parts) > 1 and parts[1] == "linear")
        self._conns.add(conn)
        sender = asyncio.create_task(self._send_loop(conn))
        try:
            listen_key = request.query.get("listenKey") or path.rsplit("/", 1)[-1]
            account = self.listen_keys.account(listen_key)
            if account is not None:
                self._attach_user(conn, account, wrap=False)
            async for msg in ws:
                if msg.type == WSMsgType.TEXT:
                    self._on_message(conn, path, msg.data)
        finally:
            if conn.listener is not None:
                engine.remove_listener(conn.listener)  # type: ignore[arg-type]
            self._conns.discard(conn)
            sender.cancel()
        return ws

    @staticmethod
    async def _send_loop(conn: _Conn) -> None:
        while True:
            text = await conn.queue.get()
            if conn.ws.closed:
                return
            await conn.ws.send_str(text)

    def _send(self, conn: _Conn, payload: object) -> None:
        conn.queue.put_nowait(json.dumps(payload, separators=(",", ":")))

    # -- faults on purpose (tests of stream consumers) -----------------------------------------

    def force_disconnect(self) -> None:
        """Close every websocket, as a dropped connection would (from any thread)."""
        if self._loop is None:
            return
        for conn in list(self._conns):
            asyncio.run_coroutine_threadsafe(conn.ws.close(), self._loop)

    def force_gap(self) -> None:
        """Lose the next market push of every websocket that has a book update: its depth
        and trade events are computed but never sent, so the next depth event's first
        update id skips ahead (a sequence gap) and those trades are missing."""
        for conn in list(self._conns):
            conn.drop_next_push = True

    # -- requests ----------------------------------------------------------------------------

    def _on_message(self, conn: _Conn, path: str, text: str) -> None:
        try:
            message = json.loads(text)
        except ValueError:
            self._send(conn, {"error": {"code": 3, "msg": "Invalid JSON"}})
            return
        request_id = message.get("id")
        method = message.get("method")
        if path.startswith("/ws-api"):
            self._ws_api(conn, request_id, method, message.get("params") or {})
        elif method in ("SUBSCRIBE", "UNSUBSCRIBE"):
            for stream in message.get("params") or []:
                if method == "SUBSCRIBE":
                    self._subscribe(conn, stream)
                else:
                    conn.depth.pop(stream, None)
                    conn.trades.pop(stream, None)
                    conn.tickers.pop(stream, None)
            self._send(conn, {"result": None, "id": request_id})
        elif method == "LIST_SUBSCRIPTIONS":
            streams = [*conn.depth, *conn.trades, *conn.tickers]
            self._send(conn, {"result": streams, "id": request_id})
        else:
            self._send(
                conn, {"error": {"code": 2, "msg": f"Invalid request: {method}"}, "id": request_id}
            )

    def _subscribe(self, conn: _Conn, stream: str) -> None:
        if stream in ALL_TICKERS:
            conn.tickers[stream] = (None, ALL_TICKERS[stream])
            return
        stream_id, _, channel = stream.partition("@")
        engine = conn.engine
        try:
            market = market_by_id(engine, stream_id.upper(), conn.linear)
        except SimError:  # an unknown symbol: Binance accepts and never sends anything
            return
        if channel.startswith("depth"):
            book = engine.order_book(market.symbol, DEPTH_LEVELS)
            conn.depth[stream] = _Depth(
                market.symbol, book.update_id, dict(book.bids), dict(book.asks)
            )
        elif channel in ("trade", "aggTrade"):
            latest = engine.trades(market.symbol, 1)
            conn.trades[stream] = (market.symbol, latest[-1].id if latest else 0)
        elif channel in ("ticker", "miniTicker"):
            conn.tickers[stream] = (market.symbol, channel == "miniTicker")

    def _ws_api(self, conn: _Conn, request_id: object, method: str | None, params: dict) -> None:
        if method != "userDataStream.subscribe.signature":
            self._send(
                conn,
                {
                    "id": request_id,
                    "status": 400,
                    "error": {"code": -1000, "msg": f"Unsupported method {method}"},
                },
            )
            return
        found = self.keyring.lookup(conn.engine.name, str(params.get("apiKey", "")))
        if found is None:
            self._send(
                conn,
                {
                    "id": request_id,
                    "status": 401,
                    "error": {"code": -2015, "msg": BAD_KEY},
                },
            )
            return
        account, secret = found
        payload = "&".join(f"{k}={params[k]}" for k in sorted(params) if k != "signature")
        expected = hmac.new(secret.encode(), payload.encode(), hashlib.sha256).hexdigest()
        stamp = int(params.get("timestamp") or 0)
        if abs(time.time() * 1000 - stamp) > int(params.get("recvWindow") or 5000):
            error = {
                "code": -1021,
                "msg": "Timestamp for this request is outside of the recvWindow.",
            }
        elif not hmac.compare_digest(expected, str(params.get("signature", ""))):
            error = {"code": -1022, "msg": "Signature for this request is not valid."}
        else:
            self._attach_user(conn, account, wrap=True)
            self._send(conn, {"id": request_id, "status": 200, "result": {"subscriptionId": 0}})
            return
        self._send(conn, {"id": request_id, "status": 400, "error": error})

    def _attach_user(self, conn: _Conn, account: str, *, wrap: bool) -> None:
        """Push the account's order events; the ws-api ``wrap``s them in a subscription."""
        if conn.listener is not None:  # subscribed already
            return
        loop = self._loop

        def listener(order: Order, fill: Fill | None) -> None:
            if order.account != account or order.market.linear != conn.linear:
                return
            events = [futures_event(order, fill) if conn.linear else execution_report(order, fill)]
            acct = order.acct
            if not conn.linear:
                events.append(account_position(acct, order.market, order.update))
            elif fill is not None:
                events.append(account_update(acct, order.market, order.update))
            for event in events:
                payload = {"subscriptionId": 0, "event": event} if wrap else event
                text = json.dumps(payload, separators=(",", ":"))
                if loop is not None:
                    loop.call_soon_threadsafe(conn.queue.put_nowait, text)

        conn.listener = listener
        conn.engine.add_listener(listener)

    # -- market pushes -----------------------------------------------------------------------

    async def _pump(self) -> None:
        while True:
            await asyncio.sleep(PUSH_INTERVAL_S)
            for conn in list(self._conns):
                if not conn.ws.closed:
                    self._push_market(conn)

    def _push_market(self, conn: _Conn) -> None:
        engine = conn.engine
        now = engine.now_ms()
        dropping = conn.drop_next_push and any(
            engine.book_version(state.symbol) != state.update_id for state in conn.depth.values()
        )
        conn.drop_next_push = conn.drop_next_push and not dropping
        send = (lambda _conn, _payload: None) if dropping else self._send
        for state in conn.depth.values():
            if engine.book_version(state.symbol) == state.update_id:
                continue
            book = engine.order_book(state.symbol, DEPTH_LEVELS)
            m = book.market
            bids, asks = dict(book.bids), dict(book.asks)
            event = {"e": "depthUpdate", "E": now}
            if m.linear:
                event["T"] = now
            event.update(s=market_id(m), U=state.update_id + 1, u=book.update_id)
            if m.linear:
                event["pu"] = state.update_id
            event["b"] = _diff(m, state.bids, bids)
            event["a"] = _diff(m, state.asks, asks)
            state.update_id, state.bids, state.asks = book.update_id, bids, asks
            send(conn, event)
        for stream, (symbol, last_id) in list(conn.trades.items()):
            fresh = engine.trades_after(symbol, last_id)
            if not fresh:
                continue
            m = engine.market(symbol)
            agg = stream.endswith("aggTrade")
            for t in fresh:
                event = {
                    "e": "aggTrade" if agg else "trade",
                    "E": now,
                    "s": market_id(m),
                    "a" if agg else "t": t.id,
                    "p": m.price_str(t.price),
                    "q": m.qty_str(t.qty),
                    "T": t.time,
                    "m": t.buyer_maker,
                }
                if agg:
                    event.update(f=t.id, l=t.id)
                if not m.linear:
                    event["M"] = True
                send(conn, event)
            conn.trades[stream] = (symbol, fresh[-1].id)
        if conn.tickers and time.monotonic() >= conn.tickers_due:
            conn.tickers_due = time.monotonic() + TICKER_INTERVAL_S
            self._push_tickers(conn, now)

    def _push_tickers(self, conn: _Conn, now: int) -> None:
        engine = conn.engine
        for symbol, mini in conn.tickers.values():
            if symbol is not None:
                self._send(conn, ticker_event(engine.ticker(symbol), now, mini=mini))
                continue
            markets = [m for m in engine.markets.values() if m.linear == conn.linear]
            self._send(
                conn, [ticker_event(engine.ticker(m.symbol), now, mini=mini) for m in markets]
            )


def _diff(m: Market, old: dict[int, int], new: dict[int, int]) -> list[list[str]]:
    changes = [[m.price_str(p), m.qty_str(q)] for p, q in new.items() if old.get(p) != q]
    changes.extend([m.price_str(p), m.qty_str(0)] for p in old if p not in new)
    return changes


def _exec_type(order: Order, fill: Fill | None) -> str:
    if fill is not None:
        return "TRADE"
    status = status_name(order)
    return status if status in ("NEW", "CANCELED", "EXPIRED") else "NEW"


def execution_report(order: Order, fill: Fill | None) -> dict:
    """Spot ``executionReport`` user data event."""
    m = order.market
    return {
        "e": "executionReport",
        "E": order.update,
        "s": market_id(m),
        "c": order.client_id,
        "S": "BUY" if order.buy else "SELL",
        "o": type_name(order),
        "f": tif_name(order),
        "q": m.qty_str(order.qty),
        "p": m.price_str(order.price),
        "P": m.price_str(order.stop),
        "F": "0.00000000",
        "g": -1,
        "C": order.client_id if status_name(order) == "CANCELED" else "",
        "x": _exec_type(order, fill),
        "X": status_name(order),
        "r": "NONE",
        "i": order.id,
        "l": m.qty_str(fill.qty if fill else 0),
        "z": m.qty_str(order.filled),
        "L": m.price_str(fill.price if fill else 0),
        "n": atoms_str(fill.commission) if fill else "0",
        "N": fill.commission_asset if fill else None,
        "T": order.update,
        "t": fill.id if fill else -1,
        "I": 0,
        "w": order.is_open and order.triggered,
        "m": fill.maker if fill else False,
        "M": False,
        "O": order.time,
        "Z": atoms_str(order.quote),
        "Y": atoms_str(fill.quote if fill else 0),
        "Q": "0.00000000",
        "W": order.time,
        "V": "EXPIRE_MAKER",
    }


def futures_event(order: Order, fill: Fill | None) -> dict:
    """USDⓈ-M ``ORDER_TRADE_UPDATE`` user data event."""
    m = order.market
    avg = order.quote / (order.filled * m.step_atoms) if order.filled else 0.0
    return {
        "e": "ORDER_TRADE_UPDATE",
        "E": order.update,
        "T": order.update,
        "o": {
            "s": market_id(m),
            "c": order.client_id,
            "S": "BUY" if order.buy else "SELL",
            "o": type_name(order),
            "f": tif_name(order),
            "q": m.qty_str(order.qty),
            "p": m.price_str(order.price),
            "ap": f"{avg:.{m.price_decimals + 3}f}",
            "sp": m.price_str(order.stop),
            "x": _exec_type(order, fill),
            "X": status_name(order),
            "i": order.id,
            "l": m.qty_str(fill.qty if fill else 0),
            "z": m.qty_str(order.filled),
            "L": m.price_str(fill.price if fill else 0),
            "N": m.quote,
            "n": atoms_str(fill.commission) if fill else "0",
            "T": order.update,
            "t": fill.id if fill else 0,
            "b": "0",
            "a": "0",
            "m": fill.maker if fill else False,
            "R": order.reduce_only,
            "wt": "CONTRACT_PRICE",
            "ot": type_name(order),
            "ps": "BOTH",
            "cp": False,
            "rp": atoms_str(fill.realized_pnl if fill else 0),
            "pP": False,
            "si": 0,
            "ss": 0,
            "V": "EXPIRE_MAKER",
            "pm": "NONE",
            "gtd": 0,
        },
    }
