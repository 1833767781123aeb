"""Why the engine refused a call: a neutral error kind, a message and what it concerns.

Wire layers (``dialects``) translate a ``SimError`` into their exchange's error
codes and messages; the engine never speaks any exchange's error vocabulary.
"""

from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .markets import Market


class ErrorKind(StrEnum):
    UNKNOWN_SYMBOL = "unknown_symbol"
    UNKNOWN_ACCOUNT = "unknown_account"
    INVALID_SIDE = "invalid_side"
    INVALID_ORDER_TYPE = "invalid_order_type"
    INVALID_TIME_IN_FORCE = "invalid_time_in_force"
    MISSING_PARAMETER = "missing_parameter"  # ``field`` names it
    MALFORMED_PARAMETER = "malformed_parameter"  # ``field`` names it
    INVALID_QUANTITY = "invalid_quantity"  # not a positive multiple of the step
    INVALID_PRICE = "invalid_price"  # not a positive multiple of the tick (``field``)
    MIN_NOTIONAL = "min_notional"
    DUPLICATE_CLIENT_ID = "duplicate_client_id"
    WOULD_TRIGGER = "would_trigger"  # a stop order whose trigger is already passed
    WOULD_TAKE = "would_take"  # a maker-only order that would take liquidity
    INSUFFICIENT_BALANCE = "insufficient_balance"
    INSUFFICIENT_MARGIN = "insufficient_margin"
    REDUCE_ONLY_REJECTED = "reduce_only_rejected"
    UNKNOWN_ORDER = "unknown_order"  # a lookup found no such order
    CANCEL_REJECTED = "cancel_rejected"  # no such order, or it is no longer open
    AMEND_REJECTED = "amend_rejected"  # the order is no longer open, or not a resting one
    INVALID_INTERVAL = "invalid_interval"
    UNKNOWN_ASSET = "unknown_asset"
    UNKNOWN_NETWORK = "unknown_network"
    WITHDRAWAL_TOO_SMALL = "withdrawal_too_small"  # the amount does not cover the fee


class SimError(Exception):
    """A refused engine call. ``field`` is the neutral parameter name it concerns
    (``quantity``, ``price``, ``stop_price``, ``quote_quantity``, ``order_id``, ...);
    ``market`` the market, when one was resolved."""

    def __init__(
        self,
        kind: ErrorKind,
        message: str,
        *,
        field: str | None = None,
        market: Market | None = None,
    ) -> None:
        super().__init__(f"{kind}: {message}")
        self.kind = kind
        self.message = message
        self.field = field
        self.market = market
