"""OKX's public REST endpoints: instruments, tickers, books, trades, candles, funding, time."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from ...engine import ExchangeEngine, key, mix
from . import rendering
from .errors import param_error, param_missing, unknown_instrument
from .instruments import DEFAULT_MAX_LEVERAGE, MAX_LEVERAGE, Instrument, instruments, plain

Params = dict[str, Any]
MINUTE_MS = 60_000
# OKX's candle bars (UTC-aligned ones) -> minutes
BARS = {
    "1m": 1,
    "3m": 3,
    "5m": 5,
    "15m": 15,
    "30m": 30,
    "1H": 60,
    "2H": 120,
    "4H": 240,
    "6Hutc": 360,
    "12Hutc": 720,
    "1Dutc": 1440,
}
FUNDING_PERIOD_MS = 8 * 3_600_000


def int_param(params: Params, name: str, default: int, most: int) -> int:
    """A positive integer parameter (OKX answers 51000 for a bad one), at most ``most``."""
    value = params.get(name)
    if value is None or value == "":
        return default
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise param_error(name) from None
    if number <= 0:
        raise param_error(name)
    return min(number, most)


def ms_param(params: Params, name: str) -> int | None:
    value = params.get(name)
    if value is None or value == "":
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        raise param_error(name) from None


class Public:
    """Public market data of one engine, in OKX's names and shapes."""

    def __init__(self, engine: ExchangeEngine) -> None:
        self.engine = engine
        self.instruments = instruments(engine.markets)
        self.by_symbol = {inst.market.symbol: inst for inst in self.instruments.values()}
        self._key = key(engine.seed, engine.name, "funding")

    # -- lookups -------------------------------------------------------------------------

    def instrument(self, params: Params, name: str = "instId") -> Instrument:
        inst_id = params.get(name)
        if not inst_id:
            raise param_missing(name)
        inst = self.instruments.get(str(inst_id))
        if inst is None:
            raise unknown_instrument()
        return inst

    def of_type(self, params: Params, *, required: bool = True) -> list[Instrument]:
        """The instruments of ``instType`` (SPOT, SWAP; others have none here)."""
        inst_type = params.get("instType")
        if not inst_type:
            if required:
                raise param_missing("instType")
            return list(self.instruments.values())
        if inst_type not in ("SPOT", "MARGIN", "SWAP", "FUTURES", "OPTION", "ANY"):
            raise param_error("instType")
        if inst_type == "ANY":
            return list(self.instruments.values())
        return [i for i in self.instruments.values() if i.inst_type == inst_type]

    # -- handlers ------------------------------------------------------------------------

    def instruments_(self, account: str, params: Params) -> list[dict]:
        chosen = self.of_type(params)
        inst_id = params.get("instId")
        if inst_id:
            chosen = [i for i in chosen if i.inst_id == inst_id]
        listed = self.engine.epoch_ms - 365 * 86_400_000
        return [
            rendering.instrument(
                i, listed, MAX_LEVERAGE.get(i.market.base, DEFAULT_MAX_LEVERAGE) if i.swap else 10
            )
            for i in chosen
        ]

    def time(self, account: str, params: Params) -> list[dict]:
        return [{"ts": str(self.engine.now_ms())}]

    def status(self, account: str, params: Params) -> list[dict]:
        return []

    def ticker(self, account: str, params: Params) -> list[dict]:
        inst = self.instrument(params)
        return [rendering.ticker(inst, self.engine.ticker(inst.market.symbol))]

    def tickers(self, account: str, params: Params) -> list[dict]:
        return [
            rendering.ticker(i, self.engine.ticker(i.market.symbol)) for i in self.of_type(params)
        ]

    def books(self, account: str, params: Params, *, most: int = 400) -> list[dict]:
        inst = self.instrument(params)
        depth = self.engine.order_book(inst.market.symbol, int_param(params, "sz", 1, most))
        return [rendering.books(inst, depth)]

    def books_full(self, account: str, params: Params) -> list[dict]:
        return self.books(account, params, most=5000)

    def trades(self, account: str, params: Params) -> list[dict]:
        inst = self.instrument(params)
        rows = self.engine.trades(inst.market.symbol, int_param(params, "limit", 100, 500))
        return [rendering.trade(inst, t) for t in reversed(rows)]

    def candles(self, account: str, params: Params, *, most: int = 300) -> list[list[str]]:
        """Bars of ``bar`` newest first, between ``before`` and ``after`` (exclusive)."""
        inst = self.instrument(params)
        bar = params.get("bar") or "1m"
        minutes = BARS.get(str(bar))
        if minutes is None:
            raise param_error("bar")
        limit = int_param(params, "limit", 100, most)
        after, before = ms_param(params, "after"), ms_param(params, "before")
        now = self.engine.now_ms()
        bar_ms = minutes * MINUTE_MS
        newest = (min(now, after - 1) if after is not None else now) // bar_ms * bar_ms
        first = (before // bar_ms + 1) * bar_ms if before is not None else None
        if first is not None and after is None:  # only ``before``: the bars right after it
            opens = [first + i * bar_ms for i in range(limit) if first + i * bar_ms <= newest]
            opens.reverse()
        else:
            opens = [
                newest - i * bar_ms
                for i in range(limit)
                if first is None or newest - i * bar_ms >= first
            ]
        if not opens:
            return []
        klines = self.engine.klines(
            inst.market.symbol, "1m", opens[-1], opens[0] + bar_ms - 1, len(opens) * minutes
        )
        return [
            _candle(inst, bar_open, rows, bar_open + bar_ms > now)
            for bar_open, rows in _group(klines, opens, bar_ms)
        ]

    def history_candles(self, account: str, params: Params) -> list[list[str]]:
        return self.candles(account, params, most=100)

    def funding_rate(self, account: str, params: Params) -> list[dict]:
        inst_id = params.get("instId")
        if not inst_id:
            raise param_missing("instId")
        if inst_id == "ANY":
            chosen = [i for i in self.instruments.values() if i.swap]
        else:
            inst = self.instrument(params)
            if not inst.swap:
                raise param_error("instId")
            chosen = [inst]
        return [self._funding(i) for i in chosen]

    def _funding(self, inst: Instrument) -> dict:
        now = self.engine.now_ms()
        funding_time = (now // FUNDING_PERIOD_MS + 1) * FUNDING_PERIOD_MS
        rate = self._rate(inst, funding_time)
        return {
            "fundingRate": rate,
            "fundingTime": str(funding_time),
            "impactValue": "",
            "instId": inst.inst_id,
            "instType": "SWAP",
            "interestRate": "0.0001",
            "maxFundingRate": "0.00375",
            "method": "current_period",
            "minFundingRate": "-0.00375",
            "nextFundingRate": "",
            "nextFundingTime": str(funding_time + FUNDING_PERIOD_MS),
            "premium": plain(Decimal(rate) - Decimal("0.0001")),
            "settFundingRate": self._rate(inst, funding_time - FUNDING_PERIOD_MS),
            "settState": "settled",
            "ts": str(now),
        }

    def _rate(self, inst: Instrument, funding_time: int) -> str:
        """A funding rate per period: 0.01 % give or take 0.005 %, seeded per period."""
        wobble = mix(self._key ^ key(inst.inst_id) ^ funding_time) % 1001 - 500
        return plain(Decimal(10_000 + wobble * 10) / Decimal(100_000_000))

    def mark_price(self, account: str, params: Params) -> list[dict]:
        chosen = [self.instrument(params)] if params.get("instId") else self.of_type(params)
        now = str(self.engine.now_ms())
        return [
            {
                "instType": i.inst_type,
                "instId": i.inst_id,
                "markPx": i.price(self.engine.mark_price(i.market.symbol)),
                "ts": now,
            }
            for i in chosen
        ]


def _group(klines: list[tuple], opens: list[int], bar_ms: int) -> list[tuple[int, list[tuple]]]:
    by_bar: dict[int, list[tuple]] = {}
    for row in klines:
        by_bar.setdefault(row[0] // bar_ms * bar_ms, []).append(row)
    return [(bar_open, by_bar[bar_open]) for bar_open in opens if bar_open in by_bar]


def _candle(inst: Instrument, bar_open: int, rows: list[tuple], open_now: bool) -> list[str]:
    step, tick = inst.market.step, inst.tick
    volume = sum(r[5] for r in rows)
    quote = Decimal(sum(r[7] for r in rows)) * step * tick
    base = Decimal(volume) * step
    return [
        str(bar_open),
        inst.price(rows[0][1]),
        inst.price(max(r[2] for r in rows)),
        inst.price(min(r[3] for r in rows)),
        inst.price(rows[-1][4]),
        inst.size(volume),  # spot: base; swap: contracts
        plain(base if inst.swap else quote),
        plain(quote),
        "0" if open_now else "1",
    ]
