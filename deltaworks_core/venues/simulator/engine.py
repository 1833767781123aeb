"""The engine of one simulated exchange: markets, accounts, matching, history, faults."""

from __future__ import annotations

import functools
import math
import threading
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from . import errors
from .accounts import (
    DEFAULT_LEVERAGE,
    Account,
    FuturesState,
    default_account,
    futures_settle,
    futures_state,
    spot_lock,
    spot_settle,
    spot_unlock,
)
from .clock import Clock, SimClock
from .errors import BinanceError
from .faults import Faults, Transport
from .markets import ATOMS_PER_UNIT, Market, build_markets
from .matching import MarketBook
from .orders import (
    FUTURES_MARKET_STOP_TYPES,
    SPOT_MARKET_STOP_TYPES,
    STOP_TYPES,
    TAKE_PROFIT_TYPES,
    Fill,
    Order,
)
from .prices import key, mix
from .synthetic import STEP_MS, Synthetic
from .withdrawals import DAY_MS, FIAT_FINAL_STATUSES, WINDOW_MS, WithdrawalHistory

SPOT_TYPES = frozenset(
    {
        "LIMIT",
        "MARKET",
        "LIMIT_MAKER",
        "STOP_LOSS",
        "STOP_LOSS_LIMIT",
        "TAKE_PROFIT",
        "TAKE_PROFIT_LIMIT",
    }
)
FUTURES_TYPES = frozenset(
    {"LIMIT", "MARKET", "STOP", "STOP_MARKET", "TAKE_PROFIT", "TAKE_PROFIT_MARKET"}
)
SPOT_PRICED_TYPES = frozenset({"LIMIT", "LIMIT_MAKER", "STOP_LOSS_LIMIT", "TAKE_PROFIT_LIMIT"})
FUTURES_PRICED_TYPES = frozenset({"LIMIT", "STOP", "TAKE_PROFIT"})
SPOT_TIF_TYPES = frozenset({"LIMIT", "STOP_LOSS_LIMIT", "TAKE_PROFIT_LIMIT"})
FUTURES_TIF_TYPES = frozenset({"LIMIT", "STOP", "TAKE_PROFIT"})
SPOT_TIFS = frozenset({"GTC", "IOC", "FOK"})
FUTURES_TIFS = frozenset({"GTC", "IOC", "FOK", "GTX"})
FEES_PPM = {False: (1_000, 1_000), True: (200, 500)}  # linear? -> (maker, taker)
MAX_CATCHUP_STEPS = 86_400  # at most one day of steps is replayed for resting orders
MAX_WITHDRAWAL_LIMIT = 1000

Listener = Callable[[Order, Fill | None], None]


def _locked(method):
    """Serialise a public engine method (the server thread and a test thread share engines)."""

    @functools.wraps(method)
    def wrapper(self, *args, **kwargs):
        with self._lock:
            return method(self, *args, **kwargs)

    return wrapper


@dataclass(frozen=True, slots=True)
class Depth:
    """An order book snapshot; prices in ticks and quantities in steps of ``market``."""

    market: Market
    update_id: int
    time: int
    bids: list[tuple[int, int]]
    asks: list[tuple[int, int]]


@dataclass(frozen=True, slots=True)
class PublicTrade:
    id: int
    price: int
    qty: int
    time: int
    buyer_maker: bool


@dataclass(frozen=True, slots=True)
class Ticker:
    """24-hour rolling statistics; prices in ticks, volumes in steps (quote in steps*ticks)."""

    market: Market
    open_time: int
    close_time: int
    open: int
    high: int
    low: int
    last: int
    last_qty: int
    bid: tuple[int, int]
    ask: tuple[int, int]
    volume: int
    quote_volume: int
    count: int
    first_id: int
    last_id: int


