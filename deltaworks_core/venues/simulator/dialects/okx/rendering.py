"""OKX's JSON rows of the engine's records (numbers as strings, as OKX sends them)."""

from __future__ import annotations

from decimal import Decimal

from ...engine import (
    ATOMS_PER_UNIT,
    CryptoDeposit,
    CryptoWithdrawal,
    DepositStatus,
    Depth,
    Fill,
    Order,
    OrderStatus,
    PublicTrade,
    Ticker,
    WithdrawalStatus,
)
from .instruments import Instrument, plain
from .ledger import Meta

UNIT = Decimal(ATOMS_PER_UNIT)
# the engine's network codes -> OKX's chain names (the chain id is "<ccy>-<name>")
CHAINS = {
    "ETH": "ERC20",
    "TRX": "TRC20",
    "BSC": "BSC",
    "BTC": "Bitcoin",
    "ARBITRUM": "Arbitrum One",
    "SOL": "Solana",
    "XRP": "Ripple",
}
# withdrawal states: -2 canceled, -1 failed, 0 waiting, 1 broadcasting, 2 success,
# 4 waiting manual review, 10 waiting transfer, ...
WITHDRAWAL_STATES = {
    WithdrawalStatus.EMAIL_SENT: "0",
    WithdrawalStatus.AWAITING_APPROVAL: "4",
    WithdrawalStatus.PROCESSING: "1",
    WithdrawalStatus.COMPLETED: "2",
    WithdrawalStatus.CANCELLED: "-2",
    WithdrawalStatus.REJECTED: "-1",
    WithdrawalStatus.FAILED: "-1",
}


# deposit states: 0 waiting for confirmation, 1 credited, 2 successful, 12 frozen/refused
DEPOSIT_STATES = {
    DepositStatus.PENDING: "0",
    DepositStatus.CREDITED: "1",
    DepositStatus.SUCCESS: "2",
    DepositStatus.REJECTED: "12",
    DepositStatus.WRONG_DEPOSIT: "12",
}


def atoms(value: int) -> str:
    return plain(Decimal(value) / UNIT)


def chain(coin: str, network: str) -> str:
    return f"{coin}-{CHAINS.get(network, network)}"


# -- public -----------------------------------------------------------------------------------


def instrument(inst: Instrument, list_ms: int, max_leverage: int) -> dict:
    """A row of ``public/instruments``."""
    m = inst.market
    swap = inst.swap
    return {
        "alias": "",
        "auctionEndTime": "",
        "baseCcy": "" if swap else m.base,
        "category": "1",
        "contTdSwTime": str(list_ms),
        "ctMult": "1" if swap else "",
        "ctType": "linear" if swap else "",
        "ctVal": plain(inst.ct_val) if swap else "",
        "ctValCcy": m.base if swap else "",
        "expTime": "",
        "futureSettlement": False,
        "instFamily": f"{m.base}-{m.quote}" if swap else "",
        "instId": inst.inst_id,
        "instIdCode": inst.code,
        "instType": inst.inst_type,
        "lever": str(max_leverage),
        "listTime": str(list_ms),
        "lotSz": plain(inst.lot),
        "maxIcebergSz": "9999999999.0000000000000000",
        "maxLmtAmt": "20000000",
        "maxLmtSz": "100000000" if swap else "9999999999",
        "maxMktAmt": "" if swap else "1000000",
        "maxMktSz": "12000" if swap else "1000000",
        "maxStopSz": "12000" if swap else "1000000",
        "maxTriggerSz": "9999999999.0000000000000000",
        "maxTwapSz": "9999999999.0000000000000000",
        "minSz": plain(inst.min_size),
        "openType": "",
        "optType": "",
        "quoteCcy": "" if swap else m.quote,
        "ruleType": "normal",
        "settleCcy": m.quote if swap else "",
        "state": "live",
        "stk": "",
        "tickSz": plain(inst.tick),
        "tradeQuoteCcyList": [] if swap else [m.quote],
        "uly": f"{m.base}-{m.quote}" if swap else "",
    }


def ticker(inst: Instrument, t: Ticker) -> dict:
    """A row of ``market/ticker(s)`` and of the ``tickers`` channel."""
    step = inst.market.step
    base_volume = Decimal(t.volume) * step
    quote_volume = Decimal(t.quote_volume) * step * inst.tick
    return {
        "instType": inst.inst_type,
        "instId": inst.inst_id,
        "last": inst.price(t.last),
        "lastSz": inst.size(t.last_qty),
        "askPx": inst.price(t.ask[0]),
        "askSz": inst.size(t.ask[1]),
        "bidPx": inst.price(t.bid[0]),
        "bidSz": inst.size(t.bid[1]),
        "open24h": inst.price(t.open),
        "high24h": inst.price(t.high),
        "low24h": inst.price(t.low),
        # spot: volCcy24h in quote and vol24h in base; swap: volCcy24h in base, vol24h contracts
        "volCcy24h": plain(base_volume if inst.swap else quote_volume),
        "vol24h": inst.size(t.volume),
        "ts": str(t.close_time),
        "sodUtc0": inst.price(t.open),
        "sodUtc8": inst.price(t.open),
    }


