"""Deposits (crypto and fiat) and transfers between simulated exchanges, through ccxt.binance:
a withdrawal from sim_a to a deposit address of sim_b arrives there, after the network's
delay, as a deposit with the same txid, and is credited once confirmed."""

from __future__ import annotations

from typing import Any

import ccxt
import pytest

from deltaworks_core.config import Settings
from deltaworks_core.venues.simulator import SimulatorServer, binance

from . import sim_support
from .sim_support import EPOCH_MS, client, sim_settings
from .test_sim_shapes import assert_same_shape, recorded

DAY_MS = 86_400_000


@pytest.fixture(scope="module")
def settings() -> Settings:
    return sim_settings(withdrawals=3000)


server = sim_support.server


@pytest.fixture(scope="module")
def a(settings: Settings, server: SimulatorServer) -> Any:
    exchange = client(settings, server.base_url, "sim_a")
    exchange.load_markets()
    return exchange


@pytest.fixture(scope="module")
def b(settings: Settings, server: SimulatorServer) -> Any:
    exchange = client(settings, server.base_url, "sim_b")
    exchange.load_markets()
    return exchange


def test_deposit_history_crypto_and_fiat(a: Any, b: Any) -> None:
    deposits = a.fetch_deposits()
    assert deposits and all(d["type"] == "deposit" and d["txid"] for d in deposits)
    assert {d["currency"] for d in deposits} <= {"USDT", "BTC", "ETH", "SOL", "XRP"}
    assert all(d["timestamp"] <= EPOCH_MS for d in deposits)
    assert {d["status"] for d in deposits} <= {"ok", "pending", "2", "7"}
    assert {d["txid"] for d in deposits}.isdisjoint({d["txid"] for d in b.fetch_deposits()})
    usdt = a.fetch_deposits("USDT")
    assert usdt and {d["currency"] for d in usdt} == {"USDT"}
    fiat = a.fetch_deposits(params={"fiat": True})
    assert fiat and {d["currency"] for d in fiat} <= {"EUR", "USD", "GBP", "BRL", "TRY"}
    assert {d["status"] for d in fiat} <= {"ok", "failed", "pending", "Finished"}
    assert_same_shape(recorded("fetchDeposits", "fetchDeposits"), [deposits[0]["info"]])


def test_every_deposit_once_across_90_day_windows(server: SimulatorServer) -> None:
    engine = server.engine("sim_a")
    seen: list[str] = []
    end = EPOCH_MS
    while end > EPOCH_MS - 365 * DAY_MS:
        start = end - binance.WINDOW_MS
        offset = 0
        while page := binance.deposit_history(engine, start, end, offset=offset, limit=1000):
            seen.extend(row["id"] for row in page)
            offset += len(page)
        end = start - 1
    assert len(seen) == len(set(seen)) == len(engine.deposits(0, EPOCH_MS))


def test_withdrawal_arrives_as_a_deposit_on_another_exchange(
    a: Any, b: Any, server: SimulatorServer
) -> None:
    engine = server.engine("sim_a")  # both exchanges run on the same simulated clock
    address = b.fetch_deposit_address("USDT", {"network": "TRC20"})
    assert address["address"] == b.fetch_deposit_address("USDT", {"network": "TRC20"})["address"]
    a_before = a.fetch_balance()["USDT"]["free"]
    b_before = b.fetch_balance()["USDT"]["free"]
    sent = a.withdraw("USDT", 250, address["address"], params={"network": "TRC20"})
    assert a.fetch_balance()["USDT"]["free"] == pytest.approx(a_before - 250)
    withdrawal = next(w for w in a.fetch_withdrawals("USDT") if w["id"] == sent["id"])
    assert withdrawal["status"] == "pending" and withdrawal["address"] == address["address"]
    assert withdrawal["amount"] == 249 and withdrawal["fee"]["cost"] == 1
    engine.advance(300)  # the withdrawal completes: broadcast, on its way
    withdrawal = next(w for w in a.fetch_withdrawals("USDT") if w["id"] == sent["id"])
    assert withdrawal["status"] == "ok" and withdrawal["txid"]
    assert withdrawal["txid"] not in {d["txid"] for d in b.fetch_deposits("USDT")}
    engine.advance(120)  # the network's delay: seen on sim_b, confirming
    deposit = next(d for d in b.fetch_deposits("USDT") if d["txid"] == withdrawal["txid"])
    assert deposit["status"] == "pending" and deposit["amount"] == 249
    assert deposit["address"] == address["address"] and deposit["network"] == "TRC20"
    assert b.fetch_balance()["USDT"]["free"] == pytest.approx(b_before)
    engine.advance(10)  # TRX confirms in seconds: credited
    deposit = next(d for d in b.fetch_deposits("USDT") if d["txid"] == withdrawal["txid"])
    assert deposit["status"] == "ok"
    assert b.fetch_balance()["USDT"]["free"] == pytest.approx(b_before + 249)
    assert_same_shape(recorded("fetchDepositAddress", "with network TRC20"), address["info"])
    assert_same_shape(recorded("withdraw", "withdraw"), sent["info"])


def test_withdrawal_outside_the_simulator_and_refusals(a: Any, b: Any) -> None:
    outside = "TKRxCKea88ZvHeGsXEY33CqAQHPDqcAw4N"
    sent = a.withdraw("USDT", 10, outside, params={"network": "TRC20"})
    assert next(w for w in a.fetch_withdrawals("USDT") if w["id"] == sent["id"])
    with pytest.raises(ccxt.InsufficientFunds, match="-4026"):
        a.withdraw("USDT", 10_000_000, outside, params={"network": "TRC20"})
    with pytest.raises(ccxt.BadRequest, match="-4028"):
        a.withdraw("USDT", 1, outside, params={"network": "TRC20"})
    btc = b.fetch_deposit_address("BTC")
    assert btc["address"].startswith("bc1q")