class ExchangeEngine:
    """One simulated exchange, usable in-process on a simulated clock (no HTTP).

    Quantities given to and taken from the engine as ``str``/``Decimal``/``float`` are in
    the market's units; results carry integer ticks, steps and atoms (see ``markets``).
    """

    def __init__(
        self,
        name: str,
        symbols: tuple[str, ...] | list[str],
        *,
        seed: int = 42,
        clock: Clock | None = None,
        epoch_ms: int | None = None,
        withdrawals: int = 2000,
        history_days: int = 365,
    ) -> None:
        if clock is None:
            clock = SimClock(epoch_ms if epoch_ms is not None else today_ms())
        self.name = name
        self.clock = clock
        self.epoch_ms = epoch_ms if epoch_ms is not None else clock.now_ms()
        markets = build_markets(symbols)
        self.markets: dict[str, Market] = {m.symbol: m for m in markets}
        self._by_id = {(m.linear, m.id): m for m in markets}
        self.books = {m.symbol: MarketBook(m, Synthetic(seed, name, m)) for m in markets}
        now = clock.now_ms()
        self.accounts: dict[str, Account] = {"main": default_account("main", markets, now)}
        self.transport = Transport(key(seed, name, "transport"))
        self.history = WithdrawalHistory(seed, name, self.epoch_ms, withdrawals, history_days)
        self._orders: dict[int, Order] = {}
        self._by_client: dict[tuple[str, str, str], Order] = {}
        self._fills: dict[tuple[str, str], list[Fill]] = defaultdict(list)
        self._tape_ids: dict[str, list[int]] = {s: [0, 0] for s in self.markets}
        self._next_order = 1
        self._next_fill = 1
        self._step = now // STEP_MS
        self._t = now
        self._key = key(seed, name, "client-ids")
        self._listeners: list[Listener] = []
        self._listen_keys: dict[str, str] = {}
        self._lock = threading.RLock()
        self._taker: Order | None = None
        # order sizes and prices repeat: each market keeps its parsed strings (qty, price)
        self._parsed: dict[str, tuple[dict[str, int], dict[str, int]]] = {
            symbol: ({}, {}) for symbol in self.markets
        }
        self.events = 0

    # -- time ------------------------------------------------------------------------------

    def now_ms(self) -> int:
        return self.clock.now_ms()

    @_locked
    def set_time(self, ms: int) -> None:
        """Move a simulated clock to ``ms`` and let the market catch up."""
        if not isinstance(self.clock, SimClock):
            raise TypeError("set_time needs a SimClock; this engine runs on wall time")
        self.clock.set_time(ms)
        self._sync()

    def advance(self, seconds: float) -> None:
        """Move a simulated clock forward: prices move, resting orders fill, stops trigger."""
        self.set_time(self.clock.now_ms() + int(seconds * 1000))

    @_locked
    def sync(self) -> None:
        """Replay the steps since the last call for markets with resting or stop orders."""
        self._sync()

    def _sync(self) -> None:
        now = self.clock.now_ms()
        step = now // STEP_MS
        if step > self._step:
            first = max(self._step + 1, step - MAX_CATCHUP_STEPS + 1)
            self._step = step
            for book in self.books.values():
                s = first
                while s <= step and book.active:
                    self._t = s * STEP_MS
                    last = book.trade_through(s, self._resting_fill)
                    for order in book.pop_triggered(last):
                        order.triggered = True
                        order.update = self._t
                        self._execute(order, book, s)
                    s += 1
        self._t = now

    # -- listeners and faults ----------------------------------------------------------------

    def add_listener(self, listener: Listener) -> None:
        """Call ``listener(order, fill_or_None)`` on every order change (user data streams)."""
        self._listeners.append(listener)

    def remove_listener(self, listener: Listener) -> None:
        self._listeners.remove(listener)

    def set_faults(self, **changes: float | int | bool) -> Faults:
        """Inject faults into the HTTP front: ``latency_ms``, ``error_rate``, ``timeout_rate``,
        ``burst_429``, ``drop_order_response``, ``timeout_delay_ms``."""
        return self.transport.set_faults(**changes)

    def set_rate_limit(self, weight_per_minute: int) -> None:
        self.transport.weight_limit = weight_per_minute

    # -- lookups -----------------------------------------------------------------------------

    def market(self, symbol: str) -> Market:
        """A market by unified symbol (BTC/USDT, BTC/USDT:USDT); -1121 otherwise."""
        market = self.markets.get(symbol)
        if market is None:
            raise errors.invalid_symbol()
        return market

    def market_by_id(self, market_id: str, linear: bool) -> Market:
        market = self._by_id.get((linear, market_id))
        if market is None:
            raise errors.invalid_symbol()
        return market

    def account(self, name: str) -> Account:
        try:
            return self.accounts[name]
        except KeyError:
            raise BinanceError(
                -2015, "Invalid API-key, IP, or permissions for action.", 401
            ) from None

    @_locked
    def add_account(self, name: str) -> Account:
        """Open another funded account (a second API user of this exchange)."""
        account = default_account(name, list(self.markets.values()), self.clock.now_ms())
        self.accounts.setdefault(name, account)
        return self.accounts[name]

    @_locked
    def set_balance(
        self, account: str, asset: str, free: str | Decimal | float, account_type: str = "spot"
    ) -> None:
        """Set a free balance (spot, margin) or the futures wallet balance (asset ignored)."""
        atoms = int(Decimal(str(free)) * ATOMS_PER_UNIT)
        acct = self.account(account)
        if account_type == "spot":
            acct.spot_free[asset] = atoms
        elif account_type == "margin":
            acct.margin_free[asset] = atoms
        elif account_type == "future":
            acct.futures_wallet = atoms
        else:
            raise ValueError(f"account_type must be spot, margin or future, not {account_type!r}")

    # -- orders ------------------------------------------------------------------------------

    def place_order(
        self,
        account: str,
        symbol: str,
        side: str,
        type: str,
        quantity: str | Decimal | float | None,
        price: str | Decimal | float | None = None,
        *,
        time_in_force: str | None = None,
        client_order_id: str | None = None,
        stop_price: str | Decimal | float | None = None,
        reduce_only: bool = False,
        quote_order_qty: str | Decimal | float | None = None,
    ) -> Order:
        """Validate, reserve funds and match a new order; Binance errors as ``BinanceError``.

        A spot MARKET order may give ``quote_order_qty`` (quote to spend, or to raise when
        selling) instead of ``quantity``, like Binance's ``quoteOrderQty``.
        """
        with self._lock:
            self._sync()
            m = self.markets.get(symbol) or self.market(symbol)
            acct = self.accounts.get(account) or self.account(account)
            book = self.books[symbol]
            side_u = side.upper()
            if side_u not in ("BUY", "SELL"):
                raise BinanceError(-1117, "Invalid side.")
            buy = side_u == "BUY"
            kind = type.upper()
            if kind not in (FUTURES_TYPES if m.linear else SPOT_TYPES):
                raise BinanceError(-1116, "Invalid orderType.")
            if quote_order_qty is not None and kind == "MARKET" and not m.linear:
                try:
                    budget = int(Decimal(str(quote_order_qty)) / (m.tick * m.step))
                except InvalidOperation:
                    raise errors.bad_param("quoteOrderQty") from None
                qty = book.qty_for_quote(buy, budget, self._step)
            else:
                qty = _units(quantity, m.step, "quantity", "LOT_SIZE", self._parsed[m.symbol][0])
            if qty <= 0:
                raise errors.filter_failure("LOT_SIZE")
            px = 0
            if kind in (FUTURES_PRICED_TYPES if m.linear else SPOT_PRICED_TYPES):
                px = _units(price, m.tick, "price", "PRICE_FILTER", self._parsed[m.symbol][1])
                if px <= 0:
                    raise errors.filter_failure("PRICE_FILTER")
            stop = 0
            if kind in STOP_TYPES:
                stop = _units(
                    stop_price, m.tick, "stopPrice", "PRICE_FILTER", self._parsed[m.symbol][1]
                )
                if stop <= 0:
                    raise errors.filter_failure("PRICE_FILTER")
            tif = "GTC"
            if kind in (FUTURES_TIF_TYPES if m.linear else SPOT_TIF_TYPES):
                tif = time_in_force.upper() if time_in_force else "GTC"
                if tif not in (FUTURES_TIFS if m.linear else SPOT_TIFS):
                    raise BinanceError(-1115, "Invalid timeInForce.")
            step = self._step
            mark = px or stop or round(book.synth.mid(self._t))
            notional = qty * mark * m.notional_atoms_per_unit
            if notional < m.min_notional_atoms and not (m.linear and reduce_only):
                if m.linear:
                    raise BinanceError(
                        -4164,
                        f"Order's notional must be no smaller than "
                        f"{m.min_notional} (unless you choose reduce only).",
                    )
                raise errors.filter_failure("NOTIONAL")
            cid = client_order_id or f"sim{self._key % 99991:05d}{self._next_order:010d}"
            existing = self._by_client.get((account, m.symbol, cid))
            if existing is not None and existing.is_open:
                raise BinanceError(-2010, "Duplicate order sent.")
            if stop:
                down = buy == (kind in TAKE_PROFIT_TYPES)
                last = book.synth.trade(step)[0]
                if (last <= stop) if down else (last >= stop):
                    if m.linear:
                        raise BinanceError(-2021, "Order would immediately trigger.")
                    raise BinanceError(-2010, "Stop price would trigger immediately.")
            crosses = False
            if kind == "LIMIT_MAKER" or tif == "GTX":
                best = book.best_opposite(buy, step)
                crosses = best is not None and (best <= px if buy else best >= px)
                if crosses and kind == "LIMIT_MAKER":
                    raise BinanceError(-2010, "Order would immediately match and take.")
            order = Order(
                self._next_order,
                cid,
                account,
                m,
                buy,
                kind,
                tif,
                px,
                qty,
                stop,
                self._t,
                reduce_only,
            )
            order.acct = acct
            if m.linear:
                self._reserve_futures(acct, order, mark)
            else:
                self._reserve_spot(acct, order, book, step)
            self._next_order += 1
            self._orders[order.id] = order
            self._by_client[(account, m.symbol, cid)] = order
            acct.open_orders[order.id] = order
            self.events += 1
            self._notify(order, None)
            if crosses:  # futures post-only (GTX) that would take: expired, as on Binance
                self._expire(order)
            elif stop:
                book.add_stop(order)
            else:
                self._execute(order, book, step)
            return order

    def _reserve_spot(self, acct: Account, order: Order, book: MarketBook, step: int) -> None:
        m = order.market
        if not order.buy:
            need, asset = order.qty * m.step_atoms, m.base
        elif order.price:
            need, asset = order.qty * order.price * m.notional_atoms_per_unit, m.quote
        elif order.stop:  # buy stop-market: reserve the stop value plus 5 % slippage
            need, asset = order.qty * order.stop * m.notional_atoms_per_unit * 105 // 100, m.quote
        else:  # buy market: check the cost of walking the book now, lock nothing
            _, cost = book.available(True, None, order.qty, step)
            if cost * m.notional_atoms_per_unit > acct.spot_free.get(m.quote, 0):
                raise errors.insufficient_balance()
            return
        if not spot_lock(acct, asset, need):
            raise errors.insufficient_balance()
        order.locked = need

    def _reserve_futures(self, acct: Account, order: Order, price: int) -> None:
        m = order.market
        if order.reduce_only:
            pos = acct.positions.get(m.symbol)
            if pos is None or not pos.amt or (pos.amt > 0) == order.buy or order.qty > abs(pos.amt):
                raise BinanceError(-2022, "ReduceOnly Order is rejected.")
            return
        required = order.qty * price * m.notional_atoms_per_unit // DEFAULT_LEVERAGE
        if required > self._futures(acct).available:
            raise BinanceError(-2019, "Margin is insufficient.")

    def _execute(self, order: Order, book: MarketBook, step: int) -> None:
        """Match a new or just-triggered order as taker; rest or expire what is left."""
        m = order.market
        market_stops = FUTURES_MARKET_STOP_TYPES if m.linear else SPOT_MARKET_STOP_TYPES
        is_market = order.type == "MARKET" or order.type in market_stops
        limit = None if is_market else order.price
        if order.type in market_stops and order.buy and not m.linear:
            acct = self.accounts[order.account]
            spot_unlock(acct, m.quote, order.locked)
            order.locked = 0
            _, cost = book.available(True, None, order.qty, step)
            if cost * m.notional_atoms_per_unit > acct.spot_free.get(m.quote, 0):
                self._expire(order)
                return
        if order.tif == "FOK" and book.available(order.buy, limit, order.qty, step)[0] < order.qty:
            self._expire(order)
            return
        if limit is not None and order.tif == "GTC" and not book.crosses(order.buy, limit, step):
            book.rest(order)
            self.events += 1  # the order enters the book
            return
        self._taker = order
        book.take(order.buy, limit, order.remaining, step, self._match_taker)
        if order.remaining and order.is_open:
            if is_market or order.tif in ("IOC", "FOK"):
                self._expire(order)
            else:
                book.rest(order)
                self.events += 1  # the order enters the book

    def _expire(self, order: Order) -> None:
        order.status = "EXPIRED"
        order.update = self._t
        self._close(order)
        self._notify(order, None)

    def _match_taker(self, maker: Order | None, price: int, qty: int) -> None:
        taker = self._taker
        self._fill(taker, price, qty, False)
        if maker is not None:
            self._fill(maker, price, qty, True)
        symbol = taker.market.symbol
        ids = self._tape_ids[symbol]
        step = self._t // STEP_MS
        ids[1] = ids[1] + 1 if ids[0] == step else 1
        ids[0] = step
        self.books[symbol].tape.append(
            (step * 1024 + min(ids[1], 1023), price, qty, self._t, not taker.buy)
        )

    def _resting_fill(self, maker: Order | None, price: int, qty: int) -> None:
        if maker is not None:
            self._fill(maker, price, qty, True)

    def fee_ppm(self, market: Market, maker: bool) -> int:
        """The fee rate in parts per million for a maker or taker fill (overridable)."""
        return FEES_PPM[market.linear][0 if maker else 1]

    def _fill(self, order: Order, price: int, qty: int, maker: bool) -> None:
        m = order.market
        acct = order.acct
        fee_ppm = self.fee_ppm(m, maker)
        pnl = 0
        if m.linear:
            fee, pnl = futures_settle(acct, order, price, qty, fee_ppm, self._t)
            fee_asset = m.quote
        else:
            fee, fee_asset = spot_settle(acct, order, price, qty, fee_ppm)
        quote = qty * price * m.notional_atoms_per_unit
        order.filled += qty
        order.quote += quote
        order.commission += fee
        order.update = self._t
        acct.update = self._t
        fill = Fill(
            self._next_fill,
            order.id,
            order.account,
            m,
            price,
            qty,
            quote,
            fee,
            fee_asset,
            self._t,
            order.buy,
            maker,
            pnl,
        )
        self._next_fill += 1
        self._fills[(order.account, m.symbol)].append(fill)
        self.events += 1
        if order.filled >= order.qty:
            order.status = "FILLED"
            self._close(order)
        else:
            order.status = "PARTIALLY_FILLED"
        if self._listeners:
            self._notify(order, fill)

    def _close(self, order: Order) -> None:
        acct = order.acct
        if order.locked:
            m = order.market
            spot_unlock(acct, m.quote if order.buy else m.base, order.locked)
            order.locked = 0
        acct.open_orders.pop(order.id, None)

    def _notify(self, order: Order, fill: Fill | None) -> None:
        for listener in self._listeners:
            listener(order, fill)

    def _find(
        self,
        account: str,
        symbol: str,
        order_id: int | str | None,
        client_order_id: str | None,
        missing: Callable[[], BinanceError],
    ) -> Order:
        m = self.market(symbol)
        if order_id is not None:
            try:
                order = self._orders.get(int(order_id))
            except ValueError:
                raise missing() from None
        elif client_order_id is not None:
            order = self._by_client.get((account, m.symbol, client_order_id))
        else:
            raise BinanceError(
                -1102,
                "Param 'origClientOrderId' or 'orderId' must be sent, but both were empty/null!",
            )
        if order is None or order.account != account or order.market is not m:
            raise missing()
        return order

    def cancel_order(
        self,
        account: str,
        symbol: str,
        order_id: int | str | None = None,
        client_order_id: str | None = None,
    ) -> Order:
        """Cancel an open order (-2011 when unknown or no longer open)."""
        with self._lock:
            self._sync()
            order = self._find(account, symbol, order_id, client_order_id, errors.unknown_order)
            if not order.is_open:
                raise errors.unknown_order()
            book = self.books[order.market.symbol]
            if order.triggered:
                book.unrest(order)
            else:
                book.remove_stop(order)
            order.status = "CANCELED"
            order.update = self._t
            self._close(order)
            self.events += 1
            self._notify(order, None)
            return order

    @_locked
    def order(
        self,
        account: str,
        symbol: str,
        order_id: int | str | None = None,
        client_order_id: str | None = None,
    ) -> Order:
        """One order by id or client order id (-2013 when unknown)."""
        self._sync()
        return self._find(account, symbol, order_id, client_order_id, errors.order_not_found)

    @_locked
    def find_order(
        self,
        account: str,
        symbol: str | None,
        order_id: int | str | None = None,
        client_order_id: str | None = None,
    ) -> Order:
        """An order by id (any symbol when ``symbol`` is None) or by client id (-2013)."""
        self._sync()
        if symbol is not None or order_id is None:
            if symbol is None:
                matches = [
                    o
                    for (a, _, c), o in self._by_client.items()
                    if a == account and c == client_order_id
                ]
                if not matches:
                    raise errors.order_not_found()
                return matches[-1]
            return self._find(account, symbol, order_id, client_order_id, errors.order_not_found)
        try:
            order = self._orders.get(int(order_id))
        except ValueError:
            raise errors.order_not_found() from None
        if order is None or order.account != account:
            raise errors.order_not_found()
        return order

    @_locked
    def open_orders(self, account: str, symbol: str | None = None) -> list[Order]:
        self._sync()
        market = self.market(symbol) if symbol is not None else None
        orders = self.account(account).open_orders.values()
        return sorted(
            (o for o in orders if market is None or o.market is market), key=lambda o: o.id
        )

    @_locked
    def my_trades(
        self,
        account: str,
        symbol: str,
        *,
        start_ms: int | None = None,
        end_ms: int | None = None,
        from_id: int | None = None,
        limit: int = 500,
    ) -> list[Fill]:
        """The account's fills in ``symbol``, oldest first (Binance's myTrades rules)."""
        self._sync()
        market = self.market(symbol)
        fills = self._fills.get((account, market.symbol), [])
        if from_id is not None:
            fills = [f for f in fills if f.id >= from_id]
        elif start_ms is not None or end_ms is not None:
            lo = start_ms if start_ms is not None else end_ms - DAY_MS
            hi = end_ms if end_ms is not None else lo + DAY_MS
            fills = [f for f in fills if lo <= f.time <= hi]
            return fills[:limit]
        return fills[-limit:] if from_id is None else fills[:limit]

    @property
    def next_fill_id(self) -> int:
        return self._next_fill

    @_locked
    def fills_since(self, account: str, symbol: str, first_id: int, order_id: int) -> list[Fill]:
        """Fills of ``order_id`` with ids from ``first_id`` (the fills of a placement)."""
        out = []
        for fill in reversed(self._fills.get((account, symbol), [])):
            if fill.id < first_id:
                break
            if fill.order_id == order_id:
                out.append(fill)
        return out[::-1]

    def listen_key(self, account: str) -> str:
        """The user-data-stream listen key of ``account`` (stable for the engine's life)."""
        self.account(account)
        listen_key = f"{mix(self._key ^ key(account)):016x}" * 4
        self._listen_keys[listen_key] = account
        return listen_key

    def listen_key_account(self, listen_key: str) -> str | None:
        return self._listen_keys.get(listen_key)

    # -- market data -------------------------------------------------------------------------

    @_locked
    def order_book(self, symbol: str, limit: int = 100) -> Depth:
        """Synthetic ladders merged with resting user orders, ``limit`` levels a side."""
        self._sync()
        m = self.market(symbol)
        book = self.books[m.symbol]
        step = self._step
        cached_bids, cached_asks = book.ladders(step)
        full_bids, full_asks = (
            book.synth.ladders(step, limit)
            if limit > len(cached_bids)
            else (cached_bids, cached_asks)
        )
        user_bids = book.bids.depth(limit)
        user_asks = book.asks.depth(limit)
        best_user_bid = user_bids[0][0] if user_bids else None
        best_user_ask = user_asks[0][0] if user_asks else None
        bids: dict[int, int] = {}
        asks: dict[int, int] = {}
        for i, (price, size) in enumerate(full_bids):
            size = cached_bids[i][1] if i < len(cached_bids) else size
            if size and (best_user_ask is None or price < best_user_ask):
                bids[price] = size
        for i, (price, size) in enumerate(full_asks):
            size = cached_asks[i][1] if i < len(cached_asks) else size
            if size and (best_user_bid is None or price > best_user_bid):
                asks[price] = size
        for price, size in user_bids:
            bids[price] = bids.get(price, 0) + size
        for price, size in user_asks:
            asks[price] = asks.get(price, 0) + size
        return Depth(
            m,
            book.update_id(step),
            self._t,
            sorted(bids.items(), reverse=True)[:limit],
            sorted(asks.items())[:limit],
        )

    @_locked
    def book_version(self, symbol: str) -> int:
        """The order book's update id now (changes with time and with resting orders)."""
        self._sync()
        return self.books[self.market(symbol).symbol].update_id(self._step)

    @_locked
    def trades(self, symbol: str, limit: int = 500) -> list[PublicTrade]:
        """The latest public trades: one synthetic trade a second plus the users' takers."""
        self._sync()
        m = self.market(symbol)
        book = self.books[m.symbol]
        step = self._step
        first = step - limit + 1
        out = []
        for s in range(first, step + 1):
            price, qty, buyer_maker = book.synth.trade(s)
            out.append(PublicTrade(s * 1024, price, qty, s * STEP_MS, buyer_maker))
        out.extend(PublicTrade(*t) for t in book.tape if t[3] >= first * STEP_MS)
        out.sort(key=lambda t: t.id)
        return out[-limit:]

    @_locked
    def klines(
        self,
        symbol: str,
        interval: str = "1m",
        start_ms: int | None = None,
        end_ms: int | None = None,
        limit: int = 500,
    ) -> list[tuple]:
        """1m klines: (open time, open, high, low, close, volume, close time, quote volume,
        trades, taker buy volume, taker buy quote volume); prices in ticks, volumes in steps."""
        if interval != "1m":
            raise BinanceError(-1120, "Invalid interval.")
        self._sync()
        m = self.market(symbol)
        synth = self.books[m.symbol].synth
        current = self._t // 60_000
        last = current if end_ms is None else min(current, end_ms // 60_000)
        if start_ms is not None:
            first = -(-start_ms // 60_000)
            last = min(last, first + limit - 1)
        else:
            first = last - limit + 1
        out = []
        for minute in range(first, last + 1):
            k = synth.kline(minute, self._step)
            if k is None:
                continue
            o, h, lo, c, vol, qvol, n, tb, tbq = k
            out.append(
                (minute * 60_000, o, h, lo, c, vol, minute * 60_000 + 59_999, qvol, n, tb, tbq)
            )
        return out

    @_locked
    def ticker(self, symbol: str) -> Ticker:
        """Rolling 24-hour statistics from the synthetic tape (sampled once a minute)."""
        self._sync()
        m = self.market(symbol)
        synth = self.books[m.symbol].synth
        step = self._step
        first = step - 86_400 + 1
        open_price = synth.trade(first)[0]
        last, last_qty, _ = synth.trade(step)
        samples = [synth.trade(s)[0] for s in range(first, step + 1, 60)]
        samples.append(last)
        typical = synth.lot * 27 // 100
        depth = self.order_book(symbol, 1)
        return Ticker(
            m,
            first * STEP_MS,
            self._t,
            open_price,
            max(samples),
            min(samples),
            last,
            last_qty,
            depth.bids[0],
            depth.asks[0],
            typical * 86_400,
            typical * 86_400 * last,
            86_400,
            first * 1024,
            step * 1024,
        )

    def mark_price(self, symbol: str) -> int:
        """Mark price in ticks (the synthetic mid)."""
        m = self.market(symbol)
        return round(self.books[m.symbol].synth.mid(self.clock.now_ms()))

    # -- balances ----------------------------------------------------------------------------

    def _futures(self, acct: Account) -> FuturesState:
        marks = {s: round(b.synth.mid(self._t)) for s, b in self.books.items() if b.market.linear}
        return futures_state(acct, marks, self.markets)

    @_locked
    def futures_account(self, account: str = "main") -> tuple[FuturesState, dict[str, int]]:
        """USDⓈ-M figures (atoms) and mark prices (ticks) of the linear markets."""
        self._sync()
        acct = self.account(account)
        marks = {s: round(b.synth.mid(self._t)) for s, b in self.books.items() if b.market.linear}
        return futures_state(acct, marks, self.markets), marks

    @_locked
    def balances(self, account_type: str = "spot", account: str = "main") -> dict[str, dict]:
        """Balances by asset as Decimals: spot/margin ``free``, ``locked`` (margin adds
        ``borrowed``, ``interest``, ``net``); future ``wallet``, ``margin``, ``available``,
        ``unrealized``, ``initial_margin`` for the quote asset."""
        self._sync()
        acct = self.account(account)
        unit = Decimal(ATOMS_PER_UNIT)
        if account_type == "spot":
            assets = sorted(set(acct.spot_free) | set(acct.spot_locked))
            return {
                a: {
                    "free": acct.spot_free.get(a, 0) / unit,
                    "locked": acct.spot_locked.get(a, 0) / unit,
                }
                for a in assets
            }
        if account_type == "margin":
            out = {}
            for a in sorted(set(acct.margin_free) | set(acct.margin_borrowed)):
                free, borrowed = acct.margin_free.get(a, 0), acct.margin_borrowed.get(a, 0)
                interest = acct.interest(a, self._t)
                out[a] = {
                    "free": free / unit,
                    "locked": Decimal(0),
                    "borrowed": borrowed / unit,
                    "interest": interest / unit,
                    "net": (free - borrowed - interest) / unit,
                }
            return out
        if account_type == "future":
            state = self._futures(acct)
            quote = next(m.quote for m in self.markets.values() if m.linear)
            return {
                quote: {
                    "wallet": state.wallet / unit,
                    "margin": state.margin_balance / unit,
                    "available": state.available / unit,
                    "unrealized": state.unrealized / unit,
                    "initial_margin": state.initial_margin / unit,
                }
            }
        raise ValueError(f"account_type must be spot, margin or future, not {account_type!r}")

    # -- withdrawals -------------------------------------------------------------------------

    @_locked
    def withdrawals(
        self,
        start_ms: int | None = None,
        end_ms: int | None = None,
        *,
        coin: str | None = None,
        offset: int = 0,
        limit: int = MAX_WITHDRAWAL_LIMIT,
    ) -> list[dict]:
        """Crypto withdrawals as Binance's ``capital/withdraw/history`` returns them."""
        now = self.clock.now_ms()
        if start_ms is None and end_ms is None:
            end_ms = now
        if start_ms is None:
            start_ms = end_ms - WINDOW_MS
        if end_ms is None:
            end_ms = start_ms + WINDOW_MS
        if end_ms - start_ms > WINDOW_MS:
            raise BinanceError(-1127, "More than 90 days between startTime and endTime.")
        if start_ms > end_ms:
            raise BinanceError(-1128, "startTime must be less than endTime.")
        limit = max(1, min(limit, MAX_WITHDRAWAL_LIMIT))
        return self.history.crypto_rows(start_ms, end_ms, now, coin, max(0, offset), limit)

    @_locked
    def fiat_withdrawals(
        self, start_ms: int | None = None, end_ms: int | None = None, page: int = 1, rows: int = 100
    ) -> tuple[list[dict], int]:
        """Fiat withdrawals as Binance's ``fiat/orders`` (transactionType=1) returns them."""
        now = self.clock.now_ms()
        end_ms = now if end_ms is None else end_ms
        if start_ms is None:
            start_ms = end_ms - 30 * DAY_MS
        return self.history.fiat_rows(start_ms, end_ms, now, max(1, page), max(1, min(rows, 500)))

    @_locked
    def add_withdrawal(
        self,
        coin: str,
        amount: float,
        *,
        network_index: int = 0,
        apply_ms: int | None = None,
        pending_ms: int = 600_000,
        final_status: int = 6,
        internal: bool = False,
    ) -> None:
        """Record a new crypto withdrawal applied at ``apply_ms`` (now by default) that
        reaches ``final_status`` (6 completed, 1 cancelled, 3 rejected, 5 failure) after
        ``pending_ms``."""
        index, networks = self.history.coin_index(coin)
        if not 0 <= network_index < len(networks):
            raise ValueError(f"{coin} has {len(networks)} networks, not index {network_index}")
        if final_status not in (1, 3, 5, 6):
            raise ValueError("final_status must be 1, 3, 5 or 6")
        apply = (self.clock.now_ms() if apply_ms is None else apply_ms) // 1000 * 1000
        self.history.add(
            fiat=False,
            apply_ms=apply,
            done_ms=apply + pending_ms,
            kind=index,
            sub=network_index,
            amount=amount,
            final=final_status,
            internal=internal,
        )

    @_locked
    def add_fiat_withdrawal(
        self,
        currency: str,
        amount: float,
        *,
        apply_ms: int | None = None,
        pending_ms: int = 3_600_000,
        final_status: str = "Successful",
    ) -> None:
        """Record a new fiat withdrawal that ends in ``final_status`` after ``pending_ms``."""
        if final_status not in FIAT_FINAL_STATUSES:
            raise ValueError(f"final_status must be one of {', '.join(FIAT_FINAL_STATUSES)}")
        apply = self.clock.now_ms() if apply_ms is None else apply_ms
        self.history.add(
            fiat=True,
            apply_ms=apply,
            done_ms=apply + pending_ms,
            kind=self.history.fiat_index(currency),
            sub=0,
            amount=amount,
            final=FIAT_FINAL_STATUSES.index(final_status),
            internal=False,
        )


def _units(
    value: str | Decimal | float | None, size: Decimal, name: str, filt: str, cache: dict[str, int]
) -> int:
    """``value`` as an integer number of ``size``; Binance's filter failure if not a multiple."""
    if value is None or value == "":
        raise errors.bad_param(name)
    if isinstance(value, str) and "e" not in value and "E" not in value:
        cached = cache.get(value)
        if cached is None:
            cached = _str_units(value, size, name, filt)
            if len(cache) > 100_000:
                cache.clear()
            cache[value] = cached
        return cached
    if isinstance(value, float):
        n = value / float(size)
        r = round(n)
        if not math.isfinite(n) or abs(n - r) > 1e-6 * max(1.0, abs(n)):
            raise errors.filter_failure(filt)
        return r
    try:
        d = value if isinstance(value, Decimal) else Decimal(str(value))
        n = d / size
    except (InvalidOperation, ValueError):
        raise BinanceError(-1100, f"Illegal characters found in parameter '{name}'.") from None
    if not n.is_finite() or n != n.to_integral_value():
        raise errors.filter_failure(filt)
    return int(n)


@functools.lru_cache(maxsize=64)
def _scale(size: Decimal) -> tuple[int, int]:
    """(decimals, size as an integer of 10**-decimals) of a tick or step size."""
    decimals = max(0, -size.normalize().as_tuple().exponent)
    return decimals, int(size * 10**decimals)


def _str_units(value: str, size: Decimal, name: str, filt: str) -> int:
    """Exact integer parse of a plain decimal string (the hot path of every order)."""
    decimals, size_int = _scale(size)
    whole, _, frac = value.strip().partition(".")
    if len(frac) > decimals:
        if frac[decimals:].strip("0"):
            raise errors.filter_failure(filt)
        frac = frac[:decimals]
    try:
        negative = whole.startswith("-")
        scaled = abs(int(whole or "0")) * 10**decimals + int(frac.ljust(decimals, "0") or "0")
    except ValueError:
        raise BinanceError(-1100, f"Illegal characters found in parameter '{name}'.") from None
    units, rest = divmod(scaled, size_int)
    if rest:
        raise errors.filter_failure(filt)
    return -units if negative else units


def today_ms() -> int:
    """Midnight UTC today in epoch ms: the default simulated epoch in wall-clock mode."""
    now = int(time.time() * 1000)
    return now - now % DAY_MS
