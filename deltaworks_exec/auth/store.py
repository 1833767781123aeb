"""Users and API tokens in QuestDB (``users``, ``api_tokens``): append-only, latest row wins.

A token reads ``dwt_<token id>.<secret>``. The id is not secret: it finds the
row; the secret is checked against a salted argon2 hash, the only form in which
it is stored. The token itself is shown once, when it is issued.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime

from argon2 import PasswordHasher

from deltaworks_core.questdb import QuestDBReader
from deltaworks_exec.auth.roles import Role

TOKEN_PREFIX = "dwt_"
_TOKEN_PATTERN = re.compile(r"^dwt_([0-9a-f]{16})\.([A-Za-z0-9_-]{43})$")
_USER_PATTERN = re.compile(r"^[a-z][a-z0-9._-]{0,63}$")
# API secrets carry 256 random bits: argon2's cost guards the stored hashes, not a weak secret,
# so OWASP's minimum argon2id parameters suffice and keep a first sign-in quick.
HASHER = PasswordHasher(time_cost=2, memory_cost=19_456, parallelism=1)


class UserStoreError(ValueError):
    """A user or token operation is invalid; the message names the field and value."""


@dataclass(frozen=True)
class User:
    """A user's current state."""

    name: str
    role: Role
    active: bool
    changed_at: datetime


@dataclass(frozen=True)
class TokenRecord:
    """A token's current state (never the token itself)."""

    token_id: str
    user_name: str
    name: str
    secret_hash: str
    created_at: datetime
    expires_at: datetime | None
    revoked: bool

    def expired(self, now: datetime) -> bool:
        """True once ``expires_at`` has passed."""
        return self.expires_at is not None and now >= self.expires_at


@dataclass(frozen=True)
class IssuedToken:
    """A new token: ``token`` is shown once and never stored."""

    token: str
    record: TokenRecord


def split_token(token: str) -> tuple[str, str] | None:
    """(token id, secret) of a well-formed user token, else ``None``."""
    match = _TOKEN_PATTERN.match(token)
    return (match.group(1), match.group(2)) if match else None


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


