"""Transfers between the two dialects, through unmodified ccxt.okx and ccxt.binance: a
withdrawal from the Binance-dialect exchange to an OKX-dialect deposit address arrives
there, after the network's delay, as a deposit with the same txid, and the reverse; and
ccxt.okx's withdraw is refused as OKX refuses it."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import ccxt
import pytest

from deltaworks_core.config import Settings
from deltaworks_core.venues.simulator import SimClock, SimulatorServer, running_simulator

from .okx_support import NAME, okx_client, okx_settings
from .sim_support import EPOCH_MS, client


@pytest.fixture(scope="module")
def settings() -> Settings:
    return okx_settings(withdrawals=50)


@pytest.fixture(scope="module")
def server(settings: Settings) -> Iterator[SimulatorServer]:
    with running_simulator(
        settings.simulator, settings.exchanges, clock=SimClock(EPOCH_MS)
    ) as running:
        yield running


@pytest.fixture(scope="module")
def okx(settings: Settings, server: SimulatorServer) -> Any:
    exchange = okx_client(settings, server.base_url)
    exchange.load_markets()
    return exchange


@pytest.fixture(scope="module")
def binance(settings: Settings, server: SimulatorServer) -> Any:
    exchange = client(settings, server.base_url, "sim_a")
    exchange.load_markets()
    return exchange


def _withdrawal(exchange: Any, wid: str) -> dict:
    return next(w for w in exchange.fetch_withdrawals("USDT") if w["id"] == wid)


def _deposit(exchange: Any, txid: str) -> dict | None:
    return next((d for d in exchange.fetch_deposits("USDT") if d["txid"] == txid), None)


def _arrives(sender: Any, receiver: Any, server: SimulatorServer, sent: dict, to: str) -> None:
    """``sent`` (249 USDT on TRC20 to ``to``) completes, then arrives on ``receiver``."""
    engine = server.engine(NAME)  # both exchanges run on the same simulated clock
    receiver_before = receiver.fetch_balance()["USDT"]["free"]
    assert _withdrawal(sender, sent["id"])["status"] == "pending"
    engine.advance(300)  # the withdrawal completes: broadcast, on its way
    withdrawal = _withdrawal(sender, sent["id"])
    assert withdrawal["status"] == "ok" and withdrawal["txid"] and withdrawal["address"] == to
    assert withdrawal["amount"] == 249
    assert _deposit(receiver, withdrawal["txid"]) is None
    engine.advance(120)  # the network's delay: seen on the receiver, confirming
    deposit = _deposit(receiver, withdrawal["txid"])
    assert deposit is not None and deposit["status"] == "pending"
    assert deposit["amount"] == 249 and deposit["address"] == to
    assert receiver.fetch_balance()["USDT"]["free"] == pytest.approx(receiver_before)
    engine.advance(10)  # TRX confirms in seconds: credited
    deposit = _deposit(receiver, withdrawal["txid"])
    assert deposit is not None and deposit["status"] == "ok"
    assert receiver.fetch_balance()["USDT"]["free"] == pytest.approx(receiver_before + 249)


def test_binance_withdrawal_arrives_on_okx(okx: Any, binance: Any, server: SimulatorServer) -> None:
    address = okx.fetch_deposit_address("USDT", {"network": "TRC20"})
    assert address["network"] == "TRC20"
    assert address["address"] == okx.fetch_deposit_address("USDT", {"network": "TRC20"})["address"]
    before = binance.fetch_balance()["USDT"]["free"]
    sent = binance.withdraw("USDT", 250, address["address"], params={"network": "TRC20"})
    assert binance.fetch_balance()["USDT"]["free"] == pytest.approx(before - 250)
    _arrives(binance, okx, server, sent, address["address"])


def test_okx_withdrawal_arrives_on_binance(okx: Any, binance: Any, server: SimulatorServer) -> None:
    address = binance.fetch_deposit_address("USDT", {"network": "TRC20"})
    before = okx.fetch_balance()["USDT"]["free"]
    sent = okx.withdraw("USDT", 249, address["address"], params={"network": "TRC20"})
    assert sent["id"] and sent["amount"] == 249
    # OKX's amt is what arrives; the chain's fee (1 USDT on TRC20) is charged on top
    assert okx.fetch_balance()["USDT"]["free"] == pytest.approx(before - 250)
    assert _withdrawal(okx, sent["id"])["fee"]["cost"] == 1
    _arrives(okx, binance, server, sent, address["address"])
    assert set(sent["info"]) == {"amt", "wdId", "ccy", "clientId", "chain"}  # OKX's docs
    assert sent["info"]["chain"] == "USDT-TRC20"


def test_okx_withdrawal_refusals(okx: Any) -> None:
    outside = "TKRxCKea88ZvHeGsXEY33CqAQHPDqcAw4N"
    with pytest.raises(ccxt.InsufficientFunds, match="58350"):
        okx.withdraw("USDT", 10_000_000, outside, params={"network": "TRC20"})
    with pytest.raises(ccxt.ExchangeError, match="58206"):  # below TRC20's 0.1 USDT minimum
        okx.withdraw("USDT", 0.05, outside, params={"network": "TRC20"})
    with pytest.raises(ccxt.BadRequest, match="51000"):
        okx.private_post_asset_withdrawal(
            {"ccy": "USDT", "amt": "5", "dest": "4", "toAddr": outside, "chain": "USDT-NOPE"}
        )
    with pytest.raises(ccxt.BadRequest, match="50014"):
        okx.private_post_asset_withdrawal({"ccy": "USDT", "dest": "4", "toAddr": outside})
