"""The order state machine: states, allowed transitions, and the mapping from venue status."""

from __future__ import annotations

from typing import Literal

from deltaworks_core.models import Order

OrderState = Literal[
    "pending_new",
    "new",
    "partially_filled",
    "filled",
    "pending_cancel",
    "canceled",
    "rejected",
    "expired",
]

TERMINAL: frozenset[str] = frozenset({"filled", "canceled", "rejected", "expired"})
OPEN: frozenset[str] = frozenset({"pending_new", "new", "partially_filled", "pending_cancel"})
CANCELABLE: frozenset[str] = frozenset({"new", "partially_filled"})

# A state may move to itself only where the fill progresses (partial fills, fills while canceling).
_TRANSITIONS: dict[str, frozenset[str]] = {
    "pending_new": frozenset(
        {"new", "partially_filled", "filled", "canceled", "rejected", "expired"}
    ),
    "new": frozenset({"partially_filled", "filled", "pending_cancel", "canceled", "expired"}),
    "partially_filled": frozenset(
        {"partially_filled", "filled", "pending_cancel", "canceled", "expired"}
    ),
    "pending_cancel": frozenset(
        {"pending_cancel", "new", "partially_filled", "filled", "canceled", "expired"}
    ),
    "filled": frozenset(),
    "canceled": frozenset(),
    "rejected": frozenset(),
    "expired": frozenset(),
}


class InvalidTransitionError(ValueError):
    """A transition the state machine does not allow."""

    def __init__(self, order_id: str, current: str, target: str) -> None:
        super().__init__(f"order {order_id}: invalid transition {current} -> {target}")
        self.current = current
        self.target = target


def can_transition(current: str, target: str) -> bool:
    """True when ``current -> target`` is allowed."""
    return target in _TRANSITIONS[current]


def check_transition(order_id: str, current: str, target: str) -> None:
    """Raise ``InvalidTransitionError`` unless ``current -> target`` is allowed."""
    if not can_transition(current, target):
        raise InvalidTransitionError(order_id, current, target)


def state_from_venue(order: Order, amount_step: float) -> OrderState:
    """The service state a venue's view of an order corresponds to.

    ``amount_step`` is the market's amount increment: a fill within half a step
    of the amount counts as complete (never compare floats with ``==``).
    """
    tolerance = amount_step / 2
    if order.status == "open":
        return "partially_filled" if order.filled > tolerance else "new"
    if order.status == "closed":
        return "filled"
    return order.status  # canceled, expired, rejected
