"""Bearer-token authentication: 401 without a token, 403 with a wrong one."""

from __future__ import annotations

import secrets

from fastapi import HTTPException, Request, WebSocket, status

_SCHEME = "bearer "


def _presented(authorization: str | None) -> str | None:
    if not authorization or not authorization.lower().startswith(_SCHEME):
        return None
    return authorization[len(_SCHEME) :].strip() or None


def check_token(expected: str | None, presented: str | None) -> int | None:
    """``None`` when access is granted, else the HTTP status to refuse with."""
    if expected is None:  # development mode on loopback
        return None
    if presented is None:
        return status.HTTP_401_UNAUTHORIZED
    if not secrets.compare_digest(presented.encode(), expected.encode()):
        return status.HTTP_403_FORBIDDEN
    return None


def require_token(request: Request) -> None:
    """FastAPI dependency guarding every route but health."""
    refused = check_token(request.app.state.token, _presented(request.headers.get("authorization")))
    if refused == status.HTTP_401_UNAUTHORIZED:
        raise HTTPException(refused, "missing bearer token", headers={"WWW-Authenticate": "Bearer"})
    if refused is not None:
        raise HTTPException(refused, "invalid bearer token")


def websocket_refusal(websocket: WebSocket) -> int | None:
    """Like ``require_token`` for WebSockets (header, or ``?token=`` for browsers)."""
    presented = _presented(websocket.headers.get("authorization")) or websocket.query_params.get(
        "token"
    )
    return check_token(websocket.app.state.token, presented)
