"""OKX's private account and funding endpoints: the unified trading account, the funding
account, positions, leverage, fees, currencies and transfers between the two.

OKX's trading account is one wallet for spot and perpetuals: each currency's row joins
the engine's spot funds with, for the perpetuals' settlement currency, the USDⓈ-M wallet
(its margin, unrealised PnL and frozen margin). The funding account is the engine's
funding wallet.
"""

from __future__ import annotations

import hashlib
from decimal import Decimal
from typing import Any

from ...engine import ATOMS_PER_UNIT, ExchangeEngine, SimError
from .errors import OkxError, param_error, param_missing
from .instruments import SPOT_FEES, SWAP_FEES, plain
from .public import Public

Params = dict[str, Any]
UNIT = Decimal(ATOMS_PER_UNIT)
MAINTENANCE_RATE = Decimal("0.004")
# currency -> ((OKX chain name, withdrawal fee, minimum withdrawal), ...)
CHAINS: dict[str, tuple[tuple[str, str, str], ...]] = {
    "USDT": (("TRC20", "1", "0.1"), ("ERC20", "4", "2")),
    "USDC": (("ERC20", "4", "2"),),
    "BTC": (("Bitcoin", "0.0002", "0.0005"),),
    "ETH": (("ERC20", "0.0012", "0.001"), ("Arbitrum One", "0.0001", "0.0001")),
    "SOL": (("Solana", "0.008", "0.1"),),
    "XRP": (("Ripple", "0.2", "20"),),
}
DEFAULT_CHAINS = (("ERC20", "1", "1"),)
ACCOUNT_IDS = {"6": "funding", "18": "spot"}


