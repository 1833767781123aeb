"""``transfers``: withdrawals of one exchange matched to deposits on the other configured ones.

A partition (exchange, day) re-matches that exchange's withdrawals of the day and of the
``LOOKBACK`` before it (a transfer can take days) against the deposits stored for the
other exchanges (``transfer_matching``), and upserts one row per transfer keyed by the
withdrawal: ``in_transit`` until the deposit is credited, then ``settled``. It runs in
the holdings job, before ``portfolio_value``, which adds the funds still in transit.
"""

from collections import Counter
from datetime import UTC, datetime, timedelta
from typing import Any

import dagster as dg
import pandas as pd

from deltaworks_pipelines.assets._common import exchange_failure, preview, utc_micros
from deltaworks_pipelines.partitions import ExchangeDay
from deltaworks_pipelines.resources import ExchangesResource, QuestDBResource
from deltaworks_pipelines.transfer_matching import Transfer, match_transfers
from deltaworks_pipelines.valuation import last_prices, price_in_quote

TABLE = "transfers"
SYMBOLS = ["from_exchange", "to_exchange", "asset", "matched_by", "status", "quote"]
LOOKBACK = timedelta(days=3)  # withdrawals re-matched before the partition's day
MATCH_WINDOW = timedelta(days=2)  # the longest a deposit may take to appear
_WITHDRAWALS = """
SELECT ts, withdrawal_id, asset, amount, fee, txid, address, status, internal
FROM withdrawals WHERE exchange = %s AND ts >= %s AND ts < %s AND kind = 'crypto'
"""
_DEPOSITS = """
SELECT ts, exchange, deposit_id, asset, amount, txid, address, status, internal, updated
FROM deposits WHERE exchange IN ({names}) AND ts >= %s AND ts < %s AND kind = 'crypto'
"""
_ADDRESSES = """
SELECT DISTINCT address, exchange FROM deposits
WHERE exchange IN ({names}) AND address IN ({addresses})
"""


def _in(values: list[Any]) -> str:
    return ", ".join(["%s"] * len(values))


def find_transfers(
    questdb: QuestDBResource, exchange: str, others: list[str], start: datetime, end: datetime
) -> list[Transfer]:
    """Transfers among ``exchange``'s withdrawals in ``[start, end)`` to ``others``."""
    reader = questdb.reader
    reader.wait_visible(["withdrawals", "deposits"])
    withdrawals = reader.query(_WITHDRAWALS, (exchange, start, end))
    if not withdrawals or not others:
        return []
    deposits = reader.query(
        _DEPOSITS.format(names=_in(others)), (*others, start, end + MATCH_WINDOW)
    )
    addresses = sorted({w["address"] for w in withdrawals if w["address"]})
    known = (
        {
            r["address"]: r["exchange"]
            for r in reader.query(
                _ADDRESSES.format(names=_in(others), addresses=_in(addresses)),
                (*others, *addresses),
            )
        }
        if addresses
        else {}
    )
    return match_transfers(withdrawals, deposits, known, MATCH_WINDOW)


def transfers_frame(
    transfers: list[Transfer], exchange: str, quote: str, prices: dict[str, float]
) -> pd.DataFrame:
    """Rows for the ``transfers`` table, valued at ``prices`` in ``quote``."""
    rows = []
    for t in transfers:
        w, d = t.withdrawal, t.deposit
        price = price_in_quote(w["asset"], quote, prices)
        rows.append(
            {
                "ts": w["ts"],
                "from_exchange": exchange,
                "withdrawal_id": w["withdrawal_id"],
                "to_exchange": t.to_exchange,
                "deposit_id": d["deposit_id"] if d else None,
                "asset": w["asset"],
                "amount": float(w["amount"]),
                "fee": w["fee"],
                "txid": w["txid"] or (d["txid"] if d else None),
                "address": w["address"],
                "matched_by": t.matched_by,
                "status": t.status,
                "arrived_at": d["ts"] if d else None,
                "settled_at": t.settled_at,
                "quote": quote,
                "price": price,
                "value": None if price is None else float(w["amount"]) * price,
                "synced_at": datetime.now(UTC),
            }
        )
    frame = pd.DataFrame(rows)
    for column in ("ts", "arrived_at", "settled_at", "synced_at"):
        if column in frame:
            frame[column] = utc_micros(frame[column])
    return frame


def build_transfers(partitions_def: dg.PartitionsDefinition) -> dg.AssetsDefinition:
    """The ``transfers`` asset, partitioned by sending exchange and day."""

    @dg.asset(
        name=TABLE,
        partitions_def=partitions_def,
        deps=["withdrawals", "deposits"],
        group_name="treasury",
        kinds={"questdb"},
        description="Withdrawals of the exchange (that day and the 3 before) matched to their "
        "deposit on another configured exchange by txid, else by asset, amount net of fee "
        "and a 2-day window: in transit until credited, then settled.",
    )
    def transfers(
        context: dg.AssetExecutionContext, questdb: QuestDBResource, exchanges: ExchangesResource
    ) -> dg.MaterializeResult:
        part = ExchangeDay.parse(context.partition_key)
        others = [n for n in exchanges.names if n != part.exchange]
        found = find_transfers(questdb, part.exchange, others, part.start - LOOKBACK, part.end)
        prices: dict[str, float] = {}
        if any(t.status == "in_transit" for t in found):
            with exchange_failure(), exchanges.client(part.exchange) as venue:
                prices = last_prices(venue.fetch_tickers())
        quote = exchanges.exchange_settings(part.exchange).quote_currency
        frame = transfers_frame(found, part.exchange, quote, prices)
        if not frame.empty:
            questdb.writer.write_dataframe(TABLE, frame, symbols=SYMBOLS)
            questdb.reader.wait_visible(TABLE)
        by_status = Counter(t.status for t in found)
        context.log.info(f"transfers {part.exchange} {part.day}: {dict(by_status)}")
        metadata: dict[str, Any] = {"dagster/row_count": len(frame), "by_status": dict(by_status)}
        if not frame.empty:
            metadata["preview"] = preview(
                frame, ["ts", "to_exchange", "asset", "amount", "matched_by", "status"]
            )
        return dg.MaterializeResult(metadata=metadata)

    return transfers
