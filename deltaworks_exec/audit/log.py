"""Append-only ``audit_events`` rows, committed before the audited action proceeds."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Literal

from deltaworks_core.questdb import QuestDBReader

Outcome = Literal["allowed", "denied"]
_PARAMS_LIMIT = 4000


@dataclass(frozen=True)
class AuditEvent:
    """One audited request: who (user, role), what (action, target, params), the decision."""

    user: str
    role: str
    action: str
    target: str
    params: str
    outcome: Outcome
    client: str = ""


class AuditLog:
    """Writes and reads ``audit_events`` over PGWire."""

    def __init__(self, reader: QuestDBReader) -> None:
        self._reader = reader

    def record(self, event: AuditEvent) -> None:
        """Commit one row; raises when QuestDB cannot take it (the action must not proceed)."""
        self._reader.execute(
            "INSERT INTO audit_events (ts, audit_id, user_name, role, action, target, params, "
            "outcome, client) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s)",
            (
                datetime.now(UTC).replace(tzinfo=None),
                uuid.uuid4().hex,
                event.user,
                event.role,
                event.action,
                event.target,
                event.params[:_PARAMS_LIMIT],
                event.outcome,
                event.client,
            ),
        )

    def query(
        self,
        user: str | None = None,
        action: str | None = None,
        outcome: Outcome | None = None,
        since: datetime | None = None,
        limit: int = 500,
    ) -> list[dict]:
        """Rows newest first, filtered by user, action, outcome and time."""
        clauses, params = [], []
        for column, value in (("user_name", user), ("action", action), ("outcome", outcome)):
            if value is not None:
                clauses.append(f"{column} = %s")
                params.append(value)
        if since is not None:
            clauses.append("ts >= %s")
            params.append(since.astimezone(UTC).replace(tzinfo=None))
        where = f"WHERE {' AND '.join(clauses)} " if clauses else ""
        return self._reader.query(
            "SELECT ts, user_name, role, action, target, params, outcome, client "
            f"FROM audit_events {where}ORDER BY ts DESC LIMIT {int(limit)}",
            params,
        )
