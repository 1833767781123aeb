"""Named crash points: places on the critical path where a test can make the process die.

Code declares a point with ``crash_point(NAME)``; the name must be one of
``POINTS``. Off by default (a passage costs one comparison). A crash test
arms one point for a process with the environment variable
``DELTAWORKS_CRASH_AT=<point>:<n>``: at the n-th passage of that point the
process writes one line to stderr and sends itself SIGKILL, so no shutdown
code runs, as in a crash. ``arm`` refuses the switch when any
configured exchange is live: it exists for simulated venues only.
"""

from __future__ import annotations

import logging
import os
import signal
from collections.abc import Iterable, Mapping
from typing import Protocol

log = logging.getLogger(__name__)

ENV = "DELTAWORKS_CRASH_AT"

POINTS: dict[str, str] = {
    "oms.write_ahead_durable": "an order's pending_new row is durable; the order is not sent",
    "oms.venue_accepted": "the venue accepted an order; the acknowledgement is not persisted",
    "oms.cancel_requested": "an order's pending_cancel row is durable; the cancel is not sent",
    "oms.fill_applied": "a fill is applied in memory; its row is not yet written",
    "journal.fills_durable": "fill rows and their order events are durable; nothing is published",
    "reconcile.order_compared": "the reconciler has the venue's view of an order, not yet applied",
    "algo.child_sent": "an algorithm's child is at the OMS; the parent has not recorded it",
    "algo.child_adopted": "a recovering algorithm adopted a child it looked up",
}


class CrashSwitchError(RuntimeError):
    """The crash switch is set wrongly, or set where it is not allowed."""


class _Exchange(Protocol):
    name: str
    mode: str


_armed: str | None = None
_at = 0
_passages = 0


def parse(value: str) -> tuple[str, int]:
    """``(point, n)`` from ``<point>:<n>``; ``CrashSwitchError`` naming what is wrong."""
    point, _, count = value.rpartition(":")
    if point not in POINTS:
        known = ", ".join(POINTS)
        raise CrashSwitchError(f"{ENV}={value!r}: unknown crash point {point!r} (known: {known})")
    if not count.isdigit() or int(count) < 1:
        raise CrashSwitchError(f"{ENV}={value!r}: the passage {count!r} is not a positive integer")
    return point, int(count)


def arm(environ: Mapping[str, str], exchanges: Iterable[_Exchange]) -> str | None:
    """Arm the point named in ``environ`` (if any) for this process; refused with a live exchange.

    Returns the armed ``<point>:<n>``, or None when the switch is off.
    """
    global _armed, _at, _passages
    value = environ.get(ENV, "")
    if not value:
        return None
    live = sorted(e.name for e in exchanges if e.mode == "live")
    if live:
        raise CrashSwitchError(
            f"{ENV} is a test-only switch and is refused with live exchanges: {', '.join(live)}"
        )
    _armed, _at = parse(value)
    _passages = 0
    log.warning("crash switch armed: SIGKILL at passage %d of %s", _at, _armed)
    return value


def crash_point(name: str) -> None:
    """One passage of the crash point ``name``: the process dies here when it is armed."""
    global _passages
    if name != _armed:
        return
    _passages += 1
    if _passages == _at:
        os.write(2, f"crash point {name} passage {_passages}: SIGKILL\n".encode())
        os.kill(os.getpid(), signal.SIGKILL)
