"""Shared pieces of the crash-point tests: a service armed at a named point, and the comparison
of QuestDB with the simulator's own record of orders and fills."""

from __future__ import annotations

import re
from collections import Counter
from decimal import Decimal
from pathlib import Path

import httpx

from deltaworks_core.config import CONFIG_ENV_VAR
from deltaworks_core.crash_points import ENV
from deltaworks_core.questdb import QuestDBReader
from deltaworks_core.venues.simulator import ExchangeEngine, SimError
from tests.exec_harness import ServiceExitedError, ServiceProcess, wait_for

# Every point is armed at each of these passages.
PASSAGES = (1, 2, 3, 5)
VENUE_STATUS = {
    "NEW": "new",
    "PARTIALLY_FILLED": "partially_filled",
    "FILLED": "filled",
    "CANCELED": "canceled",
    "EXPIRED": "expired",
    "EXPIRED_IN_MATCH": "expired",
    "REJECTED": "rejected",
}
_FILL_RECORDED = re.compile(r"fill recorded exchange=(\S+) fill_id=(\S+)")
_TESTS_CONFIG = Path(__file__).parent / "fixtures" / "two_binance.toml"


def sim_a_only(folder: Path) -> dict[str, str]:
    """The environment of a service configured with sim_a alone (half the start-up work)."""
    text = _TESTS_CONFIG.read_text()
    second = text.index("[[exchanges]]", text.index("[[exchanges]]") + 1)
    path = folder / "sim_a_only.toml"
    path.write_text(text[:second])
    return {CONFIG_ENV_VAR: str(path)}


def crashed_at(service: ServiceProcess, point: str, passage: int) -> bool:
    """True once the service's log shows it killed itself at ``point``'s ``passage``."""
    return f"crash point {point} passage {passage}: SIGKILL" in service.log_text()


def start_armed(service: ServiceProcess, point: str, passage: int) -> bool:
    """Start ``service`` armed at ``point:passage``; False when it died there during start-up."""
    try:
        service.start(env={ENV: f"{point}:{passage}"})
    except ServiceExitedError:
        assert crashed_at(service, point, passage), service.log_text()[-3000:]
        return False
    return True


def wait_crash(service: ServiceProcess, point: str, passage: int, timeout_s: float = 20) -> None:
    """Wait until ``service`` is dead, killed by itself at ``point:passage``."""
    wait_for(lambda: not service.running(), timeout_s, interval_s=0.02)
    assert crashed_at(service, point, passage), f"{point}:{passage}: died elsewhere"


def released(api: httpx.Client) -> None:
    """Release the kill switch (its state persists in the session's QuestDB)."""
    answer = api.post("/risk/kill-switch", json={"engaged": False})
    assert answer.status_code == 200, answer.text


def fill_writes(*services: ServiceProcess) -> Counter[str]:
    """How many times the services wrote each fill (``exchange:fill_id``), from their logs."""
    text = "".join(service.log_text() for service in services)
    return Counter(f"{exchange}:{fill_id}" for exchange, fill_id in _FILL_RECORDED.findall(text))


def _venue_order(engine: ExchangeEngine, symbol: str, client_order_id: str):
    try:
        return engine.order("main", symbol, client_order_id=client_order_id)
    except SimError:
        return None


def _stored(reader: QuestDBReader, exchange: str, prefix: str) -> tuple[dict, dict]:
    """(latest event per client order id, fills by id) in QuestDB for client ids ``prefix*``."""
    reader.wait_visible(["order_events", "fills"])
    events = reader.query(
        "SELECT order_id, client_order_id, symbol, status, filled FROM order_events "
        "WHERE exchange = %s AND client_order_id LIKE %s LATEST ON ts PARTITION BY order_id",
        (exchange, f"{prefix}%"),
    )
    ids = Counter(e["client_order_id"] for e in events)
    assert max(ids.values(), default=1) == 1, f"client ids with several orders: {ids}"
    fills = reader.query(
        "SELECT fill_id, count() n, sum(amount) amount FROM fills "
        "WHERE exchange = %s AND client_order_id LIKE %s GROUP BY fill_id",
        (exchange, f"{prefix}%"),
    )
    return {e["client_order_id"]: e for e in events}, {f["fill_id"]: f for f in fills}


def differences(
    reader: QuestDBReader, engine: ExchangeEngine, exchange: str, prefix: str
) -> list[str]:
    """How QuestDB's orders and fills with client ids ``prefix*`` differ from the venue's."""
    orders, fills = _stored(reader, exchange, prefix)
    problems = []
    trades = {
        symbol: engine.my_trades("main", symbol, limit=100_000)
        for symbol in {o["symbol"] for o in orders.values()}
    }
    venue_fills: dict[str, Decimal] = {}
    for cid, order in orders.items():
        venue = _venue_order(engine, order["symbol"], cid)
        if venue is None:
            if order["status"] != "rejected":
                problems.append(f"{cid}: stored {order['status']}, the venue has no order")
            continue
        step = venue.market.step
        expected, filled = VENUE_STATUS[venue.status], venue.filled * step
        if order["status"] != expected or abs(Decimal(str(order["filled"])) - filled) > step / 2:
            problems.append(
                f"{cid}: stored {order['status']}/{order['filled']}, venue {expected}/{filled}"
            )
        for trade in trades[order["symbol"]]:
            if trade.order_id == venue.id:
                venue_fills[str(trade.id)] = trade.qty * step
    for fill_id in venue_fills.keys() - fills.keys():
        problems.append(f"fill {fill_id} of the venue is not in QuestDB")
    for fill_id in fills.keys() - venue_fills.keys():
        problems.append(f"fill {fill_id} in QuestDB is not the venue's")
    return problems


def assert_matches_venue(
    reader: QuestDBReader,
    engine: ExchangeEngine,
    exchange: str,
    prefix: str,
    services: tuple[ServiceProcess, ...],
    timeout_s: float = 10,
) -> tuple[dict, dict]:
    """Wait until QuestDB agrees with the venue on every order and fill of ``prefix*``, then
    check that no client id was sent twice and no fill was written twice; (orders, fills)."""
    try:
        wait_for(lambda: not differences(reader, engine, exchange, prefix), timeout_s, 0.2)
    except AssertionError:
        raise AssertionError("\n".join(differences(reader, engine, exchange, prefix))) from None
    resent = [cid for _, _, cid in engine.duplicate_sends if cid.startswith(prefix)]
    assert not resent, f"sent twice (the venue refused the repeats): {resent}"
    orders, fills = _stored(reader, exchange, prefix)
    venue_cids = {o.client_id for o in engine.orders("main") if o.client_id.startswith(prefix)}
    assert venue_cids <= orders.keys(), (
        f"at the venue, never written ahead: {venue_cids - orders.keys()}"
    )
    writes = fill_writes(*services)
    doubled = {f: writes[f"{exchange}:{f}"] for f in fills if writes[f"{exchange}:{f}"] > 1}
    assert not doubled, f"fills written more than once: {doubled}"
    return orders, fills
