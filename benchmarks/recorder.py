"""Recorder benchmark: 20 symbols on each of 2 simulated exchanges streaming trades and book
updates as fast as the simulator makes them for 30 s, recorded end to end into QuestDB.

Run from the repository root: ``.venv/bin/python benchmarks/recorder.py``. A private QuestDB
is started and migrated; the simulator (wall clock) runs in a child process with a load
generator that sends small market orders round-robin over every symbol (each one a public
trade and a book change); the recorder runs here, through ccxt.pro, as in production.

* ``messages_per_s``: trade, quote and book-snapshot rows of the 30 s window stored, per s.
* ``lag_p99_ms``: exchange time of a trade to the moment a count query sees its row
  (QuestDB applies the recorder's batches in order; counts are polled every 50 ms).
* ``lost``: trades the simulator made in the window (every one, collected while the load
  runs) that are not stored.

The last line is one JSON object ``{"messages_per_s": ..., "lag_p99_ms": ..., "lost": ...}``.
"""

from __future__ import annotations

import argparse
import asyncio
import bisect
import contextlib
import json
import math
import multiprocessing as mp
import sys
import tempfile
import threading
import time
from multiprocessing.connection import Connection
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from deltaworks_core.config import Settings, settings_from_dict
from deltaworks_core.logging_setup import configure_logging
from deltaworks_core.questdb import ManagedQuestDB, QuestDBReader, migrate
from deltaworks_core.questdb.server import private_server_settings
from deltaworks_core.venues.simulator import running_simulator
from deltaworks_exec.marketdata import Recorder

EXCHANGES = ("bench_a", "bench_b")
BASES = (
    "BTC", "ETH", "SOL", "BNB", "XRP", "ADA", "DOGE", "DOT", "LINK", "LTC",
    "AVAX", "ATOM", "NEAR", "UNI", "TRX", "FIL", "APT", "ARB", "OP", "ETC",
)  # fmt: skip
SYMBOLS = tuple(f"{base}/USDT" for base in BASES)
ORDER_NOTIONAL = 20.0
COLLECT_EVERY = 20  # load rounds between collections of the trades made (tape: 10,000)
DRAIN_S = 90  # after the window, how long the recorder may take to store its backlog
STALL_S = 15  # ... and how long without a new row before what is missing counts as lost


def bench_settings(questdb: object | None = None) -> Settings:
    raw = {
        "simulator": {"host": "127.0.0.1", "port": 0, "withdrawals_per_exchange": 0},
        "exchanges": [
            {"name": name, "mode": "simulated", "symbols": list(SYMBOLS)} for name in EXCHANGES
        ],
        "recorder": {
            "depth": 20,
            "snapshot_interval_s": 1.0,
            "flush_interval_s": 0.1,
            # Sized for a recorder 30 s behind (about 700 MB for these 40 symbols). With the
            # default 2,000 the buffer overflows here, and the back-fill comes too late: the
            # simulator serves only its newest 10,000 trades per market over REST.
            "stream_buffer_trades": 10_000,
        },
    }
    settings = settings_from_dict(raw)
    return settings if questdb is None else settings.model_copy(update={"questdb": questdb})


class Produced:
    """Every public trade the engines made, collected as the load runs (the engines keep
    only their newest trades, so reading them once at the end would miss most)."""

    def __init__(self, engines: list) -> None:
        self._engines = engines
        self.trades: dict[tuple[str, str], list] = {
            (engine.name, symbol): list(engine.trades(symbol, 1))
            for engine in engines
            for symbol in SYMBOLS
        }

    def collect(self) -> None:
        for engine in self._engines:
            for symbol in SYMBOLS:
                seen = self.trades[(engine.name, symbol)]
                seen.extend(engine.trades_after(symbol, seen[-1].id))

    def between(self, start_ms: int, end_ms: int) -> dict[tuple[str, str], list[str]]:
        """Trade ids per (exchange, symbol) made in ``[start_ms, end_ms]``."""
        return {
            key: [str(t.id) for t in trades if start_ms <= t.time <= end_ms]
            for key, trades in self.trades.items()
        }