class UserStore:
    """Reads and appends user and token rows over PGWire."""

    def __init__(self, reader: QuestDBReader) -> None:
        self._reader = reader

    def users(self) -> list[User]:
        """Every user, by name."""
        rows = self._reader.query(
            "SELECT user_name, role, active, ts FROM users LATEST ON ts PARTITION BY user_name"
        )
        return sorted((_user(row) for row in rows), key=lambda u: u.name)

    def user(self, name: str) -> User | None:
        """One user, or ``None``."""
        rows = self._reader.query(
            "SELECT user_name, role, active, ts FROM users WHERE user_name = %s "
            "LATEST ON ts PARTITION BY user_name",
            (name,),
        )
        return _user(rows[0]) if rows else None

    def add_user(self, name: str, role: Role, changed_by: str) -> User:
        """Create a user (a name not taken by an active user)."""
        if not _USER_PATTERN.match(name):
            raise UserStoreError(
                f"user: {name!r} is invalid; use lower-case letters, digits, '.', '_', '-' "
                f"(starting with a letter, at most 64)"
            )
        existing = self.user(name)
        if existing is not None and existing.active:
            raise UserStoreError(f"user: {name!r} exists already (role {existing.role})")
        return self._write_user(name, role, True, changed_by)

    def set_role(self, name: str, role: Role, changed_by: str) -> User:
        """Give an active user another role."""
        return self._write_user(self._active(name).name, role, True, changed_by)

    def disable_user(self, name: str, changed_by: str) -> User:
        """Disable a user: every token of theirs is refused from now on."""
        user = self._active(name)
        return self._write_user(user.name, user.role, False, changed_by)

    def _active(self, name: str) -> User:
        user = self.user(name)
        if user is None or not user.active:
            raise UserStoreError(f"user: no active user named {name!r}")
        return user

    def _write_user(self, name: str, role: Role, active: bool, changed_by: str) -> User:
        ts = _now()
        self._reader.execute(
            "INSERT INTO users (ts, user_name, role, active, changed_by) "
            "VALUES (%s, %s, %s, %s, %s)",
            (ts, name, role.value, active, changed_by),
        )
        self._reader.wait_visible("users")
        return User(name, role, active, ts)

    def tokens(self, user_name: str | None = None) -> list[TokenRecord]:
        """Every token (of one user when given), newest first."""
        rows = self._reader.query(
            "SELECT * FROM api_tokens LATEST ON ts PARTITION BY token_id ORDER BY created_at DESC"
        )
        return [_token(row) for row in rows if user_name is None or row["user_name"] == user_name]

    def token(self, token_id: str) -> TokenRecord | None:
        """One token's current state, or ``None``."""
        rows = self._reader.query(
            "SELECT * FROM api_tokens WHERE token_id = %s LATEST ON ts PARTITION BY token_id",
            (token_id,),
        )
        return _token(rows[0]) if rows else None

    def token_and_user(self, token_id: str) -> tuple[TokenRecord, User] | None:
        """A token's and its user's current state in one query (the per-request check)."""
        rows = self._reader.query(
            "SELECT t.*, u.role, u.active, u.ts AS user_ts FROM "
            "(SELECT * FROM api_tokens WHERE token_id = %s LATEST ON ts PARTITION BY token_id) t "
            "JOIN (SELECT * FROM users LATEST ON ts PARTITION BY user_name) u "
            "ON t.user_name = u.user_name",
            (token_id,),
        )
        if not rows:
            return None
        row = rows[0]
        return _token(row), _user({**row, "ts": row["user_ts"]})

    def issue_token(
        self, user_name: str, name: str, expires_at: datetime | None, changed_by: str
    ) -> IssuedToken:
        """A new token for an active user; only its hash is stored."""
        self._active(user_name)
        if expires_at is not None and expires_at <= _now():
            raise UserStoreError(f"expires_at: {expires_at.isoformat()} is in the past")
        token_id = secrets.token_hex(8)
        secret = secrets.token_urlsafe(32)
        record = TokenRecord(
            token_id=token_id,
            user_name=user_name,
            name=name,
            secret_hash=HASHER.hash(secret),
            created_at=_now(),
            expires_at=expires_at,
            revoked=False,
        )
        self._write_token(record, changed_by)
        return IssuedToken(f"{TOKEN_PREFIX}{token_id}.{secret}", record)

    def revoke_token(self, token_id: str, changed_by: str) -> TokenRecord:
        """Revoke a token: it is refused from the next request on."""
        record = self.token(token_id)
        if record is None:
            raise UserStoreError(f"token_id: no token {token_id!r}")
        revoked = TokenRecord(**{**record.__dict__, "revoked": True})
        self._write_token(revoked, changed_by)
        return revoked

    def _write_token(self, record: TokenRecord, changed_by: str) -> None:
        self._reader.execute(
            "INSERT INTO api_tokens (ts, token_id, user_name, name, secret_hash, created_at, "
            "expires_at, revoked, changed_by) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s)",
            (
                _now(),
                record.token_id,
                record.user_name,
                record.name,
                record.secret_hash,
                record.created_at,
                record.expires_at,
                record.revoked,
                changed_by,
            ),
        )
        self._reader.wait_visible("api_tokens")


def _user(row: dict) -> User:
    return User(row["user_name"], Role(row["role"]), bool(row["active"]), row["ts"])


def _token(row: dict) -> TokenRecord:
    return TokenRecord(
        token_id=row["token_id"],
        user_name=row["user_name"],
        name=row["name"],
        secret_hash=row["secret_hash"],
        created_at=row["created_at"],
        expires_at=row["expires_at"],
        revoked=bool(row["revoked"]),
    )
