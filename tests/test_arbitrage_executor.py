"""The service's arbitrage executor against the simulator's fault injection: whichever leg
fails (5xx, timeout, partial fill, dropped response), the policy leaves no residual beyond
its bound, every outcome is persisted in ``arbitrage_trades``, and a trade whose leg
outcome was unknown is settled once the venue answers again."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from decimal import Decimal

import pytest

from deltaworks_core.config import RiskLimits, Settings
from deltaworks_core.questdb import QuestDBReader
from deltaworks_core.venues.simulator import SimulatorServer
from deltaworks_exec.arbitrage.executor import ArbitrageExecutor
from deltaworks_exec.arbitrage.pairs import PairConfigError, validate_pair
from deltaworks_exec.arbitrage.scanner import Opportunity, Top, find_opportunities
from deltaworks_exec.arbitrage.trades import OUTCOMES, UNRESOLVED, ArbitrageTrade, TradeStore
from deltaworks_exec.service import ExecService
from tests.arbitrage_support import (
    FAULTS_OFF,
    SYMBOL,
    TAKER_FEE,
    VENUES,
    books_caught_up,
    next_opportunity,
    top,
)

pytest_plugins = ("tests.exec_fixtures",)

CONFIGURED = {name: (SYMBOL,) for name in VENUES}


def base_held(simulator: SimulatorServer) -> Decimal:
    """BTC on both venues' main accounts (free and locked)."""
    total = Decimal(0)
    for name in VENUES:
        held = simulator.engine(name).balances("spot")["BTC"]
        total += held["free"] + held["locked"]
    return total


@pytest.fixture
def faults(simulator: SimulatorServer) -> Iterator[None]:
    yield
    for name in VENUES:
        simulator.engine(name).set_faults(**FAULTS_OFF)


@asynccontextmanager
async def started(
    settings: Settings, simulator: SimulatorServer, leg_timeout_s: float = 5.0
) -> AsyncIterator[ExecService]:
    service = ExecService(
        settings, RiskLimits(), simulator_url=simulator.base_url, poll_interval_s=0.2
    )
    await service.start()
    assert service.arbitrage is not None
    service.arbitrage.settlement.leg_timeout_s = leg_timeout_s
    try:
        yield service
    finally:
        await service.stop()


async def trade_with_fault(
    service: ExecService, simulator: SimulatorServer, leg: str, fault: dict
) -> ArbitrageTrade:
    """One trade of the next opportunity with ``fault`` on the venue of its ``leg``."""
    executor = service.arbitrage
    assert executor is not None
    o = next_opportunity(simulator)
    pair = validate_pair(SYMBOL, VENUES, 1.0, 1.0, 10.0, CONFIGURED)
    assert service.market is not None
    for name in VENUES:
        await service.refresh_balances(name)
    await books_caught_up(service.market, simulator)  # the risk checks' mids, before the fault
    venue = o.buy_exchange if leg == "buy" else o.sell_exchange
    simulator.engine(venue).set_faults(timeout_delay_ms=300, **fault)
    trade = await executor.execute(pair, o)
    assert trade is not None
    return trade


def assert_persisted(reader: QuestDBReader, trade: ArbitrageTrade) -> None:
    (stored,) = TradeStore(None, reader).latest(trade.trade_id)  # type: ignore[arg-type]
    assert (stored.status, stored.seq) == (trade.status, trade.seq)
    assert stored.residual == pytest.approx(trade.residual)
    assert [leg.client_order_id for leg in stored.legs] == [
        leg.client_order_id for leg in trade.legs
    ]


def assert_bounded(trade: ArbitrageTrade, before: Decimal, simulator: SimulatorServer) -> None:
    """The venues agree with the record, and the trade's net base position is within the bound
    (buys pay their taker fee in the base asset: that much is not hedged)."""
    assert trade.status in OUTCOMES and trade.status != "exposed", trade.message
    assert abs(trade.residual) < trade.residual_bound
    moved = float(base_held(simulator) - before)
    assert abs(moved - trade.residual) <= TAKER_FEE * float(trade.filled("buy")) + 1e-9
    assert abs(moved) < trade.residual_bound


