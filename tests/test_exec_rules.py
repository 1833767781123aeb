"""Pure logic of the execution service: the order state machine and the pre-trade checks."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from deltaworks_core.config import RiskLimits
from deltaworks_core.models import Order
from deltaworks_exec.marketdata.live import LiveQuote
from deltaworks_exec.oms.model import ManagedOrder
from deltaworks_exec.oms.states import (
    InvalidTransitionError,
    can_transition,
    check_transition,
    state_from_venue,
)
from deltaworks_exec.risk.checks import Exposure, RiskContext, check_order
from deltaworks_exec.venue import Balance, MarketRules

RULES = MarketRules("BTC/USDT", "BTC", "USDT", 0.01, 0.00001, 0.00001, 5.0, 0.001, 0.001)


@pytest.mark.parametrize(
    ("current", "target", "allowed"),
    [
        ("pending_new", "new", True),
        ("pending_new", "rejected", True),
        ("pending_new", "pending_cancel", False),
        ("new", "partially_filled", True),
        ("partially_filled", "partially_filled", True),
        ("new", "new", False),
        ("new", "rejected", False),
        ("pending_cancel", "canceled", True),
        ("pending_cancel", "filled", True),
        ("filled", "canceled", False),
        ("canceled", "new", False),
        ("rejected", "new", False),
        ("expired", "filled", False),
    ],
)
def test_transitions(current: str, target: str, allowed: bool) -> None:
    assert can_transition(current, target) is allowed
    if not allowed:
        with pytest.raises(InvalidTransitionError, match=f"{current} -> {target}"):
            check_transition("o1", current, target)


def _venue_order(status: str, filled: float) -> Order:
    return Order(
        id="1", client_order_id="c", exchange="x", symbol="BTC/USDT", side="buy", type="limit",
        time_in_force="GTC", price=100.0, amount=1.0, filled=filled, remaining=1.0 - filled,
        average=None, status=status, status_raw=None, ts=datetime.now(UTC),
    )  # fmt: skip


@pytest.mark.parametrize(
    ("status", "filled", "state"),
    [
        ("open", 0.0, "new"),
        ("open", 0.000004, "new"),  # below half a step: not a fill
        ("open", 0.5, "partially_filled"),
        ("closed", 1.0, "filled"),
        ("canceled", 0.5, "canceled"),
        ("expired", 0.0, "expired"),
    ],
)
def test_state_from_venue(status: str, filled: float, state: str) -> None:
    assert state_from_venue(_venue_order(status, filled), 0.00001) == state


def _order(**changes: object) -> ManagedOrder:
    fields = {"order_id": "o", "client_order_id": "c", "exchange": "sim_a", "symbol": "BTC/USDT",
              "side": "buy", "type": "limit", "amount": 0.1, "price": 60_000.0}  # fmt: skip
    return ManagedOrder(**{**fields, **changes})  # type: ignore[arg-type]


def _context(open_orders: int = 0, buy_quote: float = 0.0, age_s: float = 0.2) -> RiskContext:
    balances = {"USDT": Balance("USDT", 100_000, 0, 100_000), "BTC": Balance("BTC", 1, 0, 1)}
    quote = LiveQuote("sim_a", "BTC/USDT", 59_990.0, 60_010.0, age_s)
    return RiskContext(
        RULES, quote, balances, Exposure(open_orders, 0.0, buy_quote, 0.0), ("BTC/USDT",)
    )


@pytest.mark.parametrize(
    ("order", "limits", "context", "kill", "code", "named"),
    [
        (_order(), RiskLimits(), _context(), True, "KILL_SWITCH", "kill switch"),
        (_order(symbol="ETH/USDT"), RiskLimits(), _context(), False, "SYMBOL_NOT_ALLOWED", "ETH"),
        (_order(), RiskLimits(max_open_orders=2), _context(2), False, "MAX_OPEN_ORDERS", "3 > "),
        (_order(price=70_000.0), RiskLimits(), _context(), False, "PRICE_BAND", "1,667 bps"),
        (
            _order(amount=2.0),
            RiskLimits(max_order_notional=100_000),
            _context(),
            False,
            "MAX_ORDER_NOTIONAL",
            "120,000 USDT > max_order_notional 100,000",
        ),
        (
            _order(),
            RiskLimits(max_position={"BTC": 1.05}),
            _context(),
            False,
            "MAX_POSITION",
            "1.1 > max_position 1.05",
        ),
        (_order(), RiskLimits(), _context(buy_quote=95_000), False, "INSUFFICIENT_BALANCE", "USDT"),
        (_order(), RiskLimits(max_book_age_s=5), _context(age_s=7.3), False, "STALE_MARKET_DATA",
         "is 7.3 s old > max_book_age_s 5"),
        (_order(), RiskLimits(max_spread_bps=2), _context(), False, "MAX_SPREAD",
         "3.3 bps > max_spread_bps 2"),
        (_order(side="sell", amount=1.5), RiskLimits(), _context(), False, "INSUFFICIENT_BALANCE",
         "BTC needed 1.5 > available 1"),
    ],
)  # fmt: skip
def test_risk_rejects_name_limit_and_value(
    order: ManagedOrder,
    limits: RiskLimits,
    context: RiskContext,
    kill: bool,
    code: str,
    named: str,
) -> None:
    reject = check_order(order, context, limits, kill)
    assert reject is not None and reject.code == code
    assert named in reject.message


def test_risk_rejects_without_market_price() -> None:
    context = _context()
    blind = RiskContext(context.rules, None, context.balances, context.exposure, ("BTC/USDT",))
    reject = check_order(_order(), blind, RiskLimits(), False)
    assert reject is not None and reject.code == "NO_MARKET_PRICE"


def test_risk_accepts_order_within_limits() -> None:
    assert check_order(_order(), _context(), RiskLimits(), False) is None
