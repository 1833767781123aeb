"""Market data loading: files, QuestDB candles, and bad input (errors or stated repairs)."""

from __future__ import annotations

import pandas as pd
import pytest

from deltaworks_core.questdb import QuestDBReader, QuestDBWriter
from deltaworks_exec.backtest.data import DataError, load_candles, load_file, prepare
from tests.backtest_support import candles, trades


def test_csv_and_parquet_give_the_same_data(tmp_path):
    frame = trades(500)
    frame.to_csv(tmp_path / "t.csv", index=False)
    frame.to_parquet(tmp_path / "t.parquet")
    a = load_file(tmp_path / "t.csv", symbol="BTC/USDT")
    b = load_file(tmp_path / "t.parquet", symbol="BTC/USDT")
    assert a.kind == b.kind == "trades" and len(a) == 500
    pd.testing.assert_frame_equal(a.frame, b.frame)
    assert a.repairs == [] and a.venues == ["sim"] and a.symbols("sim") == ["BTC/USDT"]


def test_iso_timestamps_and_candle_tape():
    data = prepare(candles(3), symbol="ETH/USDT")
    assert data.kind == "candles" and data.end_ms == data.start_ms + 3 * 60_000
    tape = data.tape("sim", "ETH/USDT")
    assert len(tape.ts_ms) == 12 and tape.ts_ms == sorted(tape.ts_ms)
    first = data.frame.iloc[0]
    assert tape.price[0] == first["open"] and tape.price[3] == first["close"]
    assert {tape.price[1], tape.price[2]} == {first["low"], first["high"]}


def test_out_of_order_is_an_error_unless_sorted():
    frame = trades(100)
    frame.loc[[10, 11], "ts"] = frame.loc[[11, 10], "ts"].to_numpy()
    with pytest.raises(DataError, match=r"row 11 .*backwards.*1 out-of-order.*'sort'"):
        prepare(frame, symbol="BTC/USDT")
    data = prepare(frame, symbol="BTC/USDT", repair=["sort"])
    assert data.repairs == ["sorted 1 out-of-order rows"]
    assert data.frame["ts_ms"].is_monotonic_increasing


def test_duplicates():
    frame = candles(10)
    doubled = pd.concat([frame, frame.iloc[[4]]]).sort_values("ts", kind="stable")
    with pytest.raises(DataError, match=r"duplicate of an earlier row.*'dedupe'"):
        prepare(doubled, symbol="ETH/USDT")
    data = prepare(doubled, symbol="ETH/USDT", repair=["dedupe"])
    assert len(data) == 10 and data.repairs == ["dropped 1 duplicate rows"]
    conflicting = doubled.reset_index(drop=True)
    conflicting.loc[5, "close"] = conflicting.loc[5, "high"]
    with pytest.raises(DataError, match="duplicate ts_ms with different values"):
        prepare(conflicting, symbol="ETH/USDT", repair=["dedupe"])


def test_duplicate_trade_ids():
    frame = trades(20).assign(id=[str(i) for i in range(20)])
    frame.loc[7, "id"] = "6"
    with pytest.raises(DataError, match="duplicate id with different values"):
        prepare(frame, symbol="BTC/USDT", repair=["dedupe"])


def test_candle_gaps_are_an_error_or_filled_flat():
    frame = candles(10).drop(index=[3, 4])
    with pytest.raises(DataError, match=r"gap of 180 s.*2 missing 1m candles.*'fill_gaps'"):
        prepare(frame, symbol="ETH/USDT")
    data = prepare(frame, symbol="ETH/USDT", repair=["fill_gaps"])
    assert len(data) == 10
    assert data.repairs == [
        "filled 2 missing 1m candles with flat candles at the previous close, volume 0"
    ]
    filled = data.frame.iloc[3]
    previous_close = data.frame.iloc[2]["close"]
    assert filled["volume"] == 0
    assert filled["open"] == filled["high"] == filled["low"] == filled["close"] == previous_close


