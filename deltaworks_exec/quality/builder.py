"""Reports every parent order shortly after it finished (run by the execution service)."""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime, timedelta

from deltaworks_core.config import QuestDBSettings
from deltaworks_core.questdb import QuestDBReader, QuestDBWriter
from deltaworks_exec.quality.reports import ExecutionReport, build_report, load_parent
from deltaworks_exec.quality.store import store_reports, unreported_parents

log = logging.getLogger(__name__)

LOOKBACK = timedelta(days=1)
# The recorder writes the market's trades in batches: a parent is reported once they are in.
SETTLE = timedelta(seconds=5)


def report_finished(
    reader: QuestDBReader, writer: QuestDBWriter, now: datetime | None = None
) -> list[ExecutionReport]:
    """Build and store the report of every parent that finished (``SETTLE`` ago) without one."""
    now = now or datetime.now(UTC)
    reports = []
    for parent_id in unreported_parents(reader, now - LOOKBACK):
        parent = load_parent(reader, parent_id)
        if parent is None or parent.ended > now - SETTLE:
            continue
        reports.append(build_report(reader, parent))
    store_reports(writer, reports, now)
    return reports


async def report_periodically(
    reader: QuestDBReader, questdb: QuestDBSettings, interval_s: float = 10.0
) -> None:
    """``report_finished`` every ``interval_s`` until cancelled; failures are logged."""
    with QuestDBWriter(questdb) as writer:  # its own: it writes from a worker thread
        while True:
            await asyncio.sleep(interval_s)
            try:
                reports = await asyncio.to_thread(report_finished, reader, writer)
            except Exception as exc:  # QuestDB away: the next pass catches up
                log.warning("execution reports failed", extra={"error": repr(exc)[:300]})
            else:
                if reports:
                    log.info("execution reports stored", extra={"reports": len(reports)})