class Accounts:
    """The account endpoints of one engine."""

    def __init__(self, engine: ExchangeEngine, public: Public) -> None:
        self.engine = engine
        self.public = public

    def _usd(self, asset: str) -> Decimal:
        """The USDT price of ``asset`` (1 for stablecoins and unknown assets)."""
        inst = self.public.instruments.get(f"{asset}-USDT")
        if inst is None:
            return Decimal(1)
        return Decimal(self.engine.mark_price(inst.market.symbol)) * inst.tick

    def _ccy_filter(self, params: Params) -> set[str] | None:
        ccy = params.get("ccy")
        return set(str(ccy).split(",")) if ccy else None

    # -- balances ------------------------------------------------------------------------

    def balance(self, account: str, params: Params) -> list[dict]:
        """``account/balance``: the trading account."""
        engine = self.engine
        now = str(engine.now_ms())
        spot = engine.balances("spot", account)
        futures, _ = engine.futures_account(account)
        settle = next((m.quote for m in engine.markets.values() if m.linear), None)
        wanted = self._ccy_filter(params)
        details = []
        total_usd = Decimal(0)
        for asset in sorted(set(spot) | ({settle} if settle else set())):
            if wanted is not None and asset not in wanted:
                continue
            row = spot.get(asset, {"free": Decimal(0), "locked": Decimal(0)})
            cash, avail, frozen, upl = row["free"] + row["locked"], row["free"], row["locked"], 0
            order_frozen = row["locked"]
            if asset == settle:
                cash += Decimal(futures.wallet) / UNIT
                avail += Decimal(futures.available) / UNIT
                frozen += Decimal(futures.initial_margin) / UNIT
                order_frozen += Decimal(futures.order_margin) / UNIT
                upl = Decimal(futures.unrealized) / UNIT
            eq = cash + upl
            usd = eq * self._usd(asset)
            total_usd += usd
            details.append(_detail(asset, cash, avail, frozen, order_frozen, eq, upl, usd, now))
        imr = Decimal(futures.initial_margin) / UNIT
        notional = Decimal(futures.position_margin) / UNIT
        upl_total = Decimal(futures.unrealized) / UNIT
        return [
            {
                "adjEq": plain(total_usd),
                "availEq": plain(total_usd - imr),
                "borrowFroz": "0",
                "details": details,
                "imr": plain(imr),
                "isoEq": "0",
                "mgnRatio": plain(total_usd / (imr * MAINTENANCE_RATE * 10)) if imr else "",
                "mmr": plain(imr * MAINTENANCE_RATE * 10 / 10),
                "notionalUsd": plain(notional),
                "notionalUsdForBorrow": "0",
                "notionalUsdForFutures": "0",
                "notionalUsdForOption": "0",
                "notionalUsdForSwap": plain(notional),
                "ordFroz": plain(Decimal(futures.order_margin) / UNIT),
                "totalEq": plain(total_usd),
                "uTime": now,
                "upl": plain(upl_total),
            }
        ]

    def funding_balances(self, account: str, params: Params) -> list[dict]:
        """``asset/balances``: the funding account."""
        wanted = self._ccy_filter(params)
        return [
            {
                "availBal": plain(row["free"]),
                "bal": plain(row["free"] + row["locked"]),
                "ccy": asset,
                "frozenBal": plain(row["locked"]),
            }
            for asset, row in self.engine.balances("funding", account).items()
            if wanted is None or asset in wanted
        ]

    def transfer(self, account: str, params: Params) -> list[dict]:
        """``asset/transfer`` between the funding (6) and the trading (18) account."""
        for name in ("ccy", "amt", "from", "to"):
            if params.get(name) in (None, ""):
                raise param_missing(name)
        source = ACCOUNT_IDS.get(str(params["from"]))
        target = ACCOUNT_IDS.get(str(params["to"]))
        if source is None or target is None or source == target:
            raise param_error("from" if source is None else "to")
        try:
            self.engine.transfer(account, str(params["ccy"]), str(params["amt"]), source, target)
        except SimError as exc:
            raise OkxError("58350", "Insufficient balance") from exc
        trans_id = str(self.engine.now_ms() % 10**9)
        return [
            {
                "transId": trans_id,
                "ccy": params["ccy"],
                "clientId": "",
                "from": str(params["from"]),
                "amt": str(params["amt"]),
                "to": str(params["to"]),
            }
        ]

    # -- positions and leverage ----------------------------------------------------------

    def positions(self, account: str, params: Params) -> list[dict]:
        inst_type = params.get("instType")
        if inst_type not in (None, "", "SWAP", "ANY", "MARGIN", "FUTURES", "OPTION"):
            raise param_error("instType")
        if inst_type in ("MARGIN", "FUTURES", "OPTION"):
            return []
        wanted = set(str(params["instId"]).split(",")) if params.get("instId") else None
        engine = self.engine
        _, marks = engine.futures_account(account)
        acct = engine.account(account)
        rows = []
        for symbol, pos in sorted(acct.positions.items()):
            inst = self.public.by_symbol[symbol]
            if not pos.amt or (wanted is not None and inst.inst_id not in wanted):
                continue
            rows.append(self._position(account, inst, pos, marks[symbol]))
        return rows

    def _position(self, account: str, inst: Any, pos: Any, mark_ticks: int) -> dict:
        m = inst.market
        lever = self.engine.leverage(account, m.symbol)
        base = Decimal(pos.amt) * m.step
        mark = Decimal(mark_ticks) * inst.tick
        cost = Decimal(pos.cost) / UNIT
        notional = abs(base * mark)
        upl = base * mark - cost
        imr = notional / lever
        entry = (cost / base).quantize(inst.tick / 100)
        uptime = str(pos.update)
        return {
            "adl": "1",
            "availPos": "",
            "avgPx": plain(entry),
            "baseBal": "",
            "baseBorrowed": "",
            "baseInterest": "",
            "bePx": plain(entry),
            "bizRefId": "",
            "bizRefType": "",
            "cTime": uptime,
            "ccy": m.quote,
            "clSpotInUseAmt": "",
            "closeOrderAlgo": [],
            "deltaBS": "",
            "deltaPA": "",
            "fee": "0",
            "fundingFee": "0",
            "gammaBS": "",
            "gammaPA": "",
            "idxPx": plain(mark),
            "imr": plain(imr),
            "instId": inst.inst_id,
            "instType": "SWAP",
            "interest": "",
            "last": plain(mark),
            "lever": str(lever),
            "liab": "",
            "liabCcy": "",
            "liqPenalty": "0",
            "liqPx": "",
            "margin": "",
            "markPx": plain(mark),
            "maxSpotInUseAmt": "",
            "mgnMode": "cross",
            "mgnRatio": plain(imr / (notional * MAINTENANCE_RATE)) if notional else "",
            "mmr": plain(notional * MAINTENANCE_RATE),
            "notionalUsd": plain(notional),
            "optVal": "",
            "pendingCloseOrdLiabVal": "",
            "pnl": "0",
            "pos": ("-" if pos.amt < 0 else "") + inst.size(abs(pos.amt)),
            "posCcy": "",
            "posId": str(
                int(hashlib.sha256(f"{account}:{inst.inst_id}".encode()).hexdigest()[:15], 16)
            ),
            "posSide": "net",
            "quoteBal": "",
            "quoteBorrowed": "",
            "quoteInterest": "",
            "realizedPnl": "0",
            "spotInUseAmt": "",
            "spotInUseCcy": "",
            "thetaBS": "",
            "thetaPA": "",
            "tradeId": "",
            "uTime": uptime,
            "upl": plain(upl),
            "uplLastPx": plain(upl),
            "uplRatio": plain(upl / imr) if imr else "0",
            "uplRatioLastPx": plain(upl / imr) if imr else "0",
            "usdPx": "",
            "vegaBS": "",
            "vegaPA": "",
        }

    def set_leverage(self, account: str, params: Params) -> list[dict]:
        for name in ("lever", "mgnMode"):
            if params.get(name) in (None, ""):
                raise param_missing(name)
        mode = params["mgnMode"]
        if mode not in ("cross", "isolated"):
            raise param_error("mgnMode")
        inst = self.public.instrument(params)
        try:
            lever = int(Decimal(str(params["lever"])))
        except ArithmeticError:
            raise param_error("lever") from None
        if not inst.swap:
            raise param_error("instId")
        try:
            self.engine.set_leverage(account, inst.market.symbol, lever)
        except SimError:
            raise param_error("lever") from None
        return [{"instId": inst.inst_id, "lever": str(lever), "mgnMode": mode, "posSide": "net"}]

    def leverage_info(self, account: str, params: Params) -> list[dict]:
        if not params.get("mgnMode"):
            raise param_missing("mgnMode")
        if not params.get("instId"):
            raise param_missing("instId")
        rows = []
        for inst_id in str(params["instId"]).split(","):
            inst = self.public.instrument({"instId": inst_id})
            lever = self.engine.leverage(account, inst.market.symbol) if inst.swap else 10
            rows.append(
                {
                    "instId": inst_id,
                    "lever": str(lever),
                    "mgnMode": params["mgnMode"],
                    "posSide": "net",
                }
            )
        return rows

    # -- fees, configuration, currencies -------------------------------

    def trade_fee(self, account: str, params: Params) -> list[dict]:
        inst_type = params.get("instType")
        if not inst_type:
            raise param_missing("instType")
        if inst_type not in ("SPOT", "MARGIN", "SWAP", "FUTURES", "OPTION"):
            raise param_error("instType")
        maker, taker = SWAP_FEES if inst_type in ("SWAP", "FUTURES") else SPOT_FEES
        rate = {"maker": _neg_ppm(maker), "taker": _neg_ppm(taker)}
        contract = inst_type != "SPOT" and inst_type != "MARGIN"
        return [
            {
                "category": "1",
                "delivery": "",
                "exercise": "",
                "fiat": [],
                "instType": inst_type,
                "level": "Lv1",
                "maker": rate["maker"],
                "makerU": rate["maker"] if contract else "",
                "makerUSDC": "",
                "ruleType": "normal",
                "taker": rate["taker"],
                "takerU": rate["taker"] if contract else "",
                "takerUSDC": "",
                "ts": str(self.engine.now_ms()),
            }
        ]

    def config(self, account: str, params: Params) -> list[dict]:
        uid = str(
            int(hashlib.sha256(f"{self.engine.name}:{account}".encode()).hexdigest(), 16) % 10**18
        )
        return [
            {
                "acctLv": "2",
                "acctStpMode": "cancel_maker",
                "autoLoan": False,
                "ctIsoMode": "automatic",
                "enableSpotBorrow": False,
                "greeksType": "PA",
                "ip": "",
                "kycLv": "2",
                "label": "deltaworks-sim",
                "level": "Lv1",
                "levelTmp": "",
                "liquidationGear": "-1",
                "mainUid": uid,
                "mgnIsoMode": "automatic",
                "opAuth": "0",
                "perm": "read_only,withdraw,trade",
                "posMode": "net_mode",
                "roleType": "0",
                "spotBorrowAutoRepay": False,
                "spotOffsetType": "",
                "spotRoleType": "0",
                "spotTraderInsts": [],
                "traderInsts": [],
                "type": "0",
                "uid": uid,
            }
        ]

    def _assets(self) -> list[str]:
        assets = {m.base for m in self.engine.markets.values()}
        assets |= {m.quote for m in self.engine.markets.values()}
        return sorted(assets)

    def currencies(self, account: str, params: Params) -> list[dict]:
        wanted = self._ccy_filter(params)
        rows = []
        for ccy in self._assets():
            if wanted is not None and ccy not in wanted:
                continue
            for i, (name, fee, min_wd) in enumerate(CHAINS.get(ccy, DEFAULT_CHAINS)):
                rows.append(
                    {
                        "burningFeeRate": "",
                        "canDep": True,
                        "canInternal": True,
                        "canWd": True,
                        "ccy": ccy,
                        "chain": f"{ccy}-{name}",
                        "ctAddr": "",
                        "depEstOpenTime": "",
                        "depQuotaFixed": "",
                        "depQuoteDailyLayer2": "",
                        "fee": fee,
                        "logoLink": "",
                        "mainNet": i == 0,
                        "maxFee": fee,
                        "maxFeeForCtAddr": fee,
                        "maxWd": "10000000",
                        "minDep": "0.00000001",
                        "minDepArrivalConfirm": "12",
                        "minFee": fee,
                        "minFeeForCtAddr": fee,
                        "minInternal": "0.0001",
                        "minWd": min_wd,
                        "minWdUnlockConfirm": "12",
                        "name": ccy,
                        "needTag": ccy == "XRP",
                        "usedDepQuotaFixed": "",
                        "usedWdQuota": "0",
                        "wdEstOpenTime": "",
                        "wdQuota": "10000000",
                        "wdTickSz": "8",
                    }
                )
        return rows