@pytest.mark.parametrize(
    ("leg", "fault"),
    [
        ("sell", {"error_rate": 1.0}),
        ("buy", {"error_rate": 1.0}),
        ("sell", {"timeout_rate": 1.0}),
    ],
    ids=["sell-5xx", "buy-5xx", "sell-timeout"],
)
async def test_a_failed_leg_is_unwound_and_settled_when_its_venue_answers(
    settings: Settings,
    simulator: SimulatorServer,
    reader: QuestDBReader,
    faults: None,
    leg: str,
    fault: dict,
) -> None:
    async with started(settings, simulator, leg_timeout_s=1.0) as service:
        before = base_held(simulator)
        trade = await trade_with_fault(service, simulator, leg, fault)
        assert trade.status == UNRESOLVED  # the failed leg's outcome cannot be known yet
        (opening,) = [x for x in trade.legs if x.role == leg]
        (unwind,) = [x for x in trade.legs if x.role == "unwind"]
        assert not opening.resolved and unwind.filled > 0
        assert abs(trade.residual) < trade.residual_bound  # already hedged while unknown
        assert_persisted(reader, trade)
        simulator.engine(opening.exchange).set_faults(**FAULTS_OFF)
        assert service.arbitrage is not None
        await service.arbitrage.settlement.settle(trade)
        assert trade.status == "unwound"
        assert opening.status == "rejected" and opening.filled == 0
        assert_bounded(trade, before, simulator)
        assert_persisted(reader, trade)


@pytest.mark.parametrize("leg", ["buy", "sell"])
async def test_a_dropped_response_is_looked_up_and_both_legs_count(
    settings: Settings, simulator: SimulatorServer, reader: QuestDBReader, faults: None, leg: str
) -> None:
    async with started(settings, simulator) as service:
        before = base_held(simulator)
        trade = await trade_with_fault(service, simulator, leg, {"drop_order_response": 1.0})
        assert trade.status == "completed", trade.message
        assert [x.role for x in trade.legs] == ["buy", "sell"]
        assert trade.legs[0].filled == trade.legs[1].filled > 0
        assert trade.realised_edge > 0 and trade.realised_edge_bps is not None
        assert service.oms is not None
        sent = [service.oms.by_client_id(x.client_order_id) for x in trade.legs]
        gap_ms = abs(sent[0].created_us - sent[1].created_us) / 1000  # both pending_new rows
        print(json.dumps({"metric": "arbitrage_legs_sent_apart_ms", "leg": leg, "value": gap_ms}))
        assert gap_ms < 100  # sent together, not one after the other's answer
        assert_bounded(trade, before, simulator)
        assert_persisted(reader, trade)


@pytest.mark.parametrize(("bound_bps", "outcome"), [(0.0, "unwound"), (200.0, "hedged")])
async def test_a_partial_fill_is_retried_within_the_bound_else_unwound(
    settings: Settings,
    simulator: SimulatorServer,
    reader: QuestDBReader,
    bound_bps: float,
    outcome: str,
) -> None:
    async with started(settings, simulator) as service:
        executor = service.arbitrage
        assert executor is not None
        before = base_held(simulator)
        while True:  # top levels far enough apart that the gap is well above the minimum
            o = next_opportunity(simulator)
            ask_size = top(simulator.engine(o.buy_exchange)).ask_size
            bid_size = top(simulator.engine(o.sell_exchange)).bid_size
            if abs(ask_size - bid_size) > 0.001:
                break
            simulator.engine(o.buy_exchange).advance(10)
        larger = max(ask_size, bid_size)
        # Sized for the larger top level: the other leg's IOC fills only its top level.
        oversized = Opportunity(**{**_fields(o), "amount": larger})
        pair = validate_pair(SYMBOL, VENUES, larger, 1.0, bound_bps, CONFIGURED)
        for name in VENUES:
            await service.refresh_balances(name)
        trade = await executor.execute(pair, oversized)
        assert trade is not None
        opening = {x.role: x for x in trade.legs if x.role in ("buy", "sell")}
        assert opening["buy"].filled != opening["sell"].filled
        assert trade.status == outcome, trade.legs  # the legs tell what happened
        hedge = trade.legs[-1]
        assert hedge.role == ("retry" if outcome == "hedged" else "unwind")
        assert_bounded(trade, before, simulator)
        assert_persisted(reader, trade)


