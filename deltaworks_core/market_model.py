"""How the simulated market reacts to orders and how its volume moves through the week.

``MarketModel`` is the ``[simulator.market]`` table of the configuration and what an
``ExchangeEngine`` takes as ``market_model``; without one the simulator keeps its plain
market (flat volume, no impact, ladders rebuilt every second).

Impact (log-price, added to the seeded price process; a buy pushes up, a sell down):

* temporary: ``impact_coefficient * daily_volatility * sign(x) * sqrt(|x| / V)`` where
  ``x`` is the aggressive signed volume received, decaying so that this impact halves
  every ``impact_half_life_s``, and ``V`` the market's average daily volume: the
  square-root law of meta-order impact (prefactor ``Y`` of order one in equity and
  bitcoin studies; 0.7 here), made transient by the decay so that slow trading costs
  less than fast trading;
* permanent: ``permanent_bps_per_pct_volume`` bps for every 1% of daily volume taken,
  linear (no round-trip arbitrage), never decaying; 1 bps is Almgren et al. (2005)'s
  permanent coefficient (0.31 daily sigma per unit of daily volume) at a 3% daily sigma.

The quote ladders are consumed by aggressive orders and refill with
``book_refill_half_life_s``. Volume: every second's trade size is scaled by the hour of
day (UTC, ``hourly_volume``), the day of the week (``weekday_volume``, Monday first) and
bursts (a ``burst_window_s`` window is a burst with ``burst_probability``, its volume
``burst_multiplier`` times); the factors are normalised to a mean of one, so the daily
volume stays that of the plain market. Everything is deterministic for a seed.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, PositiveFloat

# A U over the UTC day: busy around the day's turn and the American session's end, quiet
# through the European morning. Relative values; normalised to a mean of one.
U_SHAPED_HOURS = (
    1.60, 1.40, 1.20, 1.05, 0.92, 0.82, 0.75, 0.70, 0.67, 0.65, 0.66, 0.69,
    0.74, 0.80, 0.88, 0.97, 1.06, 1.15, 1.24, 1.33, 1.42, 1.50, 1.56, 1.62,
)  # fmt: skip
# Weekends trade about a fifth less than weekdays on the large crypto venues.
WEEKDAYS = (1.05, 1.10, 1.10, 1.05, 1.05, 0.85, 0.80)


class MarketModel(BaseModel):
    """Market impact, book resilience and the intraday volume curve of the simulator."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    impact_coefficient: float = Field(default=0.7, ge=0)
    daily_volatility: float = Field(default=0.03, ge=0)
    impact_half_life_s: float = Field(default=120.0, gt=0)
    permanent_bps_per_pct_volume: float = Field(default=1.0, ge=0)
    book_refill_half_life_s: float = Field(default=10.0, gt=0)
    book_levels: int = Field(default=200, ge=1, le=5000)
    hourly_volume: tuple[PositiveFloat, ...] = Field(
        default=U_SHAPED_HOURS, min_length=24, max_length=24
    )
    weekday_volume: tuple[PositiveFloat, ...] = Field(default=WEEKDAYS, min_length=7, max_length=7)
    burst_probability: float = Field(default=0.03, ge=0, le=1)
    burst_multiplier: float = Field(default=3.0, ge=1)
    burst_window_s: int = Field(default=300, ge=1)

    def hour_shares(self) -> tuple[float, ...]:
        """Each UTC hour's expected share of a day's volume."""
        total = sum(self.hourly_volume)
        return tuple(value / total for value in self.hourly_volume)
