"""``/dashboard``: the single-page app's files, and the QuestDB reads it needs (token required).

Include in the API with ``app.include_router(router)``.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any

import psycopg
from fastapi import APIRouter, HTTPException, Query, Request
from fastapi import Path as PathParam
from fastapi.responses import FileResponse, RedirectResponse

from deltaworks_core.questdb import QuestDBReader
from deltaworks_exec.api import dashboard_queries as queries
from deltaworks_exec.api.dashboard_meta import router as meta_router
from deltaworks_exec.api.dashboard_schemas import (
    AlgoProgressOut,
    ArbitrageOut,
    BacktestRunOut,
    EquityPoint,
    HoldingOut,
    PortfolioOut,
    StoredFillOut,
    WithdrawalOut,
)
from deltaworks_exec.api.roles import allow
from deltaworks_exec.auth.roles import Permission
from deltaworks_exec.dashboard import STATIC

_MEDIA_TYPES = {
    ".html": "text/html",
    ".js": "text/javascript",
    ".css": "text/css",
    ".svg": "image/svg+xml",
}
_CSP = (
    "default-src 'self'; connect-src 'self'; img-src 'self' data:; "
    "style-src 'self'; script-src 'self'; frame-ancestors 'none'"
)

Limit = Annotated[int, Query(ge=1, le=1000, description="Most rows returned.")]
_TEXT = r"^[^\x00]+$"  # PostgreSQL text cannot hold NUL: refuse it as bad input, not a 503
Name = Annotated[str | None, Query(min_length=1, max_length=64, pattern=_TEXT)]
Key = Annotated[str, PathParam(min_length=1, max_length=64, pattern=_TEXT)]

router = APIRouter()
data = APIRouter(prefix="/dashboard/api", tags=["dashboard"], dependencies=[allow(Permission.READ)])


async def _read(request: Request, query: Callable[..., Any], *args: Any) -> Any:
    """Run a query off the event loop; 503 while the service starts or QuestDB fails."""
    service = request.app.state.service
    reader: QuestDBReader | None = service.reader
    if not service.ready or reader is None:
        raise HTTPException(503, "the service is starting: recovery in progress")
    try:
        return await asyncio.to_thread(query, reader, *args)
    except psycopg.Error as exc:
        first_line = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise HTTPException(503, f"QuestDB query failed: {first_line}") from None


@data.get("/holdings", response_model=list[HoldingOut])
async def holdings(
    request: Request, exchange: Name = None, account_type: Name = None
) -> list[dict[str, Any]]:
    """Assets of the latest holdings snapshot of each exchange account type."""
    return await _read(request, queries.holdings, exchange, account_type)


@data.get("/portfolio", response_model=PortfolioOut)
async def portfolio(
    request: Request, points: Annotated[int, Query(ge=1, le=10_000)] = 2000
) -> dict[str, Any]:
    """Latest portfolio value by exchange and account type, and its recent history."""
    return await _read(request, queries.portfolio, points)


@data.get("/withdrawals", response_model=list[WithdrawalOut])
async def withdrawals(
    request: Request, exchange: Name = None, limit: Limit = 50
) -> list[dict[str, Any]]:
    """Most recent withdrawals, newest first."""
    return await _read(request, queries.withdrawals, exchange, limit)


@data.get("/fills", response_model=list[StoredFillOut])
async def fills(request: Request, exchange: Name = None, limit: Limit = 50) -> list[dict[str, Any]]:
    """Most recent fills as stored in QuestDB, newest first."""
    return await _read(request, queries.fills, exchange, limit)


@data.get("/algos", response_model=list[AlgoProgressOut])
async def algos(request: Request, limit: Limit = 50) -> list[dict[str, Any]]:
    """The latest progress event of each parent order, most recently active first."""
    return await _read(request, queries.algos, limit)


@data.get("/algos/{algo_id}/events", response_model=list[AlgoProgressOut])
async def algo_events(request: Request, algo_id: Key) -> list[dict[str, Any]]:
    """Progress of one parent order over time (filled against the schedule's target)."""
    rows = await _read(request, queries.algo_history, algo_id)
    if not rows:
        raise HTTPException(404, f"unknown algorithm {algo_id!r}")
    return rows


@data.get("/arbitrage", response_model=list[ArbitrageOut])
async def arbitrage(request: Request, symbol: Name = None, limit: Limit = 50) -> list[dict]:
    """Most recent arbitrage opportunities, newest first."""
    return await _read(request, queries.arbitrage, symbol, limit)


@data.get("/backtests", response_model=list[BacktestRunOut])
async def backtests(request: Request, limit: Limit = 20) -> list[dict[str, Any]]:
    """Stored backtest runs, newest first."""
    return await _read(request, queries.backtest_runs, limit)


@data.get("/backtests/{run_id}/equity", response_model=list[EquityPoint])
async def backtest_equity(request: Request, run_id: Key) -> list[dict[str, Any]]:
    """The equity curve of one backtest run."""
    rows = await _read(request, queries.backtest_equity, run_id)
    if not rows:
        raise HTTPException(404, f"unknown backtest run {run_id!r}")
    return rows


@router.get("/dashboard", include_in_schema=False)
async def dashboard_root() -> RedirectResponse:
    return RedirectResponse("/dashboard/")


@router.get("/dashboard/", include_in_schema=False)
async def dashboard_index() -> FileResponse:
    """The page itself holds no data: everything is fetched with the token the user enters."""
    return _file(STATIC / "index.html")


@router.get("/dashboard/assets/{name:path}", include_in_schema=False)
async def dashboard_asset(name: str) -> FileResponse:
    try:
        path = (STATIC / name).resolve()
        found = path.is_relative_to(STATIC.resolve()) and path.is_file()
    except (OSError, ValueError):  # NUL bytes, names too long
        found = False
    if not found:
        raise HTTPException(404, f"no dashboard file {name!r}")
    return _file(path)


def _file(path: Path) -> FileResponse:
    headers = {"Cache-Control": "no-cache", "Content-Security-Policy": _CSP}
    return FileResponse(path, media_type=_MEDIA_TYPES.get(path.suffix), headers=headers)


router.include_router(data)
router.include_router(meta_router)
