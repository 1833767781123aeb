"""The simulator engine in-process on a simulated clock: rules, matching, accounts, history."""

from __future__ import annotations

from decimal import Decimal

import pytest

from deltaworks_core.venues.simulator import ExchangeEngine, SimClock, SimError, binance

from .sim_support import EPOCH_MS, SYMBOLS


def make_engine(
    name: str = "sim_a", seed: int = 42, withdrawals: int = 2000, clock: SimClock | None = None
) -> ExchangeEngine:
    return ExchangeEngine(
        name,
        SYMBOLS,
        seed=seed,
        clock=clock or SimClock(EPOCH_MS),
        epoch_ms=EPOCH_MS,
        withdrawals=withdrawals,
        history_days=365,
    )


def price(engine: ExchangeEngine, symbol: str, side: str, offset: Decimal) -> str:
    """Best bid (side=bid) or ask plus ``offset``, as a price string."""
    book = engine.order_book(symbol, 1)
    ticks = (book.bids if side == "bid" else book.asks)[0][0]
    return str(Decimal(ticks) * book.market.tick + offset)


def binance_error(call, linear: bool = False) -> binance.BinanceError:
    """The engine's refusal of ``call`` as Binance's API answers it."""
    with pytest.raises(SimError) as info:
        call()
    return binance.to_binance(info.value, linear)


def code_of(call, linear: bool = False) -> int:
    return binance_error(call, linear).code


def test_filters_reject_like_binance() -> None:
    e = make_engine()
    assert (
        code_of(lambda: e.place_order("main", "BTC/USDT", "buy", "limit", "0.000001", "50000"))
        == -1013
    )
    assert (
        "LOT_SIZE"
        in binance_error(
            lambda: e.place_order("main", "BTC/USDT", "buy", "limit", "0.000015", "50000")
        ).msg
    )
    assert (
        "PRICE_FILTER"
        in binance_error(
            lambda: e.place_order("main", "BTC/USDT", "buy", "limit", "0.001", "50000.005")
        ).msg
    )
    assert (
        "NOTIONAL"
        in binance_error(
            lambda: e.place_order("main", "BTC/USDT", "buy", "limit", "0.00001", "50000")
        ).msg
    )
    assert code_of(lambda: e.place_order("main", "DOGE/USDT", "buy", "market", "1")) == -1121
    assert (
        code_of(lambda: e.place_order("main", "BTC/USDT", "buy", "limit", "100", "50000")) == -2010
    )
    assert code_of(lambda: e.order("main", "BTC/USDT", 999)) == -2013
    assert code_of(lambda: e.cancel_order("main", "BTC/USDT", 999)) == -2011
    assert e.open_orders("main") == []


def test_market_order_takes_the_ladder_and_pays_the_taker_fee() -> None:
    e = make_engine()
    before = e.balances("spot")
    order = e.place_order("main", "BTC/USDT", "buy", "market", "0.5")
    assert order.status == "FILLED"
    fills = e.my_trades("main", "BTC/USDT")
    assert len(fills) > 1  # 0.5 BTC walks several synthetic levels
    assert sum(f.qty for f in fills) == order.qty
    after = e.balances("spot")
    cost = Decimal(order.quote) / Decimal(10**8)
    assert after["USDT"]["free"] == before["USDT"]["free"] - cost
    assert after["BTC"]["free"] == before["BTC"]["free"] + Decimal("0.5") * Decimal("0.999")


def test_limit_order_locks_then_cancel_releases() -> None:
    e = make_engine()
    order = e.place_order("main", "ETH/USDT", "buy", "limit", "1", "2000", client_order_id="mine-1")
    assert order.status == "NEW"
    assert e.balances("spot")["USDT"]["locked"] == Decimal(2000)
    assert e.order("main", "ETH/USDT", client_order_id="mine-1") is order
    assert (
        code_of(
            lambda: e.place_order(
                "main", "ETH/USDT", "buy", "limit", "1", "2000", client_order_id="mine-1"
            )
        )
        == -2010
    )
    e.cancel_order("main", "ETH/USDT", client_order_id="mine-1")
    assert order.status == "CANCELED"
    assert e.balances("spot")["USDT"]["locked"] == 0
    assert code_of(lambda: e.cancel_order("main", "ETH/USDT", order.id)) == -2011


