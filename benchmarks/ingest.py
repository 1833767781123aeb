"""Ingest benchmark: 1,000,000 holdings rows over ILP (dataframes) vs 20,000 psycopg INSERTs.

Both paths write into the same `holdings` table of a private QuestDB started for the run,
and each is timed until its rows are visible to a count query.
"""

from __future__ import annotations

import json
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from deltaworks_core.questdb import ManagedQuestDB, QuestDBReader, QuestDBWriter, migrate
from deltaworks_core.questdb.server import private_server_settings

ILP_ROWS = 1_000_000
INSERT_ROWS = 20_000
SYMBOLS = ["exchange", "account_type", "asset", "quote"]


def holdings_frame(rows: int, exchange: str) -> pd.DataFrame:
    """Holdings-shaped rows: 1,000 assets x 3 account types per snapshot, a snapshot a minute."""
    index = np.arange(rows)
    start = np.datetime64(datetime(2026, 1, 1), "us")
    free = np.random.default_rng(7).random(rows) * 100
    return pd.DataFrame(
        {
            "ts": start + (index // 3000).astype("timedelta64[m]"),
            "exchange": exchange,
            "account_type": np.array(["spot", "margin", "future"])[index % 3],
            "asset": pd.Series(index // 3 % 1000).map(lambda i: f"A{i}"),
            "free": free,
            "used": free * 0.1,
            "total": free * 1.1,
            "quote": "USDT",
            "price": 1.5,
            "value": free * 1.65,
            "priced": True,
        }
    )


def count(reader: QuestDBReader, exchange: str) -> int:
    return reader.scalar("SELECT count() FROM holdings WHERE exchange = %s", (exchange,))


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        server = ManagedQuestDB(private_server_settings(Path(folder)), die_with_parent=True)
        server.start()
        try:
            reader = QuestDBReader(server.settings)
            migrate(reader)
            frame = holdings_frame(ILP_ROWS, "bench_ilp")
            with QuestDBWriter(server.settings) as writer:
                started = time.perf_counter()
                writer.write_dataframe("holdings", frame, symbols=SYMBOLS)
                reader.wait_visible("holdings", timeout_s=300)
                ilp_s = time.perf_counter() - started
            assert count(reader, "bench_ilp") == ILP_ROWS

            rows = holdings_frame(INSERT_ROWS, "bench_insert")
            rows["ts"] = rows["ts"].dt.tz_localize(UTC)
            values = list(rows.itertuples(index=False, name=None))
            columns = ", ".join(rows.columns)
            placeholders = ", ".join(["%s"] * len(rows.columns))
            started = time.perf_counter()
            reader.executemany(f"INSERT INTO holdings ({columns}) VALUES ({placeholders})", values)
            reader.wait_visible("holdings", timeout_s=300)
            insert_s = time.perf_counter() - started
            assert count(reader, "bench_insert") == INSERT_ROWS
            reader.close()
        finally:
            server.stop()
    ilp_rate = ILP_ROWS / ilp_s
    insert_rate = INSERT_ROWS / insert_s
    print(f"ILP dataframes : {ILP_ROWS:>9,} rows in {ilp_s:6.2f} s = {ilp_rate:>10,.0f} rows/s")
    print(
        f"psycopg INSERT : {INSERT_ROWS:>9,} rows in {insert_s:6.2f} s = {insert_rate:>10,.0f} rows/s"  # noqa: E501
    )
    print(f"ratio          : {ilp_rate / insert_rate:.1f}x")
    print(
        json.dumps(
            {
                "ilp_rows_per_s": round(ilp_rate),
                "insert_rows_per_s": round(insert_rate),
                "ratio": round(ilp_rate / insert_rate, 1),
            }
        )
    )


if __name__ == "__main__":
    main()
