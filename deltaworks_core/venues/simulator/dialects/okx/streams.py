"""OKX's WebSockets: ``/ws/v5/public`` (tickers, trades, books, books5, bbo-tbt),
``/ws/v5/private`` after ``login`` (account, orders, positions) and ``/ws/v5/business``
(orders-algo after login).

Requests are ``{"op": "login"|"subscribe"|"unsubscribe", "args": [...]}`` and the text
``ping`` (answered ``pong``); acknowledgements and errors are ``{"event": ...}``. The
``books`` channel sends a snapshot, then updates chained by ``seqId``/``prevSeqId`` with
OKX's CRC-32 checksum of the top 25 levels; ``account`` and ``positions`` send a snapshot
on subscription and again after every change; ``orders`` sends every order event.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import secrets
import time
import zlib
from dataclasses import dataclass, field
from typing import Any

from aiohttp import WSMsgType, web

from ...credentials import Keyring
from ...engine import ExchangeEngine, Fill, Order
from . import auth, rendering
from .account import Accounts
from .errors import OkxError
from .instruments import Instrument
from .public import Public
from .trade import Trade

PUSH_INTERVAL_S = 0.1
TICKER_STATS_MS = 60_000  # the 24-hour figures of a ticker are refreshed once a minute
BOOK_CHANNELS = {"books": 400, "books5": 5, "bbo-tbt": 1}
PUBLIC_CHANNELS = {"tickers", "trades", *BOOK_CHANNELS}
PRIVATE_CHANNELS = {"account", "orders", "positions", "balance_and_position"}
BUSINESS_CHANNELS = {"orders-algo"}
CHECKSUM_LEVELS = 25


@dataclass
class _Book:
    channel: str
    seq: int
    bids: dict[int, int]
    asks: dict[int, int]


@dataclass(eq=False)
class _Conn:
    ws: web.WebSocketResponse
    kind: str  # public, private or business
    conn_id: str = field(default_factory=lambda: secrets.token_hex(4))
    queue: asyncio.Queue = field(default_factory=asyncio.Queue)
    account: str | None = None
    books: dict[tuple[str, str], _Book] = field(default_factory=dict)  # (channel, instId)
    trades: dict[str, int] = field(default_factory=dict)  # instId -> last trade id sent
    tickers: dict[str, tuple[int, dict]] = field(default_factory=dict)  # instId -> (ms, row)
    private: dict[str, dict] = field(default_factory=dict)  # channel -> subscription arg
    dirty: bool = False  # the account changed since its last balance/positions push
    listener: object = None


class Streams:
    """The WebSocket connections of one OKX exchange."""

    def __init__(
        self,
        engine: ExchangeEngine,
        keyring: Keyring,
        public: Public,
        accounts: Accounts,
        trade: Trade,
    ) -> None:
        self.engine = engine
        self.keyring = keyring
        self.public = public
        self.accounts = accounts
        self.trade = trade
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
        ws = web.WebSocketResponse(autoping=True, heartbeat=None)
        await ws.prepare(request)
        conn = _Conn(ws, path.rstrip("/").rsplit("/", 1)[-1])
        self._conns.add(conn)
        sender = asyncio.create_task(_send_loop(conn))
        try:
            async for msg in ws:
                if msg.type == WSMsgType.TEXT:
                    self._on_message(conn, msg.data)
        finally:
            if conn.listener is not None:
                self.engine.remove_listener(conn.listener)  # type: ignore[arg-type]
            self._conns.discard(conn)
            sender.cancel()
        return ws

    # -- requests ------------------------------------------------------------------------

    def _on_message(self, conn: _Conn, text: str) -> None:
        if text == "ping":
            conn.queue.put_nowait("pong")
            return
        try:
            message = json.loads(text)
            if not isinstance(message, dict):
                raise ValueError
        except ValueError:
            self._error(conn, OkxError("60012", f"Illegal request: {text}"))
            return
        op, args = message.get("op"), message.get("args")
        try:
            if op == "login":
                conn.account = auth.check_login(
                    args, self.keyring, self.engine.name, int(time.time() * 1000)
                )
                self._send(conn, {"event": "login", "code": "0", "msg": "", "connId": conn.conn_id})
            elif op in ("subscribe", "unsubscribe") and isinstance(args, list):
                for arg in args:
                    self._subscription(conn, op, arg)
            else:
                raise OkxError("60012", f"Illegal request: {text}")
        except OkxError as exc:
            self._error(conn, exc)

    def _subscription(self, conn: _Conn, op: str, arg: Any) -> None:
        channel = arg.get("channel") if isinstance(arg, dict) else None
        allowed = {
            "public": PUBLIC_CHANNELS,
            "private": PRIVATE_CHANNELS,
            "business": BUSINESS_CHANNELS,
        }.get(conn.kind, set())
        if channel not in allowed:
            raise OkxError("60018", f"Wrong URL or channel:{channel} doesn't exist.")
        if channel in PUBLIC_CHANNELS:
            inst = self.public.instruments.get(str(arg.get("instId")))
            if inst is None:
                raise OkxError("60018", f"Wrong URL or channel:{channel},instId doesn't exist.")
            if op == "subscribe":
                self._ack(conn, op, arg)
                self._subscribe_public(conn, channel, inst)
            else:
                conn.books.pop((channel, inst.inst_id), None)
                (conn.trades if channel == "trades" else conn.tickers).pop(inst.inst_id, None)
                self._ack(conn, op, arg)
            return
        if conn.account is None:
            raise OkxError("60011", "Please log in")
        if op == "unsubscribe":
            conn.private.pop(channel, None)
            self._ack(conn, op, arg)
            return
        conn.private[channel] = arg
        self._attach(conn)
        self._ack(conn, op, arg)
        if channel == "account":
            self._push_account(conn)
        elif channel == "positions":
            self._push_positions(conn)

    def _ack(self, conn: _Conn, op: str, arg: dict) -> None:
        self._send(conn, {"event": op, "arg": arg, "connId": conn.conn_id})

    def _error(self, conn: _Conn, exc: OkxError) -> None:
        self._send(
            conn, {"event": "error", "code": exc.code, "msg": exc.msg, "connId": conn.conn_id}
        )

    def _send(self, conn: _Conn, payload: object) -> None:
        conn.queue.put_nowait(json.dumps(payload, separators=(",", ":")))

    # -- public channels -----------------------------------------------------------------

    def _subscribe_public(self, conn: _Conn, channel: str, inst: Instrument) -> None:
        symbol = inst.market.symbol
        if channel == "trades":
            trades = self.engine.trades(symbol, 1)
            conn.trades[inst.inst_id] = trades[-1].id if trades else 0
        elif channel == "tickers":
            self._push_ticker(conn, inst, force=True)
        else:
            depth = self.engine.order_book(symbol, BOOK_CHANNELS[channel])
            book = _Book(channel, depth.update_id, dict(depth.bids), dict(depth.asks))
            conn.books[(channel, inst.inst_id)] = book
            self._push_book(conn, inst, book, snapshot=True)

    def _push_book(
        self,
        conn: _Conn,
        inst: Instrument,
        book: _Book,
        *,
        snapshot: bool,
        bids: list | None = None,
        asks: list | None = None,
        prev: int = -1,
    ) -> None:
        data: dict[str, Any] = {
            "asks": rendering.levels(inst, sorted(book.asks.items())) if asks is None else asks,
            "bids": rendering.levels(inst, sorted(book.bids.items(), reverse=True))
            if bids is None
            else bids,
            "ts": str(self.engine.now_ms()),
        }
        message: dict[str, Any] = {"arg": {"channel": book.channel, "instId": inst.inst_id}}
        if book.channel == "books":
            data.update(checksum=_checksum(inst, book), prevSeqId=prev, seqId=book.seq)
            message["action"] = "snapshot" if snapshot else "update"
        else:
            data["instId"] = inst.inst_id
        message["data"] = [data]
        self._send(conn, message)

    def _push_ticker(self, conn: _Conn, inst: Instrument, *, force: bool = False) -> None:
        now = self.engine.now_ms()
        symbol = inst.market.symbol
        stats_ms, row = conn.tickers.get(inst.inst_id, (0, {}))
        if force or now - stats_ms >= TICKER_STATS_MS:
            row = rendering.ticker(inst, self.engine.ticker(symbol))
            conn.tickers[inst.inst_id] = (now, row)
        else:
            depth = self.engine.order_book(symbol, 1)
            trades = self.engine.trades(symbol, 1)
            fresh = dict(row)
            if depth.bids:
                fresh.update(bidPx=inst.price(depth.bids[0][0]), bidSz=inst.size(depth.bids[0][1]))
            if depth.asks:
                fresh.update(askPx=inst.price(depth.asks[0][0]), askSz=inst.size(depth.asks[0][1]))
            if trades:
                fresh.update(last=inst.price(trades[-1].price), lastSz=inst.size(trades[-1].qty))
            if fresh == row:
                return
            fresh["ts"] = str(now)
            row = fresh
            conn.tickers[inst.inst_id] = (stats_ms, row)
        self._send(conn, {"arg": {"channel": "tickers", "instId": inst.inst_id}, "data": [row]})

    # -- private channels ----------------------------------------------------------------

    def _attach(self, conn: _Conn) -> None:
        """Listen to the engine for the connection's account (once)."""
        if conn.listener is not None:
            return
        account, loop = conn.account, self._loop

        def listener(order: Order, fill: Fill | None) -> None:
            if order.account != account:
                return
            conn.dirty = True
            messages = self._order_messages(conn, order, fill)
            if loop is not None:
                for text in messages:
                    loop.call_soon_threadsafe(conn.queue.put_nowait, text)

        conn.listener = listener
        self.engine.add_listener(listener)

    def _order_messages(self, conn: _Conn, order: Order, fill: Fill | None) -> list[str]:
        inst = self.public.by_symbol[order.market.symbol]
        meta = self.trade.ledger.meta.get(order.id)
        if meta is None:
            return []
        out = []
        lever = self.engine.leverage(order.account, order.market.symbol) if inst.swap else 0
        plain_order = meta.algo is None or order.triggered
        arg = conn.private.get("orders")
        if plain_order and arg is not None and _wanted(arg, inst):
            row = rendering.order_event(inst, order, meta, lever, fill)
            out.append({"arg": {**arg, "uid": conn.account}, "data": [row]})
        arg = conn.private.get("orders-algo")
        if meta.algo is not None and arg is not None and _wanted(arg, inst) and fill is None:
            last = inst.price(self.engine.mark_price(order.market.symbol))
            row = rendering.algo_order(inst, order, meta, lever, last)
            out.append({"arg": {**arg, "uid": conn.account}, "data": [row]})
        return [json.dumps(m, separators=(",", ":")) for m in out]

    def _push_account(self, conn: _Conn) -> None:
        arg = conn.private.get("account")
        if arg is None or conn.account is None:
            return
        data = self.accounts.balance(conn.account, {"ccy": arg["ccy"]} if arg.get("ccy") else {})
        self._send(
            conn,
            {
                "arg": {**arg, "uid": conn.account},
                "eventType": "snapshot",
                "curPage": 1,
                "lastPage": True,
                "data": data,
            },
        )

    def _push_positions(self, conn: _Conn) -> None:
        arg = conn.private.get("positions")
        if arg is None or conn.account is None:
            return
        rows = self.accounts.positions(conn.account, {})
        rows = [r for r in rows if _wanted(arg, self.public.instruments[r["instId"]])]
        self._send(
            conn, {"arg": {**arg, "uid": conn.account}, "eventType": "snapshot", "data": rows}
        )

    # -- pushes --------------------------------------------------------------------------

    async def _pump(self) -> None:
        while True:
            await asyncio.sleep(PUSH_INTERVAL_S)
            for conn in list(self._conns):
                if not conn.ws.closed:
                    self._push(conn)

    def _push(self, conn: _Conn) -> None:
        engine = self.engine
        for (channel, inst_id), book in conn.books.items():
            inst = self.public.instruments[inst_id]
            version = engine.book_version(inst.market.symbol)
            if version == book.seq:
                continue
            depth = engine.order_book(inst.market.symbol, BOOK_CHANNELS[channel])
            bids, asks = dict(depth.bids), dict(depth.asks)
            prev = book.seq
            if channel == "books":
                bid_diff = _diff(inst, book.bids, bids, reverse=True)
                ask_diff = _diff(inst, book.asks, asks, reverse=False)
                book.seq, book.bids, book.asks = depth.update_id, bids, asks
                self._push_book(
                    conn, inst, book, snapshot=False, bids=bid_diff, asks=ask_diff, prev=prev
                )
            else:
                book.seq, book.bids, book.asks = depth.update_id, bids, asks
                self._push_book(conn, inst, book, snapshot=False)
        for inst_id, last_id in list(conn.trades.items()):
            inst = self.public.instruments[inst_id]
            fresh = engine.trades_after(inst.market.symbol, last_id)
            if fresh:
                rows = [rendering.trade(inst, t) for t in fresh]
                self._send(conn, {"arg": {"channel": "trades", "instId": inst_id}, "data": rows})
                conn.trades[inst_id] = fresh[-1].id
        for inst_id in list(conn.tickers):
            self._push_ticker(conn, self.public.instruments[inst_id])
        if conn.dirty:
            conn.dirty = False
            self._push_account(conn)
            self._push_positions(conn)