def test_a_client_order_id_is_refused_once_used_even_after_the_order_closed() -> None:
    e = make_engine()
    e.place_order("main", "ETH/USDT", "buy", "market", "0.1", client_order_id="done-1")
    e.place_order("main", "ETH/USDT", "buy", "limit", "1", "2000", client_order_id="gone-1")
    e.cancel_order("main", "ETH/USDT", client_order_id="gone-1")
    for cid in ("done-1", "gone-1"):  # a closed order's id is as taken as an open one's

        def reuse(cid: str = cid) -> None:
            e.place_order("main", "ETH/USDT", "sell", "market", "0.1", client_order_id=cid)

        assert code_of(reuse) == -2010
    assert e.duplicate_sends == [("main", "ETH/USDT", "done-1"), ("main", "ETH/USDT", "gone-1")]
    assert len(e.orders("main")) == 2


def test_resting_limit_order_partially_fills_then_fills_as_the_price_moves() -> None:
    e = make_engine()
    order = e.place_order(
        "main", "BTC/USDT", "buy", "limit", "0.1", price(e, "BTC/USDT", "bid", Decimal(-40))
    )
    assert order.status == "NEW"
    seen = []
    for _ in range(4 * 3600):
        e.advance(1)
        seen.append(order.status)
        if order.status == "FILLED":
            break
    assert "PARTIALLY_FILLED" in seen and order.status == "FILLED"
    assert all(f.maker for f in e.my_trades("main", "BTC/USDT"))
    assert e.balances("spot")["USDT"]["locked"] == 0


def test_stop_loss_limit_triggers_on_the_trade_price() -> None:
    e = make_engine()
    stop = price(e, "BTC/USDT", "bid", Decimal(-60))
    limit = str(Decimal(stop) - 100)
    order = e.place_order(
        "main",
        "BTC/USDT",
        "sell",
        "STOP_LIMIT",
        "0.01",
        limit,
        stop_price=stop,
        time_in_force="GTC",
    )
    assert order.status == "NEW" and not order.triggered
    assert e.balances("spot")["BTC"]["locked"] == Decimal("0.01")
    for _ in range(4 * 3600):
        e.advance(1)
        if order.status == "FILLED":
            break
    assert order.triggered and order.status == "FILLED"
    assert (
        code_of(
            lambda: e.place_order(
                "main",
                "BTC/USDT",
                "sell",
                "STOP_MARKET",
                "0.01",
                stop_price=price(e, "BTC/USDT", "ask", Decimal(100)),
            )
        )
        == -2010
    )


def test_time_in_force_and_post_only() -> None:
    e = make_engine()
    ask = price(e, "BTC/USDT", "ask", Decimal(0))
    ioc = e.place_order("main", "BTC/USDT", "buy", "limit", "0.5", ask, time_in_force="IOC")
    assert ioc.status == "EXPIRED" and 0 < ioc.filled < ioc.qty
    fok = e.place_order("main", "BTC/USDT", "buy", "limit", "0.5", ask, time_in_force="FOK")
    assert fok.status == "EXPIRED" and fok.filled == 0
    refusal = binance_error(
        lambda: e.place_order(
            "main",
            "BTC/USDT",
            "buy",
            "LIMIT_MAKER",
            "0.01",
            price(e, "BTC/USDT", "ask", Decimal(0)),
        )
    )
    assert "immediately match" in refusal.msg
    assert e.balances("spot")["USDT"]["locked"] == 0


def test_accounts_trade_with_each_other_maker_and_taker() -> None:
    e = make_engine()
    e.add_account("other")
    bid = price(e, "ETH/USDT", "bid", Decimal("0.01"))
    maker = e.place_order("other", "ETH/USDT", "buy", "limit", "2", bid)
    taker = e.place_order("main", "ETH/USDT", "sell", "market", "1")
    assert taker.status == "FILLED" and maker.status == "PARTIALLY_FILLED"
    maker_fill = e.my_trades("other", "ETH/USDT")[0]
    assert maker_fill.maker and maker_fill.price == maker.price
    public = e.trades("ETH/USDT", 10)
    assert any(t.price == maker.price and t.buyer_maker for t in public)


def test_futures_positions_margin_and_realised_pnl() -> None:
    e = make_engine()
    wallet = e.balances("future")["USDT"]["wallet"]
    opened = e.place_order("main", "BTC/USDT:USDT", "buy", "market", "0.1")
    assert opened.status == "FILLED"
    state = e.balances("future")["USDT"]
    assert state["initial_margin"] > 0 and state["available"] < wallet
    e.advance(600)
    closed = e.place_order("main", "BTC/USDT:USDT", "sell", "market", "0.1", reduce_only=True)
    assert closed.status == "FILLED"
    pnl = sum(f.realized_pnl for f in e.my_trades("main", "BTC/USDT:USDT"))
    fees = sum(f.commission for f in e.my_trades("main", "BTC/USDT:USDT"))
    after = e.balances("future")["USDT"]
    assert after["wallet"] == wallet + Decimal(pnl - fees) / 10**8
    assert after["initial_margin"] == 0
    assert (
        code_of(
            lambda: e.place_order(
                "main", "BTC/USDT:USDT", "sell", "market", "0.1", reduce_only=True
            ),
            linear=True,
        )
        == -2022
    )
    assert (
        code_of(lambda: e.place_order("main", "BTC/USDT:USDT", "buy", "market", "100"), True)
        == -2019
    )


