"""Transfers of an engine: withdrawal and deposit histories, deposit addresses, and
withdrawals that arrive as deposits on another simulated exchange.

The histories are seeded (``withdrawals``, ``deposits``); a user's ``withdraw`` adds to
them. Its coins leave the spot account at once; when the address belongs to an engine
of the same ``TransferNetwork``, that engine records a deposit with the withdrawal's
transaction id, seen ``network.delay_ms`` after the withdrawal completes and credited
once its confirmations are in, as the clock passes (``_settle_transfers``).
"""

from __future__ import annotations

import heapq
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from .deposits import (
    Arrival,
    CryptoDeposit,
    DepositStatus,
    FiatDeposit,
    confirm_ms,
)
from .errors import ErrorKind, SimError
from .markets import ATOMS_PER_UNIT
from .network import Owner, TransferNetwork
from .prices import key, mix
from .state import EngineState, locked
from .withdrawals import (
    COINS,
    FIAT_FINAL_STATUSES,
    FINAL_STATUSES,
    CryptoWithdrawal,
    FiatStatus,
    FiatWithdrawal,
    WithdrawalStatus,
    address,
)

WITHDRAW_PROCESSING_MS = 300_000  # from a user's withdrawal request to its broadcast


@dataclass(frozen=True, slots=True)
class DepositAddress:
    """Where an account receives ``coin`` on ``network``."""

    coin: str
    network: str
    address: str
    tag: str | None


