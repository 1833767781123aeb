"""Changing orders in place, order history, and the leverage of futures markets."""

from __future__ import annotations

from .accounts import MAX_LEVERAGE, spot_lock, spot_unlock
from .errors import ErrorKind, SimError
from .orders import Order, OrderType
from .rules import Number, to_units
from .state import locked
from .trading import Trading


class Amendments(Trading):
    """``amend_order`` (new price and quantity, same order), ``all_orders``, ``set_leverage``."""

    def amend_order(
        self,
        account: str,
        symbol: str,
        order_id: int | str | None = None,
        client_order_id: str | None = None,
        *,
        quantity: Number,
        price: Number,
    ) -> Order:
        """Give an open limit order a new total ``quantity`` and ``price``; it keeps its id,
        loses its queue position and trades at once if the new price crosses."""
        with self._lock:
            self._sync()
            order = self._find(account, symbol, order_id, client_order_id, ErrorKind.UNKNOWN_ORDER)
            if not order.is_open:
                raise SimError(ErrorKind.UNKNOWN_ORDER, f"order {order.id} is {order.status}")
            if order.type is not OrderType.LIMIT or order.stop:
                raise SimError(
                    ErrorKind.INVALID_ORDER_TYPE,
                    f"only limit orders can be amended, not {order.type}",
                )
            m = order.market
            qty_cache, px_cache = self._parsed[m.symbol]
            qty = to_units(quantity, m.step, "quantity", ErrorKind.INVALID_QUANTITY, qty_cache)
            px = to_units(price, m.tick, "price", ErrorKind.INVALID_PRICE, px_cache)
            if px <= 0:
                raise SimError(ErrorKind.INVALID_PRICE, "price must be positive", field="price")
            if qty <= order.filled:
                raise SimError(
                    ErrorKind.INVALID_QUANTITY, "the quantity must exceed the filled quantity"
                )
            if qty == order.qty and px == order.price:
                raise SimError(
                    ErrorKind.NOTHING_TO_AMEND, "the order already has this price and quantity"
                )
            book = self._books[m.symbol]
            book.unrest(order)
            old = (order.qty, order.price)
            order.qty, order.price = qty, px
            try:
                self._reserve_again(order)
            except SimError:
                order.qty, order.price = old
                self._reserve_again(order)
                book.rest(order)
                raise
            order.update = self._t
            self.events += 1
            self._notify(order, None)
            self._execute(order, book, self._step)
            return order

    def _reserve_again(self, order: Order) -> None:
        """Re-reserve what the open rest of ``order`` needs (spot funds, futures margin)."""
        m = order.market
        acct = order.acct
        if m.linear:
            if not order.reduce_only and self._futures(acct).available < 0:
                raise SimError(ErrorKind.INSUFFICIENT_MARGIN, "the available margin is too small")
            return
        asset = m.quote if order.buy else m.base
        spot_unlock(acct, asset, order.locked)
        order.locked = 0
        need = order.remaining * (
            order.price * m.notional_atoms_per_unit if order.buy else m.step_atoms
        )
        if not spot_lock(acct, asset, need):
            raise SimError(ErrorKind.INSUFFICIENT_BALANCE, f"insufficient balance of free {asset}")
        order.locked = need

    @locked
    def all_orders(
        self,
        account: str,
        symbol: str,
        *,
        from_id: int | None = None,
        start_ms: int | None = None,
        end_ms: int | None = None,
        limit: int = 500,
    ) -> list[Order]:
        """The account's orders in ``symbol``, open and closed, oldest first: the first
        ``limit`` from order id ``from_id`` or from ``start_ms`` (to ``end_ms``), else the
        ``limit`` newest."""
        self._sync()
        market = self.market(symbol)
        orders = [o for o in self._orders.values() if o.account == account and o.market is market]
        if from_id is not None:
            return [o for o in orders if o.id >= from_id][:limit]
        if start_ms is not None or end_ms is not None:
            lo = start_ms if start_ms is not None else 0
            hi = end_ms if end_ms is not None else self._t
            return [o for o in orders if lo <= o.time <= hi][:limit]
        return orders[-limit:]

    @locked
    def set_leverage(self, account: str, symbol: str, leverage: int) -> int:
        """Trade the futures market ``symbol`` at ``leverage`` (1 to ``MAX_LEVERAGE``)."""
        m = self.market(symbol)
        if not m.linear:
            raise SimError(ErrorKind.UNKNOWN_SYMBOL, f"{symbol} is not a futures market")
        if not 1 <= leverage <= MAX_LEVERAGE:
            raise SimError(
                ErrorKind.INVALID_LEVERAGE, f"leverage must be 1 to {MAX_LEVERAGE}, not {leverage}"
            )
        self.account(account).leverage[m.symbol] = leverage
        return leverage
