"""The FastAPI application: REST for orders, venues, risk and health; a WebSocket of events."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from typing import Annotated, Any

from fastapi import APIRouter, FastAPI, HTTPException, Query, Request, Response, WebSocket
from fastapi.responses import JSONResponse

from deltaworks_core.config import RiskLimits
from deltaworks_core.questdb import QuestDBReader
from deltaworks_exec.api.algos import algo_router
from deltaworks_exec.api.arbitrage import arbitrage_router
from deltaworks_exec.api.audit import router as audit_router
from deltaworks_exec.api.dashboard import router as dashboard_router
from deltaworks_exec.api.docs_pages import add_docs_pages
from deltaworks_exec.api.execution_reports import router as execution_reports_router
from deltaworks_exec.api.openapi_polish import polish_openapi
from deltaworks_exec.api.roles import (
    acting_user,
    allow,
    document_roles,
    presented_token,
    sign_in,
)
from deltaworks_exec.api.schemas import (
    BalanceOut,
    ErrorOut,
    KillSwitchIn,
    KillSwitchOut,
    OrderDetail,
    OrderIn,
    OrderOut,
    PositionOut,
)
from deltaworks_exec.api.stream import MarketFeeds
from deltaworks_exec.api.validation import install as install_validation
from deltaworks_exec.api.validation import listable
from deltaworks_exec.audit.log import AuditLog
from deltaworks_exec.auth.roles import Permission
from deltaworks_exec.auth.signin import Authenticator
from deltaworks_exec.auth.store import UserStore
from deltaworks_exec.oms.errors import (
    OrderInputError,
    OrderStateError,
    PersistenceError,
    UnknownOrderError,
)
from deltaworks_exec.oms.manager import NewOrder, OrderManager
from deltaworks_exec.oms.states import OrderState
from deltaworks_exec.service import ExecService


def _oms(request: Request) -> OrderManager:
    service: ExecService = request.app.state.service
    if not service.ready or service.oms is None:
        raise HTTPException(503, "the service is starting: recovery in progress")
    return service.oms


def _venue_name(request: Request, exchange: str) -> str:
    if exchange not in request.app.state.service.venues:
        raise HTTPException(404, f"unknown exchange {exchange!r}")
    return exchange


def create_app(service: ExecService, token: str | None) -> FastAPI:
    """The API over ``service``; ``token=None`` only in development mode on loopback."""

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        users_reader = QuestDBReader(service.settings.questdb, max_connections=2)
        app.state.authenticator = Authenticator(
            UserStore(users_reader), token, development=token is None
        )
        app.state.audit = AuditLog(users_reader)
        await service.start()
        app.state.feeds = MarketFeeds(service)
        try:
            yield
        finally:
            await app.state.feeds.close()
            await service.stop()
            users_reader.close()

    app = FastAPI(
        title="Delta Works execution service",
        version="0.1.0",
        description="Orders, risk and venues of the Delta Works OEMS. "
        "Every endpoint but /health needs `Authorization: Bearer <token>` and a role that "
        "grants the endpoint's permission (`x-permission`, `x-roles`).",
        lifespan=lifespan,
        docs_url=None,
        redoc_url=None,
    )
    app.state.service = service
    app.include_router(algo_router())
    app.include_router(arbitrage_router())
    app.include_router(audit_router)
    install_validation(app)
    app.include_router(execution_reports_router)

    @app.exception_handler(OrderInputError)
    async def _input_error(_: Request, exc: OrderInputError) -> JSONResponse:
        detail = [{"loc": ["body", exc.field], "msg": exc.message, "type": "value_error"}]
        return JSONResponse({"detail": detail}, status_code=422)

    @app.exception_handler(UnknownOrderError)
    async def _unknown(_: Request, exc: UnknownOrderError) -> JSONResponse:
        return JSONResponse({"detail": exc.message}, status_code=404)

    @app.exception_handler(OrderStateError)
    async def _state(_: Request, exc: OrderStateError) -> JSONResponse:
        return JSONResponse({"detail": str(exc)}, status_code=409)

    @app.exception_handler(PersistenceError)
    async def _persistence(_: Request, exc: PersistenceError) -> JSONResponse:
        return JSONResponse({"detail": str(exc)}, status_code=503)

    protected = APIRouter(
        responses={
            401: {"model": ErrorOut, "description": "no bearer token"},
            403: {"model": ErrorOut, "description": "wrong token, or a role without permission"},
            429: {"model": ErrorOut, "description": "too many failed sign-ins"},
        },
    )

    @app.get("/health", tags=["service"])
    async def health() -> dict[str, Any]:
        """Liveness and readiness (no token needed)."""
        return {"status": "ok" if service.ready else "starting", "ready": service.ready}

    @protected.get("/status", tags=["service"], dependencies=[allow(Permission.READ)])
    async def status(request: Request) -> dict[str, Any]:
        """Open orders by state, kill switch, venues (``venues_down``: each venue out of service,
        why, since when, attempts), last reconciliation findings."""
        _oms(request)
        return service.status()

    @protected.post(
        "/orders",
        tags=["orders"],
        dependencies=[allow(Permission.TRADE)],
        status_code=201,
        response_model=OrderOut,
        responses={200: {"description": "the client order id was known: the first order"}},
    )
    async def submit_order(body: OrderIn, request: Request, response: Response) -> dict:
        """Submit an order. Rejected orders come back with ``status: rejected`` and a reason."""
        new = NewOrder(**body.model_dump(), user=acting_user(request))
        order, created = await _oms(request).submit(new)
        if not created:
            response.status_code = 200
        return order.public()

    @protected.get(
        "/orders",
        tags=["orders"],
        response_model=list[OrderOut],
        dependencies=[allow(Permission.READ)],
    )
    async def list_orders(
        request: Request,
        response: Response,
        status: Annotated[list[OrderState] | None, Query()] = None,
        exchange: str | None = None,
        symbol: str | None = None,
        algo_id: str | None = None,
        open_only: bool = False,
        limit: Annotated[int, Query(ge=1, le=10_000)] = 500,
    ) -> list[dict]:
        """Orders, newest first, filtered by state, exchange, symbol, algorithm (a damaged
        one is left out and named in ``X-Skipped-Rows``)."""
        oms = _oms(request)
        orders = oms.open_orders() if open_only else list(oms.orders.values())
        selected = [
            o
            for o in orders
            if (not status or o.status in status)
            and (exchange is None or o.exchange == exchange)
            and (symbol is None or o.symbol == symbol)
            and (algo_id is None or o.algo_id == algo_id)
        ]
        selected.sort(key=lambda o: o.created_us, reverse=True)
        return listable((o.public() for o in selected[:limit]), "order_id", OrderOut, response)

    @protected.get(
        "/orders/{order_id}",
        tags=["orders"],
        dependencies=[allow(Permission.READ)],
        response_model=OrderDetail,
        responses={404: {"model": ErrorOut, "description": "unknown order"}},
    )
    async def show_order(order_id: str, request: Request) -> dict:
        """One order with its transitions and fills as stored in QuestDB."""
        order = _oms(request).get(order_id)
        events, fills = await service.order_history(order_id)
        return {"order": order.public(), "events": events, "fills": fills}

    @protected.delete(
        "/orders/{order_id}",
        tags=["orders"],
        dependencies=[allow(Permission.TRADE)],
        response_model=OrderOut,
        responses={
            404: {"model": ErrorOut, "description": "unknown order"},
            409: {"model": ErrorOut, "description": "the order cannot be canceled"},
        },
    )
    async def cancel_order(order_id: str, request: Request) -> dict:
        """Cancel an open order (409 when it is no longer cancelable)."""
        return (await _oms(request).cancel(order_id, acting_user(request))).public()

    @protected.get("/venues", tags=["venues"], dependencies=[allow(Permission.READ)])
    async def venues() -> list[str]:
        """Names of the connected venues."""
        return sorted(service.venues)

    @protected.get(
        "/venues/{exchange}/balances",
        tags=["venues"],
        dependencies=[allow(Permission.READ)],
        response_model=list[BalanceOut],
    )
    async def balances(exchange: str, request: Request) -> list[Any]:
        """Balances as last read from the venue (refreshed every poll)."""
        name = _venue_name(request, exchange)
        return list(_oms(request).balances.get(name, {}).values())

    @protected.get(
        "/venues/{exchange}/positions",
        tags=["venues"],
        dependencies=[allow(Permission.READ)],
        response_model=list[PositionOut],
    )
    async def positions(exchange: str, request: Request) -> list[dict]:
        """Holdings of each traded asset and what open orders would add or remove."""
        name = _venue_name(request, exchange)
        _oms(request)
        return service.positions(name)

    @protected.get(
        "/risk/limits",
        tags=["risk"],
        response_model=RiskLimits,
        dependencies=[allow(Permission.READ)],
    )
    async def get_limits(request: Request) -> RiskLimits:
        """The pre-trade limits in force."""
        return _oms(request).limits

    @protected.put(
        "/risk/limits",
        tags=["risk"],
        response_model=RiskLimits,
        dependencies=[allow(Permission.RISK)],
    )
    async def put_limits(body: RiskLimits, request: Request) -> RiskLimits:
        """Replace the limits (in memory; the configuration file holds the defaults)."""
        _oms(request).limits = body
        return body

    @protected.get(
        "/risk/kill-switch",
        tags=["risk"],
        response_model=KillSwitchOut,
        dependencies=[allow(Permission.READ)],
    )
    async def get_kill_switch(request: Request) -> dict:
        """Whether the kill switch is on."""
        return {"engaged": _oms(request).kill_switch}

    @protected.post(
        "/risk/kill-switch",
        tags=["risk"],
        response_model=KillSwitchOut,
        dependencies=[allow(Permission.RISK)],
    )
    async def set_kill_switch(body: KillSwitchIn, request: Request) -> dict:
        """Engage or release the kill switch. On: block new orders and cancel every open one;
        off: accept orders again."""
        _oms(request)
        canceled = await service.set_kill_switch(body.engaged, body.reason, acting_user(request))
        return {"engaged": body.engaged, "canceled": canceled}

    app.include_router(protected)
    app.include_router(dashboard_router)

    @app.websocket("/ws")
    async def events(websocket: WebSocket) -> None:
        """Order, fill and kill-switch events in ``seq`` order; messages are actions
        (``ws_actions``), e.g. ``{"subscribe": {"exchange": ..., "symbols": [...]}}``."""
        presented = presented_token(websocket.headers.get("authorization"))
        presented = presented or websocket.query_params.get("token")
        try:
            principal = await sign_in(websocket, presented)
        except HTTPException as exc:
            await websocket.send_denial_response(Response(status_code=exc.status_code))
            return
        if not principal.may(Permission.READ):
            await websocket.send_denial_response(Response(status_code=403))
            return
        await websocket.accept()
        await app.state.feeds.serve(websocket, presented, principal)

    document_roles(app)
    polish_openapi(app)
    add_docs_pages(app)
    return app