def test_trade_silences():
    frame = trades(50)
    frame.loc[25:, "ts"] += 2 * 3_600_000
    with pytest.raises(DataError, match="silences longer than 3600 s"):
        prepare(frame, symbol="BTC/USDT")
    assert prepare(frame, symbol="BTC/USDT", repair=["fill_gaps"]).repairs == [
        "accepted 1 silences longer than 3600 s"
    ]


def test_unknown_symbols():
    frame = pd.concat(
        [trades(30).assign(symbol="BTC/USDT"), trades(30, seed=5).assign(symbol="DOGE/USDT")]
    ).sort_values("ts", kind="stable")
    with pytest.raises(DataError, match=r"unknown symbol\(s\) \['DOGE/USDT'\].*'drop_unknown'"):
        prepare(frame, symbols=["BTC/USDT"])
    data = prepare(frame, symbols=["BTC/USDT"], repair=["drop_unknown"])
    assert data.symbols("sim") == ["BTC/USDT"]
    assert data.repairs == ["dropped 30 rows of unknown symbol(s) ['DOGE/USDT']"]
    with pytest.raises(DataError, match="unknown symbol format"):
        prepare(trades(5), symbol="BTCUSDT")


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            lambda f: f.assign(price=f["price"].where(f.index != 3, -1.0)),
            "price must be a positive",
        ),
        (lambda f: f.drop(columns=["amount"]), r"lacks column\(s\) \['amount'\]"),
        (lambda f: f.assign(ts=f["ts"] // 1000), "look like seconds"),
        (lambda f: f.iloc[:0], "no trades rows"),
    ],
)
def test_bad_values(change, message):
    with pytest.raises(DataError, match=message):
        prepare(change(trades(10)), symbol="BTC/USDT")


def test_inconsistent_candle():
    frame = candles(5)
    frame.loc[2, "high"] = frame.loc[2, "low"] - 1
    with pytest.raises(DataError, match=r"row 2 .*high/low do not contain"):
        prepare(frame, symbol="ETH/USDT")


def test_file_errors_name_the_file(tmp_path):
    with pytest.raises(DataError, match="no such file"):
        load_file(tmp_path / "missing.csv")
    bad = tmp_path / "bad.csv"
    trades(5).drop(columns=["price"]).to_csv(bad, index=False)
    with pytest.raises(DataError, match=r"bad\.csv: trades data lacks"):
        load_file(bad, kind="trades", symbol="BTC/USDT")


def test_candles_from_questdb(writer: QuestDBWriter, reader: QuestDBReader, unique: str):
    frame = candles(30).assign(exchange=f"bt{unique}", symbol="ETH/USDT", timeframe="1m")
    frame = frame.drop(index=[10])  # one missing minute
    writer.write_dataframe("candles", frame, symbols=("exchange", "symbol", "timeframe"))
    reader.wait_visible("candles")
    start, end = frame["ts"].iloc[0], frame["ts"].iloc[-1] + pd.Timedelta(minutes=1)
    with pytest.raises(DataError, match="1 missing 1m candles"):
        load_candles(reader, [f"bt{unique}"], ["ETH/USDT"], start, end)
    data = load_candles(reader, [f"bt{unique}"], ["ETH/USDT"], start, end, repair=["fill_gaps"])
    assert len(data) == 30 and data.venues == [f"bt{unique}"]
    assert data.frame["close"].iloc[-1] == pytest.approx(frame["close"].iloc[-1])
    with pytest.raises(DataError, match="no 1m candles"):
        load_candles(reader, [f"none{unique}"], ["ETH/USDT"], start, end)


def test_prices_finer_than_the_simulated_tick_are_refused():
    from deltaworks_exec.backtest.engine import Backtest

    frame = trades(50)
    frame.loc[7, "price"] += 0.004  # BTC/USDT ticks are 0.01
    with pytest.raises(DataError, match=r"BTC/USDT on sim: price .* not a multiple .* tick 0\.01"):
        Backtest(prepare(frame, symbol="BTC/USDT"))
