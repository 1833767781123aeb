"""Who presents a token: user tokens (argon2-checked once, state read on every request),
the bootstrap token of single-token set-ups, and a limit on failed sign-ins per address."""

from __future__ import annotations

import asyncio
import hashlib
import logging
import secrets
import time
from collections import OrderedDict, deque
from datetime import UTC, datetime

from argon2.exceptions import InvalidHashError, VerificationError

from deltaworks_exec.auth.roles import Principal, Role
from deltaworks_exec.auth.store import HASHER, UserStore, split_token

log = logging.getLogger(__name__)

BOOTSTRAP_USER = "bootstrap"
DEV_USER = "dev"
# A hash with the same parameters, checked for unknown ids so a miss costs what a hit does.
_DUMMY_HASH = HASHER.hash(secrets.token_urlsafe(32))


class SignInError(Exception):
    """A refused sign-in: ``status`` 401 (no token), 403 (bad token), 429 (too many failures)."""

    def __init__(self, status: int, message: str, retry_after_s: int | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.retry_after_s = retry_after_s


class FailureLimiter:
    """At most ``max_failures`` failed sign-ins per client address within ``window_s``."""

    def __init__(self, max_failures: int = 10, window_s: float = 60.0) -> None:
        self.max_failures = max_failures
        self.window_s = window_s
        self._failures: dict[str, deque[float]] = {}

    def retry_after(self, client: str) -> int | None:
        """Seconds until ``client`` may try again, or ``None`` when it may now."""
        failures = self._failures.get(client)
        if not failures:
            return None
        cutoff = time.monotonic() - self.window_s
        while failures and failures[0] < cutoff:
            failures.popleft()
        if len(failures) < self.max_failures:
            return None
        return max(1, int(failures[0] - cutoff) + 1)

    def failed(self, client: str) -> None:
        """Count one failed sign-in of ``client``."""
        self._failures.setdefault(client, deque()).append(time.monotonic())


class Authenticator:
    """Turns a presented bearer token into a ``Principal``, or refuses it."""

    def __init__(
        self,
        store: UserStore,
        bootstrap_token: str | None,
        development: bool = False,
        limiter: FailureLimiter | None = None,
        cache_size: int = 1024,
    ) -> None:
        """``development``: a request without a token is the ``dev`` admin (loopback only)."""
        self._store = store
        self.development = development
        self._bootstrap = bootstrap_token.encode() if bootstrap_token else None
        self.limiter = limiter or FailureLimiter()
        self._verified: OrderedDict[str, bytes] = OrderedDict()
        self._cache_size = cache_size
        if bootstrap_token:
            log.warning(
                "the single API token is in use as the bootstrap admin token; create users "
                "(deltaworks-exec users add) and retire it"
            )

    async def authenticate(self, presented: str | None, client: str) -> Principal:
        """The principal behind ``presented``; ``SignInError`` when refused.

        An address over its failure limit gets 429 for any token that is not the
        bootstrap token or already verified by this process: no argon2 work is spent
        on it, while people already signed in from that address keep working.
        """
        if presented is None:
            if self.development:
                return Principal(DEV_USER, Role.ADMIN)
            raise SignInError(401, "missing bearer token")
        wait = self.limiter.retry_after(client)
        principal = await self._check(presented, verify_new=wait is None)
        if principal is not None:
            return principal
        if wait is not None:
            raise SignInError(429, "too many failed sign-ins from this address", wait)
        self.limiter.failed(client)
        raise SignInError(403, "invalid, expired or revoked token")

    async def _check(self, presented: str, verify_new: bool) -> Principal | None:
        if self._bootstrap is not None and secrets.compare_digest(
            presented.encode(), self._bootstrap
        ):
            return Principal(BOOTSTRAP_USER, Role.ADMIN)
        parts = split_token(presented)
        if parts is None:
            return None
        token_id, secret = parts
        # The token's and its user's state are read on every request (one query): a revocation
        # made by any process (the CLI, another API call) refuses the very next request.
        found = await asyncio.to_thread(self._store.token_and_user, token_id)
        if found is None:
            if verify_new:
                await asyncio.to_thread(_verify, _DUMMY_HASH, secret)
            return None
        record, user = found
        if not await self._secret_matches(token_id, record.secret_hash, secret, verify_new):
            return None
        if record.revoked or record.expired(datetime.now(UTC).replace(tzinfo=None)):
            return None
        if not user.active:
            return None
        return Principal(user.name, user.role, token_id)

    async def _secret_matches(
        self, token_id: str, secret_hash: str, secret: str, verify_new: bool
    ) -> bool:
        """argon2 once per token and process; later requests compare a SHA-256 in constant time."""
        digest = hashlib.sha256(f"{token_id}:{secret}:{secret_hash}".encode()).digest()
        cached = self._verified.get(token_id)
        if cached is not None and secrets.compare_digest(cached, digest):
            self._verified.move_to_end(token_id)
            return True
        if not verify_new or not await asyncio.to_thread(_verify, secret_hash, secret):
            return False
        self._verified[token_id] = digest
        if len(self._verified) > self._cache_size:
            self._verified.popitem(last=False)
        return True


def _verify(secret_hash: str, secret: str) -> bool:
    try:
        return HASHER.verify(secret_hash, secret)
    except (VerificationError, InvalidHashError):
        return False
