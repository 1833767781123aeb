"""Per-exchange concurrency pools: every run that talks to one exchange shares its slots.

A Dagster ``pool=`` is fixed per asset, but the history assets cover every
exchange (the exchange is a partition dimension), so the step claims the slot of
the exchange it is about to call at run time, through the same instance
concurrency machinery the executor uses for ``pool=`` (slots live in the event
log storage, show on the UI's pools page, and are limited with
``dagster instance concurrency set exchange_<name> N`` or ``concurrency: pools:
default_limit``). A pool without a limit does not block.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager

import dagster as dg
from dagster._core.execution.plan.instance_concurrency_context import (
    InstanceConcurrencyContext,
)

POOL_PREFIX = "exchange_"
CLAIM_POLL_S = 0.1


def exchange_pool(exchange: str) -> str:
    """The pool name of ``exchange``."""
    return f"{POOL_PREFIX}{exchange}"


@contextmanager
def exchange_slot(context: dg.AssetExecutionContext, exchange: str) -> Iterator[float]:
    """Hold one slot of ``exchange``'s pool while the block runs; yields the seconds waited."""
    pool = exchange_pool(exchange)
    claim_key = f"{context.asset_key.to_user_string()}:{pool}"
    started = time.monotonic()
    with InstanceConcurrencyContext(context.instance, context.run) as slots:
        logged = False
        while not slots.claim(pool, claim_key):
            if not logged:
                context.log.info(f"waiting for a slot of pool {pool}")
                logged = True
            time.sleep(CLAIM_POLL_S)
        waited = time.monotonic() - started
        if logged:
            context.log.info(f"pool {pool}: slot claimed after {waited:.1f} s")
        try:
            yield waited
        finally:
            slots.free_step(claim_key)
