"""Classify ccxt errors, and retry idempotent reads with exponential backoff.

Only ``ccxt.NetworkError`` and its subclasses (``RequestTimeout``,
``ExchangeNotAvailable``, ``DDoSProtection``, ``RateLimitExceeded``,
``InvalidNonce``) are worth retrying. Never retry order placement blindly: after
a timeout the order may exist, so look it up by client order id first. The
helpers here refuse functions whose name says they change state.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import ccxt

T = TypeVar("T")

log = logging.getLogger(__name__)

# Names of ccxt methods that are not idempotent reads (snake_case and camelCase).
_STATE_CHANGING_PREFIXES = ("create", "edit", "cancel", "withdraw", "transfer", "borrow", "repay")


def is_retryable(exc: BaseException) -> bool:
    """True for transient exchange errors (``ccxt.NetworkError`` family)."""
    return isinstance(exc, ccxt.NetworkError)


def _check_call(fn: Callable[..., Any], attempts: int) -> None:
    if attempts < 1:
        raise ValueError(f"attempts must be at least 1, got {attempts}")
    name = getattr(fn, "__name__", "")
    if name.lower().startswith(_STATE_CHANGING_PREFIXES):
        raise ValueError(f"{name} changes state on the exchange: do not retry it blindly")


def _delay(base_delay: float, attempt: int, exc: BaseException, fn: Callable[..., Any]) -> float:
    delay = base_delay * 2 ** (attempt - 1)
    # The class name only: ccxt's messages carry request URLs and response bodies.
    log.warning(
        "retrying exchange call",
        extra={
            "call": getattr(fn, "__name__", repr(fn)),
            "attempt": attempt,
            "error": type(exc).__name__,
            "delay_s": delay,
        },
    )
    return delay


def retry_call(
    fn: Callable[..., T], *args: Any, attempts: int = 3, base_delay: float = 0.5, **kwargs: Any
) -> T:
    """``fn(*args, **kwargs)``, retried up to ``attempts`` times on retryable errors.

    Waits ``base_delay * 2**(n-1)`` seconds after the n-th failure; other
    errors, and the last retryable one, propagate unchanged.
    """
    _check_call(fn, attempts)
    for attempt in range(1, attempts):
        try:
            return fn(*args, **kwargs)
        except Exception as exc:
            if not is_retryable(exc):
                raise
            time.sleep(_delay(base_delay, attempt, exc, fn))
    return fn(*args, **kwargs)


async def retry_call_async(
    fn: Callable[..., Awaitable[T]],
    *args: Any,
    attempts: int = 3,
    base_delay: float = 0.5,
    **kwargs: Any,
) -> T:
    """The ``async`` form of ``retry_call`` for ccxt.pro / async_support exchanges."""
    _check_call(fn, attempts)
    for attempt in range(1, attempts):
        try:
            return await fn(*args, **kwargs)
        except Exception as exc:
            if not is_retryable(exc):
                raise
            await asyncio.sleep(_delay(base_delay, attempt, exc, fn))
    return await fn(*args, **kwargs)
