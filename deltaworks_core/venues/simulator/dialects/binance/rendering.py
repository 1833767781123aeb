"""Engine objects rendered as Binance's JSON (spot ``/api/v3``, ``/sapi``, USDⓈ-M ``/fapi``)."""

from __future__ import annotations

import time

from ...engine import (
    DEFAULT_LEVERAGE,
    Account,
    CryptoDeposit,
    CryptoWithdrawal,
    DepositAddress,
    DepositStatus,
    Depth,
    ExchangeEngine,
    FiatDeposit,
    FiatStatus,
    FiatWithdrawal,
    Fill,
    FuturesState,
    Market,
    Order,
    PublicTrade,
    Ticker,
    WithdrawalStatus,
    atoms_str,
)
from .vocabulary import market_id, status_name, tif_name, type_name

SPOT_ORDER_TYPES = [
    "LIMIT",
    "LIMIT_MAKER",
    "MARKET",
    "STOP_LOSS",
    "STOP_LOSS_LIMIT",
    "TAKE_PROFIT",
    "TAKE_PROFIT_LIMIT",
]
FUTURES_ORDER_TYPES = [
    "LIMIT",
    "MARKET",
    "STOP",
    "STOP_MARKET",
    "TAKE_PROFIT",
    "TAKE_PROFIT_MARKET",
    "TRAILING_STOP_MARKET",
]
RATE_LIMITS = [
    {"rateLimitType": "REQUEST_WEIGHT", "interval": "MINUTE", "intervalNum": 1, "limit": 6000},
    {"rateLimitType": "ORDERS", "interval": "SECOND", "intervalNum": 10, "limit": 100},
    {"rateLimitType": "ORDERS", "interval": "DAY", "intervalNum": 1, "limit": 200000},
]


def _px(m: Market, ticks: int) -> str:
    return m.price_str(ticks)


def _qty(m: Market, steps: int) -> str:
    return m.qty_str(steps)


def _quote(m: Market, atoms: int) -> str:
    return atoms_str(atoms, 8 if not m.linear else 5)


def exchange_info(engine: ExchangeEngine, linear: bool) -> dict:
    now = engine.now_ms()
    markets = [m for m in engine.markets.values() if m.linear == linear]
    if linear:
        return {
            "timezone": "UTC",
            "serverTime": now,
            "futuresType": "U_MARGINED",
            "rateLimits": RATE_LIMITS,
            "exchangeFilters": [],
            "assets": [
                {"asset": q, "marginAvailable": True, "autoAssetExchange": "-10000"}
                for q in sorted({m.quote for m in markets})
            ],
            "symbols": [_futures_symbol(m) for m in markets],
        }
    return {
        "timezone": "UTC",
        "serverTime": now,
        "rateLimits": RATE_LIMITS,
        "exchangeFilters": [],
        "symbols": [_spot_symbol(m) for m in markets],
    }


def _price_filter(m: Market) -> dict:
    return {
        "filterType": "PRICE_FILTER",
        "minPrice": _px(m, 1),
        "maxPrice": f"{1_000_000 * m.ref_price:.{m.price_decimals}f}",
        "tickSize": _px(m, 1),
    }


def _lot_size(m: Market, name: str = "LOT_SIZE") -> dict:
    return {
        "filterType": name,
        "minQty": _qty(m, 1),
        "maxQty": "9000000.00000000",
        "stepSize": _qty(m, 1),
    }


def _spot_symbol(m: Market) -> dict:
    return {
        "symbol": market_id(m),
        "status": "TRADING",
        "baseAsset": m.base,
        "baseAssetPrecision": 8,
        "quoteAsset": m.quote,
        "quotePrecision": 8,
        "quoteAssetPrecision": 8,
        "baseCommissionPrecision": 8,
        "quoteCommissionPrecision": 8,
        "orderTypes": SPOT_ORDER_TYPES,
        "icebergAllowed": True,
        "ocoAllowed": True,
        "otoAllowed": True,
        "quoteOrderQtyMarketAllowed": True,
        "allowTrailingStop": True,
        "cancelReplaceAllowed": True,
        "isSpotTradingAllowed": True,
        "isMarginTradingAllowed": True,
        "filters": [
            _price_filter(m),
            _lot_size(m),
            {"filterType": "ICEBERG_PARTS", "limit": 10},
            _lot_size(m, "MARKET_LOT_SIZE"),
            {
                "filterType": "NOTIONAL",
                "minNotional": f"{m.min_notional:.8f}",
                "applyMinToMarket": True,
                "maxNotional": "9000000.00000000",
                "applyMaxToMarket": False,
                "avgPriceMins": 5,
            },
            {"filterType": "MAX_NUM_ORDERS", "maxNumOrders": 200},
            {"filterType": "MAX_NUM_ALGO_ORDERS", "maxNumAlgoOrders": 5},
        ],
        "permissions": [],
        "permissionSets": [["SPOT", "MARGIN"]],
        "defaultSelfTradePreventionMode": "EXPIRE_MAKER",
        "allowedSelfTradePreventionModes": ["EXPIRE_TAKER", "EXPIRE_MAKER", "EXPIRE_BOTH"],
    }


