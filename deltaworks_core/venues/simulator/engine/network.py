"""The chains between simulated exchanges: who owns a deposit address, how long coins travel.

Every engine of one simulator joins the same ``TransferNetwork``. A withdrawal to an
address another engine handed out arrives there, after ``delay_ms`` on the chain, as a
deposit with the withdrawal's transaction id.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from .withdrawals import CryptoWithdrawal

NETWORK_DELAY_MS = 120_000  # from the sender's broadcast to the first sighting on chain


class Receiver(Protocol):
    """An engine that records the deposits withdrawals make to its addresses."""

    def receive(self, account: str, withdrawal: CryptoWithdrawal, seen_ms: int) -> object: ...


@dataclass(frozen=True, slots=True)
class Owner:
    """The engine and account a deposit address belongs to."""

    engine: Receiver
    account: str


class TransferNetwork:
    """Deposit addresses of every joined engine, by (chain, address)."""

    def __init__(self, delay_ms: int = NETWORK_DELAY_MS) -> None:
        self.delay_ms = delay_ms
        self._owners: dict[tuple[str, str], Owner] = {}

    def register(self, network: str, address: str, owner: Owner) -> None:
        self._owners[(network, address)] = owner

    def owner(self, network: str, address: str) -> Owner | None:
        """Who owns ``address`` on ``network``; None for an address outside the simulator."""
        return self._owners.get((network, address))