def _fields(o: Opportunity) -> dict:
    return {name: getattr(o, name) for name in Opportunity.__slots__}


def test_a_non_positive_or_non_finite_edge_is_refused() -> None:
    for edge in (0.0, -5.0, float("nan"), float("inf")):
        with pytest.raises(PairConfigError) as refused:
            validate_pair(SYMBOL, VENUES, 0.01, edge, 10.0, CONFIGURED)
        assert refused.value.field == "min_edge_bps"
    with pytest.raises(PairConfigError, match="exchanges: must name two different venues"):
        validate_pair(SYMBOL, ("sim_a", "sim_a"), 0.01, 5.0, 10.0, CONFIGURED)
    with pytest.raises(PairConfigError, match="amount: must be a positive finite number"):
        validate_pair(SYMBOL, VENUES, 0.0, 5.0, 10.0, CONFIGURED)


async def test_one_direction_per_pair_per_scan(
    settings: Settings, simulator: SimulatorServer
) -> None:
    """Even with both directions priced in, a scan picks the better one only."""
    tops = {
        "sim_a": Top(bid=100.0, bid_size=1, ask=100.0, ask_size=1, taker_fee=0.0),
        "sim_b": Top(bid=100.0, bid_size=1, ask=100.0, ask_size=1, taker_fee=0.0),
    }
    assert len(find_opportunities(datetime.now(UTC), SYMBOL, tops, 0.0)) == 2
    async with started(settings, simulator) as service:
        executor: ArbitrageExecutor | None = service.arbitrage
        assert executor is not None
        o = next_opportunity(simulator)
        pair = validate_pair(SYMBOL, VENUES, 0.01, 1.0, 10.0, CONFIGURED)
        await books_caught_up(service.market, simulator)  # what the executor reads
        found = await executor.scan(pair)
        assert found is not None
        assert (found.buy_exchange, found.sell_exchange) == (o.buy_exchange, o.sell_exchange)


async def test_legs_refused_by_risk_leave_the_trade_exposed_and_flagged(
    settings: Settings,
    simulator: SimulatorServer,
    reader: QuestDBReader,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Every buy breaks the position limit: the sell fills, no hedge may be sent (the OMS's
    risk checks apply to hedges too), and the trade says what is left open."""
    async with started(settings, simulator) as service:
        assert service.oms is not None and service.arbitrage is not None
        service.oms.limits = RiskLimits(max_position={"BTC": 0.001})
        o = next_opportunity(simulator)
        pair = validate_pair(SYMBOL, VENUES, 1.0, 1.0, 10.0, CONFIGURED)
        for name in VENUES:
            await service.refresh_balances(name)
        trade = await service.arbitrage.execute(pair, o)
        assert trade is not None
        assert trade.status == "exposed", trade.legs
        assert [(x.role, x.side, x.status) for x in trade.legs if x.side == "buy"] == [
            ("buy", "buy", "rejected"),
            ("retry", "buy", "rejected"),
            ("unwind", "buy", "rejected"),
            ("unwind", "buy", "rejected"),
        ]
        assert trade.residual == pytest.approx(-trade.amount)
        assert "beyond" in trade.message
        assert_persisted(reader, trade)
        flagged = [r for r in caplog.records if r.getMessage() == "arbitrage trade left exposed"]
        assert [r.trade_id for r in flagged] == [trade.trade_id]
