"""``portfolio_value``: value per exchange and account type at every holdings snapshot.

Funds sent to another configured exchange and not yet credited there (``transfers``) are
part of the sender's value: one row per snapshot with ``account_type = 'in_transit'`` and
``in_transit = true``.
"""

import dagster as dg
import pandas as pd

from deltaworks_pipelines.assets._common import TREASURY, preview, utc_micros
from deltaworks_pipelines.assets.transfers import LOOKBACK
from deltaworks_pipelines.partitions import ExchangeDay, utc_today
from deltaworks_pipelines.resources import QuestDBResource

TABLE = "portfolio_value"
SYMBOLS = ["exchange", "account_type", "quote"]
_FROM_HOLDINGS = """
SELECT ts, exchange, account_type, quote,
       sum(value) AS value,
       sum(CASE WHEN priced THEN 0L ELSE 1L END) AS unpriced_assets
FROM holdings
WHERE exchange = %s AND ts >= %s AND ts < %s
GROUP BY ts, exchange, account_type, quote
ORDER BY ts, account_type
"""
_TRANSFERS = """
SELECT ts, value, settled_at FROM transfers
WHERE from_exchange = %s AND ts >= %s AND ts < %s AND status != 'failed'
"""
IN_TRANSIT = "in_transit"


def in_transit_rows(holdings: pd.DataFrame, transfers: pd.DataFrame) -> pd.DataFrame:
    """Per snapshot of ``holdings``, the value of ``transfers`` sent and not yet settled then.

    Transfers without a price count as unpriced assets.
    """
    rows = []
    for (ts, exchange, quote), _ in holdings.groupby(["ts", "exchange", "quote"]):
        sent = transfers[transfers["ts"] <= ts]
        open_ = sent[sent["settled_at"].isna() | (sent["settled_at"] > ts)]
        if open_.empty:
            continue
        rows.append(
            {
                "ts": ts,
                "exchange": exchange,
                "account_type": IN_TRANSIT,
                "quote": quote,
                "value": float(open_["value"].fillna(0.0).sum()),
                "unpriced_assets": int(open_["value"].isna().sum()),
                "in_transit": True,
            }
        )
    return pd.DataFrame(rows, columns=[*holdings.columns])


def derive_portfolio(questdb: QuestDBResource, part: ExchangeDay) -> pd.DataFrame:
    """Portfolio rows of one exchange and day, summed from that day's holdings snapshots."""
    questdb.reader.wait_visible("holdings")
    frame = questdb.reader.query_df(_FROM_HOLDINGS, (part.exchange, part.start, part.end))
    if not frame.empty:
        frame["value"] = frame["value"].fillna(0.0).astype(float)
        frame["unpriced_assets"] = frame["unpriced_assets"].astype("int64")
        frame["ts"] = utc_micros(frame["ts"])
        frame["in_transit"] = False
        questdb.reader.wait_visible("transfers")
        transfers = questdb.reader.query_df(
            _TRANSFERS, (part.exchange, part.start - LOOKBACK, part.end)
        )
        if not transfers.empty:
            transfers["ts"] = utc_micros(transfers["ts"])
            transfers["settled_at"] = utc_micros(transfers["settled_at"])
            moving = in_transit_rows(frame, transfers)
            if not moving.empty:
                frame = pd.concat([frame, moving], ignore_index=True)
    return frame


def build_portfolio(partitions_def: dg.PartitionsDefinition) -> dg.AssetsDefinition:
    """The ``portfolio_value`` asset, partitioned like (and derived from) ``holdings``."""

    @dg.asset(
        name=TABLE,
        partitions_def=partitions_def,
        deps=["holdings", "transfers"],
        group_name="treasury",
        owners=TREASURY,
        kinds={"questdb"},
        description="Value in the quote currency per exchange and account type at each "
        "holdings snapshot, and funds sent to another configured exchange and not yet "
        "credited (account type in_transit, flagged); each run (re-)derives today's "
        "snapshots. The total per exchange is the sum over account types.",
    )
    def portfolio_value(
        context: dg.AssetExecutionContext, questdb: QuestDBResource
    ) -> dg.MaterializeResult:
        part = ExchangeDay(context.partition_key, utc_today())  # today's snapshots, re-derived
        frame = derive_portfolio(questdb, part)
        questdb.writer.write_dataframe(TABLE, frame, symbols=SYMBOLS)
        questdb.reader.wait_visible(TABLE)
        if frame.empty:
            context.log.warning(f"no holdings for {part.exchange} on {part.day}")
            return dg.MaterializeResult(metadata={"dagster/row_count": 0})
        latest = frame[frame["ts"] == frame["ts"].max()]
        total = float(latest["value"].sum())
        context.log.info(f"portfolio {part.exchange} {part.day}: latest value {total:,.2f}")
        return dg.MaterializeResult(
            metadata={
                "dagster/row_count": len(frame),
                "snapshots": int(frame["ts"].nunique()),
                "latest_total_value": round(total, 2),
                "latest_in_transit_value": round(
                    float(latest.loc[latest["in_transit"], "value"].sum()), 2
                ),
                "latest_value_by_account_type": {
                    r.account_type: round(float(r.value), 2) for r in latest.itertuples()
                },
                "preview": preview(latest, ["ts", "account_type", "quote", "value"]),
            }
        )

    return portfolio_value
