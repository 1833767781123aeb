"""OKX's algo orders: ``trigger`` (a stop order) and ``conditional`` (a stop-loss or a
take-profit), placed, cancelled, read and listed through the ``order-algo`` endpoints.

An algo order rests in the engine as a stop order; it is not an order of ``trade/order``
until it triggers, and then its ``ordId`` is the order it became (the same engine order).
A ``trigger`` order fires when the last price crosses ``triggerPx`` from where it was at
placement; a ``conditional`` stop-loss fires against the position (down for a sell, up for
a buy), a take-profit the other way, and OKX refuses one already beyond the last price.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from ...engine import ExchangeEngine, Order, SimError
from . import rendering
from .errors import OkxError, param_error, param_missing
from .ledger import Algo, Ledger, Meta
from .public import Public
from .trade import Batch, Trade, client_order_id, failed, flag, items

Params = dict[str, Any]
SUPPORTED = ("trigger", "conditional")
KNOWN = ("conditional", "oco", "trigger", "move_order_stop", "iceberg", "twap", "chase")
# (is it a stop-loss, buy?) -> OKX's code when the trigger is on the wrong side of the last price
WRONG_SIDE = {
    (True, False): ("51280", "SL trigger price must be lower than the last price"),
    (True, True): ("51278", "SL trigger price must be higher than the last price"),
    (False, False): ("51279", "TP trigger price must be higher than the last price"),
    (False, True): ("51277", "TP trigger price must be lower than the last price"),
}


class Algos:
    """The algo-order endpoints of one engine."""

    def __init__(
        self, engine: ExchangeEngine, public: Public, ledger: Ledger, trade: Trade
    ) -> None:
        self.engine = engine
        self.public = public
        self.ledger = ledger
        self.trade = trade

    def place(self, account: str, params: Params) -> Batch:
        if not isinstance(params, dict):
            raise OkxError("50002", "JSON syntax error")
        algo_cl = params.get("algoClOrdId") or params.get("clOrdId") or ""
        ids = {
            "algoClOrdId": str(algo_cl),
            "algoId": "",
            "clOrdId": str(algo_cl),
            "tag": str(params.get("tag") or ""),
        }
        try:
            order = self._submit(account, params)
        except OkxError as exc:
            return Batch([failed(exc, **ids)])
        return Batch([{**ids, "algoId": str(order.id), "sCode": "0", "sMsg": ""}])

    def _submit(self, account: str, params: Params) -> Order:
        inst = self.public.instrument(params)
        ord_type = params.get("ordType")
        if not ord_type:
            raise param_missing("ordType")
        if ord_type not in SUPPORTED:
            raise param_error("ordType")
        side = params.get("side")
        if side not in ("buy", "sell"):
            raise param_missing("side") if not side else param_error("side")
        buy = side == "buy"
        algo_cl = client_order_id(params, "algoClOrdId") or client_order_id(params)
        td_mode = Trade.td_mode(inst, params, algo=True)
        sz = params.get("sz")
        if sz in (None, ""):
            raise param_missing("sz")
        quantity = inst.engine_quantity(sz)
        last = self.engine.ticker(inst.market.symbol).last * inst.tick
        algo = Algo(str(ord_type), algo_cl)
        if ord_type == "trigger":
            trigger, order_px = params.get("triggerPx"), params.get("orderPx")
            if trigger in (None, ""):
                raise param_missing("triggerPx")
            if order_px in (None, ""):
                raise param_missing("orderPx")
            rises = Decimal(str(trigger)) > last
            stop_loss = rises == buy  # a buy above the market, a sell below: a stop
            algo.trigger_px, algo.order_px = str(trigger), str(order_px)
        else:
            sl, tp = params.get("slTriggerPx"), params.get("tpTriggerPx")
            if sl not in (None, "") and tp not in (None, ""):
                raise param_error("ordType")  # both at once is an OCO order
            if sl in (None, "") and tp in (None, ""):
                raise param_missing("slTriggerPx")
            stop_loss = sl not in (None, "")
            trigger = sl if stop_loss else tp
            order_px = params.get("slOrdPx" if stop_loss else "tpOrdPx") or "-1"
            if stop_loss:
                algo.sl_trigger_px, algo.sl_ord_px = str(trigger), str(order_px)
            else:
                algo.tp_trigger_px, algo.tp_ord_px = str(trigger), str(order_px)
            beyond = (
                Decimal(str(trigger)) <= last
                if (stop_loss != buy)
                else Decimal(str(trigger)) >= last
            )
            if not beyond:
                raise OkxError(*WRONG_SIDE[(stop_loss, buy)])
        market = str(order_px) == "-1"
        kind = ("STOP" if stop_loss else "TAKE_PROFIT") + ("_MARKET" if market else "_LIMIT")
        meta = Meta(
            "market" if market else "limit",
            td_mode,
            algo_cl,
            "",
            "",
            str(params.get("tag") or ""),
            algo,
        )
        reduce_only = flag(params, "reduceOnly") and inst.swap
        try:
            return self.trade._engine_place(
                account,
                inst,
                str(side),
                kind,
                quantity,
                None if market else order_px,
                meta,
                reduce_only=reduce_only,
                stop_price=str(trigger),
                buy=buy,
            )
        except OkxError as exc:
            if exc.code == "51000" and "triggerPx" in exc.msg:
                raise param_error("triggerPx") from None
            raise

    def cancel(self, account: str, body: Any) -> Batch:
        rows = []
        for item in items(body):
            ids = {
                "algoClOrdId": str(item.get("algoClOrdId") or ""),
                "algoId": str(item.get("algoId") or ""),
                "clOrdId": "",
                "tag": "",
            }
            try:
                order = self._find(account, item)
                if not order.is_open or order.triggered:
                    raise OkxError("51400", "Cancellation failed as the order does not exist.")
                self.engine.cancel_order(account, order.market.symbol, order.id)
            except SimError:
                rows.append(failed(OkxError("51400", "Cancellation failed."), **ids))
                continue
            except OkxError as exc:
                rows.append(failed(exc, **ids))
                continue
            rows.append({**ids, "algoId": str(order.id), "sCode": "0", "sMsg": ""})
        return Batch(rows)

    def _find(self, account: str, params: Params) -> Order:
        inst = self.public.instrument(params)
        algo_id, algo_cl = params.get("algoId"), params.get("algoClOrdId")
        if not algo_id and not algo_cl:
            raise OkxError("50015", "Either parameter algoId or algoClOrdId is required.")
        try:
            order = self.engine.order(
                account,
                inst.market.symbol,
                order_id=str(algo_id) if algo_id else None,
                client_order_id=None if algo_id else str(algo_cl),
            )
        except SimError:
            raise OkxError("51603", "Order does not exist") from None
        meta = self.ledger.meta.get(order.id)
        if meta is None or meta.algo is None:
            raise OkxError("51603", "Order does not exist")
        return order

    def _row(self, account: str, order: Order) -> dict:
        inst = self.public.by_symbol[order.market.symbol]
        meta = self.ledger.meta[order.id]
        lever = self.engine.leverage(account, order.market.symbol) if inst.swap else 0
        last = inst.price(self.engine.ticker(inst.market.symbol).last)
        return rendering.algo_order(inst, order, meta, lever, last)

    def order(self, account: str, params: Params) -> list[dict]:
        """``trade/order-algo``: one algo order by ``algoId`` or ``algoClOrdId``."""
        if not params.get("instId"):
            found = self._any(account, params)
            return [self._row(account, found)]
        return [self._row(account, self._find(account, params))]

    def _any(self, account: str, params: Params) -> Order:
        wanted_id, wanted_cl = params.get("algoId"), params.get("algoClOrdId")
        if not wanted_id and not wanted_cl:
            raise OkxError("50015", "Either parameter algoId or algoClOrdId is required.")
        for order in self._algos(account, params):
            meta = self.ledger.meta[order.id]
            if str(order.id) == str(wanted_id) or (
                wanted_cl and meta.algo.algo_cl_ord_id == wanted_cl
            ):
                return order
        raise OkxError("51603", "Order does not exist")

    def _algos(self, account: str, params: Params) -> list[Order]:
        types = str(params.get("ordType") or "").split(",")
        out = []
        for order in self.ledger.orders.get(account, {}).values():
            meta = self.ledger.meta.get(order.id)
            if meta is None or meta.algo is None:
                continue
            if params.get("ordType") and meta.algo.ord_type not in types:
                continue
            inst = self.public.by_symbol[order.market.symbol]
            if params.get("instId") and inst.inst_id != params["instId"]:
                continue
            if params.get("instType") and inst.inst_type != params["instType"]:
                continue
            out.append(order)
        out.sort(key=lambda o: o.id, reverse=True)
        return out

    def pending(self, account: str, params: Params) -> list[dict]:
        """``trade/orders-algo-pending`` (``ordType`` required): untriggered algo orders."""
        self._check_types(params)
        orders = [o for o in self._algos(account, params) if o.is_open and not o.triggered]
        return [self._row(account, o) for o in orders[:100]]

    def history(self, account: str, params: Params) -> list[dict]:
        """``trade/orders-algo-history`` (``ordType`` and ``state`` or ``algoId`` required)."""
        self._check_types(params)
        state, algo_id = params.get("state"), params.get("algoId")
        if not state and not algo_id:
            raise OkxError("50015", "Either parameter state or algoId is required.")
        orders = [
            o
            for o in self._algos(account, params)
            if (o.triggered or not o.is_open)
            and (not state or rendering.algo_state(o) == state)
            and (not algo_id or str(o.id) == str(algo_id))
        ]
        return [self._row(account, o) for o in orders[:100]]

    @staticmethod
    def _check_types(params: Params) -> None:
        ord_type = params.get("ordType")
        if not ord_type:
            raise param_missing("ordType")
        if any(t not in KNOWN for t in str(ord_type).split(",")):
            raise param_error("ordType")
