"""Order books recorded by the market-data recorder (``book_snapshots``), for replay."""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass, field

Levels = list[tuple[float, float]]


@dataclass(slots=True)
class RecordedBooks:
    """Snapshots of one market's book in time order: (price, amount) levels, best first."""

    ts_ms: list[int] = field(default_factory=list)
    bids: list[Levels] = field(default_factory=list)
    asks: list[Levels] = field(default_factory=list)

    def add(self, ts_ms: int, bids: Levels, asks: Levels) -> None:
        """Append a snapshot no older than the last one."""
        if self.ts_ms and ts_ms < self.ts_ms[-1]:
            raise ValueError(f"book snapshot at {ts_ms} is older than the last ({self.ts_ms[-1]})")
        self.ts_ms.append(ts_ms)
        self.bids.append(bids)
        self.asks.append(asks)

    def at(self, t_ms: int) -> tuple[Levels, Levels] | None:
        """The last snapshot at or before ``t_ms`` (never a later one), or ``None``."""
        i = bisect_right(self.ts_ms, t_ms) - 1
        return (self.bids[i], self.asks[i]) if i >= 0 else None


def levels(array: list[list[float]] | None) -> Levels:
    """(price, amount) levels from QuestDB's ``DOUBLE[][]`` layout ``[[prices], [amounts]]``."""
    if not array:
        return []
    prices, amounts = array
    return list(zip(prices, amounts, strict=True))