class Transfers(EngineState):
    """Withdrawal and deposit queries (any window; exchanges' limits are their wire
    layers'), deposit addresses, withdrawals, and additions for tests."""

    def join(self, network: TransferNetwork) -> None:
        """Share ``network`` with the other simulated exchanges (the server joins them all)."""
        self.network = network

    @locked
    def deposits(
        self,
        start_ms: int | None = None,
        end_ms: int | None = None,
        *,
        coin: str | None = None,
        offset: int = 0,
        limit: int | None = None,
    ) -> list[CryptoDeposit]:
        """Crypto deposits seen in [start_ms, end_ms] (default: all until now), newest
        first, skipping ``offset`` and at most ``limit``."""
        now = self.clock.now_ms()
        start = 0 if start_ms is None else start_ms
        end = now if end_ms is None else end_ms
        return self._deposits.crypto(start, end, now, coin, max(0, offset), limit)

    @locked
    def fiat_deposits(
        self,
        start_ms: int | None = None,
        end_ms: int | None = None,
        *,
        offset: int = 0,
        limit: int | None = None,
    ) -> tuple[list[FiatDeposit], int]:
        """Fiat deposits created in [start_ms, end_ms] (default: all until now), newest
        first, skipping ``offset`` and at most ``limit``; and how many the window holds."""
        now = self.clock.now_ms()
        start = 0 if start_ms is None else start_ms
        end = now if end_ms is None else end_ms
        return self._deposits.fiat(start, end, now, max(0, offset), limit)

    @locked
    def deposit_address(
        self, account: str, coin: str, network: str | None = None
    ) -> DepositAddress:
        """The account's stable address for ``coin`` on ``network`` (the coin's first network
        by default); withdrawals to it from any engine of the network arrive here."""
        self.account(account)
        _, (net, _, style) = _network(coin, network)
        k = mix(key(self.seed, self.name, account, coin, net))
        found = DepositAddress(
            coin, net, address(style, k), str(k % 10**9) if style == "xrp" else None
        )
        self.network.register(net, found.address, Owner(self, account))
        return found

    def withdraw(
        self,
        account: str,
        coin: str,
        amount: str | Decimal | float,
        to: str,
        *,
        network: str | None = None,
        tag: str | None = None,
    ) -> CryptoWithdrawal:
        """Send ``amount`` of ``coin`` (the network fee included) from the account's spot
        funds to address ``to``. Returns the withdrawal as it will be once completed."""
        with self._lock:
            self._sync()
            index, (net, fee_text, _) = _network(coin, network)
            net_index = [n[0] for n in COINS[coin][0]].index(net)
            try:
                sent = Decimal(str(amount))
            except InvalidOperation:
                raise SimError(
                    ErrorKind.MALFORMED_PARAMETER, f"amount {amount!r}", field="amount"
                ) from None
            owner = self.network.owner(net, to)
            internal = owner is not None and owner.engine is self
            fee = Decimal(0) if internal else Decimal(fee_text)
            if sent <= fee:
                raise SimError(
                    ErrorKind.WITHDRAWAL_TOO_SMALL,
                    f"the amount must exceed the fee of {fee} {coin}",
                )
            acct = self.account(account)
            atoms = int(sent * ATOMS_PER_UNIT)
            if acct.spot_free.get(coin, 0) < atoms:
                raise SimError(
                    ErrorKind.INSUFFICIENT_BALANCE, f"insufficient balance of free {coin}"
                )
            acct.spot_free[coin] -= atoms
            acct.update = self._t
            now = self.clock.now_ms() // 1000 * 1000
            withdrawal = self._history.add(
                fiat=False,
                apply_ms=now,
                done_ms=now + WITHDRAW_PROCESSING_MS,
                kind=index,
                sub=net_index,
                amount=float(sent - fee),
                final=FINAL_STATUSES.index(WithdrawalStatus.COMPLETED),
                internal=internal,
                to=(to, tag),
            )
            assert withdrawal is not None
        if owner is not None:
            owner.engine.receive(
                owner.account,
                withdrawal,
                seen_ms=now + WITHDRAW_PROCESSING_MS + (0 if internal else self.network.delay_ms),
            )
        return withdrawal

    def receive(self, account: str, withdrawal: CryptoWithdrawal, seen_ms: int) -> CryptoDeposit:
        """Record the deposit ``withdrawal`` makes to ``account``, seen at ``seen_ms`` and
        credited to its spot funds once confirmed."""
        with self._lock:
            net_index = [n[0] for n in COINS[withdrawal.coin][0]].index(withdrawal.network)
            deposit = self._deposits.add(
                insert_ms=seen_ms,
                coin=withdrawal.coin,
                network_index=net_index,
                amount=float(withdrawal.amount),
                final=DepositStatus.SUCCESS,
                internal=withdrawal.internal,
                arrival=Arrival(withdrawal.address, withdrawal.address_tag, withdrawal.tx_id),
            )
            due = seen_ms + confirm_ms(withdrawal.network)
            atoms = int(withdrawal.amount * ATOMS_PER_UNIT)
            heapq.heappush(
                self._credits, (due, len(self._credits), account, withdrawal.coin, atoms)
            )
            return deposit

    def _settle_transfers(self, now: int) -> None:
        credits = self._credits
        while credits and credits[0][0] <= now:
            _, _, account, coin, atoms = heapq.heappop(credits)
            acct = self.account(account)
            acct.spot_free[coin] = acct.spot_free.get(coin, 0) + atoms
            acct.update = now

    @locked
    def withdrawals(
        self,
        start_ms: int | None = None,
        end_ms: int | None = None,
        *,
        coin: str | None = None,
        offset: int = 0,
        limit: int | None = None,
    ) -> list[CryptoWithdrawal]:
        """Crypto withdrawals applied in [start_ms, end_ms] (default: all until now), newest
        first, skipping ``offset`` and at most ``limit``."""
        now = self.clock.now_ms()
        start = 0 if start_ms is None else start_ms
        end = now if end_ms is None else end_ms
        return self._history.crypto(start, end, now, coin, max(0, offset), limit)

    @locked
    def fiat_withdrawals(
        self,
        start_ms: int | None = None,
        end_ms: int | None = None,
        *,
        offset: int = 0,
        limit: int | None = None,
    ) -> tuple[list[FiatWithdrawal], int]:
        """Fiat withdrawals created in [start_ms, end_ms] (default: all until now), newest
        first, skipping ``offset`` and at most ``limit``; and how many the window holds."""
        now = self.clock.now_ms()
        start = 0 if start_ms is None else start_ms
        end = now if end_ms is None else end_ms
        return self._history.fiat(start, end, now, max(0, offset), limit)

    @locked
    def add_withdrawal(
        self,
        coin: str,
        amount: float,
        *,
        network_index: int = 0,
        apply_ms: int | None = None,
        pending_ms: int = 600_000,
        final_status: WithdrawalStatus | str = WithdrawalStatus.COMPLETED,
        internal: bool = False,
    ) -> None:
        """Record a new crypto withdrawal applied at ``apply_ms`` (now by default) that
        reaches ``final_status`` (completed, cancelled, rejected, failed) after ``pending_ms``."""
        index, networks = self._history.coin_index(coin)
        if not 0 <= network_index < len(networks):
            raise ValueError(f"{coin} has {len(networks)} networks, not index {network_index}")
        final = WithdrawalStatus(final_status)
        if final not in FINAL_STATUSES:
            raise ValueError(f"final_status must be one of {', '.join(FINAL_STATUSES)}")
        apply = (self.clock.now_ms() if apply_ms is None else apply_ms) // 1000 * 1000
        self._history.add(
            fiat=False,
            apply_ms=apply,
            done_ms=apply + pending_ms,
            kind=index,
            sub=network_index,
            amount=amount,
            final=FINAL_STATUSES.index(final),
            internal=internal,
        )

    @locked
    def add_fiat_withdrawal(
        self,
        currency: str,
        amount: float,
        *,
        apply_ms: int | None = None,
        pending_ms: int = 3_600_000,
        final_status: FiatStatus | str = FiatStatus.SUCCESSFUL,
    ) -> None:
        """Record a new fiat withdrawal that ends in ``final_status`` after ``pending_ms``
        (a ``FiatStatus`` or its name in any case, spaces for underscores)."""
        final = _fiat_status(final_status)
        apply = self.clock.now_ms() if apply_ms is None else apply_ms
        self._history.add(
            fiat=True,
            apply_ms=apply,
            done_ms=apply + pending_ms,
            kind=self._history.fiat_index(currency),
            sub=0,
            amount=amount,
            final=FIAT_FINAL_STATUSES.index(final),
            internal=False,
        )


def _fiat_status(value: FiatStatus | str) -> FiatStatus:
    name = str(value).lower().replace(" ", "_")
    found = next((s for s in FIAT_FINAL_STATUSES if s.value == name), None)
    if found is None:
        raise ValueError(f"final_status must be one of {', '.join(FIAT_FINAL_STATUSES)}")
    return found


def _network(coin: str, network: str | None) -> tuple[int, tuple[str, str, str]]:
    """(coin index, (network, fee, address style)) of ``coin`` on ``network`` (or its first)."""
    if coin not in COINS:
        raise SimError(ErrorKind.UNKNOWN_ASSET, f"no coin {coin!r}; coins: {', '.join(COINS)}")
    networks = COINS[coin][0]
    if network is None:
        return list(COINS).index(coin), networks[0]
    for entry in networks:
        if entry[0] == network:
            return list(COINS).index(coin), entry
    names = ", ".join(n[0] for n in networks)
    raise SimError(ErrorKind.UNKNOWN_NETWORK, f"{coin} moves on {names}, not {network!r}")
