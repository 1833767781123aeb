"""Seeded withdrawal histories (crypto and fiat) whose statuses move with the clock.

Records are generated once, vectorised, into sorted numpy arrays; a query slices a
time window with ``searchsorted`` and formats only the rows it returns, so 100,000
records per exchange cost milliseconds. Statuses are derived from the clock: a
record is pending until its completion time, then takes its final status.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

import numpy as np

from .prices import key, mix

DAY_MS = 86_400_000
# coin -> ((network, fee, address style), ...), typical amount, decimals
COINS: dict[str, tuple[tuple[tuple[str, str, str], ...], float, int]] = {
    "USDT": ((("ETH", "4", "evm"), ("TRX", "1", "tron"), ("BSC", "0.29", "evm")), 2_000.0, 2),
    "BTC": ((("BTC", "0.0002", "btc"), ("BSC", "0.0000046", "evm")), 0.2, 6),
    "ETH": ((("ETH", "0.0012", "evm"), ("ARBITRUM", "0.0001", "evm")), 2.0, 5),
    "SOL": ((("SOL", "0.008", "sol"),), 40.0, 3),
    "XRP": ((("XRP", "0.2", "xrp"),), 1_500.0, 1),
}
COIN_NAMES = list(COINS)
_COIN_WEIGHTS = np.array([0.45, 0.2, 0.2, 0.1, 0.05])


class WithdrawalStatus(StrEnum):
    """Where a crypto withdrawal is: three pending stages, then a final status."""

    EMAIL_SENT = "email_sent"
    AWAITING_APPROVAL = "awaiting_approval"
    PROCESSING = "processing"
    COMPLETED = "completed"
    CANCELLED = "cancelled"
    REJECTED = "rejected"
    FAILED = "failed"


class FiatStatus(StrEnum):
    """Where a fiat withdrawal is: pending (processing, refunding) or final."""

    PROCESSING = "processing"
    REFUNDING = "refunding"
    SUCCESSFUL = "successful"
    FINISHED = "finished"
    FAILED = "failed"
    REFUNDED = "refunded"
    REFUND_FAILED = "refund_failed"
    PARTIAL_CREDIT_STOPPED = "partial_credit_stopped"


@dataclass(frozen=True, slots=True)
class CryptoWithdrawal:
    """One crypto withdrawal as the exchange reports it now (``tx_id`` empty until sent)."""

    id: str
    coin: str
    network: str
    amount: Decimal
    fee: Decimal
    address: str
    address_tag: str | None
    tx_id: str
    apply_ms: int
    complete_ms: int | None
    status: WithdrawalStatus
    internal: bool
    confirmations: int


@dataclass(frozen=True, slots=True)
class FiatWithdrawal:
    """One fiat withdrawal as the exchange reports it now."""

    order_no: str
    currency: str
    amount: Decimal
    fee: Decimal
    indicated_amount: Decimal  # amount plus fee, as debited
    method: str
    status: FiatStatus
    create_ms: int
    update_ms: int


FINAL_STATUSES = (
    WithdrawalStatus.COMPLETED,
    WithdrawalStatus.CANCELLED,
    WithdrawalStatus.REJECTED,
    WithdrawalStatus.FAILED,
)
_FINAL_WEIGHTS = np.array([0.9, 0.03, 0.02, 0.05])
FIAT = ("EUR", "USD", "GBP", "BRL", "TRY")
_FIAT_WEIGHTS = np.array([0.5, 0.2, 0.15, 0.1, 0.05])
FIAT_METHODS = ("bank transfer", "SEPA", "card", "Faster Payments")
FIAT_FINAL_STATUSES = (
    FiatStatus.SUCCESSFUL,
    FiatStatus.FINISHED,
    FiatStatus.FAILED,
    FiatStatus.REFUNDED,
    FiatStatus.REFUND_FAILED,
    FiatStatus.PARTIAL_CREDIT_STOPPED,
)
FIAT_FINAL_STATUSES_WEIGHTS = np.array([0.84, 0.05, 0.05, 0.03, 0.02, 0.01])
_B58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"


def _digest(k: int) -> bytes:
    return hashlib.blake2b(k.to_bytes(8, "little"), digest_size=64).digest()


def hex_digest(k: int, n: int) -> str:
    return _digest(k).hex()[:n]


def _b58(k: int, n: int) -> str:
    return "".join(_B58[b % 58] for b in _digest(k)[:n])


def address(style: str, k: int) -> str:
    if style == "evm":
        return "0x" + hex_digest(k, 40)
    if style == "btc":
        return "bc1q" + hex_digest(k, 38)
    if style == "tron":
        return "T" + _b58(k, 33)
    if style == "xrp":
        return "r" + _b58(k, 33)
    return _b58(k, 44)


@dataclass(slots=True)
class Records:
    apply: np.ndarray  # ms, sorted
    done: np.ndarray  # ms when the final status is reached
    kind: np.ndarray  # coin (or fiat currency) index
    sub: np.ndarray  # network (or method) index
    amount: np.ndarray  # float amount
    final: np.ndarray  # final status index / code
    internal: np.ndarray  # bool
    serial: np.ndarray  # stable record number (ids derive from it)


def concat(a: Records, b: Records) -> Records:
    merged = Records(*(np.concatenate([x, y]) for x, y in zip(_fields(a), _fields(b), strict=True)))
    order = np.argsort(merged.apply, kind="stable")
    return Records(*(x[order] for x in _fields(merged)))


def _fields(a: Records) -> tuple[np.ndarray, ...]:
    return (a.apply, a.done, a.kind, a.sub, a.amount, a.final, a.internal, a.serial)


def window(a: Records, start: int, end: int) -> np.ndarray:
    """Indexes of the records whose first time lies in [start, end]."""
    lo = int(np.searchsorted(a.apply, start, "left"))
    hi = int(np.searchsorted(a.apply, end, "right"))
    return np.arange(lo, hi)


class WithdrawalHistory:
    """Crypto and fiat withdrawal records of one simulated exchange."""

    def __init__(self, seed: int, exchange: str, epoch_ms: int, count: int, days: int) -> None:
        self._key = key(seed, exchange, "withdrawals")
        rng = np.random.default_rng([seed & 0xFFFFFFFF, self._key & 0xFFFFFFFF])
        start = epoch_ms - days * DAY_MS
        self.crypto_records = self._generate(rng, count, start, epoch_ms, fiat=False)
        self.fiat_records = self._generate(rng, count // 10, start, epoch_ms, fiat=True)
        self._serial = count + count // 10
        self._to: dict[int, tuple[str, str | None]] = {}  # serial -> a user's (address, tag)

    @staticmethod
    def _generate(rng: np.random.Generator, n: int, start: int, end: int, fiat: bool) -> Records:
        apply = np.sort(rng.integers(start, end, n, dtype=np.int64)) // 1000 * 1000
        delay = (np.exp(rng.normal(np.log(40 * 60_000), 1.0, n))).astype(np.int64) + 60_000
        names = _FIAT_WEIGHTS if fiat else _COIN_WEIGHTS
        kind = rng.choice(len(names), n, p=names)
        sub = rng.integers(0, 12, n) % (
            len(FIAT_METHODS) if fiat else np.array([len(COINS[c][0]) for c in COIN_NAMES])[kind]
        )
        typical = np.array([1_000.0] * len(FIAT) if fiat else [COINS[c][1] for c in COIN_NAMES])
        amount = typical[kind] * np.exp(rng.normal(0.0, 1.0, n))
        final = rng.choice(
            6 if fiat else 4, n, p=FIAT_FINAL_STATUSES_WEIGHTS if fiat else _FINAL_WEIGHTS
        )
        internal = np.zeros(n, dtype=bool) if fiat else rng.random(n) < 0.08
        return Records(
            apply,
            apply + delay,
            kind,
            sub,
            amount,
            final,
            internal,
            np.arange(n, dtype=np.int64) + (1 << 40 if fiat else 0),
        )

    def add(
        self,
        *,
        fiat: bool,
        apply_ms: int,
        done_ms: int,
        kind: int,
        sub: int,
        amount: float,
        final: int,
        internal: bool,
        to: tuple[str, str | None] | None = None,
    ) -> CryptoWithdrawal | None:
        """Append one record (tests and users add withdrawals); ``to`` is the (address, tag)
        a user sent a crypto withdrawal to. Returns a crypto one as it is once done."""
        serial = self._serial + (1 << 41)
        row = Records(
            *(
                np.array([v])
                for v in (
                    apply_ms,
                    done_ms,
                    kind,
                    sub,
                    amount,
                    final,
                    internal,
                    serial,
                )
            )
        )
        self._serial += 1
        if fiat:
            self.fiat_records = concat(self.fiat_records, row)
            return None
        if to is not None:
            self._to[serial] = to
        self.crypto_records = concat(self.crypto_records, row)
        return self._crypto(row, 0, done_ms)

    def crypto(
        self, start: int, end: int, now: int, coin: str | None, offset: int, limit: int | None
    ) -> list[CryptoWithdrawal]:
        """Crypto withdrawals applied in [start, end] (and by ``now``), newest first."""
        a = self.crypto_records
        idx = window(a, start, min(end, now))
        if coin is not None:
            if coin not in COINS:
                return []
            idx = idx[a.kind[idx] == COIN_NAMES.index(coin)]
        idx = idx[::-1][offset : None if limit is None else offset + limit]
        return [self._crypto(a, int(i), now) for i in idx]

    def _crypto(self, a: Records, i: int, now: int) -> CryptoWithdrawal:
        serial = int(a.serial[i])
        k = mix(self._key ^ serial)
        coin = COIN_NAMES[int(a.kind[i])]
        networks, _, decimals = COINS[coin]
        network, fee, style = networks[int(a.sub[i])]
        internal = bool(a.internal[i])
        apply, done = int(a.apply[i]), int(a.done[i])
        final = FINAL_STATUSES[int(a.final[i])]
        if now >= done:
            status = final
        elif final is WithdrawalStatus.CANCELLED:  # a cancelled one never got past the e-mail
            status = WithdrawalStatus.EMAIL_SENT
        else:
            elapsed = (now - apply) / max(1, done - apply)
            status = (
                WithdrawalStatus.EMAIL_SENT
                if elapsed < 0.05
                else WithdrawalStatus.AWAITING_APPROVAL
                if elapsed < 0.3
                else WithdrawalStatus.PROCESSING
            )
        sent = status in (WithdrawalStatus.PROCESSING, WithdrawalStatus.COMPLETED)
        has_tx = sent and final is not WithdrawalStatus.CANCELLED
        tx_id = ""
        if has_tx:
            tx_id = (
                f"Internal transfer {mix(k ^ 11) % 10**11}"
                if internal
                else ("0x" if style == "evm" else "") + hex_digest(mix(k ^ 13), 64)
            )
        completed = status is WithdrawalStatus.COMPLETED
        to, tag = self._to.get(serial) or (
            address(style, mix(k ^ 7)),
            str(mix(k ^ 17) % 10**9) if style == "xrp" else None,
        )
        return CryptoWithdrawal(
            id=hex_digest(k, 32),
            coin=coin,
            network=network,
            amount=Decimal(f"{float(a.amount[i]):.{decimals}f}"),
            fee=Decimal(0) if internal else Decimal(fee),
            address=to,
            address_tag=tag,
            tx_id=tx_id,
            apply_ms=apply,
            complete_ms=done if completed else None,
            status=status,
            internal=internal,
            confirmations=12 if completed else 0,
        )

    def fiat(
        self, start: int, end: int, now: int, offset: int, limit: int | None
    ) -> tuple[list[FiatWithdrawal], int]:
        """Fiat withdrawals created in [start, end] (and by ``now``), newest first; the total."""
        a = self.fiat_records
        idx = window(a, start, min(end, now))[::-1]
        chosen = idx[offset : None if limit is None else offset + limit]
        return [self._fiat(a, int(i), now) for i in chosen], len(idx)

    def _fiat(self, a: Records, i: int, now: int) -> FiatWithdrawal:
        k = mix(self._key ^ int(a.serial[i]))
        apply, done = int(a.apply[i]), int(a.done[i])
        final = FIAT_FINAL_STATUSES[int(a.final[i])]
        refund_start = apply + (done - apply) // 2
        refunds = final in (FiatStatus.REFUNDED, FiatStatus.REFUND_FAILED)
        if now >= done:
            status, updated = final, done
        elif refunds and now >= refund_start:
            status, updated = FiatStatus.REFUNDING, refund_start
        else:
            status, updated = FiatStatus.PROCESSING, apply
        amount = float(a.amount[i])
        fee = round(max(1.0, amount * 0.005), 2)
        return FiatWithdrawal(
            order_no="CJW" + str(mix(k ^ 3) % 10**18).zfill(18),
            currency=FIAT[int(a.kind[i])],
            amount=Decimal(f"{amount:.2f}"),
            fee=Decimal(f"{fee:.2f}"),
            indicated_amount=Decimal(f"{amount + fee:.2f}"),
            method=FIAT_METHODS[int(a.sub[i])],
            status=status,
            create_ms=apply,
            update_ms=updated,
        )

    @staticmethod
    def coin_index(coin: str) -> tuple[int, tuple[tuple[str, str, str], ...]]:
        if coin not in COINS:
            raise ValueError(f"unknown coin {coin!r}; simulated coins: {', '.join(COIN_NAMES)}")
        return COIN_NAMES.index(coin), COINS[coin][0]

    @staticmethod
    def fiat_index(currency: str) -> int:
        if currency not in FIAT:
            raise ValueError(f"unknown fiat currency {currency!r}; simulated: {', '.join(FIAT)}")
        return FIAT.index(currency)