def simulate(pipe: Connection, duration_s: float, rate: float) -> None:
    """Child process: the simulator and a load generator; reports the trades it made."""
    settings = bench_settings()
    with running_simulator(settings.simulator, settings.exchanges) as server:
        pipe.send(server.base_url)
        pipe.recv()  # the recorder is subscribed
        engines = [server.engine(name) for name in EXCHANGES]
        orders = []
        for engine in engines:
            engine.add_account("load")
            for asset in ("USDT", *BASES):
                engine.set_balance("load", asset, "1000000000")
            for symbol in SYMBOLS:
                market = engine.market(symbol)
                step = float(market.step)
                qty = math.ceil(ORDER_NOTIONAL / market.ref_price / step) * step
                orders.append((engine, symbol, f"{qty:.8f}"))
        start_ms = int(time.time() * 1000)
        end = time.monotonic() + duration_s
        sent = rounds = 0
        cpu = time.process_time()
        made = Produced(engines)
        while time.monotonic() < end:
            elapsed = duration_s - (end - time.monotonic())
            if rate and sent >= rate * elapsed:
                time.sleep(0.002)
                continue
            for engine, symbol, qty in orders:
                engine.place_order("load", symbol, "BUY" if sent % 2 else "SELL", "MARKET", qty)
            sent += len(orders)
            rounds += 1
            if rounds % COLLECT_EVERY == 0:
                made.collect()
        end_ms = int(time.time() * 1000)
        made.collect()
        cpu = time.process_time() - cpu
        time.sleep(0.5)  # the last pushes go out
        produced = made.between(start_ms, end_ms)
        pipe.send((start_ms, end_ms, sent, produced, cpu))
        pipe.recv()  # the parent has what it needs


class VisibilityClock:
    """When each acknowledged trade row became visible: batches are applied in write order,
    so the k-th row written is visible once a count query returns at least k."""

    def __init__(self, reader: QuestDBReader) -> None:
        self._reader = reader
        self.written_ts: list[float] = []  # exchange time (ms) of each trade row, write order
        self.polls: list[tuple[int, float]] = []  # (visible rows, wall ms)
        self._stop = threading.Event()
        self._base = 0

    def on_written(self, table: str, rows: list[dict]) -> None:
        if table == "trades":
            self.written_ts.extend(row["ts"] for row in rows)

    def start(self) -> threading.Thread:
        self._base = self._count()
        thread = threading.Thread(target=self._poll, daemon=True)
        thread.start()
        return thread

    def stop(self) -> None:
        self._stop.set()

    def _count(self) -> int:
        names = ", ".join(f"'{name}'" for name in EXCHANGES)
        return self._reader.query(f"SELECT count() n FROM trades WHERE exchange IN ({names})")[0][
            "n"
        ]

    def _poll(self) -> None:
        while not self._stop.wait(0.05):
            self.polls.append((self._count() - self._base, time.time() * 1000))

    def lags_ms(self, start_ms: int, end_ms: int) -> list[float]:
        counts = [count for count, _ in self.polls]
        lags = []
        for k, ts in enumerate(self.written_ts, start=1):
            at = bisect.bisect_left(counts, k)
            if at < len(self.polls) and start_ms <= ts <= end_ms:
                lags.append(self.polls[at][1] - ts)
        return lags


def stored_ids(reader: QuestDBReader, start_ms: int, end_ms: int) -> dict[tuple[str, str], set]:
    rows = reader.query(
        "SELECT exchange, symbol, trade_id FROM trades WHERE ts >= %s AND ts <= %s",
        (start_ms * 1000, end_ms * 1000),
    )
    out: dict[tuple[str, str], set] = {}
    for row in rows:
        out.setdefault((row["exchange"], row["symbol"]), set()).add(row["trade_id"])
    return out


def receive_lags_ms(reader: QuestDBReader, start_ms: int, end_ms: int) -> list[float]:
    """Exchange time to the recorder's receipt of each stored trade of the window, sorted."""
    rows = reader.query(
        "SELECT ts, received FROM trades WHERE ts >= %s AND ts <= %s",
        (start_ms * 1000, end_ms * 1000),
    )
    return sorted((row["received"] - row["ts"]).total_seconds() * 1000 for row in rows)


def percentile(values: list[float], share: float) -> float:
    """The ``share`` percentile of sorted ``values`` (nan when there are none)."""
    return values[min(len(values) - 1, int(len(values) * share))] if values else float("nan")


