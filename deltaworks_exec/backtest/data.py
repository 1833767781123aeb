"""Market data for backtests: trades or 1m candles from QuestDB, CSV or Parquet, validated.

Problems are never passed over silently. Each one raises ``DataError`` naming
what is wrong and where, unless the caller asked for its repair, which is
then stated in ``MarketData.repairs``:

* ``sort``: out-of-order timestamps are sorted (stable);
* ``dedupe``: rows repeated exactly (same key and values) are dropped; rows
  with the same key and different values always raise;
* ``fill_gaps``: missing 1m candles become flat candles at the previous close
  with zero volume; for trades, silences longer than ``max_trade_gap_s``
  are accepted as they are;
* ``drop_unknown``: rows of symbols that were not asked for are dropped.

The key of a candle is (venue, symbol, ts); of a trade, (venue, symbol, id)
when the data has an ``id`` column (without one, trades at the same time are
legitimate and kept).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import numpy as np
import pandas as pd

from deltaworks_core.questdb import QuestDBReader
from deltaworks_exec.backtest.books import RecordedBooks

Kind = Literal["trades", "candles"]
REPAIRS = frozenset({"sort", "dedupe", "fill_gaps", "drop_unknown"})
MINUTE_MS = 60_000
DEFAULT_VENUE = "sim"
_COLUMNS: dict[str, tuple[str, ...]] = {
    "trades": ("ts", "price", "amount"),
    "candles": ("ts", "open", "high", "low", "close", "volume"),
}
_ALIASES = {"timestamp": "ts", "time": "ts", "exchange": "venue", "qty": "amount", "size": "amount"}


class DataError(ValueError):
    """Market data that cannot be used as it is; the message says what and where."""


@dataclass(frozen=True, slots=True)
class Tape:
    """Price points of one market in time order (trades, or the path through each candle)."""

    ts_ms: list[int]
    price: list[float]
    amount: list[float]


@dataclass(slots=True)
class MarketData:
    """Validated data of one kind for one or several (venue, symbol) streams."""

    kind: Kind
    frame: pd.DataFrame  # columns: venue, symbol, ts_ms, and the kind's columns; time order
    repairs: list[str] = field(default_factory=list)
    books: dict[tuple[str, str], RecordedBooks] = field(default_factory=dict)  # recorded depth

    @property
    def venues(self) -> list[str]:
        return sorted(self.frame["venue"].unique())

    def symbols(self, venue: str) -> list[str]:
        return sorted(self.frame.loc[self.frame["venue"] == venue, "symbol"].unique())

    @property
    def start_ms(self) -> int:
        return int(self.frame["ts_ms"].iloc[0])

    @property
    def end_ms(self) -> int:
        """Time of the last event (a candle's close time)."""
        last = int(self.frame["ts_ms"].iloc[-1])
        return last + MINUTE_MS if self.kind == "candles" else last

    def __len__(self) -> int:
        return len(self.frame)

    def stream(self, venue: str, symbol: str) -> pd.DataFrame:
        rows = self.frame[(self.frame["venue"] == venue) & (self.frame["symbol"] == symbol)]
        return rows.reset_index(drop=True)

    def tape(self, venue: str, symbol: str) -> Tape:
        """Price points: each trade, or open, low/high, high/low, close inside each candle."""
        rows = self.stream(venue, symbol)
        ts = rows["ts_ms"].to_numpy(np.int64)
        if self.kind == "trades":
            return Tape(ts.tolist(), rows["price"].tolist(), rows["amount"].tolist())
        o, h, lo, c = (rows[k].to_numpy(float) for k in ("open", "high", "low", "close"))
        up = c >= o
        path = np.stack([o, np.where(up, lo, h), np.where(up, h, lo), c], axis=1).ravel()
        offsets = np.array([0, 20_000, 40_000, MINUTE_MS - 1], dtype=np.int64)
        times = (ts[:, None] + offsets[None, :]).ravel()
        amounts = np.repeat(rows["volume"].to_numpy(float) / 4, 4)
        return Tape(times.tolist(), path.tolist(), amounts.tolist())


def _to_ms(values: pd.Series) -> pd.Series:
    if pd.api.types.is_numeric_dtype(values):
        ms = values.astype("int64")
        if len(ms) and ms.abs().max() < 10**11:
            raise DataError(
                "column 'ts': numbers must be Unix milliseconds, these look like seconds"
            )
        return ms
    try:
        stamps = pd.to_datetime(values, utc=True)
    except (ValueError, TypeError) as exc:
        raise DataError(f"column 'ts': not timestamps ({exc})") from None
    return (stamps.dt.as_unit("ms").astype("int64")).astype("int64")


def prepare(
    frame: pd.DataFrame,
    kind: Kind | None = None,
    venue: str = DEFAULT_VENUE,
    symbol: str | None = None,
    symbols: Collection[str] | None = None,
    repair: Iterable[str] = (),
    max_trade_gap_s: float = 3600.0,
) -> MarketData:
    """Check a raw frame of trades or 1m candles and return it as ``MarketData``.

    ``symbol`` fills a missing ``symbol`` column; ``symbols`` lists the symbols
    asked for (others are unknown); ``venue`` fills a missing venue column.
    """
    repairs = set(repair)
    if unknown_repairs := repairs - REPAIRS:
        raise DataError(f"unknown repair {sorted(unknown_repairs)}; known: {sorted(REPAIRS)}")
    frame = frame.rename(columns={k: v for k, v in _ALIASES.items() if k in frame.columns})
    if kind is None:
        kind = "candles" if "open" in frame.columns else "trades"
    missing = [c for c in _COLUMNS[kind] if c not in frame.columns]
    if missing:
        raise DataError(f"{kind} data lacks column(s) {missing}; has {list(frame.columns)}")
    if frame.empty:
        raise DataError(f"no {kind} rows")
    notes: list[str] = []
    out = pd.DataFrame(index=pd.RangeIndex(len(frame)))
    out["venue"] = frame["venue"].astype(str).to_numpy() if "venue" in frame else venue
    if "symbol" in frame:
        out["symbol"] = frame["symbol"].astype(str).to_numpy()
    elif symbol is not None:
        out["symbol"] = symbol
    else:
        raise DataError("the data has no 'symbol' column: name the symbol it holds")
    out["ts_ms"] = _to_ms(frame["ts"]).to_numpy()
    for column in _COLUMNS[kind][1:]:
        out[column] = pd.to_numeric(frame[column], errors="coerce").to_numpy(float)
    if "id" in frame.columns and kind == "trades":
        out["id"] = frame["id"].astype(str).to_numpy()
    out = out.reset_index(drop=True)
    out = _check_symbols(out, symbols, "drop_unknown" in repairs, notes)
    _check_values(out, kind)
    out = _check_order(out, "sort" in repairs, notes)
    out = _check_duplicates(out, kind, "dedupe" in repairs, notes)
    out = _check_gaps(out, kind, "fill_gaps" in repairs, max_trade_gap_s, notes)
    out = out.sort_values("ts_ms", kind="stable").reset_index(drop=True)
    return MarketData(kind, out, notes)


def _row(frame: pd.DataFrame, index: int) -> str:
    r = frame.loc[index]
    when = pd.Timestamp(int(r["ts_ms"]), unit="ms", tz="UTC").isoformat()
    return f"row {index} ({r['venue']} {r['symbol']} at {when})"


def _check_symbols(
    frame: pd.DataFrame, symbols: Collection[str] | None, drop: bool, notes: list[str]
) -> pd.DataFrame:
    present = set(frame["symbol"].unique())
    malformed = sorted(s for s in present if s.count("/") != 1 or ":" in s or s != s.strip())
    if malformed:
        raise DataError(
            f"unknown symbol format {malformed}: expected spot BASE/QUOTE like BTC/USDT"
        )
    if symbols is None:
        return frame
    unknown = sorted(present - set(symbols))
    if not unknown:
        return frame
    if not drop:
        raise DataError(
            f"unknown symbol(s) {unknown} in the data; asked for {sorted(symbols)} "
            "(repair 'drop_unknown' drops their rows)"
        )
    keep = frame["symbol"].isin(list(symbols))
    notes.append(f"dropped {int((~keep).sum())} rows of unknown symbol(s) {unknown}")
    if not keep.any():
        raise DataError(f"no rows of {sorted(symbols)} in the data")
    return frame[keep].reset_index(drop=True)


def _check_values(frame: pd.DataFrame, kind: Kind) -> None:
    prices = ["price"] if kind == "trades" else ["open", "high", "low", "close"]
    size = "amount" if kind == "trades" else "volume"
    for column in prices:
        bad = frame.index[~(frame[column] > 0)]
        if len(bad):
            value = frame.loc[bad[0], column]
            raise DataError(f"{_row(frame, bad[0])}: {column} must be a positive number, "
                            f"got {value!r} ({len(bad)} such rows)")  # fmt: skip
    bad = frame.index[~(frame[size] >= 0)]
    if len(bad):
        raise DataError(f"{_row(frame, bad[0])}: {size} must be >= 0 ({len(bad)} such rows)")
    if kind == "candles":
        hi = frame["high"] < frame[["open", "close", "low"]].max(axis=1)
        lo = frame["low"] > frame[["open", "close"]].min(axis=1)
        bad = frame.index[hi | lo]
        if len(bad):
            raise DataError(f"{_row(frame, bad[0])}: high/low do not contain open and close "
                            f"({len(bad)} such rows)")  # fmt: skip
        off = frame.index[frame["ts_ms"] % MINUTE_MS != 0]
        if len(off):
            raise DataError(f"{_row(frame, off[0])}: 1m candles must start on the minute")


def _check_order(frame: pd.DataFrame, repair: bool, notes: list[str]) -> pd.DataFrame:
    back = frame.groupby(["venue", "symbol"], sort=False)["ts_ms"].diff() < 0
    if not back.any():
        return frame
    count = int(back.sum())
    if not repair:
        raise DataError(f"{_row(frame, frame.index[back][0])}: timestamp goes backwards "
                        f"({count} out-of-order rows; repair 'sort' sorts them)")  # fmt: skip
    notes.append(f"sorted {count} out-of-order rows")
    return frame.sort_values(["venue", "symbol", "ts_ms"], kind="stable").reset_index(drop=True)


def _check_duplicates(
    frame: pd.DataFrame, kind: Kind, repair: bool, notes: list[str]
) -> pd.DataFrame:
    if kind == "trades" and "id" not in frame.columns:
        return frame
    key = ["venue", "symbol", "ts_ms" if kind == "candles" else "id"]
    dup_key = frame.duplicated(key, keep=False)
    if not dup_key.any():
        return frame
    exact = frame.duplicated(keep="first")
    conflicting = frame[dup_key].drop_duplicates().duplicated(key, keep=False)
    if conflicting.any():
        first = frame[dup_key].drop_duplicates().index[conflicting][0]
        raise DataError(f"{_row(frame, first)}: duplicate {key[-1]} with different values")
    if not repair:
        raise DataError(f"{_row(frame, frame.index[exact][0])}: duplicate of an earlier row "
                        f"({int(exact.sum())} duplicates; repair 'dedupe' drops them)")  # fmt: skip
    notes.append(f"dropped {int(exact.sum())} duplicate rows")
    return frame[~exact].reset_index(drop=True)


def _check_gaps(
    frame: pd.DataFrame, kind: Kind, repair: bool, max_gap_s: float, notes: list[str]
) -> pd.DataFrame:
    step = frame.groupby(["venue", "symbol"], sort=False)["ts_ms"].diff()
    limit = MINUTE_MS if kind == "candles" else max_gap_s * 1000
    gaps = step > limit
    if not gaps.any():
        return frame
    first = frame.index[gaps][0]
    what = (
        f"{int((step[gaps] // MINUTE_MS - 1).sum())} missing 1m candles"
        if kind == "candles"
        else f"{int(gaps.sum())} silences longer than {max_gap_s:.0f} s"
    )
    if not repair:
        raise DataError(f"{_row(frame, first)}: gap of {int(step[first]) // 1000} s before it "
                        f"({what}; repair 'fill_gaps' accepts them)")  # fmt: skip
    if kind == "trades":
        notes.append(f"accepted {what}")
        return frame
    parts = []
    for (venue, symbol), rows in frame.groupby(["venue", "symbol"], sort=False):
        full = np.arange(rows["ts_ms"].iloc[0], rows["ts_ms"].iloc[-1] + 1, MINUTE_MS)
        rows = rows.set_index("ts_ms").reindex(full)
        close = rows["close"].ffill()
        for column in ("open", "high", "low", "close"):
            rows[column] = rows[column].fillna(close)
        rows["volume"] = rows["volume"].fillna(0.0)
        rows["venue"], rows["symbol"] = venue, symbol
        parts.append(rows.rename_axis("ts_ms").reset_index())
    notes.append(f"filled {what} with flat candles at the previous close, volume 0")
    return pd.concat(parts, ignore_index=True)[list(frame.columns)]


def load_file(
    path: str | Path,
    kind: Kind | None = None,
    venue: str = DEFAULT_VENUE,
    symbol: str | None = None,
    symbols: Collection[str] | None = None,
    repair: Iterable[str] = (),
) -> MarketData:
    """Trades or candles from a ``.csv`` or ``.parquet`` file (see ``prepare``)."""
    path = Path(path)
    if not path.exists():
        raise DataError(f"{path}: no such file")
    if path.suffix.lower() == ".parquet":
        frame = pd.read_parquet(path)
    elif path.suffix.lower() in (".csv", ".gz"):
        frame = pd.read_csv(path)
    else:
        raise DataError(f"{path}: expected a .csv or .parquet file")
    try:
        return prepare(frame, kind, venue, symbol, symbols, repair)
    except DataError as exc:
        raise DataError(f"{path}: {exc}") from None


def load_candles(
    reader: QuestDBReader,
    exchanges: Collection[str],
    symbols: Collection[str],
    start: pd.Timestamp | str,
    end: pd.Timestamp | str,
    repair: Iterable[str] = (),
) -> MarketData:
    """1m candles of ``symbols`` on ``exchanges`` in [start, end) from the ``candles`` table."""
    exchanges, symbols = sorted(exchanges), sorted(symbols)
    frame = reader.query_df(
        "SELECT ts, exchange, symbol, open, high, low, close, volume FROM candles "
        f"WHERE timeframe = '1m' AND exchange IN ({', '.join(['%s'] * len(exchanges))}) "
        f"AND symbol IN ({', '.join(['%s'] * len(symbols))}) AND ts >= %s AND ts < %s "
        "ORDER BY ts",
        (*exchanges, *symbols, naive_utc(start), naive_utc(end)),
    )
    if frame.empty:
        raise DataError(
            f"no 1m candles of {sorted(symbols)} on {sorted(exchanges)} between {start} and {end}"
        )
    frame = frame.assign(ts=pd.to_datetime(frame["ts"], utc=True))
    return prepare(frame, "candles", symbols=symbols, repair=repair)


def naive_utc(value: pd.Timestamp | str) -> object:
    stamp = pd.Timestamp(value)
    stamp = stamp.tz_localize("UTC") if stamp.tzinfo is None else stamp.tz_convert("UTC")
    return stamp.tz_localize(None).to_pydatetime()
