"""Sensors ``withdrawal_sync`` and ``deposit_sync``: incremental sync of a ledger
(``assets.ledger``), each with its own cursor, one entry per exchange.

Each evaluation, for every exchange: start from the newest record time seen
(the cursor; rebuilt from ``max(ts)`` in QuestDB when lost), re-read an overlap
window before it for late status changes, compare what the exchange reports
with what QuestDB holds for that window, and request a run of the ledger's job for
each day that gained or changed a record. When nothing is new this costs one
request per pass (crypto, fiat) per exchange and one small QuestDB query, whatever
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

from deltaworks_pipelines.assets._common import run_parallel
from deltaworks_pipelines.assets.ledger import WITHDRAWALS, Ledger, Record
from deltaworks_pipelines.partitions import partition_key
from deltaworks_pipelines.resources import ExchangeError, ExchangesResource, QuestDBResource

# How far past the sensor's clock to ask: a venue clock slightly ahead must not hide rows.
CLOCK_SKEW = timedelta(hours=1)
_STORED = """
SELECT {id_column} AS id, status, status_raw, txid, updated FROM {table}
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


def record_fingerprint(record: Record) -> Fingerprint:
    return fingerprint(record.status, record.status_raw, record.txid, record.updated)


def changed_days(
    fetched: Sequence[Record], stored: Mapping[str, Fingerprint], ledger: Ledger = WITHDRAWALS
) -> dict[date, list[Record]]:
    """Fetched records that QuestDB lacks or holds in another state, by UTC day of ``ts``."""
    days: dict[date, list[Record]] = defaultdict(list)
    for record in fetched:
        if stored.get(ledger.record_id(record)) != record_fingerprint(record):
            days[record.ts.astimezone(UTC).date()].append(record)
    return dict(sorted(days.items()))


def sensor_name(ledger: Ledger) -> str:
    """``withdrawal_sync`` or ``deposit_sync``."""
    return f"{ledger.direction.removesuffix('s')}_sync"


def run_key(
    exchange: str, day: date, changes: Sequence[Record], ledger: Ledger = WITHDRAWALS
) -> str:
    """A key that is the same for the same changes: repeated evaluations request one run."""
    digest = hashlib.sha256()
    for record in sorted(changes, key=ledger.record_id):
        digest.update(repr((ledger.record_id(record), record_fingerprint(record))).encode())
    return f"{sensor_name(ledger)}:{exchange}:{day.isoformat()}:{digest.hexdigest()[:16]}"


@dataclass
class ExchangeSync:
    """What one evaluation found for one exchange."""

    exchange: str
    cursor_ms: int
    fetched: int = 0
    days: dict[date, list[Record]] = field(default_factory=dict)
    error: str | None = None


def sync_exchange(
    questdb: QuestDBResource,
    exchanges: ExchangesResource,
    ledger: Ledger,
    exchange: str,
    cursor_ms: int | None,
    overlap: timedelta,
    now: datetime,
) -> ExchangeSync:
    """Compare the exchange's records since ``cursor_ms - overlap`` with QuestDB's."""
    if cursor_ms is None:
        newest = questdb.reader.scalar(
            f"SELECT max(ts) FROM {ledger.table} WHERE exchange = %s", (exchange,)
        )
        cursor_ms = _ms(newest) or _ms(now - overlap)
    start = datetime.fromtimestamp(cursor_ms / 1000, UTC) - overlap
    try:
        with exchanges.client(exchange) as venue:
            fetched = ledger.fetch(venue, _ms(start), _ms(now + CLOCK_SKEW))
    except ExchangeError as exc:
        return ExchangeSync(exchange, cursor_ms, error=str(exc))
    stored_sql = _STORED.format(id_column=ledger.id_column, table=ledger.table)
    rows = questdb.reader.query(stored_sql, (exchange, start))
    stored = {
        r["id"]: fingerprint(r["status"], r["status_raw"], r["txid"], r["updated"]) for r in rows
    }
    newest_seen = max((_ms(w.ts) for w in fetched), default=cursor_ms)
    return ExchangeSync(
        exchange,
        max(cursor_ms, newest_seen),
        fetched=len(fetched),
        days=changed_days(fetched, stored, ledger),
    )


def evaluate(
    questdb: QuestDBResource,
    exchanges: ExchangesResource,
    ledger: Ledger,
    cursor: Mapping[str, int],
    overlap: timedelta,
    now: datetime,
) -> list[ExchangeSync]:
    """``sync_exchange`` for every configured exchange, in parallel."""
    tasks = [
        partial(sync_exchange, questdb, exchanges, ledger, name, cursor.get(name), overlap, now)
        for name in exchanges.names
    ]
    return run_parallel(tasks, exchanges.max_workers)


def build_ledger_sync(ledger: Ledger, job_name: str, overlap: timedelta) -> dg.SensorDefinition:
    """The ledger's sensor (``withdrawal_sync``, ``deposit_sync``) requesting ``job_name``
    runs for changed day partitions."""
    name = sensor_name(ledger)

    @dg.sensor(
        name=name,
        job_name=job_name,
        minimum_interval_seconds=60,
        description=f"Incremental {ledger.direction} sync: requests a {ledger.table} run for "
        f"every exchange day that gained or changed {ledger.direction} since the last "
        "evaluation.",
    )
    def ledger_sync(
        context: dg.SensorEvaluationContext,
        questdb: QuestDBResource,
        exchanges: ExchangesResource,
    ) -> dg.SensorResult:
        now = datetime.now(UTC)
        results = evaluate(questdb, exchanges, ledger, parse_cursor(context.cursor), overlap, now)
        requests = []
        for result in results:
            if result.error:
                context.log.error(f"{name} {result.exchange}: {result.error}")
                continue
            for day, changes in result.days.items():
                if day > now.date():
                    context.log.warning(
                        f"{name} {result.exchange}: {len(changes)} {ledger.direction} dated "
                        f"{day}, after today; they are synced once that day's partition exists"
                    )
                    continue
                requests.append(
                    dg.RunRequest(
                        run_key=run_key(result.exchange, day, changes, ledger),
                        partition_key=partition_key(result.exchange, day),
                        tags={f"deltaworks/changed_{ledger.direction}": str(len(changes))},
                    )
                )
            context.log.debug(  # routine: in the tick's log in the UI, off the console
                f"{name} {result.exchange}: {result.fetched} in window, "
                f"{sum(map(len, result.days.values()))} new or changed in {len(result.days)} days"
            )
        cursor = {result.exchange: result.cursor_ms for result in results}
        return dg.SensorResult(run_requests=requests, cursor=dump_cursor(cursor))

    return ledger_sync
