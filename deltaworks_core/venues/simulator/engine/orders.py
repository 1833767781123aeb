"""Order and fill records of the matching engine (integer ticks, steps and atoms)."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from .markets import Market


class OrderType(StrEnum):
    """Neutral order types; ``LIMIT_MAKER`` is a limit order refused when it would take."""

    MARKET = "MARKET"
    LIMIT = "LIMIT"
    LIMIT_MAKER = "LIMIT_MAKER"
    STOP_MARKET = "STOP_MARKET"
    STOP_LIMIT = "STOP_LIMIT"
    TAKE_PROFIT_MARKET = "TAKE_PROFIT_MARKET"
    TAKE_PROFIT_LIMIT = "TAKE_PROFIT_LIMIT"


class TimeInForce(StrEnum):
    """``POST_ONLY``: a limit order that expires instead of taking liquidity."""

    GTC = "GTC"
    IOC = "IOC"
    FOK = "FOK"
    POST_ONLY = "POST_ONLY"


class OrderStatus(StrEnum):
    NEW = "NEW"
    PARTIALLY_FILLED = "PARTIALLY_FILLED"
    FILLED = "FILLED"
    CANCELED = "CANCELED"
    EXPIRED = "EXPIRED"


OPEN_STATUSES = frozenset({OrderStatus.NEW, OrderStatus.PARTIALLY_FILLED})
PRICED_TYPES = frozenset(
    {OrderType.LIMIT, OrderType.LIMIT_MAKER, OrderType.STOP_LIMIT, OrderType.TAKE_PROFIT_LIMIT}
)
# the types a time in force applies to (the others are GTC)
TIF_TYPES = frozenset({OrderType.LIMIT, OrderType.STOP_LIMIT, OrderType.TAKE_PROFIT_LIMIT})
STOP_TYPES = frozenset(
    {
        OrderType.STOP_MARKET,
        OrderType.STOP_LIMIT,
        OrderType.TAKE_PROFIT_MARKET,
        OrderType.TAKE_PROFIT_LIMIT,
    }
)
# types that execute as market orders (stop-market ones once triggered)
MARKET_TYPES = frozenset({OrderType.MARKET, OrderType.STOP_MARKET, OrderType.TAKE_PROFIT_MARKET})
# take-profit orders trigger in the profitable direction
TAKE_PROFIT_TYPES = frozenset({OrderType.TAKE_PROFIT_MARKET, OrderType.TAKE_PROFIT_LIMIT})


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
        type_: OrderType,
        tif: TimeInForce,
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
        self.status = OrderStatus.NEW
        self.triggered = stop == 0

    @property
    def remaining(self) -> int:
        return self.qty - self.filled

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES


@dataclass(slots=True)
class Fill:
    """One execution of one order."""

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
