"""Every ccxt unified method of the coverage table (``ccxt_coverage``), for every dialect.

One simulated exchange per dialect on a wall-clock simulator (streams push as time
passes, as on the real exchanges); each table row is driven through an unmodified ccxt
client of the dialect's class and fails on an error (an unknown path) or a wrong shape.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from deltaworks_core.config import Settings, settings_from_dict
from deltaworks_core.venues.simulator import SimulatorServer, running_simulator

from .ccxt_coverage import CALLS, VENUES, Call, Desk
from .sim_support import client


def _name(dialect: str) -> str:
    return f"cov_{dialect}"


@pytest.fixture(scope="module")
def settings() -> Settings:
    exchanges = [
        {
            "name": _name(venue.dialect),
            "ccxt_id": venue.ccxt_id,
            "mode": "simulated",
            "symbols": [venue.spot, "ETH/USDT"],
        }
        for venue in VENUES.values()
    ]
    return settings_from_dict(
        {
            "simulator": {"host": "127.0.0.1", "port": 0, "withdrawals_per_exchange": 300},
            "exchanges": exchanges,
        }
    )


@pytest.fixture(scope="module")
def server(settings: Settings) -> Iterator[SimulatorServer]:
    with running_simulator(settings.simulator, settings.exchanges) as running:
        yield running


@pytest.fixture(scope="module")
def desks(settings: Settings, server: SimulatorServer) -> dict[str, Desk]:
    out = {}
    for dialect, venue in VENUES.items():
        rest = client(settings, server.base_url, _name(dialect))
        rest.load_markets()

        def pro(dialect: str = dialect) -> Any:
            return client(settings, server.base_url, _name(dialect), asynchronous=True)

        out[dialect] = Desk(venue, rest, pro)
    return out


@pytest.mark.parametrize("dialect", sorted(VENUES))
@pytest.mark.parametrize("call", CALLS, ids=[c.name for c in CALLS])
def test_ccxt_method(desks: dict[str, Desk], dialect: str, call: Call) -> None:
    desk = desks[dialect]
    if call.account is not None and call.account not in desk.venue.balances:
        pytest.skip(f"{dialect} has no {call.account} account")
    if call.unsupported_by(desk):
        pytest.skip(f"ccxt.{desk.venue.ccxt_id} has no {call.method}")
    call.check(call.run(desk), desk)
