"""Roles and what each may do; routes declare the permission they need."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Role(StrEnum):
    """A user's role: what the desk lets that person do."""

    VIEWER = "viewer"
    TRADER = "trader"
    RISK = "risk"
    ADMIN = "admin"


class Permission(StrEnum):
    """What a route needs: read anything, trade, change risk controls, manage users."""

    READ = "read"
    TRADE = "trade"
    RISK = "risk"
    ADMIN = "admin"
    AUDIT = "audit"


GRANTS: dict[Role, frozenset[Permission]] = {
    Role.VIEWER: frozenset({Permission.READ}),
    Role.TRADER: frozenset({Permission.READ, Permission.TRADE}),
    Role.RISK: frozenset({Permission.READ, Permission.RISK, Permission.AUDIT}),
    Role.ADMIN: frozenset(Permission),
}


@dataclass(frozen=True)
class Principal:
    """Who sent a request: a user (or the bootstrap token) and the role it acts in."""

    user: str
    role: Role
    token_id: str | None = None

    def may(self, permission: Permission) -> bool:
        """True when the role grants ``permission``."""
        return permission in GRANTS[self.role]


def parse_role(value: str) -> Role:
    """A ``Role`` from its name; a clear error listing the roles otherwise."""
    try:
        return Role(value)
    except ValueError:
        allowed = ", ".join(role.value for role in Role)
        raise ValueError(f"role: {value!r} is not a role; expected one of {allowed}") from None
