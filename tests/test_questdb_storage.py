"""Storage API against the real QuestDB: migrations, idempotent writes, WAL visibility."""

from datetime import UTC, datetime, timedelta

import pandas as pd
import pytest

from deltaworks_core.questdb import QuestDBReader, QuestDBWriter, SchemaMismatchError, migrate
from deltaworks_core.questdb.migrations import discover

EXPECTED_TABLES = {
    "holdings",
    "withdrawals",
    "candles",
    "portfolio_value",
    "order_events",
    "fills",
    "algo_events",
    "arbitrage_opportunities",
}


def _schema(reader: QuestDBReader) -> list[tuple]:
    rows = reader.query(
        "SELECT table_name, designatedTimestamp, partitionBy, walEnabled, dedup FROM tables()"
    )
    return sorted(tuple(row.values()) for row in rows)


def test_migrations_create_wal_dedup_tables_and_second_run_changes_nothing(
    reader: QuestDBReader,
) -> None:
    before = _schema(reader)
    assert migrate(reader) == []
    assert _schema(reader) == before
    tables = {row[0]: row for row in before}
    assert tables.keys() >= EXPECTED_TABLES
    for name in EXPECTED_TABLES:
        _, designated, partition_by, wal, dedup = tables[name]
        assert (designated, partition_by, wal, dedup) == ("ts", "DAY", True, True), name
    recorded = reader.scalar("SELECT count() FROM schema_migrations")
    assert recorded == len(discover())


def _holdings(exchange: str, n: int, ts: datetime) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "ts": [ts] * n,
            "exchange": [exchange] * n,
            "account_type": ["spot"] * n,
            "asset": [f"A{i}" for i in range(n)],
            "free": [1.0] * n,
            "used": [0.0] * n,
            "total": [1.0] * n,
            "quote": ["USDT"] * n,
            "price": [2.0] * n,
            "value": [2.0] * n,
            "priced": [True] * n,
        }
    )


def test_writing_the_same_rows_twice_keeps_one_copy(
    reader: QuestDBReader, writer: QuestDBWriter, unique: str
) -> None:
    ts = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
    frame = _holdings(unique, 50, ts)
    symbols = ["exchange", "account_type", "asset", "quote"]
    writer.write_dataframe("holdings", frame, symbols=symbols)
    writer.write_dataframe("holdings", frame, symbols=symbols)
    reader.wait_visible("holdings")
    count = reader.scalar("SELECT count() FROM holdings WHERE exchange = %s", (unique,))
    assert count == 50


def test_an_upsert_replaces_the_row_with_the_same_key(
    reader: QuestDBReader, writer: QuestDBWriter, unique: str
) -> None:
    ts = datetime(2026, 3, 1, tzinfo=UTC)
    row = {"ts": ts, "exchange": unique, "withdrawal_id": "w1", "status": "pending", "amount": 1.5}
    writer.write_rows("withdrawals", [row], symbols=["exchange", "status"])
    writer.write_rows("withdrawals", [{**row, "status": "ok"}], symbols=["exchange", "status"])
    reader.wait_visible("withdrawals")
    rows = reader.query("SELECT status FROM withdrawals WHERE exchange = %s", (unique,))
    assert rows == [{"status": "ok"}]


def test_a_read_after_wait_visible_sees_every_row_just_written(
    reader: QuestDBReader, writer: QuestDBWriter, unique: str
) -> None:
    start = datetime(2026, 5, 1, tzinfo=UTC)
    for i in range(20):
        writer.write_row(
            "order_events",
            start + timedelta(seconds=i),
            {"exchange": "x", "status": "new"},
            {"order_id": unique, "seq": i},
        )
    reader.wait_visible("order_events")
    latest = reader.query(
        "SELECT seq FROM order_events WHERE order_id = %s LATEST ON ts PARTITION BY order_id",
        (unique,),
    )
    assert latest == [{"seq": 19}]


def test_a_schema_mismatch_names_table_and_column(writer: QuestDBWriter, unique: str) -> None:
    row = {"ts": datetime(2026, 1, 1, tzinfo=UTC), "exchange": unique, "free": "lots"}
    with pytest.raises(SchemaMismatchError) as raised:
        writer.write_rows("holdings", [row], symbols=["exchange"])
    assert raised.value.table == "holdings"
    assert raised.value.column == "free"


def test_typed_results_and_dataframes(reader: QuestDBReader) -> None:
    frame = reader.query_df("SELECT x, x * 2 AS y FROM long_sequence(3)")
    assert list(frame.columns) == ["x", "y"]
    assert frame["y"].tolist() == [2, 4, 6]
