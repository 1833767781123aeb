"""Constrained number types shared by every input of Delta Works (API, CLI, configuration).

Each type is finite (no NaN, no infinity: JSON's ``1e309`` parses as infinity)
and bounded by what the quantity can mean, so an absurd value is refused where
it enters, with pydantic's error naming the field and the rule, and never
reaches ccxt's precision code or a stored row.
"""

from __future__ import annotations

import math
from typing import Annotated

from pydantic import Field

MAX_AMOUNT = 1e12  # base units: more than any asset's supply
MAX_PRICE = 1e12  # quote per base unit
MAX_NOTIONAL = 1e15  # quote units
MAX_BPS = 10_000.0  # 100 %

Amount = Annotated[float, Field(gt=0, le=MAX_AMOUNT, allow_inf_nan=False)]
Price = Annotated[float, Field(gt=0, le=MAX_PRICE, allow_inf_nan=False)]
Notional = Annotated[float, Field(gt=0, le=MAX_NOTIONAL, allow_inf_nan=False)]
Bps = Annotated[float, Field(gt=0, le=MAX_BPS, allow_inf_nan=False)]
Count = Annotated[int, Field(ge=0, le=1_000_000)]


def non_finite_path(value: object, path: str = "") -> str | None:
    """The path of the first NaN or infinity inside JSON-like ``value``, or ``None``."""
    if isinstance(value, float) and not math.isfinite(value):
        return path or "value"
    if isinstance(value, dict):
        items = value.items()
    elif isinstance(value, list | tuple):
        items = enumerate(value)
    else:
        return None
    for key, item in items:
        found = non_finite_path(item, f"{path}.{key}" if path else str(key))
        if found is not None:
            return found
    return None
