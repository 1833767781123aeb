"""Order and fill records of the matching engine (integer ticks, steps and atoms)."""

from __future__ import annotations

from dataclasses import dataclass

from .markets import Market

OPEN_STATUSES = frozenset({"NEW", "PARTIALLY_FILLED"})
STOP_TYPES = frozenset(
    {
        "STOP_LOSS",
        "STOP_LOSS_LIMIT",
        "TAKE_PROFIT",
        "TAKE_PROFIT_LIMIT",
        "STOP",
        "STOP_MARKET",
        "TAKE_PROFIT_MARKET",
    }
)
# stop types that execute as market orders: spot STOP_LOSS / TAKE_PROFIT, futures *_MARKET
# (futures STOP and TAKE_PROFIT are the limit variants)
SPOT_MARKET_STOP_TYPES = frozenset({"STOP_LOSS", "TAKE_PROFIT"})
FUTURES_MARKET_STOP_TYPES = frozenset({"STOP_MARKET", "TAKE_PROFIT_MARKET"})
# spot TAKE_PROFIT* and futures TAKE_PROFIT* trigger in the profitable direction
TAKE_PROFIT_TYPES = frozenset({"TAKE_PROFIT", "TAKE_PROFIT_LIMIT", "TAKE_PROFIT_MARKET"})


class Order:
    """One order; ``price``/``stop`` in ticks, ``qty``/``filled`` in steps, money in atoms."""

    __slots__ = (
        "account",
        "acct",
        "buy",
        "client_id",
        "commission",
        "filled",
        "id",
        "locked",
        "market",
        "price",
        "qty",
        "quote",
        "reduce_only",
        "status",
        "stop",
        "tif",
        "time",
        "triggered",
        "type",
        "update",
    )

    def __init__(
        self,
        oid: int,
        client_id: str,
        account: str,
        market: Market,
        buy: bool,
        type_: str,
        tif: str,
        price: int,
        qty: int,
        stop: int,
        now: int,
        reduce_only: bool,
    ) -> None:
        self.id = oid
        self.client_id = client_id
        self.account = account
        self.acct: object = None  # the Account, set by the engine (saves lookups per fill)
        self.market = market
        self.buy = buy
        self.type = type_
        self.tif = tif
        self.price = price
        self.qty = qty
        self.stop = stop
        self.time = now
        self.update = now
        self.reduce_only = reduce_only
        self.filled = 0
        self.quote = 0
        self.commission = 0
        self.locked = 0
        self.status = "NEW"
        self.triggered = stop == 0

    @property
    def remaining(self) -> int:
        return self.qty - self.filled

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES


@dataclass(slots=True)
class Fill:
    """One execution of one order (Binance's myTrades / userTrades row)."""

    id: int
    order_id: int
    account: str
    market: Market
    price: int
    qty: int
    quote: int
    commission: int
    commission_asset: str
    time: int
    buyer: bool
    maker: bool
    realized_pnl: int = 0
