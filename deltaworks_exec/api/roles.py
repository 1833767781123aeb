"""Authorization declared next to each route: ``dependencies=[allow(Permission.X)]``.

The dependency signs the request in (bearer token -> ``Principal``), writes the
audit row of a state-changing request (allowed or denied) before anything else
happens, refuses a role without the permission with 403, and leaves the principal
on ``request.state.principal`` for the handler. ``document_roles``
writes each route's permission and roles into the OpenAPI document.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

from fastapi import Depends, FastAPI, HTTPException, Request, WebSocket, routing
from fastapi.routing import APIRoute

from deltaworks_exec.audit.log import AuditEvent, AuditLog, Outcome
from deltaworks_exec.auth.roles import GRANTS, Permission, Principal
from deltaworks_exec.auth.signin import Authenticator, SignInError

_SCHEME = "bearer "

Guard = Callable[[Request], Awaitable[Principal]]
# Permissions of requests that change nothing: not audited.
READ_ONLY = frozenset({Permission.READ, Permission.AUDIT})


def presented_token(authorization: str | None) -> str | None:
    """The token of an ``Authorization: Bearer`` header, or ``None``."""
    if not authorization or not authorization.lower().startswith(_SCHEME):
        return None
    return authorization[len(_SCHEME) :].strip() or None


def _client(connection: Request | WebSocket) -> str:
    return connection.client.host if connection.client else "unknown"


def acting_user(request: Request) -> str:
    """The user a guarded route's request acts for (set by its ``allow`` dependency)."""
    principal: Principal = request.state.principal
    return principal.user


def roles_with(permission: Permission) -> list[str]:
    """The roles that grant ``permission``."""
    return [role.value for role, granted in GRANTS.items() if permission in granted]


async def sign_in(connection: Request | WebSocket, presented: str | None) -> Principal:
    """The principal of a request or WebSocket; ``HTTPException`` 401/403/429 when refused."""
    authenticator: Authenticator = connection.app.state.authenticator
    try:
        return await authenticator.authenticate(presented, _client(connection))
    except SignInError as exc:
        headers = {"WWW-Authenticate": "Bearer"} if exc.status == 401 else {}
        if exc.retry_after_s is not None:
            headers["Retry-After"] = str(exc.retry_after_s)
        raise HTTPException(exc.status, exc.message, headers=headers or None) from None


async def record_audit(app: FastAPI, event: AuditEvent) -> None:
    """Commit one ``audit_events`` row; raises when it cannot (the action must not proceed)."""
    audit: AuditLog = app.state.audit
    await asyncio.to_thread(audit.record, event)


async def _audit(request: Request, principal: Principal | None, outcome: Outcome) -> None:
    """One ``audit_events`` row for a state-changing request, committed before it proceeds."""
    route = request.scope.get("route")
    event = AuditEvent(
        user=principal.user if principal else "(not signed in)",
        role=principal.role.value if principal else "",
        action=getattr(route, "name", request.url.path),
        target=" ".join(f"{k}={v}" for k, v in request.path_params.items()),
        params=(await request.body()).decode(errors="replace"),
        outcome=outcome,
        client=_client(request),
    )
    await record_audit(request.app, event)


def _guard(permission: Permission) -> Guard:
    audited = permission not in READ_ONLY

    async def guard(request: Request) -> Principal:
        presented = presented_token(request.headers.get("authorization"))
        try:
            principal = await sign_in(request, presented)
        except HTTPException:
            if audited:
                await _audit(request, None, "denied")
            raise
        request.state.principal = principal
        allowed = principal.may(permission)
        if audited:
            await _audit(request, principal, "allowed" if allowed else "denied")
        if not allowed:
            raise HTTPException(
                403,
                f"role {principal.role} may not do this (needs {permission}: "
                f"{', '.join(roles_with(permission))})",
            )
        return principal

    guard.permission = permission  # type: ignore[attr-defined]
    guard.__name__ = f"allow_{permission.value}"
    return guard


_GUARDS = {permission: _guard(permission) for permission in Permission}


def allow(permission: Permission) -> Any:
    """The dependency a route declares: signed in with a role that grants ``permission``."""
    return Depends(_GUARDS[permission])


def route_permissions(route: APIRoute) -> set[Permission]:
    """The permissions a route's declared dependencies demand."""
    return {
        depends.dependency.permission  # type: ignore[union-attr]
        for depends in route.dependencies
        if hasattr(depends.dependency, "permission")
    }


def api_routes(app: FastAPI) -> list[tuple[str, APIRoute]]:
    """Every HTTP route of ``app`` with its full path, routers included."""
    contexts = routing.iter_route_contexts(app.routes)
    return [
        (context.path, context.original_route)
        for context in contexts
        if isinstance(context.original_route, APIRoute)
    ]


def document_roles(app: FastAPI) -> None:
    """Name each operation's permission and roles in the OpenAPI document (``x-permission``)."""
    generate = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema:
            return app.openapi_schema
        schema = generate()
        for path, route in api_routes(app):
            for permission in route_permissions(route):
                roles = roles_with(permission)
                note = f"**Permission** `{permission}`: roles {', '.join(roles)}."
                for method in route.methods:
                    operation = schema["paths"].get(path, {}).get(method.lower())
                    if operation is None:
                        continue
                    operation["x-permission"] = permission.value
                    operation["x-roles"] = roles
                    operation["description"] = f"{operation.get('description', '')}\n\n{note}"
                    operation["description"] = operation["description"].strip()
        return schema

    app.openapi = openapi  # type: ignore[method-assign]
