"""What OKX reports of an order beyond the engine's record, kept per engine order id.

OKX reports the order type as the client named it (``post_only``, ``ioc``...), the trade
mode, the target currency of a spot market order, the size as sent, the tag, whether a
client order id was given, and for algo orders the trigger fields and ``algoClOrdId``.
The ledger also indexes every order of every account (the engine's listener sees each
one), for order history.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ...engine import Fill, Order, OrderType, TimeInForce


@dataclass(slots=True)
class Algo:
    """An algo order's own fields (``trigger`` or ``conditional``)."""

    ord_type: str
    algo_cl_ord_id: str
    trigger_px: str = ""
    order_px: str = ""
    sl_trigger_px: str = ""
    sl_ord_px: str = ""
    tp_trigger_px: str = ""
    tp_ord_px: str = ""


@dataclass(slots=True)
class Meta:
    ord_type: str
    td_mode: str
    cl_ord_id: str = ""
    tgt_ccy: str = ""
    sz: str = ""  # as sent (quote units for a quote_ccy market buy); "" = the engine's
    tag: str = ""
    algo: Algo | None = None
    last_fill: Fill | None = None


def default_meta(order: Order) -> Meta:
    """OKX's fields of an order placed without them (in-process, by tests or the backtester)."""
    if order.type is OrderType.MARKET:
        ord_type = "market"
    elif order.type is OrderType.LIMIT_MAKER or order.tif is TimeInForce.POST_ONLY:
        ord_type = "post_only"
    else:
        ord_type = {TimeInForce.IOC: "ioc", TimeInForce.FOK: "fok"}.get(order.tif, "limit")
    return Meta(ord_type, "cross" if order.market.linear else "cash", cl_ord_id=order.client_id)


@dataclass
class Ledger:
    """Every order the engine reported, by account, with OKX's fields per order id."""

    meta: dict[int, Meta] = field(default_factory=dict)
    orders: dict[str, dict[int, Order]] = field(default_factory=dict)
    _next: Meta | None = None

    def expect(self, meta: Meta | None) -> None:
        """The fields of the order about to be placed (its first event carries them)."""
        self._next = meta

    def record(self, order: Order, fill: Fill | None) -> None:
        """The engine's listener: index the order, remember its last fill."""
        meta = self.meta.get(order.id)
        if meta is None:
            self.orders.setdefault(order.account, {})[order.id] = order
            meta = self.meta[order.id] = self._next or default_meta(order)
            self._next = None
        if fill is not None:
            meta.last_fill = fill
