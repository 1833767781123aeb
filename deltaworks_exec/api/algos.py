"""REST endpoints for parent orders, mounted by the service's API under ``/algos``.

The application mounts ``algo_router()`` with its bearer-token dependency and
keeps the supervisor at ``app.state.service.algos``; progress events reach the
WebSocket through the service's bus (``BusProgress``).
"""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter, HTTPException, Request, Response
from pydantic import BaseModel, Field, field_validator

from deltaworks_core.numbers import Amount, non_finite_path
from deltaworks_exec.algos.base import AlgoError, AlgoStatus
from deltaworks_exec.algos.supervisor import AlgoSupervisor, UnknownAlgoError, detail, summary
from deltaworks_exec.api.roles import acting_user, allow
from deltaworks_exec.api.validation import SKIPPED_HEADER, listable
from deltaworks_exec.auth.roles import Permission


class AlgoIn(BaseModel):
    algo: Literal["twap", "vwap", "pov", "iceberg", "stop", "bracket"]
    exchange: str
    symbol: str
    side: Literal["buy", "sell"]
    quantity: Amount
    params: dict[str, Any] = Field(default_factory=dict)
    algo_id: str | None = Field(default=None, pattern=r"^[A-Za-z0-9_]{1,28}$")

    @field_validator("params")
    @classmethod
    def _finite(cls, params: dict[str, Any]) -> dict[str, Any]:
        if (path := non_finite_path(params)) is not None:
            raise ValueError(f"params.{path} must be a finite number")
        return params


class AlgoOut(BaseModel):
    """A parent order's progress."""

    algo_id: str
    algo: str
    status: str
    exchange: str
    symbol: str
    side: str
    quantity: float
    filled: float
    average: float | None
    target: float = Field(description="Quantity the schedule wanted done by now")
    children: int = Field(description="Child client order ids used so far")
    message: str
    start_ms: int | None
    params: dict[str, Any]
    user: str | None = Field(
        default=None, description="Who made the last request acting on it (start, pause, ...)"
    )


class SchedulePoint(BaseModel):
    time_ms: int
    target: float


class ChildOut(BaseModel):
    client_order_id: str | None
    order_id: str
    type: str
    side: str
    price: float | None
    amount: float
    filled: float
    average: float | None
    status: str


class AlgoDetail(AlgoOut):
    """Progress, the schedule (cumulative targets) and every child order."""

    schedule: list[SchedulePoint]
    orders: list[ChildOut]


def _algos(request: Request) -> AlgoSupervisor:
    algos = getattr(request.app.state.service, "algos", None)
    if algos is None:
        raise HTTPException(503, "algorithms are not available yet: the service is starting")
    return algos


def _unprocessable(field: str, message: str) -> HTTPException:
    return HTTPException(422, [{"loc": ["body", field], "msg": message, "type": "value_error"}])


def algo_router() -> APIRouter:
    router = APIRouter(prefix="/algos", tags=["algorithms"])

    @router.post("", status_code=201, dependencies=[allow(Permission.TRADE)])
    async def start(body: AlgoIn, request: Request) -> AlgoOut:
        """Start a parent order; ``params`` as the algorithm takes them. One the market's rules
        cannot execute (below its smallest order) is 422 with the reason; one that fits fewer
        slices than asked starts with fewer (said in ``message``)."""
        try:
            algo = await _algos(request).start(
                body.algo,
                body.exchange,
                body.symbol,
                body.side,
                body.quantity,
                body.params,
                body.algo_id,
                acting_user(request),
            )
        except (ValueError, AlgoError) as exc:
            raise _unprocessable("params", str(exc)) from None
        return AlgoOut(**summary(algo))

    @router.get(
        "",
        dependencies=[allow(Permission.READ)],
        responses={200: {"headers": {SKIPPED_HEADER: {"description": "damaged rows left out"}}}},
    )
    async def list_algos(
        request: Request, response: Response, status: AlgoStatus | None = None
    ) -> list[AlgoOut]:
        """Every parent order, optionally by status; a damaged stored row is left out and
        named in the ``X-Skipped-Rows`` header."""
        return listable(await _algos(request).list(status), "algo_id", AlgoOut, response)

    @router.get("/{algo_id}", dependencies=[allow(Permission.READ)])
    async def show(algo_id: str, request: Request) -> AlgoDetail:
        """One parent order: progress, schedule against actual, children."""
        try:
            return AlgoDetail(**detail(await _algos(request).get(algo_id)))
        except UnknownAlgoError as exc:
            raise HTTPException(404, exc.message) from None

    async def _act(request: Request, algo_id: str, action: str) -> AlgoOut:
        algos = _algos(request)
        try:
            algo = await getattr(algos, action)(algo_id, acting_user(request))
        except UnknownAlgoError as exc:
            raise HTTPException(404, exc.message) from None
        except AlgoError as exc:
            raise HTTPException(409, str(exc)) from None
        return AlgoOut(**summary(algo))

    @router.post("/{algo_id}/pause", dependencies=[allow(Permission.TRADE)])
    async def pause(algo_id: str, request: Request) -> AlgoOut:
        """Stop sending and cancel open children."""
        return await _act(request, algo_id, "pause")

    @router.post("/{algo_id}/resume", dependencies=[allow(Permission.TRADE)])
    async def resume(algo_id: str, request: Request) -> AlgoOut:
        """Continue a paused parent order (catching up on its schedule)."""
        return await _act(request, algo_id, "resume")

    @router.post("/{algo_id}/cancel", dependencies=[allow(Permission.TRADE)])
    async def cancel(algo_id: str, request: Request) -> AlgoOut:
        """End the parent order and cancel its open children."""
        return await _act(request, algo_id, "cancel")

    return router
