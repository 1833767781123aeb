"""Sensor ``withdrawal_sync``: incremental withdrawal sync, one cursor per exchange.

Each evaluation, for every exchange: start from the newest withdrawal time seen
(the cursor; rebuilt from ``max(ts)`` in QuestDB when lost), re-read an overlap
window before it for late status changes, compare what the exchange reports
with what QuestDB holds for that window, and request a ``withdrawals`` run for
each day that gained or changed a withdrawal. When nothing is new this costs one
crypto and one fiat request per exchange and one small QuestDB query, whatever
the size of the history. Run keys hash the day's changes, so repeated
evaluations before the run lands request nothing new.
"""

import hashlib
import json
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from functools import partial

import dagster as dg

from deltaworks_core.models import Withdrawal
from deltaworks_pipelines.assets._common import run_parallel
from deltaworks_pipelines.assets.withdrawals import fetch_withdrawals
from deltaworks_pipelines.partitions import partition_key
from deltaworks_pipelines.resources import ExchangeError, ExchangesResource, QuestDBResource

# How far past the sensor's clock to ask: a venue clock slightly ahead must not hide rows.
CLOCK_SKEW = timedelta(hours=1)
_STORED = """
SELECT withdrawal_id, status, status_raw, txid, updated FROM withdrawals
WHERE exchange = %s AND ts >= %s
"""
Fingerprint = tuple[str | None, str | None, str | None, int | None]


def parse_cursor(text: str | None) -> dict[str, int]:
    """``{exchange: newest applied time seen, ms}``; an empty or unreadable cursor is empty."""
    try:
        raw = json.loads(text or "{}")
    except json.JSONDecodeError:
        return {}
    if not isinstance(raw, dict):
        return {}
    return {str(k): int(v) for k, v in raw.items() if isinstance(v, int | float)}


def dump_cursor(cursor: Mapping[str, int]) -> str:
    return json.dumps(dict(sorted(cursor.items())), separators=(",", ":"))


def _ms(value: datetime | None) -> int | None:
    if value is None:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return int(value.timestamp() * 1000)


def fingerprint(
    status: str | None, status_raw: str | None, txid: str | None, updated: datetime | None
) -> Fingerprint:
    """What may change on a withdrawal after it is applied."""
    return (status, status_raw or None, txid or None, _ms(updated))


def withdrawal_fingerprint(w: Withdrawal) -> Fingerprint:
    return fingerprint(w.status, w.status_raw, w.txid, w.updated)


def changed_days(
    fetched: Sequence[Withdrawal], stored: Mapping[str, Fingerprint]
) -> dict[date, list[Withdrawal]]:
    """Fetched withdrawals that QuestDB lacks or holds in another state, by UTC day applied."""
    days: dict[date, list[Withdrawal]] = defaultdict(list)
    for w in fetched:
        if stored.get(w.withdrawal_id) != withdrawal_fingerprint(w):
            days[w.ts.astimezone(UTC).date()].append(w)
    return dict(sorted(days.items()))


def run_key(exchange: str, day: date, changes: Sequence[Withdrawal]) -> str:
    """A key that is the same for the same changes: repeated evaluations request one run."""
    digest = hashlib.sha256()
    for w in sorted(changes, key=lambda w: w.withdrawal_id):
        digest.update(repr((w.withdrawal_id, withdrawal_fingerprint(w))).encode())
    return f"withdrawal_sync:{exchange}:{day.isoformat()}:{digest.hexdigest()[:16]}"


@dataclass
class ExchangeSync:
    """What one evaluation found for one exchange."""

    exchange: str
    cursor_ms: int
    fetched: int = 0
    days: dict[date, list[Withdrawal]] = field(default_factory=dict)
    error: str | None = None


def sync_exchange(
    questdb: QuestDBResource,
    exchanges: ExchangesResource,
    exchange: str,
    cursor_ms: int | None,
    overlap: timedelta,
    now: datetime,
) -> ExchangeSync:
    """Compare the exchange's withdrawals since ``cursor_ms - overlap`` with QuestDB's."""
    if cursor_ms is None:
        newest = questdb.reader.scalar(
            "SELECT max(ts) FROM withdrawals WHERE exchange = %s", (exchange,)
        )
        cursor_ms = _ms(newest) or _ms(now - overlap)
    start = datetime.fromtimestamp(cursor_ms / 1000, UTC) - overlap
    try:
        with exchanges.client(exchange) as venue:
            fetched = fetch_withdrawals(venue, _ms(start), _ms(now + CLOCK_SKEW))
    except ExchangeError as exc:
        return ExchangeSync(exchange, cursor_ms, error=str(exc))
    rows = questdb.reader.query(_STORED, (exchange, start))
    stored = {
        r["withdrawal_id"]: fingerprint(r["status"], r["status_raw"], r["txid"], r["updated"])
        for r in rows
    }
    newest_seen = max((_ms(w.ts) for w in fetched), default=cursor_ms)
    return ExchangeSync(
        exchange,
        max(cursor_ms, newest_seen),
        fetched=len(fetched),
        days=changed_days(fetched, stored),
    )


def evaluate(
    questdb: QuestDBResource,
    exchanges: ExchangesResource,
    cursor: Mapping[str, int],
    overlap: timedelta,
    now: datetime,
) -> list[ExchangeSync]:
    """``sync_exchange`` for every configured exchange, in parallel."""
    tasks = [
        partial(sync_exchange, questdb, exchanges, name, cursor.get(name), overlap, now)
        for name in exchanges.names
    ]
    return run_parallel(tasks, exchanges.max_workers)


def build_withdrawal_sync(job_name: str, overlap: timedelta) -> dg.SensorDefinition:
    """The ``withdrawal_sync`` sensor requesting ``job_name`` runs for changed day partitions."""

    @dg.sensor(
        name="withdrawal_sync",
        job_name=job_name,
        minimum_interval_seconds=60,
        description="Incremental withdrawal sync: requests a withdrawals run for every "
        "exchange day that gained or changed withdrawals since the last evaluation.",
    )
    def withdrawal_sync(
        context: dg.SensorEvaluationContext,
        questdb: QuestDBResource,
        exchanges: ExchangesResource,
    ) -> dg.SensorResult:
        now = datetime.now(UTC)
        results = evaluate(questdb, exchanges, parse_cursor(context.cursor), overlap, now)
        requests = []
        for result in results:
            if result.error:
                context.log.error(f"withdrawal_sync {result.exchange}: {result.error}")
                continue
            for day, changes in result.days.items():
                if day > now.date():
                    context.log.warning(
                        f"withdrawal_sync {result.exchange}: {len(changes)} withdrawals dated "
                        f"{day}, after today; they are synced once that day's partition exists"
                    )
                    continue
                requests.append(
                    dg.RunRequest(
                        run_key=run_key(result.exchange, day, changes),
                        partition_key=partition_key(result.exchange, day),
                        tags={"deltaworks/changed_withdrawals": str(len(changes))},
                    )
                )
            context.log.info(
                f"withdrawal_sync {result.exchange}: {result.fetched} in window, "
                f"{sum(map(len, result.days.values()))} new or changed in {len(result.days)} days"
            )
        cursor = {result.exchange: result.cursor_ms for result in results}
        return dg.SensorResult(run_requests=requests, cursor=dump_cursor(cursor))

    return withdrawal_sync
