"""Seeded deposit histories (crypto and fiat) whose statuses move with the clock, and the
deposits that transfers from other simulated exchanges add.

Generated like the withdrawals (``withdrawals``): records live in sorted numpy arrays
and only the rows a query returns are built. A crypto deposit is seen on chain at its
insert time, is credited once its network's confirmations are in and becomes withdrawable
(success) after as many again; a fiat deposit is processing until it ends.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

import numpy as np

from .prices import key, mix
from .withdrawals import (
    COIN_NAMES,
    COINS,
    DAY_MS,
    FIAT,
    FIAT_METHODS,
    FiatStatus,
    Records,
    address,
    concat,
    hex_digest,
    window,
)

# network -> (confirmations needed to credit, seconds a block)
CONFIRMATIONS = {
    "BTC": (2, 600),
    "ETH": (12, 12),
    "TRX": (1, 3),
    "BSC": (15, 3),
    "ARBITRUM": (12, 1),
    "SOL": (1, 1),
    "XRP": (1, 4),
}
_COIN_WEIGHTS = np.array([0.45, 0.2, 0.2, 0.1, 0.05])
_FIAT_WEIGHTS = np.array([0.5, 0.2, 0.15, 0.1, 0.05])


class DepositStatus(StrEnum):
    """Where a crypto deposit is: confirming, credited (not yet withdrawable), or final."""

    PENDING = "pending"
    CREDITED = "credited"
    SUCCESS = "success"
    REJECTED = "rejected"
    WRONG_DEPOSIT = "wrong_deposit"


DEPOSIT_FINAL_STATUSES = (
    DepositStatus.SUCCESS,
    DepositStatus.REJECTED,
    DepositStatus.WRONG_DEPOSIT,
)
_FINAL_WEIGHTS = np.array([0.96, 0.02, 0.02])
FIAT_DEPOSIT_FINAL_STATUSES = (FiatStatus.SUCCESSFUL, FiatStatus.FAILED, FiatStatus.FINISHED)
_FIAT_FINAL_WEIGHTS = np.array([0.92, 0.04, 0.04])


@dataclass(frozen=True, slots=True)
class CryptoDeposit:
    """One crypto deposit as the exchange reports it now."""

    id: str
    coin: str
    network: str
    amount: Decimal
    address: str
    address_tag: str | None
    tx_id: str
    insert_ms: int
    complete_ms: int | None
    status: DepositStatus
    internal: bool
    confirmations: int
    required_confirmations: int


@dataclass(frozen=True, slots=True)
class FiatDeposit:
    """One fiat deposit as the exchange reports it now."""

    order_no: str
    currency: str
    amount: Decimal  # credited
    fee: Decimal
    indicated_amount: Decimal  # sent: amount plus fee
    method: str
    status: FiatStatus
    create_ms: int
    update_ms: int


@dataclass(frozen=True, slots=True)
class Arrival:
    """Where a deposit made by a transfer went and which transaction carried it."""

    address: str
    address_tag: str | None
    tx_id: str


def confirm_ms(network: str) -> int:
    """How long a deposit on ``network`` waits for its confirmations."""
    confirmations, block_s = CONFIRMATIONS[network]
    return confirmations * block_s * 1000


class DepositHistory:
    """Crypto and fiat deposit records of one simulated exchange."""

    def __init__(self, seed: int, exchange: str, epoch_ms: int, count: int, days: int) -> None:
        self._key = key(seed, exchange, "deposits")
        rng = np.random.default_rng([seed & 0xFFFFFFFF, self._key & 0xFFFFFFFF])
        start = epoch_ms - days * DAY_MS
        self.crypto_records = self._crypto_arrays(rng, count, start, epoch_ms)
        self.fiat_records = self._fiat_arrays(rng, count // 10, start, epoch_ms)
        self._serial = count + count // 10
        self._arrivals: dict[int, Arrival] = {}

    @staticmethod
    def _crypto_arrays(rng: np.random.Generator, n: int, start: int, end: int) -> Records:
        insert = np.sort(rng.integers(start, end, n, dtype=np.int64)) // 1000 * 1000
        kind = rng.choice(len(COIN_NAMES), n, p=_COIN_WEIGHTS)
        sub = rng.integers(0, 12, n) % np.array([len(COINS[c][0]) for c in COIN_NAMES])[kind]
        most = max(len(COINS[c][0]) for c in COIN_NAMES)
        waits = np.array(
            [
                [confirm_ms(net) for net, *_ in COINS[c][0]] + [0] * (most - len(COINS[c][0]))
                for c in COIN_NAMES
            ]
        )
        done = insert + 2 * waits[kind, sub]
        typical = np.array([COINS[c][1] for c in COIN_NAMES])
        amount = typical[kind] * np.exp(rng.normal(0.0, 1.0, n))
        final = rng.choice(len(DEPOSIT_FINAL_STATUSES), n, p=_FINAL_WEIGHTS)
        internal = rng.random(n) < 0.08
        serial = np.arange(n, dtype=np.int64)
        return Records(insert, done, kind, sub, amount, final, internal, serial)

    @staticmethod
    def _fiat_arrays(rng: np.random.Generator, n: int, start: int, end: int) -> Records:
        create = np.sort(rng.integers(start, end, n, dtype=np.int64)) // 1000 * 1000
        delay = (np.exp(rng.normal(np.log(20 * 60_000), 1.0, n))).astype(np.int64) + 60_000
        kind = rng.choice(len(FIAT), n, p=_FIAT_WEIGHTS)
        sub = rng.integers(0, len(FIAT_METHODS), n)
        amount = 1_000.0 * np.exp(rng.normal(0.0, 1.0, n))
        final = rng.choice(len(FIAT_DEPOSIT_FINAL_STATUSES), n, p=_FIAT_FINAL_WEIGHTS)
        serial = np.arange(n, dtype=np.int64) + (1 << 40)
        return Records(create, create + delay, kind, sub, amount, final, np.zeros(n, bool), serial)

    def add(
        self,
        *,
        insert_ms: int,
        coin: str,
        network_index: int,
        amount: float,
        final: DepositStatus,
        internal: bool,
        arrival: Arrival | None,
    ) -> CryptoDeposit:
        """Record a crypto deposit seen at ``insert_ms``; ``arrival`` names the address and
        transaction of a transfer (generated otherwise). Returns it as of its insert time."""
        kind = COIN_NAMES.index(coin)
        network = COINS[coin][0][network_index][0]
        serial = self._serial + (1 << 41)
        self._serial += 1
        done = insert_ms + 2 * confirm_ms(network)
        row = Records(
            *(
                np.array([v])
                for v in (
                    insert_ms,
                    done,
                    kind,
                    network_index,
                    amount,
                    DEPOSIT_FINAL_STATUSES.index(final),
                    internal,
                    serial,
                )
            )
        )
        if arrival is not None:
            self._arrivals[serial] = arrival
        self.crypto_records = concat(self.crypto_records, row)
        return self._crypto(row, 0, insert_ms)

    def crypto(
        self, start: int, end: int, now: int, coin: str | None, offset: int, limit: int | None
    ) -> list[CryptoDeposit]:
        """Crypto deposits inserted in [start, end] (and by ``now``), newest first."""
        a = self.crypto_records
        idx = window(a, start, min(end, now))
        if coin is not None:
            if coin not in COINS:
                return []
            idx = idx[a.kind[idx] == COIN_NAMES.index(coin)]
        idx = idx[::-1][offset : None if limit is None else offset + limit]
        return [self._crypto(a, int(i), now) for i in idx]

    def _crypto(self, a: Records, i: int, now: int) -> CryptoDeposit:
        serial = int(a.serial[i])
        k = mix(self._key ^ serial)
        coin = COIN_NAMES[int(a.kind[i])]
        networks, _, decimals = COINS[coin]
        network, _, style = networks[int(a.sub[i])]
        needed, block_s = CONFIRMATIONS[network]
        insert, done = int(a.apply[i]), int(a.done[i])
        credit = insert + (done - insert) // 2
        final = DEPOSIT_FINAL_STATUSES[int(a.final[i])]
        if now >= done:
            status = final
        elif now >= credit and final is DepositStatus.SUCCESS:
            status = DepositStatus.CREDITED
        else:
            status = DepositStatus.PENDING
        internal = bool(a.internal[i])
        arrival = self._arrivals.get(serial) or Arrival(
            address(style, mix(k ^ 7)),
            str(mix(k ^ 17) % 10**9) if style == "xrp" else None,
            f"Internal transfer {mix(k ^ 11) % 10**11}"
            if internal
            else ("0x" if style == "evm" else "") + hex_digest(mix(k ^ 13), 64),
        )
        return CryptoDeposit(
            id=str(mix(k ^ 5) % 10**12),
            coin=coin,
            network=network,
            amount=Decimal(f"{float(a.amount[i]):.{decimals}f}"),
            address=arrival.address,
            address_tag=arrival.address_tag,
            tx_id=arrival.tx_id,
            insert_ms=insert,
            complete_ms=done if status is DepositStatus.SUCCESS else None,
            status=status,
            internal=internal,
            confirmations=min(needed, max(0, (now - insert) // (block_s * 1000))),
            required_confirmations=needed,
        )

    def fiat(
        self, start: int, end: int, now: int, offset: int, limit: int | None
    ) -> tuple[list[FiatDeposit], int]:
        """Fiat deposits created in [start, end] (and by ``now``), newest first; the total."""
        a = self.fiat_records
        idx = window(a, start, min(end, now))[::-1]
        chosen = idx[offset : None if limit is None else offset + limit]
        return [self._fiat(a, int(i), now) for i in chosen], len(idx)

    def _fiat(self, a: Records, i: int, now: int) -> FiatDeposit:
        k = mix(self._key ^ int(a.serial[i]))
        create, done = int(a.apply[i]), int(a.done[i])
        final = FIAT_DEPOSIT_FINAL_STATUSES[int(a.final[i])]
        status, updated = (final, done) if now >= done else (FiatStatus.PROCESSING, create)
        sent = float(a.amount[i])
        fee = round(sent * 0.001, 2)
        return FiatDeposit(
            order_no="CJD" + str(mix(k ^ 3) % 10**18).zfill(18),
            currency=FIAT[int(a.kind[i])],
            amount=Decimal(f"{sent - fee:.2f}"),
            fee=Decimal(f"{fee:.2f}"),
            indicated_amount=Decimal(f"{sent:.2f}"),
            method=FIAT_METHODS[int(a.sub[i])],
            status=status,
            create_ms=create,
            update_ms=updated,
        )
