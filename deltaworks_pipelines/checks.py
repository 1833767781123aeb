"""Asset checks: unique withdrawals and deposits, consistent spot holdings, fresh holdings.

In a partitioned run a check looks at that run's exchange (holdings are partitioned
by exchange, withdrawals by exchange and day); run on its own it looks at every
configured exchange. Holdings checks look at today's snapshots.
"""

from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta

import dagster as dg

from deltaworks_pipelines.assets.ledger import DEPOSITS, WITHDRAWALS, Ledger
from deltaworks_pipelines.partitions import ExchangeDay, utc_today
from deltaworks_pipelines.resources import ExchangesResource, QuestDBResource

# free + used may differ from total by rounding: 1e-8 (one satoshi) plus 1e-9 of the total.
ABS_TOLERANCE = 1e-8
REL_TOLERANCE = 1e-9
EXAMPLES = 20


def _placeholders(values: Sequence[object]) -> str:
    return ", ".join(["%s"] * len(values))


def _scope(
    context: dg.AssetCheckExecutionContext, exchanges: ExchangesResource
) -> tuple[list[str], date]:
    """The run's exchange (and day) in a partitioned run; every exchange, today, otherwise."""
    if not context.has_partition_key:
        return exchanges.names, utc_today()
    key = context.partition_key
    if key in exchanges.names:  # a snapshot partition: the exchange alone
        return [key], utc_today()
    part = ExchangeDay.parse(key)
    return [part.exchange], part.day


def build_no_duplicates(ledger: Ledger) -> dg.AssetChecksDefinition:
    """``no_duplicate_<table>``: every record id of an exchange is stored once."""

    @dg.asset_check(
        asset=ledger.table,
        name=f"no_duplicate_{ledger.table}",
        description=f"Every {ledger.direction[:-1]} id of an exchange is stored once.",
    )
    def no_duplicates(
        context: dg.AssetCheckExecutionContext,
        questdb: QuestDBResource,
        exchanges: ExchangesResource,
    ) -> dg.AssetCheckResult:
        names, _ = _scope(context, exchanges)
        key = ledger.id_column
        rows = questdb.reader.query(
            f"""SELECT exchange, {key}, n FROM (
                    SELECT exchange, {key}, count() AS n FROM {ledger.table}
                    WHERE exchange IN ({_placeholders(names)}) GROUP BY exchange, {key}
                ) WHERE n > 1 LIMIT {EXAMPLES}""",
            names,
        )
        return dg.AssetCheckResult(
            passed=not rows,
            metadata={
                "exchanges": ", ".join(names),
                "duplicated_ids": len(rows),
                "examples": ", ".join(f"{r['exchange']}:{r[key]}x{r['n']}" for r in rows) or "none",
            },
        )

    return no_duplicates


@dg.asset_check(
    asset="holdings",
    name="spot_holdings_consistent",
    description="Today's spot balances are non-negative and free + used equals total, "
    "within one satoshi (plus a billionth of the total) for rounding.",
)
def spot_holdings_consistent(
    context: dg.AssetCheckExecutionContext, questdb: QuestDBResource, exchanges: ExchangesResource
) -> dg.AssetCheckResult:
    names, day = _scope(context, exchanges)
    window = ExchangeDay("", day)
    questdb.reader.wait_visible("holdings")
    rows = questdb.reader.query(
        f"""SELECT ts, exchange, asset, free, used, total FROM holdings
            WHERE account_type = 'spot' AND exchange IN ({_placeholders(names)})
              AND ts >= %s AND ts < %s
              AND (free < 0 OR used < 0 OR total < 0
                   OR abs(free + used - total) > %s + %s * abs(total))
            LIMIT {EXAMPLES}""",
        (*names, window.start, window.end, ABS_TOLERANCE, REL_TOLERANCE),
    )
    checked = questdb.reader.scalar(
        f"""SELECT count() FROM holdings WHERE account_type = 'spot'
            AND exchange IN ({_placeholders(names)}) AND ts >= %s AND ts < %s""",
        (*names, window.start, window.end),
    )
    return dg.AssetCheckResult(
        passed=not rows,
        metadata={
            "exchanges": ", ".join(names),
            "day": str(day),
            "rows_checked": int(checked or 0),
            "violations": len(rows),
            "examples": "; ".join(
                f"{r['exchange']} {r['asset']} free={r['free']} used={r['used']} total={r['total']}"
                for r in rows
            )
            or "none",
        },
    )


def _minutes(span: timedelta) -> str:
    minutes = round(span.total_seconds() / 60)
    return f"{minutes} minutes" if minutes < 120 else f"{minutes / 60:g} hours"


def build_holdings_freshness(interval_minutes: int) -> dg.AssetChecksDefinition:
    """Each exchange's newest snapshot is at most two snapshot intervals old."""
    limit = timedelta(minutes=2 * interval_minutes)

    @dg.asset_check(
        asset="holdings",
        name="holdings_fresh",
        description=f"Every exchange's newest holdings snapshot is at most {_minutes(limit)} "
        "old (two snapshot intervals).",
    )
    def holdings_fresh(
        context: dg.AssetCheckExecutionContext,
        questdb: QuestDBResource,
        exchanges: ExchangesResource,
    ) -> dg.AssetCheckResult:
        names, _ = _scope(context, exchanges)
        questdb.reader.wait_visible("holdings")
        rows = questdb.reader.query(
            f"""SELECT exchange, max(ts) AS newest FROM holdings
                WHERE exchange IN ({_placeholders(names)}) GROUP BY exchange""",
            names,
        )
        newest = {r["exchange"]: r["newest"].replace(tzinfo=UTC) for r in rows}
        now = datetime.now(UTC)
        stale = sorted(n for n in names if n not in newest or now - newest[n] > limit)
        ages = {n: round((now - t).total_seconds() / 60, 1) for n, t in newest.items()}
        metadata: dict[str, object] = {
            "exchanges": ", ".join(names),
            "limit": _minutes(limit),
            "stale_exchanges": ", ".join(stale) or "none",
            "age_by_exchange_minutes": ages,
        }
        if ages:  # the one number the UI plots over time: the oldest newest snapshot
            metadata["age_minutes"] = max(ages.values())
        return dg.AssetCheckResult(passed=not stale, metadata=metadata)

    return holdings_fresh


def build_checks(interval_minutes: int) -> list[dg.AssetChecksDefinition]:
    """Every asset check; holdings are stale after two missed snapshot intervals."""
    return [
        build_no_duplicates(WITHDRAWALS),
        build_no_duplicates(DEPOSITS),
        spot_holdings_consistent,
        build_holdings_freshness(interval_minutes),
    ]
