"""The market's live volume since a parent's start, read from the venue's public trades."""

from __future__ import annotations

from deltaworks_exec.venue import Venue


class TapeVolume:
    """Sums the public trades of ``symbol`` from ``start_ms`` on, each counted once (by trade
    id) however the looks overlap. Ours are on the tape too: callers subtract their fills."""

    def __init__(self, venue: Venue, symbol: str, start_ms: int) -> None:
        self.venue = venue
        self.symbol = symbol
        self.start_ms = start_ms
        self.volume = 0.0
        self._since_ms = start_ms
        self._seen: set[str] = set()  # ids of the trades at ``_since_ms`` already counted

    async def update(self) -> float:
        """Add the trades since the last look; return the volume since the start."""
        trades = await self.venue.public_trades(self.symbol, self._since_ms)
        fresh = [t for t in trades if t.id not in self._seen and t.ts_ms >= self.start_ms]
        self.volume += sum(t.amount for t in fresh)
        if trades:
            newest = max(t.ts_ms for t in trades)
            self._seen = {t.id for t in trades if t.ts_ms == newest}
            self._since_ms = newest
        return self.volume
