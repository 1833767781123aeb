"""The one retry policy of Delta Works, for every kind of call that is retried.

Which errors: only transient exchange errors, ccxt's ``NetworkError`` family
(``RequestTimeout``, ``ExchangeNotAvailable``, ``DDoSProtection``,
``RateLimitExceeded``, ``InvalidNonce``...); anything else propagates at once.
A call that changes state on an exchange (placing, editing or cancelling an
order, withdrawing...) is never retried: after a timeout the order may exist, so
it is looked up by client order id instead (``ORDER_LOOKUP``).

How many tries, backoff, jitter: ``attempts`` tries in all; after the n-th
failure wait ``base_delay_s * 2**(n-1)`` seconds (at most ``max_delay_s``) plus a
random share of up to ``jitter`` times ``base_delay_s``, so that clients that
failed together do not retry together.

QuestDB writes are retried by the ``questdb`` client itself (its
``retry_timeout``), not here.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, TypeVar

import ccxt
from tenacity import (
    AsyncRetrying,
    RetryCallState,
    Retrying,
    retry_if_exception,
    stop_after_attempt,
    stop_never,
    wait_exponential_jitter,
)

T = TypeVar("T")

log = logging.getLogger(__name__)

# Names of calls that are not idempotent reads (snake_case and camelCase).
_STATE_CHANGING_PREFIXES = ("create", "edit", "cancel", "withdraw", "transfer", "borrow", "repay")

RetryHook = Callable[[RetryCallState], None]


def is_retryable(exc: BaseException) -> bool:
    """True for transient exchange errors (``ccxt.NetworkError`` family)."""
    return isinstance(exc, ccxt.NetworkError)


def _any_error(exc: BaseException) -> bool:
    return isinstance(exc, Exception)


def check_idempotent(fn: Callable[..., Any]) -> None:
    """Refuse ``fn`` when its name says it changes state on an exchange."""
    name = getattr(fn, "__name__", "")
    if name.lower().startswith(_STATE_CHANGING_PREFIXES):
        raise ValueError(f"{name} changes state on the exchange: do not retry it blindly")


def _log_retry(label: str) -> RetryHook:
    def log_retry(state: RetryCallState) -> None:
        exc = state.outcome.exception() if state.outcome else None
        # The class name only: ccxt's messages carry request URLs and response bodies.
        log.warning(
            "retrying call",
            extra={
                "call": label,
                "attempt": state.attempt_number,
                "error": type(exc).__name__,
                "delay_s": round(state.upcoming_sleep, 3),
            },
        )

    return log_retry


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """Which errors are retried, how many tries, backoff and jitter (see the module doc).

    ``attempts=None`` retries without end (streams, which must come back);
    ``any_error`` retries every ``Exception``, not only transient exchange errors.
    """

    attempts: int | None = 3
    base_delay_s: float = 0.5
    max_delay_s: float = 30.0
    jitter: float = 0.5
    any_error: bool = False

    def __post_init__(self) -> None:
        if self.attempts is not None and self.attempts < 1:
            raise ValueError(f"attempts must be at least 1, got {self.attempts}")
        for name in ("base_delay_s", "max_delay_s", "jitter"):
            if getattr(self, name) < 0:
                raise ValueError(f"{name} must not be negative, got {getattr(self, name)}")

    def replace(self, **changes: Any) -> RetryPolicy:
        """This policy with the given fields changed (``None`` values keep the field)."""
        return dataclasses.replace(self, **{k: v for k, v in changes.items() if v is not None})

    def _settings(self, label: str, on_retry: RetryHook | None) -> dict[str, Any]:
        log_retry = _log_retry(label)

        def before_sleep(state: RetryCallState) -> None:
            log_retry(state)
            if on_retry is not None:
                on_retry(state)

        return {
            "stop": stop_never if self.attempts is None else stop_after_attempt(self.attempts),
            "wait": wait_exponential_jitter(
                multiplier=self.base_delay_s,
                max=self.max_delay_s,
                jitter=self.jitter * self.base_delay_s,
            ),
            "retry": retry_if_exception(_any_error if self.any_error else is_retryable),
            "reraise": True,
            "before_sleep": before_sleep,
        }

    def retrying(self, label: str, on_retry: RetryHook | None = None) -> Retrying:
        """A tenacity ``Retrying`` with this policy; ``on_retry`` runs before each wait."""
        return Retrying(**self._settings(label, on_retry))

    def async_retrying(self, label: str, on_retry: RetryHook | None = None) -> AsyncRetrying:
        """The ``async`` form of ``retrying``."""
        return AsyncRetrying(**self._settings(label, on_retry))

    def call(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """``fn(*args, **kwargs)`` under this policy; the last error propagates unchanged."""
        check_idempotent(fn)
        return self.retrying(_label(fn))(fn, *args, **kwargs)

    async def call_async(self, fn: Callable[..., Awaitable[T]], *args: Any, **kwargs: Any) -> T:
        """The ``async`` form of ``call``."""
        check_idempotent(fn)
        return await self.async_retrying(_label(fn))(fn, *args, **kwargs)


def _label(fn: Callable[..., Any]) -> str:
    return getattr(fn, "__name__", repr(fn))


# One policy per kind of call.
EXCHANGE_READS = RetryPolicy(attempts=4, base_delay_s=0.5)
"""Idempotent exchange reads (balances, tickers, history pages, markets)."""

ORDER_LOOKUP = RetryPolicy(attempts=3, base_delay_s=0.2)
"""Looking an order up by client order id after its submit timed out."""

STREAM_RECONNECT = RetryPolicy(attempts=None, base_delay_s=1.0, max_delay_s=60.0, any_error=True)
"""Reconnecting a venue's order/fill stream: never give up; every failure is logged."""

VENUE_CONNECT = RetryPolicy(attempts=None, base_delay_s=1.0, max_delay_s=60.0, any_error=True)
"""Reconnecting a venue that is down (unreachable, failing): never give up, the others serve."""
