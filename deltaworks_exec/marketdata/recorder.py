"""The market-data recorder: every owned exchange's streams into QuestDB, one task each.

``Recorder(settings).run()`` records until cancelled (``deltaworks-exec record``, or
``serve`` with ``recorder.enabled``). An exchange whose feed fails is restarted with
backoff while the others go on.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from datetime import UTC
from typing import Any

from deltaworks_core.config import Settings
from deltaworks_core.questdb import QuestDBReader, QuestDBWriter
from deltaworks_core.venues.factory import create_exchange
from deltaworks_exec.marketdata.backoff import Backoff
from deltaworks_exec.marketdata.feed import ExchangeFeed
from deltaworks_exec.marketdata.rows import Row
from deltaworks_exec.marketdata.shard import owned_streams
from deltaworks_exec.marketdata.sink import TickSink

log = logging.getLogger(__name__)

_LAST_TRADES = """
SELECT exchange, symbol, trade_id, ts FROM trades
WHERE exchange = %s
LATEST ON ts PARTITION BY exchange, symbol
"""


def last_stored_trades(reader: QuestDBReader, exchange: str) -> dict[str, tuple[str, float]]:
    """Symbol -> (trade id, time in ms) of the newest trade stored for ``exchange``."""
    rows = reader.query(_LAST_TRADES, (exchange,))
    return {
        row["symbol"]: (row["trade_id"], row["ts"].replace(tzinfo=UTC).timestamp() * 1000)
        for row in rows
        if row["trade_id"] is not None
    }


class Recorder:
    """Records this process's share (``recorder.shard_*``) of the configured streams."""

    def __init__(
        self,
        settings: Settings,
        *,
        simulator_url: str | None = None,
        on_written: Callable[[str, list[Row]], None] | None = None,
    ) -> None:
        self.settings = settings
        self._simulator_url = simulator_url
        self._on_written = on_written
        self.feeds: dict[str, ExchangeFeed] = {}
        self.sink: TickSink | None = None

    async def run(self) -> None:
        """Record until cancelled; then flush what is pending and close the connections."""
        settings = self.settings
        owned = owned_streams(settings)
        if not owned:
            raise ValueError("recorder: no exchange or symbol to record in this shard")
        with QuestDBWriter(settings.questdb) as writer, QuestDBReader(settings.questdb) as reader:
            recorder = settings.recorder
            self.sink = TickSink(
                writer, recorder.flush_interval_s, recorder.batch_rows, self._on_written
            )
            for name, symbols in owned.items():
                last = await asyncio.to_thread(last_stored_trades, reader, name)
                client = create_exchange(
                    settings,
                    settings.exchange(name),
                    asynchronous=True,
                    simulator_url=self._simulator_url,
                )
                self.feeds[name] = ExchangeFeed(
                    name, client, symbols, self.sink, settings.recorder, last
                )
            log.info("recorder started", extra={"streams": {k: list(v) for k, v in owned.items()}})
            sink_task = asyncio.create_task(self.sink.run(), name="recorder-sink")
            try:
                await asyncio.gather(*(self._supervise(feed) for feed in self.feeds.values()))
            finally:
                for feed in self.feeds.values():
                    with contextlib.suppress(Exception):
                        await feed.client.close()
                sink_task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await sink_task

    async def _supervise(self, feed: ExchangeFeed) -> None:
        """Run one exchange's feed; restart it with backoff if it fails as a whole."""
        recorder = self.settings.recorder
        backoff = Backoff(recorder.reconnect_initial_s, recorder.reconnect_max_s)
        while True:
            try:
                await feed.run()
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                log.error(
                    "recorder feed failed; restarting",
                    extra={"exchange": feed.name, "error": repr(exc)[:300]},
                )
                await asyncio.sleep(backoff.next_delay())

    def status(self) -> dict[str, Any]:
        """Messages received per exchange, rows written per table, gaps seen."""
        return {
            "messages": {name: feed.messages for name, feed in self.feeds.items()},
            "written": dict(self.sink.written) if self.sink else {},
            "gaps": sum(len(feed.gaps) for feed in self.feeds.values()),
        }