def _futures_symbol(m: Market) -> dict:
    return {
        "symbol": market_id(m),
        "pair": market_id(m),
        "contractType": "PERPETUAL",
        "deliveryDate": 4133404800000,
        "onboardDate": 1569398400000,
        "status": "TRADING",
        "maintMarginPercent": "2.5000",
        "requiredMarginPercent": "5.0000",
        "baseAsset": m.base,
        "quoteAsset": m.quote,
        "marginAsset": m.quote,
        "pricePrecision": m.price_decimals,
        "quantityPrecision": m.qty_decimals,
        "baseAssetPrecision": 8,
        "quotePrecision": 8,
        "underlyingType": "COIN",
        "underlyingSubType": [],
        "settlePlan": 0,
        "triggerProtect": "0.0500",
        "liquidationFee": "0.012500",
        "marketTakeBound": "0.05",
        "maxMoveOrderLimit": 10000,
        "filters": [
            _price_filter(m),
            _lot_size(m),
            _lot_size(m, "MARKET_LOT_SIZE"),
            {"filterType": "MAX_NUM_ORDERS", "limit": 200},
            {"filterType": "MAX_NUM_ALGO_ORDERS", "limit": 10},
            {"filterType": "MIN_NOTIONAL", "notional": str(m.min_notional)},
            {
                "filterType": "PERCENT_PRICE",
                "multiplierUp": "1.0500",
                "multiplierDown": "0.9500",
                "multiplierDecimal": "4",
            },
        ],
        "orderTypes": FUTURES_ORDER_TYPES,
        "timeInForce": ["GTC", "IOC", "FOK", "GTX", "GTD"],
    }


def depth(d: Depth) -> dict:
    m = d.market
    out = {"lastUpdateId": d.update_id}
    if m.linear:
        out.update(E=d.time, T=d.time)
    out["bids"] = [[_px(m, p), _qty(m, q)] for p, q in d.bids]
    out["asks"] = [[_px(m, p), _qty(m, q)] for p, q in d.asks]
    return out


def agg_trades(m: Market, trades: list[PublicTrade]) -> list[dict]:
    out = []
    for t in trades:
        row = {
            "a": t.id,
            "p": _px(m, t.price),
            "q": _qty(m, t.qty),
            "f": t.id,
            "l": t.id,
            "T": t.time,
            "m": t.buyer_maker,
        }
        if not m.linear:
            row["M"] = True
        out.append(row)
    return out


def trades(m: Market, rows: list[PublicTrade]) -> list[dict]:
    return [
        {
            "id": t.id,
            "price": _px(m, t.price),
            "qty": _qty(m, t.qty),
            "quoteQty": _quote(m, t.price * t.qty * m.notional_atoms_per_unit),
            "time": t.time,
            "isBuyerMaker": t.buyer_maker,
            "isBestMatch": True,
        }
        for t in rows
    ]


def klines(m: Market, rows: list[tuple]) -> list[list]:
    npu = m.notional_atoms_per_unit
    return [
        [
            r[0],
            _px(m, r[1]),
            _px(m, r[2]),
            _px(m, r[3]),
            _px(m, r[4]),
            _qty(m, r[5]),
            r[6],
            _quote(m, r[7] * npu),
            r[8],
            _qty(m, r[9]),
            _quote(m, r[10] * npu),
            "0",
        ]
        for r in rows
    ]


