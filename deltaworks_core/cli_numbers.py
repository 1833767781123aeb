"""Number arguments of the command lines: finite and of a sane size, or a usage error (exit 2)
naming the option, never a traceback (``nan`` and ``inf`` parse as floats)."""

from __future__ import annotations

import math

import typer

from deltaworks_core.numbers import MAX_NOTIONAL


def finite(text: str) -> float:
    """``text`` as a finite number of at most ``MAX_NOTIONAL`` in size (typer ``parser``)."""
    try:
        value = float(text)
    except ValueError:
        raise typer.BadParameter(f"{text!r} is not a number") from None
    if not math.isfinite(value):
        raise typer.BadParameter(f"{text!r} is not a finite number")
    if abs(value) > MAX_NOTIONAL:
        raise typer.BadParameter(f"{text!r} is out of range (at most {MAX_NOTIONAL:g} in size)")
    return value