def test_same_seed_same_calls_same_results() -> None:
    def run(engine: ExchangeEngine) -> list:
        out = [engine.order_book("BTC/USDT", 20), engine.trades("ETH/USDT", 50)]
        engine.place_order("main", "BTC/USDT", "buy", "market", "0.2")
        engine.place_order(
            "main",
            "SOL/USDT",
            "sell",
            "limit",
            "3",
            price(engine, "SOL/USDT", "ask", Decimal("0.05")),
        )
        engine.advance(900)
        out += [
            engine.my_trades("main", "BTC/USDT"),
            engine.my_trades("main", "SOL/USDT"),
            engine.balances("spot"),
            engine.klines("BTC/USDT", limit=20),
            engine.withdrawals(limit=50),
        ]
        return [repr(x) for x in out]

    assert run(make_engine()) == run(make_engine())
    assert run(make_engine(seed=7)) != run(make_engine())


def test_exchanges_share_a_price_and_their_spread_changes_sign() -> None:
    clock = SimClock(EPOCH_MS)
    a, b = make_engine("sim_a", clock=clock), make_engine("sim_b", clock=clock)
    spreads = []
    for _ in range(240):
        clock.advance(60)
        mid_a, mid_b = a.mark_price("BTC/USDT"), b.mark_price("BTC/USDT")
        spreads.append(mid_a / mid_b - 1)
    assert max(abs(s) for s in spreads) < 0.01
    assert min(spreads) < 0 < max(spreads)


def test_klines_are_built_from_the_trade_tape() -> None:
    e = make_engine()
    e.advance(125)
    kline = e.klines("BTC/USDT", limit=3)[-2]  # the last complete minute
    trades = [t for t in e.trades("BTC/USDT", 200) if kline[0] <= t.time <= kline[6]]
    assert kline[1] == trades[0].price and kline[4] == trades[-1].price
    assert kline[2] == max(t.price for t in trades) and kline[5] == sum(t.qty for t in trades)


def test_the_24h_ticker_spans_the_tape_of_the_last_day_as_the_clock_moves() -> None:
    e = make_engine()
    synth = e.liquidity("BTC/USDT")
    for _ in range(3):  # the second and third reuse and drop the first's samples
        ticker = e.ticker("BTC/USDT")
        first = ticker.open_time // 1000
        minutes = range(-(-first // 60) * 60, ticker.close_time // 1000, 60)
        tape = [ticker.open, ticker.last, *(synth.trade(s)[0] for s in minutes)]
        assert (ticker.high, ticker.low) == (max(tape), min(tape))
        e.advance(5_400)


def test_withdrawal_window_rules_and_statuses_move_with_the_clock() -> None:
    e = make_engine(withdrawals=5000)
    with pytest.raises(binance.BinanceError, match="90 days"):
        binance.withdraw_history(e, EPOCH_MS - binance.WINDOW_MS - 1, EPOCH_MS)
    assert len(binance.withdraw_history(e, limit=5000)) == 1000
    e.add_withdrawal("USDT", 1234.5, pending_ms=3_600_000)
    newest = binance.withdraw_history(e, limit=1)[0]
    assert newest["amount"] == "1234.50" and newest["status"] in (0, 2, 4)
    e.advance(2 * 3600)
    assert binance.withdraw_history(e, limit=1)[0]["status"] == 6
    e.add_fiat_withdrawal("EUR", 500, pending_ms=600_000, final_status="Failed")
    rows, _ = binance.fiat_withdraw_history(e)
    assert rows[0]["status"] == "Processing"
    e.advance(900)
    assert binance.fiat_withdraw_history(e)[0][0]["status"] == "Failed"


def test_withdrawal_history_pages_return_every_record_once() -> None:
    e = make_engine(withdrawals=20_000)
    start = EPOCH_MS - 366 * 86_400_000
    ids = []
    while start < EPOCH_MS:
        end = start + binance.WINDOW_MS
        offset = 0
        while True:
            page = binance.withdraw_history(e, start, end, offset=offset, limit=1000)
            ids += [row["id"] for row in page]
            if len(page) < 1000:
                break
            offset += 1000
        start = end + 1
    assert len(ids) == len(set(ids)) == 20_000
