"""``GET /audit``: the audit trail, for the ``risk`` and ``admin`` roles."""

from __future__ import annotations

import asyncio
from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel

from deltaworks_exec.api.roles import allow
from deltaworks_exec.audit.log import AuditLog
from deltaworks_exec.auth.roles import Permission

router = APIRouter(tags=["audit"])
_NAME = r"^[A-Za-z0-9_.:() -]{1,80}$"


class AuditEventOut(BaseModel):
    """One audited request."""

    ts: datetime
    user_name: str
    role: str
    action: str
    target: str | None
    params: str | None
    outcome: Literal["allowed", "denied"]
    client: str | None


@router.get("/audit", response_model=list[AuditEventOut], dependencies=[allow(Permission.AUDIT)])
async def audit_events(
    request: Request,
    user: Annotated[str | None, Query(pattern=_NAME)] = None,
    action: Annotated[str | None, Query(pattern=_NAME)] = None,
    outcome: Literal["allowed", "denied"] | None = None,
    limit: Annotated[int, Query(ge=1, le=10_000)] = 500,
) -> list[dict]:
    """Who did what, newest first: every state-changing request, allowed or denied."""
    log: AuditLog = request.app.state.audit
    return await asyncio.to_thread(log.query, user, action, outcome, None, limit)
