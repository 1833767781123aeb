"""What a client may send on the WebSocket: one action per message, each declared next to its
handler with the permission it needs (``@ws_action(name, Permission.X, Params)``).

A message reads ``{"<action>": {...parameters}}``. Every message is signed in again (a
revoked or expired token is refused at its next message and the socket closed), checked
against the action's permission (403, the socket stays open), audited when it changes
state (``ws.<action>``, allowed or denied, before it takes effect), validated (422), then
handled. Replies are ``{"type": <the action's reply>, "data": {...}}`` or
``{"type": "error", "data": {"action", "status", "detail"}}``.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

from fastapi import HTTPException, WebSocket
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from deltaworks_exec.api.roles import READ_ONLY, record_audit, roles_with, sign_in
from deltaworks_exec.api.schemas import KillSwitchIn
from deltaworks_exec.audit.log import AuditEvent, Outcome
from deltaworks_exec.auth.roles import Permission, Principal
from deltaworks_exec.oms.errors import OrderStateError, PersistenceError, UnknownOrderError
from deltaworks_exec.oms.manager import OrderManager
from deltaworks_exec.service import ExecService

POLICY_VIOLATION = 1008  # the WebSocket close code of a refused sign-in


class BookFeeds(Protocol):
    """Order-book feeds shared by the sockets (``MarketFeeds``)."""

    def acquire(self, exchange: str, symbol: str) -> None: ...

    def release(self, exchange: str, symbol: str) -> None: ...


@dataclass
class WsSession:
    """One open socket: who signed in with which token, and the books it subscribed to."""

    websocket: WebSocket
    service: ExecService
    feeds: BookFeeds
    presented: str | None
    principal: Principal
    subscribed: set[tuple[str, str]] = field(default_factory=set)


class WsRefused(Exception):
    """An action refused or failed: ``status`` as HTTP would answer it."""

    def __init__(self, status: int, detail: str) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail


Handler = Callable[[WsSession, Any], Awaitable[dict[str, Any]]]


@dataclass(frozen=True)
class WsAction:
    """A declared action: its permission, parameter model, reply type and handler."""

    name: str
    permission: Permission
    params: type[BaseModel]
    reply: str
    handler: Handler

    @property
    def audited(self) -> bool:
        """State-changing actions leave an audit row, allowed or denied."""
        return self.permission not in READ_ONLY


WS_ACTIONS: dict[str, WsAction] = {}


def ws_action(
    name: str, permission: Permission, params: type[BaseModel], reply: str
) -> Callable[[Handler], Handler]:
    """Declare a WebSocket action: the message key ``name`` needs ``permission``."""

    def register(handler: Handler) -> Handler:
        if name in WS_ACTIONS:
            raise ValueError(f"WebSocket action {name!r} is declared twice")
        WS_ACTIONS[name] = WsAction(name, permission, params, reply, handler)
        return handler

    return register


# -- the actions -----------------------------------------------------------------------------


class Subscription(BaseModel):
    """Order-book events wanted for ``symbols`` of ``exchange``."""

    model_config = ConfigDict(extra="forbid")

    exchange: str
    symbols: list[str] = Field(min_length=1, max_length=20)


class CancelOrderIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    order_id: str = Field(min_length=1, max_length=64)


def _markets(session: WsSession, request: Subscription) -> None:
    venue = session.service.venues.get(request.exchange)
    if venue is None:
        raise WsRefused(422, f"subscribe.exchange: unknown exchange {request.exchange!r}")
    for symbol in request.symbols:
        try:
            venue.rules(symbol)
        except Exception:
            raise WsRefused(
                422, f"subscribe.symbols: {symbol!r} is not a market of {request.exchange}"
            ) from None


@ws_action("subscribe", Permission.READ, Subscription, reply="subscribed")
async def subscribe(session: WsSession, request: Subscription) -> dict[str, Any]:
    """Receive ``book`` events (top 10 levels, about once a second) for these symbols."""
    _markets(session, request)
    for symbol in request.symbols:
        if (request.exchange, symbol) not in session.subscribed:
            session.subscribed.add((request.exchange, symbol))
            session.feeds.acquire(request.exchange, symbol)
    return request.model_dump()


@ws_action("unsubscribe", Permission.READ, Subscription, reply="unsubscribed")
async def unsubscribe(session: WsSession, request: Subscription) -> dict[str, Any]:
    """Stop ``book`` events for these symbols."""
    for symbol in request.symbols:
        if (request.exchange, symbol) in session.subscribed:
            session.subscribed.discard((request.exchange, symbol))
            session.feeds.release(request.exchange, symbol)
    return request.model_dump()


def _oms(session: WsSession) -> OrderManager:
    if not session.service.ready or session.service.oms is None:
        raise WsRefused(503, "the service is starting: recovery in progress")
    return session.service.oms


@ws_action("cancel_order", Permission.TRADE, CancelOrderIn, reply="cancel_requested")
async def cancel_order(session: WsSession, request: CancelOrderIn) -> dict[str, Any]:
    """Cancel an open order, as ``DELETE /orders/{order_id}``; replies with the order."""
    oms = _oms(session)
    try:
        order = await oms.cancel(request.order_id, session.principal.user)
    except UnknownOrderError as exc:
        raise WsRefused(404, exc.message) from None
    except OrderStateError as exc:
        raise WsRefused(409, str(exc)) from None
    except PersistenceError as exc:
        raise WsRefused(503, str(exc)) from None
    return order.public()


@ws_action("kill_switch", Permission.RISK, KillSwitchIn, reply="kill_switch_set")
async def kill_switch(session: WsSession, request: KillSwitchIn) -> dict[str, Any]:
    """Engage or release the kill switch, as ``POST /risk/kill-switch``."""
    _oms(session)
    canceled = await session.service.set_kill_switch(
        request.engaged, request.reason, session.principal.user
    )
    return {"engaged": request.engaged, "canceled": canceled}


# -- dispatch --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Reply:
    """What to send back; ``close`` when the socket must be closed after it."""

    message: dict[str, Any]
    close: bool = False


def _error(action: str | None, status: int, detail: str) -> dict[str, Any]:
    return {"type": "error", "data": {"action": action, "status": status, "detail": detail}}


def _parse(text: str) -> tuple[WsAction, Any]:
    """The declared action a message names and its raw parameters."""
    try:
        message = json.loads(text)
    except ValueError:
        message = None
    known = ", ".join(sorted(WS_ACTIONS))
    if not isinstance(message, dict) or len(message) != 1:
        raise WsRefused(400, f'expected one action, {{"<action>": {{...}}}}, one of: {known}')
    ((name, params),) = message.items()
    if name not in WS_ACTIONS:
        raise WsRefused(400, f"unknown action {name!r}; expected one of: {known}")
    return WS_ACTIONS[name], params


def _validated(action: WsAction, params: Any) -> BaseModel:
    try:
        return action.params.model_validate(params)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join([action.name, *map(str, e['loc'])])}: {e['msg']}" for e in exc.errors()
        )
        raise WsRefused(422, problems) from None


def _target(params: Any) -> str:
    """What an action is about, as REST audit rows name it (``order_id=...``)."""
    if isinstance(params, dict) and "order_id" in params:
        return f"order_id={params['order_id']}"
    return ""


async def _audit(
    session: WsSession, action: WsAction, principal: Principal | None, params: Any, outcome: Outcome
) -> None:
    event = AuditEvent(
        user=principal.user if principal else "(not signed in)",
        role=principal.role.value if principal else "",
        action=f"ws.{action.name}",
        target=_target(params),
        params=json.dumps(params, default=str),
        outcome=outcome,
        client=session.websocket.client.host if session.websocket.client else "unknown",
    )
    await record_audit(session.websocket.app, event)


async def dispatch(session: WsSession, text: str) -> Reply:
    """Sign in, authorize, audit, validate and run one message; the reply to send."""
    try:
        action, params = _parse(text)
    except WsRefused as exc:
        return Reply(_error(None, exc.status, exc.detail))
    try:
        principal = await sign_in(session.websocket, session.presented)
    except HTTPException as exc:
        if action.audited:
            await _audit(session, action, None, params, "denied")
        return Reply(_error(action.name, exc.status_code, str(exc.detail)), close=True)
    session.principal = principal
    allowed = principal.may(action.permission)
    if action.audited:
        await _audit(session, action, principal, params, "allowed" if allowed else "denied")
    if not allowed:
        roles = ", ".join(roles_with(action.permission))
        detail = f"role {principal.role} may not do this (needs {action.permission}: {roles})"
        return Reply(_error(action.name, 403, detail))
    try:
        data = await action.handler(session, _validated(action, params))
    except WsRefused as exc:
        return Reply(_error(action.name, exc.status, exc.detail))
    return Reply({"type": action.reply, "data": data})
