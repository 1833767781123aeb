"""``GET /execution-reports``: execution quality of finished parent orders (role ``viewer`` up)."""

from __future__ import annotations

import asyncio
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, HTTPException, Query, Request
from pydantic import BaseModel, Field

from deltaworks_exec.api.roles import allow
from deltaworks_exec.auth.roles import Permission
from deltaworks_exec.quality.store import latest_report, latest_reports

router = APIRouter(tags=["execution reports"])
_NAME = r"^[A-Za-z0-9_/:.-]{1,40}$"


class ExecutionReportOut(BaseModel):
    """A parent order (an algorithm or a plain order) against the recorded market."""

    parent_id: str
    kind: str = Field(description="The algorithm (twap, vwap, ...) or `order`")
    exchange: str
    symbol: str
    side: str
    status: str
    started: datetime
    ended: datetime
    quantity: float
    filled: float
    fill_rate: float = Field(description="filled / quantity")
    average_price: float | None
    fills: int
    arrival_mid: float | None = Field(description="Recorded mid at the start")
    interval_vwap: float | None = Field(
        description="VWAP of recorded market trades (not the order's own), start-end"
    )
    interval_twap: float | None = Field(
        default=None, description="TWAP of recorded market trades (not the order's own)"
    )
    market_volume: float
    market_trades: int
    participation_rate: float | None = Field(
        default=None, description="filled / (market volume + filled)"
    )
    slippage_arrival_bps: float | None = Field(description="Positive: worse than arrival mid")
    slippage_vwap_bps: float | None = Field(description="Positive: worse than interval VWAP")
    fees: float | None = Field(default=None, description="Fees paid, in quote currency")
    shortfall_bps: float | None = Field(
        default=None, description="Implementation shortfall with fees = spread+impact+timing+fees"
    )
    spread_bps: float | None = Field(default=None, description="Half-spreads paid (or earned)")
    impact_bps: float | None = Field(
        default=None, description="Beyond the touch, and the mids met against the market TWAP"
    )
    timing_bps: float | None = Field(
        default=None, description="The market's drift: interval TWAP against arrival"
    )
    fees_bps: float | None = Field(default=None, description="Fees against filled notional")
    ts: datetime = Field(description="When the report was computed")


@router.get(
    "/execution-reports",
    response_model=list[ExecutionReportOut],
    dependencies=[allow(Permission.READ)],
)
async def list_execution_reports(
    request: Request,
    exchange: Annotated[str | None, Query(pattern=_NAME)] = None,
    symbol: Annotated[str | None, Query(pattern=_NAME)] = None,
    kind: Annotated[str | None, Query(pattern=_NAME)] = None,
    limit: Annotated[int, Query(ge=1, le=10_000)] = 100,
) -> list[dict]:
    """The report of each finished parent order, most recently ended first."""
    reader = request.app.state.service.reader
    return await asyncio.to_thread(latest_reports, reader, exchange, symbol, kind, limit)


@router.get(
    "/execution-reports/{parent_id}",
    response_model=ExecutionReportOut,
    dependencies=[allow(Permission.READ)],
)
async def get_execution_report(request: Request, parent_id: str) -> dict:
    """The report of one algorithm (by ``algo_id``) or plain order (by ``order_id``)."""
    report = await asyncio.to_thread(latest_report, request.app.state.service.reader, parent_id)
    if report is None:
        raise HTTPException(404, f"no execution report for {parent_id!r} (yet)")
    return report
