"""OKX's trade endpoints: place, amend and cancel orders (one or a batch), algo orders for
triggers, stop-losses and take-profits, and the order and fill queries.

Every order of a request is answered in ``data`` with its own ``sCode``/``sMsg``; the
request's ``code`` says whether all, some or none succeeded (see ``Batch``). OKX's rules
enforced here: ``clOrdId`` 1-32 letters and digits, ``tdMode`` required (``cash`` for spot,
``cross``/``isolated`` for swaps), ``sz`` a multiple of ``lotSz`` and at least ``minSz``
(contracts for swaps), at most 20 orders per batch.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from ...engine import ExchangeEngine, Fill, Order, OrderStatus, SimError
from . import rendering
from .errors import OkxError, order_error, param_error, param_missing
from .instruments import Instrument
from .ledger import Ledger, Meta
from .public import Public, int_param, ms_param

Params = dict[str, Any]
CL_ORD_ID = re.compile(r"^[A-Za-z0-9]{1,32}$")
MAX_BATCH = 20
ORDER_TYPES = {  # OKX ordType -> (engine type, time in force)
    "market": ("MARKET", None),
    "optimal_limit_ioc": ("MARKET", None),
    "limit": ("LIMIT", "GTC"),
    "post_only": ("LIMIT", "POST_ONLY"),
    "ioc": ("LIMIT", "IOC"),
    "fok": ("LIMIT", "FOK"),
}
HISTORY_MS = 7 * 86_400_000
ARCHIVE_MS = 90 * 86_400_000


@dataclass
class Batch:
    """Per-order results of an order endpoint (each row has ``sCode`` and ``sMsg``)."""

    rows: list[dict]


def failed(exc: OkxError, **ids: str) -> dict:
    return {**ids, "sCode": exc.code, "sMsg": exc.msg}


def flag(params: Params, name: str) -> bool:
    value = params.get(name, False)
    if isinstance(value, bool):
        return value
    if str(value).lower() in ("true", "false", ""):
        return str(value).lower() == "true"
    raise param_error(name)


def client_order_id(params: Params, name: str = "clOrdId") -> str:
    value = params.get(name)
    if value is None or value == "":
        return ""
    if not isinstance(value, str) or not CL_ORD_ID.match(value):
        raise param_error(name)
    return value


def items(body: Any) -> list[Params]:
    if not isinstance(body, list) or not all(isinstance(item, dict) for item in body):
        raise OkxError("50002", "JSON syntax error")
    if not body:
        raise OkxError("50000", "Body can not be empty")
    if len(body) > MAX_BATCH:
        raise OkxError("51111", f"Maximum {MAX_BATCH} orders can be placed in bulk")
    return body


class Trade:
    """The trade endpoints of one engine."""

    def __init__(self, engine: ExchangeEngine, public: Public, ledger: Ledger) -> None:
        self.engine = engine
        self.public = public
        self.ledger = ledger

    # -- placing -------------------------------------------------------------------------

    def place(self, account: str, params: Params) -> Batch:
        """``trade/order``: one order."""
        if not isinstance(params, dict):
            raise OkxError("50002", "JSON syntax error")
        return Batch([self._place(account, params)])

    def place_batch(self, account: str, body: Any) -> Batch:
        """``trade/batch-orders``: up to 20 orders, each answered on its own."""
        return Batch([self._place(account, item) for item in items(body)])

    def _place(self, account: str, params: Params) -> dict:
        now = str(self.engine.now_ms())
        cl_ord_id = params.get("clOrdId", "") if isinstance(params.get("clOrdId"), str) else ""
        tag = str(params.get("tag") or "")
        ids = {"clOrdId": cl_ord_id, "ordId": "", "tag": tag, "ts": now}
        try:
            order = self._submit(account, params, tag)
        except OkxError as exc:
            return failed(exc, **ids)
        return {**ids, "ordId": str(order.id), "sCode": "0", "sMsg": "Order placed"}

    def _submit(self, account: str, params: Params, tag: str) -> Order:
        inst = self.public.instrument(params)
        cl_ord_id = client_order_id(params)
        side = params.get("side")
        if not side:
            raise param_missing("side")
        if side not in ("buy", "sell"):
            raise param_error("side")
        ord_type = params.get("ordType")
        if not ord_type:
            raise param_missing("ordType")
        if ord_type not in ORDER_TYPES or (ord_type == "optimal_limit_ioc" and not inst.swap):
            raise param_error("ordType")
        td_mode = self.td_mode(inst, params, algo=False)
        if params.get("attachAlgoOrds"):
            # refused rather than dropped: the simulator has no attached stop-loss/take-profit
            raise param_error("attachAlgoOrds")
        sz = params.get("sz")
        if sz in (None, ""):
            raise param_missing("sz")
        engine_type, tif = ORDER_TYPES[ord_type]
        price = None
        if engine_type == "LIMIT":
            price = params.get("px")
            if price in (None, ""):
                raise param_missing("px")
        tgt_ccy = ""
        quantity: Decimal | None = None
        quote_qty: str | None = None
        if not inst.swap:
            tgt_ccy = str(params.get("tgtCcy") or "base_ccy")
            if tgt_ccy not in ("base_ccy", "quote_ccy"):
                raise param_error("tgtCcy")
        if tgt_ccy == "quote_ccy" and engine_type == "MARKET":
            quote_qty = _positive(sz, "sz")
        else:
            quantity = inst.engine_quantity(sz)
        reduce_only = flag(params, "reduceOnly") and inst.swap  # spot cash orders ignore it
        meta = Meta(ord_type, td_mode, cl_ord_id, tgt_ccy, str(sz) if quote_qty else "", tag)
        return self._engine_place(
            account,
            inst,
            side,
            engine_type,
            quantity,
            price,
            meta,
            time_in_force=tif,
            reduce_only=reduce_only,
            quote_qty=quote_qty,
            buy=side == "buy",
        )

    def _engine_place(
        self,
        account: str,
        inst: Instrument,
        side: str,
        engine_type: str,
        quantity: Decimal | None,
        price: object,
        meta: Meta,
        *,
        time_in_force: str | None = None,
        reduce_only: bool = False,
        quote_qty: str | None = None,
        stop_price: str | None = None,
        buy: bool,
    ) -> Order:
        self.ledger.expect(meta)
        try:
            return self.engine.place_order(
                account,
                inst.market.symbol,
                side,
                engine_type,
                None if quantity is None else str(quantity),
                None if price is None else str(price),
                time_in_force=time_in_force,
                client_order_id=meta.cl_ord_id or None,
                stop_price=stop_price,
                reduce_only=reduce_only,
                quote_order_qty=quote_qty,
            )
        except SimError as exc:
            raise order_error(exc, buy=buy) from None
        finally:
            self.ledger.expect(None)

    @staticmethod
    def td_mode(inst: Instrument, params: Params, *, algo: bool) -> str:
        td_mode = params.get("tdMode")
        if not td_mode:
            raise param_missing("tdMode")
        allowed = ("cross", "isolated") if inst.swap else (("cash", "cross") if algo else ("cash",))
        if td_mode not in allowed:
            raise param_error("tdMode")
        return str(td_mode)

    # -- amending and cancelling ---------------------------------------------------------

    def amend(self, account: str, params: Params) -> Batch:
        if not isinstance(params, dict):
            raise OkxError("50002", "JSON syntax error")
        return Batch([self._amend(account, params)])

    def amend_batch(self, account: str, body: Any) -> Batch:
        return Batch([self._amend(account, item) for item in items(body)])

    def _amend(self, account: str, params: Params) -> dict:
        ids = {
            "clOrdId": str(params.get("clOrdId") or ""),
            "ordId": str(params.get("ordId") or ""),
            "reqId": str(params.get("reqId") or ""),
            "ts": str(self.engine.now_ms()),
        }
        try:
            order = self._find(account, params, not_found=("51503", _AMEND_GONE))
            new_sz, new_px = params.get("newSz"), params.get("newPx")
            if new_sz in (None, "") and new_px in (None, ""):
                raise OkxError("50015", "Either parameter newSz or newPx is required.")
            inst = self.public.by_symbol[order.market.symbol]
            if order.status is OrderStatus.CANCELED or order.status is OrderStatus.EXPIRED:
                raise OkxError("51509", "Modification failed as the order has been canceled")
            if order.status is OrderStatus.FILLED:
                raise OkxError("51510", "Modification failed as the order has been completed")
            quantity = None if new_sz in (None, "") else inst.engine_quantity(new_sz, "newSz")
            try:
                self.engine.amend_order(
                    account,
                    order.market.symbol,
                    order.id,
                    quantity=None if quantity is None else str(quantity),
                    price=None if new_px in (None, "") else str(new_px),
                )
            except SimError as exc:
                raise order_error(exc) from None
            meta = self.ledger.meta.get(order.id)
            if meta is not None and new_sz not in (None, ""):
                meta.sz = ""
        except OkxError as exc:
            return failed(exc, **ids)
        return {
            **ids,
            "ordId": str(order.id),
            "clOrdId": self._cl_ord_id_of(order),
            "sCode": "0",
            "sMsg": "",
        }

    def cancel(self, account: str, params: Params) -> Batch:
        if not isinstance(params, dict):
            raise OkxError("50002", "JSON syntax error")
        return Batch([self._cancel(account, params)])

    def cancel_batch(self, account: str, body: Any) -> Batch:
        return Batch([self._cancel(account, item) for item in items(body)])

    def _cancel(self, account: str, params: Params) -> dict:
        ids = {
            "clOrdId": str(params.get("clOrdId") or ""),
            "ordId": str(params.get("ordId") or ""),
            "ts": str(self.engine.now_ms()),
        }
        try:
            order = self._find(account, params, not_found=("51400", _CANCEL_GONE))
            if order.status is OrderStatus.FILLED:
                raise OkxError(
                    "51402", "Order cancellation failed as the order has been completed."
                )
            if not order.is_open:
                raise OkxError("51401", "Order cancellation failed as the order has been canceled.")
            try:
                self.engine.cancel_order(account, order.market.symbol, order.id)
            except SimError as exc:
                raise order_error(exc) from None
        except OkxError as exc:
            return failed(exc, **ids)
        return {
            **ids,
            "ordId": str(order.id),
            "clOrdId": self._cl_ord_id_of(order),
            "sCode": "0",
            "sMsg": "",
        }

    def _cl_ord_id_of(self, order: Order) -> str:
        meta = self.ledger.meta.get(order.id)
        return meta.cl_ord_id if meta is not None else ""

    def _find(
        self,
        account: str,
        params: Params,
        *,
        not_found: tuple[str, str] = ("51603", "Order does not exist"),
    ) -> Order:
        """A plain (not an untriggered algo) order by ``ordId`` or ``clOrdId`` in ``instId``."""
        inst = self.public.instrument(params)
        ord_id, cl_ord_id = params.get("ordId"), params.get("clOrdId")
        if not ord_id and not cl_ord_id:
            raise OkxError("51003", "Either client order ID or order ID is required.")
        try:
            order = self.engine.order(
                account,
                inst.market.symbol,
                order_id=str(ord_id) if ord_id else None,
                client_order_id=None if ord_id else str(cl_ord_id),
            )
        except SimError:
            raise OkxError(*not_found) from None
        meta = self.ledger.meta.get(order.id)
        if meta is not None and meta.algo is not None and not order.triggered:
            raise OkxError(*not_found)  # an algo order is not an order until it triggers
        return order

    # -- queries -------------------------------------------------------------------------

    def _row(self, account: str, order: Order) -> dict:
        inst = self.public.by_symbol[order.market.symbol]
        meta = self.ledger.meta.get(order.id) or Meta(rendering.state(order), "cash")
        lever = self.engine.leverage(account, order.market.symbol) if inst.swap else 0
        return rendering.order(inst, order, meta, lever)

    def order(self, account: str, params: Params) -> list[dict]:
        """``trade/order``: one order by ``ordId`` or ``clOrdId``."""
        return [self._row(account, self._find(account, params))]

    def _plain_orders(self, account: str, params: Params) -> list[Order]:
        """The account's orders (not untriggered algos) of ``instType``/``instId``, newest first."""
        inst_type, inst_id = params.get("instType"), params.get("instId")
        if inst_id:
            self.public.instrument(params)
        out = []
        for order in self.ledger.orders.get(account, {}).values():
            inst = self.public.by_symbol[order.market.symbol]
            meta = self.ledger.meta.get(order.id)
            if meta is not None and meta.algo is not None and not order.triggered:
                continue
            if inst_type and inst.inst_type != inst_type:
                continue
            if inst_id and inst.inst_id != inst_id:
                continue
            out.append(order)
        out.sort(key=lambda o: o.id, reverse=True)
        return out

    def pending(self, account: str, params: Params) -> list[dict]:
        """``trade/orders-pending``: open orders, newest first."""
        orders = [o for o in self._plain_orders(account, params) if o.is_open]
        return self._page(account, orders, params)

    def history(self, account: str, params: Params, *, window_ms: int = HISTORY_MS) -> list[dict]:
        """``trade/orders-history``: filled and canceled orders of the last 7 days."""
        if not params.get("instType"):
            raise param_missing("instType")
        state = params.get("state")
        since = self.engine.now_ms() - window_ms
        orders = [
            o
            for o in self._plain_orders(account, params)
            if not o.is_open and o.update >= since and (not state or rendering.state(o) == state)
        ]
        begin, end = ms_param(params, "begin"), ms_param(params, "end")
        orders = [
            o
            for o in orders
            if (begin is None or o.time >= begin) and (end is None or o.time <= end)
        ]
        return self._page(account, orders, params)

    def archive(self, account: str, params: Params) -> list[dict]:
        """``trade/orders-history-archive``: the same over three months."""
        return self.history(account, params, window_ms=ARCHIVE_MS)

    def _page(self, account: str, orders: list[Order], params: Params) -> list[dict]:
        """Newest first; ``after``/``before`` are ``ordId`` cursors; at most 100."""
        limit = int_param(params, "limit", 100, 100)
        after, before = params.get("after"), params.get("before")
        if after:
            orders = [o for o in orders if o.id < int(after)]
        if before:
            orders = [o for o in orders if o.id > int(before)]
            orders = orders[-limit:]
        return [self._row(account, o) for o in orders[:limit]]

    def fills(self, account: str, params: Params, *, window_ms: int = 3 * 86_400_000) -> list[dict]:
        """``trade/fills`` (3 days) and ``trade/fills-history`` (3 months), newest first."""
        inst_type, inst_id, ord_id = (
            params.get("instType"),
            params.get("instId"),
            params.get("ordId"),
        )
        chosen = list(self.public.instruments.values())
        if inst_id:
            chosen = [self.public.instrument(params)]
        if inst_type:
            chosen = [i for i in chosen if i.inst_type == inst_type]
        now = self.engine.now_ms()
        begin = ms_param(params, "begin") or now - window_ms
        end = ms_param(params, "end") or now
        rows: list[tuple[Instrument, Fill]] = []
        for inst in chosen:
            for f in self.engine.my_trades(
                account, inst.market.symbol, start_ms=begin, end_ms=end, limit=10**9
            ):
                if not ord_id or str(f.order_id) == str(ord_id):
                    rows.append((inst, f))
        rows.sort(key=lambda pair: pair[1].id, reverse=True)
        after, before = params.get("after"), params.get("before")
        limit = int_param(params, "limit", 100, 100)
        if after:
            rows = [r for r in rows if r[1].id < int(after)]
        if before:
            rows = [r for r in rows if r[1].id > int(before)][-limit:]
        return [self._fill_row(inst, f) for inst, f in rows[:limit]]

    def fills_history(self, account: str, params: Params) -> list[dict]:
        if not params.get("instType"):
            raise param_missing("instType")
        return self.fills(account, params, window_ms=ARCHIVE_MS)

    def _fill_row(self, inst: Instrument, f: Fill) -> dict:
        meta = self.ledger.meta.get(f.order_id) or Meta("", "")
        return rendering.fill(inst, f, meta)


_CANCEL_GONE = "Order cancellation failed as the order has been filled, canceled or does not exist."
_AMEND_GONE = "Order modification failed as the order has been filled, canceled or does not exist."


def _positive(value: object, name: str) -> str:
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        raise param_error(name) from None
    if not number.is_finite() or number <= 0:
        raise param_error(name)
    return str(number)
