"""``python -m deltaworks_exec.demo``: the execution service's part of ``deltaworks demo``.

Expects QuestDB and the simulator running as configured. Starts ``deltaworks-exec serve``
with a generated token, places, fills and cancels a few orders through the API, shows a
risk reject and an idempotent resubmission, prints the orders and their fills, runs a
short TWAP as a parent order, and stops the service (SIGTERM).
"""

from __future__ import annotations

import os
import secrets
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx
from rich.console import Console
from rich.table import Table

from deltaworks_core.config import load_settings
from deltaworks_core.questdb.server import free_port

console = Console()
EXCHANGE = "sim_a"
SYMBOL = "BTC/USDT"


def start_service(token_env: str) -> tuple[subprocess.Popen[bytes], str, str]:
    """The service on a free loopback port with a fresh token: (process, url, token)."""
    token = secrets.token_urlsafe(24)
    port = free_port()
    command = [str(Path(sys.executable).parent / "deltaworks-exec"), "serve", "--host",
               "127.0.0.1", "--port", str(port)]  # fmt: skip
    process = subprocess.Popen(
        command, env={**os.environ, token_env: token}, stdout=subprocess.DEVNULL
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"the execution service exited with code {process.returncode}")
        try:
            if httpx.get(f"{url}/health", timeout=1).json().get("ready"):
                return process, url, token
        except httpx.HTTPError:
            time.sleep(0.2)
    process.kill()
    raise SystemExit("the execution service did not become ready within 120 s")


def place_orders(api: httpx.Client) -> list[dict[str, Any]]:
    """A market order, a marketable IOC limit, a resting order canceled, a risk reject."""
    orders: list[dict[str, Any]] = []

    def submit(**fields: Any) -> dict[str, Any]:
        body = {"exchange": EXCHANGE, "symbol": SYMBOL, **fields}
        response = api.post("/orders", json=body)
        response.raise_for_status()
        orders.append(response.json())
        return response.json()

    bought = submit(side="buy", type="market", amount=0.01, client_order_id=_cid("mkt"))
    price = bought["average"]
    submit(side="sell", type="limit", time_in_force="IOC", amount=0.005,
           price=round(price * 0.995, 2), client_order_id=_cid("ioc"))  # fmt: skip
    resting = submit(side="buy", type="limit", amount=0.01, price=round(price * 0.98, 2),
                     client_order_id=_cid("rest"))  # fmt: skip
    orders[-1] = api.delete(f"/orders/{resting['order_id']}").json()
    submit(side="buy", type="market", amount=10.0, client_order_id=_cid("big"))
    again = api.post("/orders", json={"exchange": EXCHANGE, "symbol": SYMBOL, "side": "buy",
                                      "type": "market", "amount": 0.01,
                                      "client_order_id": bought["client_order_id"]})  # fmt: skip
    same = again.json()["order_id"] == bought["order_id"]
    console.print(
        f"resubmitting client order id {bought['client_order_id']}: HTTP {again.status_code}, "
        f"{'the first order, nothing sent' if same else 'a NEW order (unexpected)'}"
    )
    return orders


def _cid(kind: str) -> str:
    return f"demo-{kind}-{secrets.token_hex(4)}"


def print_orders(api: httpx.Client, orders: list[dict[str, Any]]) -> None:
    table = Table(title=f"Orders on {EXCHANGE} through the execution service API")
    for column in ("client order id", "type", "side", "amount", "price", "status", "filled",
                   "average", "fills", "reason"):  # fmt: skip
        table.add_column(column)
    for order in orders:
        detail = api.get(f"/orders/{order['order_id']}").json()
        current = detail["order"]
        table.add_row(
            current["client_order_id"],
            current["type"] + (f" {current['time_in_force']}" if current["time_in_force"] else ""),
            current["side"],
            f"{current['amount']:g}",
            "" if current["price"] is None else f"{current['price']:,.2f}",
            current["status"],
            f"{current['filled']:g}",
            "" if current["average"] is None else f"{current['average']:,.2f}",
            str(len(detail["fills"])),
            current["reason"] or "",
        )
    console.print(table)


def run_twap(api: httpx.Client, timeout_s: float = 60.0) -> dict[str, Any]:
    """A 6-second, 3-slice TWAP buy through ``/algos``, followed until it ends."""
    body = {"algo": "twap", "exchange": EXCHANGE, "symbol": SYMBOL, "side": "buy",
            "quantity": 0.003, "params": {"duration_s": 6, "slices": 3}}  # fmt: skip
    response = api.post("/algos", json=body)
    response.raise_for_status()
    algo_id = response.json()["algo_id"]
    deadline = time.monotonic() + timeout_s
    while True:
        algo = api.get(f"/algos/{algo_id}").json()
        console.print(
            f"TWAP {algo_id}: {algo['status']}, filled {algo['filled']:g} of "
            f"{algo['quantity']:g} (schedule {algo['target']:g}), {algo['children']} child orders"
        )
        if algo["status"] in ("completed", "canceled", "failed") or time.monotonic() > deadline:
            return algo
        time.sleep(2.0)


def main() -> None:
    settings = load_settings()
    process, url, token = start_service(settings.exec.token_env)
    try:
        headers = {"Authorization": f"Bearer {token}"}
        with httpx.Client(base_url=url, headers=headers, timeout=30) as api:
            console.print(f"execution service ready at {url}")
            orders = place_orders(api)
            time.sleep(1.0)  # one reconciliation pass records the last fills
            print_orders(api, orders)
            twap = run_twap(api)
            average = "" if twap["average"] is None else f" at average {twap['average']:,.2f}"
            console.print(f"TWAP {twap['status']}: {twap['filled']:g} {SYMBOL}{average}")
            status = api.get("/status").json()
            console.print(
                f"open orders: {sum(status['open_orders'].values())}, "
                f"kill switch: {'on' if status['kill_switch'] else 'off'}"
            )
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=60)


if __name__ == "__main__":
    main()