def levels(inst: Instrument, side: list[tuple[int, int]]) -> list[list[str]]:
    return [[inst.price(price), inst.size(qty), "0", "1"] for price, qty in side]


def books(inst: Instrument, depth: Depth) -> dict:
    return {
        "asks": levels(inst, depth.asks),
        "bids": levels(inst, depth.bids),
        "ts": str(depth.time),
    }


def trade(inst: Instrument, t: PublicTrade) -> dict:
    return {
        "instId": inst.inst_id,
        "side": "sell" if t.buyer_maker else "buy",
        "sz": inst.size(t.qty),
        "px": inst.price(t.price),
        "tradeId": str(t.id),
        "ts": str(t.time),
        "count": "1",
        "source": "0",
    }


# -- orders -----------------------------------------------------------------------------------


def state(order: Order) -> str:
    status = order.status
    if status is OrderStatus.NEW:
        return "live"
    if status is OrderStatus.PARTIALLY_FILLED:
        return "partially_filled"
    return "filled" if status is OrderStatus.FILLED else "canceled"


def _fee(amount: int) -> str:
    return "-" + atoms(amount) if amount else "0"


def fee_ccy(order_or_fill_market_buy: tuple[Instrument, bool]) -> str:
    inst, buy = order_or_fill_market_buy
    m = inst.market
    return m.quote if (m.linear or not buy) else m.base


def order(inst: Instrument, o: Order, meta: Meta, lever: int) -> dict:
    """A row of ``trade/order``, ``orders-pending``, ``orders-history`` and ``orders``."""
    fill = meta.last_fill
    avg = ""
    if o.filled:
        avg = plain(
            (Decimal(o.quote) / UNIT / (Decimal(o.filled) * inst.market.step)).quantize(
                inst.tick / 1000
            )
        )
    m = inst.market
    return {
        "accFillSz": inst.size(o.filled),
        "algoClOrdId": meta.algo.algo_cl_ord_id if meta.algo else "",
        "algoId": str(o.id) if meta.algo else "",
        "attachAlgoClOrdId": "",
        "attachAlgoOrds": [],
        "avgPx": avg,
        "cTime": str(o.time),
        "cancelSource": "",
        "cancelSourceReason": "",
        "category": "normal",
        "ccy": "",
        "clOrdId": meta.cl_ord_id,
        "fee": _fee(o.commission),
        "feeCcy": fee_ccy((inst, o.buy)),
        "fillPx": inst.price(fill.price) if fill else "",
        "fillSz": inst.size(fill.qty) if fill else "0",
        "fillTime": str(fill.time) if fill else "",
        "instId": inst.inst_id,
        "instType": inst.inst_type,
        "isTpLimit": "false",
        "lever": str(lever) if m.linear else "",
        "linkedAlgoOrd": {"algoId": ""},
        "ordId": str(o.id),
        "ordType": meta.ord_type,
        "pnl": atoms(fill.realized_pnl) if fill and m.linear else "0",
        "posSide": "net",
        "px": inst.price(o.price) if o.price else "",
        "pxType": "",
        "pxUsd": "",
        "pxVol": "",
        "quickMgnType": "",
        "rebate": "0",
        "rebateCcy": m.quote,
        "reduceOnly": "true" if o.reduce_only else "false",
        "side": "buy" if o.buy else "sell",
        "slOrdPx": "",
        "slTriggerPx": "",
        "slTriggerPxType": "",
        "source": "",
        "state": state(o),
        "stpId": "",
        "stpMode": "cancel_maker",
        "sz": meta.sz or inst.size(o.qty),
        "tag": meta.tag,
        "tdMode": meta.td_mode,
        "tgtCcy": meta.tgt_ccy,
        "tpOrdPx": "",
        "tpTriggerPx": "",
        "tpTriggerPxType": "",
        "tradeId": str(fill.id) if fill else "",
        "uTime": str(o.update),
    }


def order_event(inst: Instrument, o: Order, meta: Meta, lever: int, fill: Fill | None) -> dict:
    """A row of the ``orders`` channel: the order, and the fill that changed it if any."""
    row = order(inst, o, meta, lever)
    row.update(
        amendResult="",
        code="0",
        msg="",
        reqId="",
        execType=("M" if fill.maker else "T") if fill else "",
        fillFee=_fee(fill.commission) if fill else "0",
        fillFeeCcy=fee_ccy((inst, o.buy)) if fill else "",
        fillNotionalUsd="",
        fillPnl=atoms(fill.realized_pnl) if fill and inst.swap else "0",
        notionalUsd="",
    )
    if fill is None:
        row.update(fillPx="", fillSz="0", fillTime="", tradeId="")
    return row


def algo_state(o: Order) -> str:
    if o.triggered:
        return "effective"
    return "live" if o.is_open else "canceled"