def ticker(t: Ticker) -> dict:
    m = t.market
    change = t.last - t.open
    row = {
        "symbol": market_id(m),
        "priceChange": _px(m, change),
        "priceChangePercent": f"{change / t.open * 100:.3f}",
        "weightedAvgPrice": _px(m, (t.high + t.low + t.last) // 3),
    }
    if not m.linear:
        row["prevClosePrice"] = _px(m, t.open)
    row.update(lastPrice=_px(m, t.last), lastQty=_qty(m, t.last_qty))
    if not m.linear:
        row.update(
            bidPrice=_px(m, t.bid[0]),
            bidQty=_qty(m, t.bid[1]),
            askPrice=_px(m, t.ask[0]),
            askQty=_qty(m, t.ask[1]),
        )
    row.update(
        openPrice=_px(m, t.open),
        highPrice=_px(m, t.high),
        lowPrice=_px(m, t.low),
        volume=_qty(m, t.volume),
        quoteVolume=_quote(m, t.quote_volume * m.notional_atoms_per_unit),
        openTime=t.open_time,
        closeTime=t.close_time,
        firstId=t.first_id,
        lastId=t.last_id,
        count=t.count,
    )
    return row


def _avg(o: Order) -> str:
    m = o.market
    if not o.filled:
        return _px(m, 0)
    return f"{o.quote / (o.filled * m.step_atoms):.{m.price_decimals + 3}f}"


def spot_order(
    o: Order, *, fills: list[Fill] | None = None, new: bool = False, cancel_id: str | None = None
) -> dict:
    """Spot order as POST (``new``), DELETE (``cancel_id``) or GET /api/v3/order return it."""
    m = o.market
    row: dict = {"symbol": market_id(m)}
    if cancel_id is not None:
        row["origClientOrderId"] = o.client_id
    row.update(
        orderId=o.id,
        orderListId=-1,
        clientOrderId=cancel_id if cancel_id is not None else o.client_id,
    )
    if new or cancel_id is not None:
        row["transactTime"] = o.update
    row.update(
        price=_px(m, o.price),
        origQty=_qty(m, o.qty),
        executedQty=_qty(m, o.filled),
        cummulativeQuoteQty=_quote(m, o.quote),
        status=status_name(o),
        timeInForce=tif_name(o),
        type=type_name(o),
        side="BUY" if o.buy else "SELL",
    )
    if o.stop or (not new and cancel_id is None):
        row["stopPrice"] = _px(m, o.stop)
    if not new and cancel_id is None:
        row.update(
            icebergQty=_qty(m, 0),
            time=o.time,
            updateTime=o.update,
            isWorking=o.triggered,
            origQuoteOrderQty="0.00000000",
        )
    if new or cancel_id is None:
        row["workingTime"] = o.time if o.triggered else -1
    if new:
        row["origQuoteOrderQty"] = "0.00000000"
        row["fills"] = [
            {
                "price": _px(m, f.price),
                "qty": _qty(m, f.qty),
                "commission": atoms_str(f.commission),
                "commissionAsset": f.commission_asset,
                "tradeId": f.id,
            }
            for f in fills or []
        ]
    row["selfTradePreventionMode"] = "EXPIRE_MAKER"
    return row


def futures_order(o: Order, *, with_time: bool = False) -> dict:
    m = o.market
    row = {
        "orderId": o.id,
        "symbol": market_id(m),
        "status": status_name(o),
        "clientOrderId": o.client_id,
        "price": _px(m, o.price),
        "avgPrice": _avg(o),
        "origQty": _qty(m, o.qty),
        "executedQty": _qty(m, o.filled),
        "cumQty": _qty(m, o.filled),
        "cumQuote": _quote(m, o.quote),
        "timeInForce": tif_name(o),
        "type": type_name(o),
        "reduceOnly": o.reduce_only,
        "closePosition": False,
        "side": "BUY" if o.buy else "SELL",
        "positionSide": "BOTH",
        "stopPrice": _px(m, o.stop),
        "workingType": "CONTRACT_PRICE",
        "priceProtect": False,
        "origType": type_name(o),
        "priceMatch": "NONE",
        "selfTradePreventionMode": "EXPIRE_MAKER",
        "goodTillDate": 0,
    }
    if with_time:
        row["time"] = o.time
    row["updateTime"] = o.update
    return row


def spot_fill(f: Fill) -> dict:
    m = f.market
    return {
        "symbol": market_id(m),
        "id": f.id,
        "orderId": f.order_id,
        "orderListId": -1,
        "price": _px(m, f.price),
        "qty": _qty(m, f.qty),
        "quoteQty": _quote(m, f.quote),
        "commission": atoms_str(f.commission),
        "commissionAsset": f.commission_asset,
        "time": f.time,
        "isBuyer": f.buyer,
        "isMaker": f.maker,
        "isBestMatch": True,
    }


def futures_fill(f: Fill) -> dict:
    m = f.market
    return {
        "buyer": f.buyer,
        "commission": atoms_str(f.commission),
        "commissionAsset": f.commission_asset,
        "id": f.id,
        "maker": f.maker,
        "orderId": f.order_id,
        "price": _px(m, f.price),
        "qty": _qty(m, f.qty),
        "quoteQty": _quote(m, f.quote),
        "realizedPnl": atoms_str(f.realized_pnl),
        "side": "BUY" if f.buyer else "SELL",
        "positionSide": "BOTH",
        "symbol": market_id(m),
        "time": f.time,
        "marginAsset": m.quote,
    }


def spot_account(acct: Account, now: int) -> dict:
    assets = sorted(set(acct.spot_free) | set(acct.spot_locked))
    return {
        "makerCommission": 10,
        "takerCommission": 10,
        "buyerCommission": 0,
        "sellerCommission": 0,
        "commissionRates": {
            "maker": "0.00100000",
            "taker": "0.00100000",
            "buyer": "0.00000000",
            "seller": "0.00000000",
        },
        "canTrade": True,
        "canWithdraw": True,
        "canDeposit": True,
        "brokered": False,
        "requireSelfTradePrevention": False,
        "preventSor": False,
        "updateTime": acct.update,
        "accountType": "SPOT",
        "balances": [
            {
                "asset": a,
                "free": atoms_str(acct.spot_free.get(a, 0)),
                "locked": atoms_str(acct.spot_locked.get(a, 0)),
            }
            for a in assets
        ],
        "permissions": ["SPOT"],
        "uid": 354937868,
    }


def margin_account(acct: Account, now: int) -> dict:
    rows = []
    for a in sorted(set(acct.margin_free) | set(acct.margin_borrowed)):
        free, borrowed = acct.margin_free.get(a, 0), acct.margin_borrowed.get(a, 0)
        interest = acct.interest(a, now)
        rows.append(
            {
                "asset": a,
                "borrowed": atoms_str(borrowed),
                "free": atoms_str(free),
                "interest": atoms_str(interest),
                "locked": atoms_str(0),
                "netAsset": atoms_str(free - borrowed - interest),
            }
        )
    return {
        "created": True,
        "borrowEnabled": True,
        "marginLevel": "999.00000000",
        "collateralMarginLevel": "999.00000000",
        "totalAssetOfBtc": "0.00000000",
        "totalLiabilityOfBtc": "0.00000000",
        "totalNetAssetOfBtc": "0.00000000",
        "TotalCollateralValueInUSDT": "0.00000000",
        "totalOpenOrderLossInUsdt": "0.00000000",
        "tradeEnabled": True,
        "transferInEnabled": True,
        "transferOutEnabled": True,
        "accountType": "MARGIN_1",
        "userAssets": rows,
    }


def futures_account(
    engine: ExchangeEngine, acct: Account, state: FuturesState, marks: dict[str, int], v2: bool
) -> dict:
    quote = next(m.quote for m in engine.markets.values() if m.linear)
    f = atoms_str
    totals = {
        "totalInitialMargin": f(state.initial_margin),
        "totalMaintMargin": f(state.position_margin // 4),
        "totalWalletBalance": f(state.wallet),
        "totalUnrealizedProfit": f(state.unrealized),
        "totalMarginBalance": f(state.margin_balance),
        "totalPositionInitialMargin": f(state.position_margin),
        "totalOpenOrderInitialMargin": f(state.order_margin),
        "totalCrossWalletBalance": f(state.wallet),
        "totalCrossUnPnl": f(state.unrealized),
        "availableBalance": f(state.available),
        "maxWithdrawAmount": f(max(0, state.available)),
    }
    asset = {
        "asset": quote,
        "walletBalance": f(state.wallet),
        "unrealizedProfit": f(state.unrealized),
        "marginBalance": f(state.margin_balance),
        "maintMargin": f(state.position_margin // 4),
        "initialMargin": f(state.initial_margin),
        "positionInitialMargin": f(state.position_margin),
        "openOrderInitialMargin": f(state.order_margin),
        "crossWalletBalance": f(state.wallet),
        "crossUnPnl": f(state.unrealized),
        "availableBalance": f(state.available),
        "maxWithdrawAmount": f(max(0, state.available)),
        "marginAvailable": True,
        "updateTime": acct.update,
    }
    positions = []
    for symbol, pos in acct.positions.items():
        if not pos.amt and not v2:
            continue
        m = engine.markets[symbol]
        value = pos.amt * marks[symbol] * m.notional_atoms_per_unit
        row = {
            "symbol": market_id(m),
            "positionSide": "BOTH",
            "positionAmt": _qty(m, pos.amt),
            "unrealizedProfit": f(value - pos.cost),
            "isolatedMargin": "0",
            "notional": f(value),
            "isolatedWallet": "0",
            "initialMargin": f(abs(value) // DEFAULT_LEVERAGE),
            "maintMargin": f(abs(value) // DEFAULT_LEVERAGE // 4),
            "updateTime": pos.update,
        }
        if v2:
            entry = pos.cost / (pos.amt * m.step_atoms) if pos.amt else 0.0
            row.update(
                leverage=str(DEFAULT_LEVERAGE),
                entryPrice=f"{entry:.8f}",
                isolated=False,
                maxNotional="1000000",
            )
        positions.append(row)
    flags = {
        "feeTier": 0,
        "canTrade": True,
        "canDeposit": True,
        "canWithdraw": True,
        "updateTime": 0,
        "multiAssetsMargin": False,
        "tradeGroupId": -1,
    }
    return {**(flags if v2 else {}), **totals, "assets": [asset], "positions": positions}


def position_risk(engine: ExchangeEngine, acct: Account, marks: dict[str, int]) -> list[dict]:
    rows = []
    for symbol, pos in acct.positions.items():
        if not pos.amt:
            continue
        m = engine.markets[symbol]
        value = pos.amt * marks[symbol] * m.notional_atoms_per_unit
        entry = pos.cost / (pos.amt * m.step_atoms)
        rows.append(
            {
                "symbol": market_id(m),
                "positionSide": "BOTH",
                "positionAmt": _qty(m, pos.amt),
                "entryPrice": f"{entry:.8f}",
                "breakEvenPrice": f"{entry:.8f}",
                "markPrice": _px(m, marks[symbol]),
                "unRealizedProfit": atoms_str(value - pos.cost),
                "liquidationPrice": "0",
                "isolatedMargin": "0",
                "notional": atoms_str(value),
                "marginAsset": m.quote,
                "isolatedWallet": "0",
                "initialMargin": atoms_str(abs(value) // DEFAULT_LEVERAGE),
                "maintMargin": atoms_str(abs(value) // DEFAULT_LEVERAGE // 4),
                "positionInitialMargin": atoms_str(abs(value) // DEFAULT_LEVERAGE),
                "openOrderInitialMargin": "0",
                "adl": 0,
                "bidNotional": "0",
                "askNotional": "0",
                "updateTime": pos.update,
            }
        )
    return rows


def algo_status(o: Order) -> str:
    """A USDⓈ-M conditional order seen through the algo API: it ends when it triggers."""
    status = status_name(o)
    if not o.triggered:
        return status if status in ("CANCELED", "EXPIRED") else "NEW"
    return "FINISHED" if status == "FILLED" else "TRIGGERED"


def algo_order(o: Order) -> dict:
    m = o.market
    row = {
        "algoId": o.id,
        "clientAlgoId": o.client_id,
        "algoType": "CONDITIONAL",
        "orderType": type_name(o),
        "symbol": market_id(m),
        "side": "BUY" if o.buy else "SELL",
        "positionSide": "BOTH",
        "timeInForce": tif_name(o),
        "quantity": _qty(m, o.qty),
        "algoStatus": algo_status(o),
        "triggerPrice": _px(m, o.stop),
        "price": _px(m, o.price),
        "icebergQuantity": None,
        "selfTradePreventionMode": "EXPIRE_MAKER",
        "workingType": "CONTRACT_PRICE",
        "priceMatch": "NONE",
        "closePosition": False,
        "priceProtect": False,
        "reduceOnly": o.reduce_only,
        "createTime": o.time,
        "updateTime": o.update,
        "triggerTime": o.update if o.triggered else 0,
        "goodTillDate": 0,
    }
    if o.triggered:
        row.update(actualOrderId=str(o.id), actualPrice=_avg(o))
    return row


# -- withdrawals -----------------------------------------------------------------------------

WITHDRAWAL_STATUS = {
    WithdrawalStatus.EMAIL_SENT: 0,
    WithdrawalStatus.CANCELLED: 1,
    WithdrawalStatus.AWAITING_APPROVAL: 2,
    WithdrawalStatus.REJECTED: 3,
    WithdrawalStatus.PROCESSING: 4,
    WithdrawalStatus.FAILED: 5,
    WithdrawalStatus.COMPLETED: 6,
}
FIAT_STATUS = {
    FiatStatus.PROCESSING: "Processing",
    FiatStatus.REFUNDING: "Refunding",
    FiatStatus.SUCCESSFUL: "Successful",
    FiatStatus.FINISHED: "Finished",
    FiatStatus.FAILED: "Failed",
    FiatStatus.REFUNDED: "Refunded",
    FiatStatus.REFUND_FAILED: "Refund Failed",
    FiatStatus.PARTIAL_CREDIT_STOPPED: "Order Partial credit Stopped",
}


def fmt_time(ms: int) -> str:
    """Binance's applyTime format: "YYYY-MM-DD HH:MM:SS" in UTC."""
    return time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(ms // 1000))


def withdrawal(w: CryptoWithdrawal) -> dict:
    """A ``capital/withdraw/history`` row."""
    row: dict = {
        "id": w.id,
        "amount": f"{w.amount:f}",
        "transactionFee": f"{w.fee:f}",
        "coin": w.coin,
        "status": WITHDRAWAL_STATUS[w.status],
        "address": w.address,
        "txId": w.tx_id,
        "applyTime": fmt_time(w.apply_ms),
        "network": w.network,
        "transferType": 1 if w.internal else 0,
        "info": "",
        "confirmNo": w.confirmations,
        "walletType": 0,
        "txKey": "",
    }
    if w.address_tag is not None:
        row["addressTag"] = w.address_tag
    if w.complete_ms is not None:
        row["completeTime"] = fmt_time(w.complete_ms)
    return row


def fiat_order(w: FiatWithdrawal | FiatDeposit) -> dict:
    """A ``fiat/orders`` row of a withdrawal or a deposit."""
    return {
        "orderNo": w.order_no,
        "fiatCurrency": w.currency,
        "indicatedAmount": f"{w.indicated_amount:f}",
        "amount": f"{w.amount:f}",
        "totalFee": f"{w.fee:f}",
        "method": w.method,
        "status": FIAT_STATUS[w.status],
        "createTime": w.create_ms,
        "updateTime": w.update_ms,
    }


# -- deposits and fees -----------------------------------------------------------------------

DEPOSIT_STATUS = {
    DepositStatus.PENDING: 0,
    DepositStatus.SUCCESS: 1,
    DepositStatus.REJECTED: 2,
    DepositStatus.CREDITED: 6,
    DepositStatus.WRONG_DEPOSIT: 7,
}
# where a network's explorer shows an address
EXPLORERS = {
    "BTC": "https://mempool.space/address/",
    "ETH": "https://etherscan.io/address/",
    "TRX": "https://tronscan.org/#/address/",
    "BSC": "https://bscscan.com/address/",
    "ARBITRUM": "https://arbiscan.io/address/",
    "SOL": "https://solscan.io/account/",
    "XRP": "https://bithomp.com/explorer/",
}


def deposit(d: CryptoDeposit) -> dict:
    """A ``capital/deposit/hisrec`` row."""
    row: dict = {
        "id": d.id,
        "amount": f"{d.amount:f}",
        "coin": d.coin,
        "network": d.network,
        "status": DEPOSIT_STATUS[d.status],
        "address": d.address,
        "addressTag": d.address_tag or "",
        "txId": d.tx_id,
        "insertTime": d.insert_ms,
        "transferType": 1 if d.internal else 0,
        "confirmTimes": f"{d.confirmations}/{d.required_confirmations}",
        "unlockConfirm": d.required_confirmations * 2,
        "walletType": 0,
    }
    if d.complete_ms is not None:
        row["completeTime"] = d.complete_ms
    return row


def deposit_address(a: DepositAddress) -> dict:
    """A ``capital/deposit/address`` answer."""
    return {
        "coin": a.coin,
        "address": a.address,
        "tag": a.tag or "",
        "url": EXPLORERS.get(a.network, "") + a.address,
        "isDefault": 0,
    }


def trade_fee(engine: ExchangeEngine, m: Market) -> dict:
    """An ``asset/tradeFee`` row of a spot market."""
    return {
        "symbol": market_id(m),
        "makerCommission": fee_rate(engine.fee_ppm(m, maker=True)),
        "takerCommission": fee_rate(engine.fee_ppm(m, maker=False)),
    }


def fee_rate(ppm: int) -> str:
    """A fee rate given in parts per million, as Binance writes it ("0.001")."""
    return f"{ppm / 1_000_000:.6f}".rstrip("0").rstrip(".") or "0"
