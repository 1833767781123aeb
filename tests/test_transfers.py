"""End to end on the simulator: USDT sent from a Binance-dialect exchange to an OKX-dialect
one is synced as a withdrawal and a deposit (deposit_sync requests its run), matched as a
transfer, shown in transit in the sender's portfolio and the Grafana panel, then settled
once credited; a second transfer to the same (now known) address is in transit at once."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from deltaworks_core.config import Settings
from deltaworks_core.questdb import QuestDBReader
from deltaworks_core.venues.factory import create_exchange
from deltaworks_pipelines.sensors import parse_cursor
from tests.pipelines_support import PipelineEnv, pipeline_env
from tests.test_grafana_queries import GRAFANA, dashboard_queries, expand

BOARD = GRAFANA / "dashboards" / "transfers.json"


@pytest.fixture(scope="module")
def env(settings: Settings) -> Iterator[PipelineEnv]:
    token = uuid.uuid4().hex[:8]
    # the simulated clock runs 2 h behind: the test advances it without passing the wall
    # clock, which stamps the holdings snapshots
    with pipeline_env(
        settings,
        [f"tb{token}", f"to{token}"],
        withdrawals=40,
        ccxt_id=["binance", "okx"],
        clock_behind_s=7200,
    ) as pipeline:
        yield pipeline


def _client(env: PipelineEnv, index: int) -> Any:
    exchange = create_exchange(
        env.settings, env.settings.exchanges[index], simulator_url=env.sim.base_url
    )
    exchange.load_markets()
    return exchange


def _sim_day(env: PipelineEnv, name: str) -> Any:
    return datetime.fromtimestamp(env.sim.engine(name).now_ms() / 1000, UTC).date()


def _transfer(reader: QuestDBReader, sender: str) -> list[dict]:
    reader.wait_visible("transfers")
    return reader.query(
        "SELECT withdrawal_id, to_exchange, amount, txid, matched_by, status, settled_at "
        "FROM transfers WHERE from_exchange = %s ORDER BY ts",
        (sender,),
    )


def _latest_in_transit(reader: QuestDBReader, name: str) -> float:
    reader.wait_visible("portfolio_value")
    rows = reader.query(
        "SELECT account_type, value, in_transit FROM portfolio_value WHERE exchange = %s "
        "AND ts = (SELECT max(ts) FROM portfolio_value WHERE exchange = %s)",
        (name, name),
    )
    latest = {r["account_type"]: r for r in rows}
    assert "spot" in latest
    assert all(r["in_transit"] == (k == "in_transit") for k, r in latest.items())
    return latest["in_transit"]["value"] if "in_transit" in latest else 0.0


def _panel(reader: QuestDBReader, names: list[str]) -> list[dict]:
    sql = dict(dashboard_queries([BOARD]))["transfers: Transfers in transit"]
    end = datetime.now(UTC) + timedelta(minutes=5)
    return reader.query(expand(sql, end - timedelta(days=3), end, timedelta(minutes=1), names))


def test_transfer_in_transit_then_settled(env: PipelineEnv, reader: QuestDBReader) -> None:
    sender, receiver = (e.name for e in env.settings.exchanges)
    binance, okx = _client(env, 0), _client(env, 1)
    engine = env.sim.engine(sender)  # both exchanges share the simulated clock
    address = okx.fetch_deposit_address("USDT", {"network": "TRC20"})["address"]
    sent = binance.withdraw("USDT", 250, address, params={"network": "TRC20"})
    engine.advance(300 + 120)  # broadcast, then seen on the receiver: confirming
    day = _sim_day(env, sender)

    ticks = env.evaluate_sensor(None, "deposit_sync")
    requested = [r for r in ticks.run_requests if receiver in str(r.partition_key)]
    assert requested, "deposit_sync requests a deposits run for the receiver's day"
    assert set(parse_cursor(ticks.cursor)) == {sender, receiver}
    assert env.run("deposits_job", receiver, day).success
    assert env.run("withdrawals_job", sender, day).success
    assert env.run("transfers_job", sender, day).success
    assert env.run("holdings_job", sender).success

    [moving] = _transfer(reader, sender)
    assert (moving["withdrawal_id"], moving["to_exchange"]) == (sent["id"], receiver)
    assert (moving["status"], moving["matched_by"]) == ("in_transit", "txid")
    assert moving["amount"] == pytest.approx(249)  # Binance reports the amount net of its fee
    assert _latest_in_transit(reader, sender) == pytest.approx(249)  # USDT in USDT
    assert [r["txid"] for r in _panel(reader, [sender, receiver])] == [moving["txid"]]

    engine.advance(10)  # TRON confirms in seconds: credited on the receiver
    assert env.run("deposits_job", receiver, day).success
    assert env.run("transfers_job", sender, day).success
    assert env.run("holdings_job", sender).success
    [settled] = _transfer(reader, sender)
    assert settled["status"] == "settled" and settled["settled_at"] is not None
    assert _latest_in_transit(reader, sender) == 0.0
    assert _panel(reader, [sender, receiver]) == []

    # the address has received from us before: the next transfer is in transit at once
    again = binance.withdraw("USDT", 100, address, params={"network": "TRC20"})
    assert env.run("withdrawals_job", sender, _sim_day(env, sender)).success
    assert env.run("transfers_job", sender, _sim_day(env, sender)).success
    assert env.run("holdings_job", sender).success
    second = next(t for t in _transfer(reader, sender) if t["withdrawal_id"] == again["id"])
    assert (second["status"], second["matched_by"]) == ("in_transit", "address")
    assert _latest_in_transit(reader, sender) == pytest.approx(99)


def test_transfer_panels_use_the_shared_queries() -> None:
    files = {p.read_text().strip() for p in (GRAFANA / "queries").glob("*.sql")}
    assert {sql for _, sql in dashboard_queries([BOARD])} <= files
