"""REST endpoints of the arbitrage executor, mounted by the service's API under ``/arbitrage``.

Enabling, changing and disabling a pair needs the ``risk`` permission (and is
audited like every state-changing route); reading pairs and trades needs ``read``.
The executor lives at ``app.state.service.arbitrage``; trade updates also reach the
WebSocket as ``arbitrage`` events through the service's bus.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query, Request
from pydantic import BaseModel, ConfigDict, Field

from deltaworks_exec.api.roles import allow
from deltaworks_exec.api.schemas import ErrorOut
from deltaworks_exec.arbitrage.executor import ArbitrageExecutor, UnknownTradeError
from deltaworks_exec.arbitrage.pairs import DEFAULT_RETRY_BOUND_BPS, MAX_EDGE_BPS, PairConfigError
from deltaworks_exec.arbitrage.trades import OUTCOMES
from deltaworks_exec.auth.roles import Permission

OUTCOME_NAMES = sorted(OUTCOMES)


class PairIn(BaseModel):
    """A pair to enable (or change): one symbol on two venues."""

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)

    symbol: str = Field(description="A symbol configured on both venues, e.g. BTC/USDT")
    exchanges: list[str] = Field(min_length=2, max_length=2, description="Two venue names")
    amount: float = Field(gt=0, description="Base amount per trade (at most)")
    min_edge_bps: float = Field(
        gt=0, le=MAX_EDGE_BPS, description="Edge after both taker fees needed to trade"
    )
    retry_bound_bps: float = Field(
        default=DEFAULT_RETRY_BOUND_BPS,
        ge=0,
        le=1_000,
        description="How much worse than quoted a failed leg may be retried",
    )


class PairOut(BaseModel):
    pair_id: str
    symbol: str
    exchanges: list[str]
    amount: float
    min_edge_bps: float
    retry_bound_bps: float
    enabled: bool


class LegOut(BaseModel):
    role: str = Field(description="buy, sell (the opening legs), retry or unwind")
    exchange: str
    side: str
    client_order_id: str
    amount: float
    price: float | None = Field(description="None: a market order")
    status: str
    filled: float
    average: float | None
    order_id: str | None
    reason: str | None


class TradeOut(BaseModel):
    """A trade: its legs and fills, the residual exposure and the realised edge."""

    trade_id: str
    pair_id: str
    status: str = Field(description=f"sending, hedging, unresolved; or {', '.join(OUTCOME_NAMES)}")
    symbol: str
    buy_exchange: str
    sell_exchange: str
    amount: float
    buy_price: float
    sell_price: float
    expected_edge_bps: float
    retry_bound_bps: float
    bought: float
    sold: float
    residual: float = Field(description="Base bought minus sold over both venues")
    residual_bound: float = Field(description="Smallest residual that could still be traded")
    realised_edge: float = Field(description="Quote earned net of taker fees")
    realised_edge_bps: float | None
    legs: list[LegOut]
    message: str
    seq: int
    ts: str | None


def _executor(request: Request) -> ArbitrageExecutor:
    executor = getattr(request.app.state.service, "arbitrage", None)
    if executor is None:
        raise HTTPException(503, "arbitrage is not available yet: the service is starting")
    return executor


def _unprocessable(field: str, message: str) -> HTTPException:
    return HTTPException(422, [{"loc": ["body", field], "msg": message, "type": "value_error"}])


def arbitrage_router() -> APIRouter:
    router = APIRouter(prefix="/arbitrage", tags=["arbitrage"])
    missing = {404: {"model": ErrorOut, "description": "unknown pair or trade"}}

    @router.get("/pairs", dependencies=[allow(Permission.READ)])
    async def list_pairs(request: Request) -> list[PairOut]:
        """Every configured pair, enabled or not."""
        pairs = _executor(request).pairs.values()
        return [PairOut(**p.public()) for p in sorted(pairs, key=lambda p: p.pair_id)]

    @router.put("/pairs", dependencies=[allow(Permission.RISK)])
    async def enable_pair(body: PairIn, request: Request) -> PairOut:
        """Enable (or change) arbitrage of one symbol between two venues."""
        try:
            pair = await _executor(request).configure(
                body.symbol, body.exchanges, body.amount, body.min_edge_bps, body.retry_bound_bps
            )
        except PairConfigError as exc:
            raise _unprocessable(exc.field, exc.message) from None
        return PairOut(**pair.public())

    @router.post(
        "/pairs/{pair_id}/disable", dependencies=[allow(Permission.RISK)], responses=missing
    )
    async def disable_pair(pair_id: str, request: Request) -> PairOut:
        """Stop trading a pair; a trade still settling finishes by the policy."""
        try:
            pair = await _executor(request).disable(pair_id)
        except PairConfigError as exc:
            raise HTTPException(404, exc.message) from None
        return PairOut(**pair.public())

    @router.get("/trades", dependencies=[allow(Permission.READ)])
    async def list_trades(
        request: Request,
        status: str | None = None,
        limit: Annotated[int, Query(ge=1, le=10_000)] = 200,
    ) -> list[TradeOut]:
        """Trades, newest first, optionally by status."""
        rows: list[dict[str, Any]] = await _executor(request).list_trades(status)
        return [TradeOut(**row) for row in rows[:limit]]

    @router.get("/trades/{trade_id}", dependencies=[allow(Permission.READ)], responses=missing)
    async def show_trade(trade_id: str, request: Request) -> TradeOut:
        """One trade: legs, fills, residual exposure, realised edge, status."""
        try:
            return TradeOut(**await _executor(request).trade(trade_id))
        except UnknownTradeError as exc:
            raise HTTPException(404, exc.message) from None

    return router