async def _send_loop(conn: _Conn) -> None:
    while True:
        text = await conn.queue.get()
        if conn.ws.closed:
            return
        await conn.ws.send_str(text)


def _wanted(arg: dict, inst: Instrument) -> bool:
    """Whether a private subscription (``instType``, ``instId``) covers ``inst``."""
    inst_type = arg.get("instType", "ANY")
    if inst_type not in ("ANY", None) and inst_type != inst.inst_type:
        return False
    return not arg.get("instId") or arg["instId"] == inst.inst_id


def _diff(inst: Instrument, old: dict[int, int], new: dict[int, int], *, reverse: bool) -> list:
    changed = {p: q for p, q in new.items() if old.get(p) != q}
    changed.update({p: 0 for p in old if p not in new})
    return [
        [inst.price(p), inst.size(q), "0", "1" if q else "0"]
        for p, q in sorted(changed.items(), reverse=reverse)
    ]


def _checksum(inst: Instrument, book: _Book) -> int:
    """OKX's book checksum: CRC-32 (signed) of ``bid:size:ask:size:...`` over 25 levels."""
    bids = sorted(book.bids.items(), reverse=True)[:CHECKSUM_LEVELS]
    asks = sorted(book.asks.items())[:CHECKSUM_LEVELS]
    parts = []
    for i in range(max(len(bids), len(asks))):
        for side in (bids, asks):
            if i < len(side):
                parts += [inst.price(side[i][0]), inst.size(side[i][1])]
    crc = zlib.crc32(":".join(parts).encode())
    return crc - (1 << 32) if crc >= 1 << 31 else crc
