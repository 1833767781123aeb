"""Retry idempotent exchange reads under the project's retry policy (``deltaworks_core.retry``).

Only ``ccxt.NetworkError`` and its subclasses are retried; functions whose name
says they change state on the exchange are refused (never re-send an order
blindly: after a timeout it may exist, so look it up by client order id first).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from deltaworks_core.retry import EXCHANGE_READS, is_retryable

__all__ = ["is_retryable", "retry_call", "retry_call_async"]

T = TypeVar("T")


def retry_call(
    fn: Callable[..., T],
    *args: Any,
    attempts: int | None = None,
    base_delay: float | None = None,
    jitter: float | None = None,
    **kwargs: Any,
) -> T:
    """``fn(*args, **kwargs)`` under ``EXCHANGE_READS``; keywords override its tries and waits.

    Other errors, and the last retryable one, propagate unchanged.
    """
    policy = EXCHANGE_READS.replace(attempts=attempts, base_delay_s=base_delay, jitter=jitter)
    return policy.call(fn, *args, **kwargs)


async def retry_call_async(
    fn: Callable[..., Awaitable[T]],
    *args: Any,
    attempts: int | None = None,
    base_delay: float | None = None,
    jitter: float | None = None,
    **kwargs: Any,
) -> T:
    """The ``async`` form of ``retry_call`` for ccxt.pro / async_support exchanges."""
    policy = EXCHANGE_READS.replace(attempts=attempts, base_delay_s=base_delay, jitter=jitter)
    return await policy.call_async(fn, *args, **kwargs)