def window_rows(reader: QuestDBReader, table: str, start_ms: int, end_ms: int) -> int:
    return reader.query(
        f"SELECT count() n FROM {table} WHERE ts >= %s AND ts <= %s",
        (start_ms * 1000, end_ms * 1000),
    )[0]["n"]


async def record(settings: Settings, base_url: str, pipe: Connection, clock: VisibilityClock):
    recorder = Recorder(settings, simulator_url=base_url, on_written=clock.on_written)
    task = asyncio.create_task(recorder.run())
    deadline = time.monotonic() + 300
    while not (
        len(recorder.feeds) == len(EXCHANGES)
        and all(
            state.book_nonce is not None
            for feed in recorder.feeds.values()
            for state in feed.states.values()
        )
    ):
        if time.monotonic() > deadline or task.done():
            raise RuntimeError("the recorder did not subscribe in time")
        await asyncio.sleep(0.1)
    await asyncio.sleep(1.0)
    pipe.send("go")
    cpu = time.process_time()
    result = await asyncio.to_thread(pipe.recv)
    produced_total = sum(len(ids) for ids in result[3].values())
    deadline = time.monotonic() + DRAIN_S
    last, still = -1, time.monotonic()
    while time.monotonic() < deadline and time.monotonic() - still < STALL_S:
        stored = sum(1 for ts in clock.written_ts if result[0] <= ts <= result[1])
        if stored >= produced_total:
            break
        if stored != last:
            last, still = stored, time.monotonic()
        await asyncio.sleep(0.2)
    await asyncio.sleep(1.0)
    cpu = time.process_time() - cpu
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task
    return result, recorder.status(), cpu


def main(duration_s: float, rate: float) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as folder:
        server = ManagedQuestDB(private_server_settings(Path(folder)), die_with_parent=True)
        server.start()
        try:
            with QuestDBReader(server.settings) as reader:
                migrate(reader)
                settings = bench_settings(server.settings)
                parent, child = mp.get_context("spawn").Pipe()
                process = mp.get_context("spawn").Process(
                    target=simulate, args=(child, duration_s, rate), daemon=True
                )
                process.start()
                base_url = parent.recv()
                clock = VisibilityClock(reader)
                poller = clock.start()
                (start_ms, end_ms, orders, produced, sim_cpu), status, cpu = asyncio.run(
                    record(settings, base_url, parent, clock)
                )
                parent.send("done")
                process.join(timeout=30)
                reader.wait_visible(["trades", "quotes", "book_snapshots"])
                clock.stop()
                poller.join()
                stored = stored_ids(reader, start_ms, end_ms)
                lost = sum(len(set(ids) - stored.get(key, set())) for key, ids in produced.items())
                seconds = (end_ms - start_ms) / 1000
                counts = {
                    table: window_rows(reader, table, start_ms, end_ms)
                    for table in ("trades", "quotes", "book_snapshots")
                }
                gaps = reader.query("SELECT count() n FROM feed_gaps")[0]["n"]
                received = receive_lags_ms(reader, start_ms, end_ms)
        finally:
            server.stop()
    lags = sorted(clock.lags_ms(start_ms, end_ms))
    print(
        f"{seconds:.1f} s, {orders} market orders, produced trades "
        f"{sum(len(ids) for ids in produced.values())}, stored rows {counts}, "
        f"feed gaps {gaps}, recorder {status}, recorder CPU {cpu:.1f} s, "
        f"simulator load generator CPU {sim_cpu:.1f} s; exchange time to the recorder's "
        f"receipt p50 {percentile(received, 0.5):.1f} ms, p99 {percentile(received, 0.99):.1f} ms",
        file=sys.stderr,
    )
    messages = sum(status["messages"].values())
    return {
        "messages_per_s": round(sum(counts.values()) / seconds, 1),
        "trades_per_s": round(counts["trades"] / seconds, 1),
        "lag_p50_ms": round(percentile(lags, 0.5), 1),
        "lag_p99_ms": round(percentile(lags, 0.99), 1),
        "recorder_messages_per_cpu_s": round(messages / cpu, 1) if cpu else float("nan"),
        "lost": lost,
    }


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument(
        "--rate",
        type=float,
        default=0.0,
        help="market orders per second over all symbols (0: as fast as the simulator takes them)",
    )
    args = parser.parse_args()
    configure_logging()
    print(json.dumps(main(args.seconds, args.rate)))
