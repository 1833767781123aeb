"""Orders and matching on an engine's state, and the passing of time that fills them.

``place_order`` validates an order against the market's rules, reserves funds
and matches it as taker; what is left rests in the book (or waits for its
trigger). ``_sync`` replays every second since the last call: resting orders
trade against the market as makers and stops trigger.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from deltaworks_core.clock import SimClock

from .accounts import (
    Account,
    FuturesState,
    futures_settle,
    futures_state,
    spot_lock,
    spot_settle,
    spot_unlock,
)
from .errors import ErrorKind, SimError
from .markets import Market
from .matching import MarketBook
from .orders import (
    MARKET_TYPES,
    PRICED_TYPES,
    STOP_TYPES,
    TAKE_PROFIT_TYPES,
    TIF_TYPES,
    Fill,
    Order,
    OrderStatus,
    OrderType,
    TimeInForce,
)
from .rules import Number, to_units
from .state import EngineState, locked
from .synthetic import STEP_MS
from .withdrawals import DAY_MS

MAX_CATCHUP_STEPS = 86_400  # at most one day of steps is replayed for resting orders
_SIDES = {"buy": True, "sell": False, "BUY": True, "SELL": False}
_TYPES = {t.value: t for t in OrderType}
_TIFS = {t.value: t for t in TimeInForce}


def parse_order_type(value: OrderType | str) -> OrderType:
    """A neutral order type from its name (any case)."""
    found = _TYPES.get(value) or _TYPES.get(value.upper())
    if found is None:
        raise SimError(ErrorKind.INVALID_ORDER_TYPE, f"unknown order type {value!r}")
    return found


def parse_time_in_force(value: TimeInForce | str | None) -> TimeInForce:
    """A neutral time in force from its name (any case); GTC when not given."""
    if not value:
        return TimeInForce.GTC
    found = _TIFS.get(value) or _TIFS.get(value.upper())
    if found is None:
        raise SimError(ErrorKind.INVALID_TIME_IN_FORCE, f"unknown time in force {value!r}")
    return found


class Trading(EngineState):
    """Order placement, matching, cancellation and order/fill queries."""

    # -- time ------------------------------------------------------------------------------

    @locked
    def set_time(self, ms: int) -> None:
        """Move a simulated clock to ``ms`` and let the market catch up."""
        if not isinstance(self.clock, SimClock):
            raise TypeError("set_time needs a SimClock; this engine runs on wall time")
        self.clock.set_time(ms)
        self._sync()

    def advance(self, seconds: float) -> None:
        """Move a simulated clock forward: prices move, resting orders fill, stops trigger."""
        self.set_time(self.clock.now_ms() + int(seconds * 1000))

    @locked
    def sync(self) -> None:
        """Replay the steps since the last call for markets with resting or stop orders."""
        self._sync()

    def _sync(self) -> None:
        now = self.clock.now_ms()
        step = now // STEP_MS
        if step > self._step:
            first = max(self._step + 1, step - MAX_CATCHUP_STEPS + 1)
            self._step = step
            for book in self._books.values():
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
        self._settle_transfers(now)

    # -- placing -----------------------------------------------------------------------------

    def place_order(
        self,
        account: str,
        symbol: str,
        side: str,
        type: OrderType | str,
        quantity: Number | None,
        price: Number | None = None,
        *,
        time_in_force: TimeInForce | str | None = None,
        client_order_id: str | None = None,
        stop_price: Number | None = None,
        reduce_only: bool = False,
        quote_order_qty: Number | None = None,
    ) -> Order:
        """Validate, reserve funds and match a new order; refusals raise ``SimError``.

        ``side`` is buy or sell; ``type`` and ``time_in_force`` take the neutral names
        of ``OrderType``/``TimeInForce`` in any case (the time in force applies to
        LIMIT, STOP_LIMIT and TAKE_PROFIT_LIMIT; the others are GTC). A spot MARKET
        order may give ``quote_order_qty`` (quote to spend, or to raise when selling)
        instead of ``quantity``.
        """
        with self._lock:
            self._sync()
            m = self.markets.get(symbol) or self.market(symbol)
            acct = self._accounts.get(account) or self.account(account)
            book = self._books[symbol]
            buy = _SIDES.get(side)
            if buy is None:
                buy = _SIDES.get(side.lower())
                if buy is None:
                    raise SimError(
                        ErrorKind.INVALID_SIDE, f"side must be buy or sell, not {side!r}"
                    )
            kind = parse_order_type(type)
            parsed_qty, parsed_px = self._parsed[m.symbol]
            if quote_order_qty is not None and kind is OrderType.MARKET and not m.linear:
                try:
                    budget = int(Decimal(str(quote_order_qty)) / (m.tick * m.step))
                except InvalidOperation:
                    raise SimError(
                        ErrorKind.MALFORMED_PARAMETER,
                        f"quote_quantity {quote_order_qty!r} is not a number",
                        field="quote_quantity",
                    ) from None
                qty = book.qty_for_quote(buy, budget, self._step)
            else:
                qty = to_units(quantity, m.step, "quantity", ErrorKind.INVALID_QUANTITY, parsed_qty)
            if qty <= 0:
                raise SimError(ErrorKind.INVALID_QUANTITY, "quantity must be positive")
            px = 0
            if kind in PRICED_TYPES:
                px = to_units(price, m.tick, "price", ErrorKind.INVALID_PRICE, parsed_px)
                if px <= 0:
                    raise SimError(ErrorKind.INVALID_PRICE, "price must be positive", field="price")
            stop = 0
            if kind in STOP_TYPES:
                stop = to_units(
                    stop_price, m.tick, "stop_price", ErrorKind.INVALID_PRICE, parsed_px
                )
                if stop <= 0:
                    raise SimError(
                        ErrorKind.INVALID_PRICE, "stop price must be positive", field="stop_price"
                    )
            tif = parse_time_in_force(time_in_force) if kind in TIF_TYPES else TimeInForce.GTC
            step = self._step
            mark = px or stop or round(book.synth.mid(self._t))
            notional = qty * mark * m.notional_atoms_per_unit
            if notional < m.min_notional_atoms and not (m.linear and reduce_only):
                raise SimError(
                    ErrorKind.MIN_NOTIONAL,
                    f"order notional must be at least {m.min_notional} {m.quote}",
                    market=m,
                )
            cid = client_order_id or f"sim{self._key % 99991:05d}{self._next_order:010d}"
            if (account, m.symbol, cid) in self._by_client:  # open or closed, as venues do
                self.duplicate_sends.append((account, m.symbol, cid))
                raise SimError(
                    ErrorKind.DUPLICATE_CLIENT_ID, f"client order id {cid!r} was already used"
                )
            if stop:
                down = buy == (kind in TAKE_PROFIT_TYPES)
                last = book.synth.trade(step)[0]
                if (last <= stop) if down else (last >= stop):
                    raise SimError(
                        ErrorKind.WOULD_TRIGGER, "the stop price would trigger now", market=m
                    )
            crosses = False
            if kind is OrderType.LIMIT_MAKER or tif is TimeInForce.POST_ONLY:
                best = book.best_opposite(buy, step)
                crosses = best is not None and (best <= px if buy else best >= px)
                if crosses and kind is OrderType.LIMIT_MAKER:
                    raise SimError(ErrorKind.WOULD_TAKE, "the maker-only order would take")
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
            if crosses:  # a post-only order that would take: expired
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
                raise _insufficient(m.quote)
            return
        if not spot_lock(acct, asset, need):
            raise _insufficient(asset)
        order.locked = need

    def _reserve_futures(self, acct: Account, order: Order, price: int) -> None:
        m = order.market
        if order.reduce_only:
            pos = acct.positions.get(m.symbol)
            if pos is None or not pos.amt or (pos.amt > 0) == order.buy or order.qty > abs(pos.amt):
                raise SimError(
                    ErrorKind.REDUCE_ONLY_REJECTED, "a reduce-only order must reduce the position"
                )
            return
        required = order.qty * price * m.notional_atoms_per_unit // acct.leverage_of(m.symbol)
        if required > self._futures(acct).available:
            raise SimError(ErrorKind.INSUFFICIENT_MARGIN, "the available margin is too small")

    def _futures(self, acct: Account) -> FuturesState:
        marks = {s: round(b.synth.mid(self._t)) for s, b in self._books.items() if b.market.linear}
        return futures_state(acct, marks, self.markets)

    # -- matching ----------------------------------------------------------------------------

    def _execute(self, order: Order, book: MarketBook, step: int) -> None:
        """Match a new or just-triggered order as taker; rest or expire what is left."""
        m = order.market
        is_market = order.type in MARKET_TYPES
        limit = None if is_market else order.price
        if order.type in STOP_TYPES and is_market and order.buy and not m.linear:
            acct = self._accounts[order.account]
            spot_unlock(acct, m.quote, order.locked)
            order.locked = 0
            _, cost = book.available(True, None, order.qty, step)
            if cost * m.notional_atoms_per_unit > acct.spot_free.get(m.quote, 0):
                self._expire(order)
                return
        tif = order.tif
        if (
            tif is TimeInForce.FOK
            and book.available(order.buy, limit, order.qty, step)[0] < order.qty
        ):
            self._expire(order)
            return
        if (
            limit is not None
            and tif is TimeInForce.GTC
            and not book.crosses(order.buy, limit, step)
        ):
            book.rest(order)
            self.events += 1  # the order enters the book
            return
        self._taker = order
        book.take(order.buy, limit, order.remaining, step, self._match_taker)
        if order.remaining and order.is_open:
            if is_market or tif is TimeInForce.IOC or tif is TimeInForce.FOK:
                self._expire(order)
            else:
                book.rest(order)
                self.events += 1  # the order enters the book

    def _expire(self, order: Order) -> None:
        order.status = OrderStatus.EXPIRED
        order.update = self._t
        self._close(order)
        self._notify(order, None)

    def _match_taker(self, maker: Order | None, price: int, qty: int) -> None:
        taker = self._taker
        assert taker is not None
        self._fill(taker, price, qty, False)
        if maker is not None:
            self._fill(maker, price, qty, True)
        symbol = taker.market.symbol
        ids = self._tape_ids[symbol]
        step = self._t // STEP_MS
        ids[1] = ids[1] + 1 if ids[0] == step else 1
        ids[0] = step
        self._books[symbol].tape.append(
            (step * 1024 + min(ids[1], 1023), price, qty, self._t, not taker.buy)
        )

    def _resting_fill(self, maker: Order | None, price: int, qty: int) -> None:
        if maker is not None:
            self._fill(maker, price, qty, True)

    def set_fee_rates(self, maker_ppm: int, taker_ppm: int) -> None:
        """Charge these rates (parts per million) on every market instead of the defaults."""
        self._fees_ppm = (maker_ppm, taker_ppm)

    def fee_ppm(self, market: Market, maker: bool) -> int:
        """The fee rate in parts per million for a maker or taker fill in ``market``."""
        rates = self._fees_ppm or (market.maker_ppm, market.taker_ppm)
        return rates[0 if maker else 1]

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
            order.status = OrderStatus.FILLED
            self._close(order)
        else:
            order.status = OrderStatus.PARTIALLY_FILLED
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

    # -- cancelling and queries --------------------------------------------------------------

    def _find(
        self,
        account: str,
        symbol: str,
        order_id: int | str | None,
        client_order_id: str | None,
        missing: ErrorKind,
    ) -> Order:
        m = self.market(symbol)
        if order_id is not None:
            try:
                order = self._orders.get(int(order_id))
            except ValueError:
                raise _no_order(missing, order_id) from None
        elif client_order_id is not None:
            order = self._by_client.get((account, m.symbol, client_order_id))
        else:
            raise SimError(
                ErrorKind.MISSING_PARAMETER,
                "an order id or a client order id is required",
                field="order_id",
            )
        if order is None or order.account != account or order.market is not m:
            raise _no_order(missing, order_id or client_order_id)
        return order

    def cancel_order(
        self,
        account: str,
        symbol: str,
        order_id: int | str | None = None,
        client_order_id: str | None = None,
    ) -> Order:
        """Cancel an open order (``CANCEL_REJECTED`` when unknown or no longer open)."""
        with self._lock:
            self._sync()
            cancel_rejected = ErrorKind.CANCEL_REJECTED
            order = self._find(account, symbol, order_id, client_order_id, cancel_rejected)
            if not order.is_open:
                raise SimError(cancel_rejected, f"order {order.id} is {order.status}")
            book = self._books[order.market.symbol]
            if order.triggered:
                book.unrest(order)
            else:
                book.remove_stop(order)
            order.status = OrderStatus.CANCELED
            order.update = self._t
            self._close(order)
            self.events += 1
            self._notify(order, None)
            return order

    def amend_order(
        self,
        account: str,
        symbol: str,
        order_id: int | str | None = None,
        client_order_id: str | None = None,
        *,
        quantity: Number | None = None,
        price: Number | None = None,
    ) -> Order:
        """Change the total quantity and/or the price of a resting limit order, keeping its
        ids (it goes to the back of its new price level and may now match).

        ``UNKNOWN_ORDER`` when there is no such order, ``AMEND_REJECTED`` when it is no
        longer open or does not rest in the book, ``INVALID_QUANTITY`` when the new
        quantity is not above what has filled.
        """
        with self._lock:
            self._sync()
            order = self._find(account, symbol, order_id, client_order_id, ErrorKind.UNKNOWN_ORDER)
            if not order.is_open or not order.triggered or not order.price:
                raise SimError(
                    ErrorKind.AMEND_REJECTED, f"order {order.id} ({order.status}) cannot change"
                )
            m = order.market
            parsed_qty, parsed_px = self._parsed[m.symbol]
            qty = order.qty
            if quantity is not None:
                qty = to_units(quantity, m.step, "quantity", ErrorKind.INVALID_QUANTITY, parsed_qty)
            if qty <= order.filled:
                raise SimError(
                    ErrorKind.INVALID_QUANTITY,
                    "the new quantity must be above the filled quantity",
                    field="quantity",
                )
            px = order.price
            if price is not None:
                px = to_units(price, m.tick, "price", ErrorKind.INVALID_PRICE, parsed_px)
                if px <= 0:
                    raise SimError(ErrorKind.INVALID_PRICE, "price must be positive", field="price")
            book = self._books[m.symbol]
            step = self._step
            maker_only = order.type is OrderType.LIMIT_MAKER or order.tif is TimeInForce.POST_ONLY
            best = book.best_opposite(order.buy, step)
            crosses = best is not None and (best <= px if order.buy else best >= px)
            if crosses and order.type is OrderType.LIMIT_MAKER:
                raise SimError(ErrorKind.WOULD_TAKE, "the maker-only order would take")
            acct = order.acct
            if m.linear:
                self._reserve_amend_futures(acct, order, qty, px)
            else:
                self._reserve_amend_spot(acct, order, qty, px)
            book.unrest(order)
            order.qty, order.price, order.update = qty, px, self._t
            self.events += 1
            self._notify(order, None)
            if crosses and maker_only:
                self._expire(order)
            else:
                self._execute(order, book, step)
            return order

    def _reserve_amend_spot(self, acct: Account, order: Order, qty: int, px: int) -> None:
        m = order.market
        remaining = qty - order.filled
        if order.buy:
            need, asset = remaining * px * m.notional_atoms_per_unit, m.quote
        else:
            need, asset = remaining * m.step_atoms, m.base
        spot_unlock(acct, asset, order.locked)
        if not spot_lock(acct, asset, need):
            spot_lock(acct, asset, order.locked)
            raise _insufficient(asset)
        order.locked = need

    def _reserve_amend_futures(self, acct: Account, order: Order, qty: int, px: int) -> None:
        if order.reduce_only:
            return
        m = order.market
        leverage = acct.leverage_of(m.symbol)
        before = order.remaining * order.price * m.notional_atoms_per_unit // leverage
        after = (qty - order.filled) * px * m.notional_atoms_per_unit // leverage
        if after - before > self._futures(acct).available:
            raise SimError(ErrorKind.INSUFFICIENT_MARGIN, "the available margin is too small")

    @locked
    def order(
        self,
        account: str,
        symbol: str,
        order_id: int | str | None = None,
        client_order_id: str | None = None,
    ) -> Order:
        """One order by id or client order id (``UNKNOWN_ORDER`` when unknown)."""
        self._sync()
        return self._find(account, symbol, order_id, client_order_id, ErrorKind.UNKNOWN_ORDER)

    @locked
    def find_order(
        self,
        account: str,
        symbol: str | None,
        order_id: int | str | None = None,
        client_order_id: str | None = None,
    ) -> Order:
        """An order by id (any symbol when ``symbol`` is None) or by client id."""
        self._sync()
        unknown = ErrorKind.UNKNOWN_ORDER
        if symbol is not None or order_id is None:
            if symbol is None:
                matches = [
                    o
                    for (a, _, c), o in self._by_client.items()
                    if a == account and c == client_order_id
                ]
                if not matches:
                    raise _no_order(unknown, client_order_id)
                return matches[-1]
            return self._find(account, symbol, order_id, client_order_id, unknown)
        try:
            order = self._orders.get(int(order_id))
        except ValueError:
            raise _no_order(unknown, order_id) from None
        if order is None or order.account != account:
            raise _no_order(unknown, order_id)
        return order

    @locked
    def orders(self, account: str) -> list[Order]:
        """Every order ``account`` ever placed, open or not, in id order."""
        self.account(account)
        return [o for o in self._orders.values() if o.account == account]

    @locked
    def open_orders(self, account: str, symbol: str | None = None) -> list[Order]:
        self._sync()
        market = self.market(symbol) if symbol is not None else None
        orders = self.account(account).open_orders.values()
        return sorted(
            (o for o in orders if market is None or o.market is market), key=lambda o: o.id
        )

    @locked
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
        """The account's fills in ``symbol``, oldest first: from fill id ``from_id``, or in
        [start, end] (one day from the one given), or the latest ``limit``."""
        self._sync()
        market = self.market(symbol)
        fills = self._fills.get((account, market.symbol), [])
        if from_id is not None:
            fills = [f for f in fills if f.id >= from_id]
        elif start_ms is not None or end_ms is not None:
            lo = start_ms if start_ms is not None else end_ms - DAY_MS  # type: ignore[operator]
            hi = end_ms if end_ms is not None else lo + DAY_MS
            fills = [f for f in fills if lo <= f.time <= hi]
            return fills[:limit]
        return fills[-limit:] if from_id is None else fills[:limit]

    @property
    def next_fill_id(self) -> int:
        return self._next_fill

    @locked
    def fills_since(self, account: str, symbol: str, first_id: int, order_id: int) -> list[Fill]:
        """Fills of ``order_id`` with ids from ``first_id`` (the fills of a placement)."""
        out = []
        for fill in reversed(self._fills.get((account, symbol), [])):
            if fill.id < first_id:
                break
            if fill.order_id == order_id:
                out.append(fill)
        return out[::-1]


def _insufficient(asset: str) -> SimError:
    return SimError(ErrorKind.INSUFFICIENT_BALANCE, f"insufficient balance of free {asset}")


def _no_order(kind: ErrorKind, ref: object) -> SimError:
    return SimError(
        kind, f"no open order {ref}" if kind is ErrorKind.CANCEL_REJECTED else f"no order {ref}"
    )