def algo_order(inst: Instrument, o: Order, meta: Meta, lever: int, last: str) -> dict:
    """A row of ``trade/order-algo``, ``orders-algo-pending`` and ``orders-algo-history``."""
    algo = meta.algo
    assert algo is not None
    return {
        "activePx": "",
        "actualPx": inst.price(o.price)
        if o.triggered and o.price
        else ("-1" if o.triggered else ""),
        "actualSide": ("sl" if algo.sl_trigger_px else "tp")
        if algo.ord_type == "conditional" and o.triggered
        else "",
        "actualSz": inst.size(o.qty) if o.triggered else "0",
        "algoClOrdId": algo.algo_cl_ord_id,
        "algoId": str(o.id),
        "amendPxOnTriggerType": "0",
        "attachAlgoOrds": [],
        "cTime": str(o.time),
        "callbackRatio": "",
        "callbackSpread": "",
        "ccy": "",
        "chaseType": "",
        "chaseVal": "",
        "clOrdId": algo.algo_cl_ord_id,
        "closeFraction": "",
        "failCode": "0",
        "instId": inst.inst_id,
        "instType": inst.inst_type,
        "isTradeBorrowMode": "",
        "last": last,
        "lever": str(lever) if inst.swap else "",
        "linkedOrd": {"ordId": ""},
        "maxChaseType": "",
        "maxChaseVal": "",
        "moveTriggerPx": "",
        "ordId": str(o.id) if o.triggered else "",
        "ordIdList": [str(o.id)] if o.triggered else [],
        "ordPx": algo.order_px,
        "ordType": algo.ord_type,
        "posSide": "net",
        "pxLimit": "",
        "pxSpread": "",
        "pxVar": "",
        "quickMgnType": "",
        "reduceOnly": "true" if o.reduce_only else "false",
        "side": "buy" if o.buy else "sell",
        "slOrdPx": algo.sl_ord_px,
        "slTriggerPx": algo.sl_trigger_px,
        "slTriggerPxType": "last" if algo.sl_trigger_px else "",
        "state": algo_state(o),
        "sz": meta.sz or inst.size(o.qty),
        "szLimit": "",
        "tag": meta.tag,
        "tdMode": meta.td_mode,
        "tgtCcy": meta.tgt_ccy,
        "timeInterval": "",
        "tpOrdPx": algo.tp_ord_px,
        "tpTriggerPx": algo.tp_trigger_px,
        "tpTriggerPxType": "last" if algo.tp_trigger_px else "",
        "triggerPx": algo.trigger_px,
        "triggerPxType": "last" if algo.trigger_px else "",
        "triggerTime": str(o.update) if o.triggered else "",
        "uTime": str(o.update),
    }


def fill(inst: Instrument, f: Fill, meta: Meta) -> dict:
    """A row of ``trade/fills`` and ``trade/fills-history``."""
    rate = inst.market.maker_ppm if f.maker else inst.market.taker_ppm
    return {
        "side": "buy" if f.buyer else "sell",
        "fillSz": inst.size(f.qty),
        "fillPx": inst.price(f.price),
        "fillPxVol": "",
        "fillFwdPx": "",
        "fee": _fee(f.commission),
        "fillPnl": atoms(f.realized_pnl) if inst.swap else "0",
        "ordId": str(f.order_id),
        "feeRate": plain(-Decimal(rate) / 1_000_000),
        "instType": inst.inst_type,
        "fillPxUsd": "",
        "instId": inst.inst_id,
        "clOrdId": meta.cl_ord_id,
        "posSide": "net",
        "billId": str(f.id),
        "fillMarkVol": "",
        "tag": meta.tag,
        "fillTime": str(f.time),
        "execType": "M" if f.maker else "T",
        "fillIdxPx": "",
        "tradeId": str(f.id),
        "fillMarkPx": "",
        "feeCcy": f.commission_asset,
        "ts": str(f.time),
    }


# -- funds ------------------------------------------------------------------------------------


def withdrawal(w: CryptoWithdrawal) -> dict:
    """A row of ``asset/withdrawal-history``."""
    return {
        "addrEx": None,
        "amt": plain(w.amount),
        "areaCodeFrom": "",
        "areaCodeTo": "",
        "ccy": w.coin,
        "chain": chain(w.coin, w.network),
        "clientId": "",
        "fee": plain(w.fee),
        "feeCcy": w.coin,
        "from": "",
        "memo": "",
        "nonTradableAsset": False,
        "note": "",
        "pmtId": "",
        "state": WITHDRAWAL_STATES[w.status],
        "tag": w.address_tag or "",
        "to": w.address,
        "toAddrType": "1",
        "ts": str(w.apply_ms),
        "txId": w.tx_id,
        "wdId": w.id,
    }


def deposit(d: CryptoDeposit) -> dict:
    """A row of ``asset/deposit-history``."""
    return {
        "actualDepBlkConfirm": str(d.confirmations),
        "amt": plain(d.amount),
        "areaCodeFrom": "",
        "ccy": d.coin,
        "chain": chain(d.coin, d.network),
        "depId": d.id,
        "from": "",
        "fromWdId": "",
        "state": DEPOSIT_STATES[d.status],
        "to": d.address,
        "ts": str(d.insert_ms),
        "txId": d.tx_id,
    }