def _neg_ppm(ppm: int) -> str:
    return plain(-Decimal(ppm) / 1_000_000)


def _detail(
    ccy: str,
    cash: Decimal,
    avail: Decimal,
    frozen: Decimal,
    order_frozen: Decimal,
    eq: Decimal,
    upl: Decimal,
    usd: Decimal,
    now: str,
) -> dict:
    """One currency row of the trading account."""
    return {
        "accAvgPx": "",
        "availBal": plain(avail),
        "availEq": plain(avail),
        "borrowFroz": "0",
        "cashBal": plain(cash),
        "ccy": ccy,
        "clSpotInUseAmt": "",
        "colBorrAutoConversion": "0",
        "collateralEnabled": True,
        "collateralRestrict": False,
        "crossLiab": "0",
        "disEq": plain(usd),
        "eq": plain(eq),
        "eqUsd": plain(usd),
        "fixedBal": "0",
        "frozenBal": plain(frozen),
        "imr": "",
        "interest": "0",
        "isoEq": "0",
        "isoLiab": "0",
        "isoUpl": "0",
        "liab": "0",
        "maxLoan": "0",
        "maxSpotInUse": "",
        "mgnRatio": "",
        "mmr": "",
        "notionalLever": "",
        "openAvgPx": "",
        "ordFrozen": plain(order_frozen),
        "rewardBal": "",
        "smtSyncEq": "0",
        "spotBal": "",
        "spotCopyTradingEq": "0",
        "spotInUseAmt": "",
        "spotIsoBal": "0",
        "spotUpl": "",
        "spotUplRatio": "",
        "stgyEq": "0",
        "totalPnl": "",
        "totalPnlRatio": "",
        "twap": "0",
        "uTime": now,
        "upl": plain(upl),
        "uplLiab": "0",
    }
