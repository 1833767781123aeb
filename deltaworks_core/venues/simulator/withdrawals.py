"""Seeded withdrawal histories (crypto and fiat) whose statuses move with the clock.

Records are generated once, vectorised, into sorted numpy arrays; a query slices a
time window with ``searchsorted`` and formats only the rows it returns, so 100,000
records per exchange cost milliseconds. Statuses are derived from the clock: a
record is pending until its completion time, then takes its final status.
"""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass

import numpy as np

from .prices import key, mix

DAY_MS = 86_400_000
WINDOW_MS = 90 * DAY_MS
# coin -> ((network, fee, address style), ...), typical amount, decimals
_COINS: dict[str, tuple[tuple[tuple[str, str, str], ...], float, int]] = {
    "USDT": ((("ETH", "4", "evm"), ("TRX", "1", "tron"), ("BSC", "0.29", "evm")), 2_000.0, 2),
    "BTC": ((("BTC", "0.0002", "btc"), ("BSC", "0.0000046", "evm")), 0.2, 6),
    "ETH": ((("ETH", "0.0012", "evm"), ("ARBITRUM", "0.0001", "evm")), 2.0, 5),
    "SOL": ((("SOL", "0.008", "sol"),), 40.0, 3),
    "XRP": ((("XRP", "0.2", "xrp"),), 1_500.0, 1),
}
_COIN_NAMES = list(_COINS)
_COIN_WEIGHTS = np.array([0.45, 0.2, 0.2, 0.1, 0.05])
# final crypto statuses: 6 completed, 1 cancelled, 3 rejected, 5 failure
_FINAL = np.array([6, 1, 3, 5])
_FINAL_WEIGHTS = np.array([0.9, 0.03, 0.02, 0.05])
_FIAT = ("EUR", "USD", "GBP", "BRL", "TRY")
_FIAT_WEIGHTS = np.array([0.5, 0.2, 0.15, 0.1, 0.05])
_FIAT_METHODS = ("bank transfer", "SEPA", "card", "Faster Payments")
FIAT_FINAL_STATUSES = (
    "Successful",
    "Finished",
    "Failed",
    "Refunded",
    "Refund Failed",
    "Order Partial credit Stopped",
)
FIAT_FINAL_STATUSES_WEIGHTS = np.array([0.84, 0.05, 0.05, 0.03, 0.02, 0.01])
_B58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"


def fmt_time(ms: int) -> str:
    """Binance's applyTime format: "YYYY-MM-DD HH:MM:SS" in UTC."""
    return time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(ms // 1000))


def _digest(k: int) -> bytes:
    return hashlib.blake2b(k.to_bytes(8, "little"), digest_size=64).digest()


def _hex(k: int, n: int) -> str:
    return _digest(k).hex()[:n]


def _b58(k: int, n: int) -> str:
    return "".join(_B58[b % 58] for b in _digest(k)[:n])


def _address(style: str, k: int) -> str:
    if style == "evm":
        return "0x" + _hex(k, 40)
    if style == "btc":
        return "bc1q" + _hex(k, 38)
    if style == "tron":
        return "T" + _b58(k, 33)
    if style == "xrp":
        return "r" + _b58(k, 33)
    return _b58(k, 44)


@dataclass(slots=True)
class _Arrays:
    apply: np.ndarray  # ms, sorted
    done: np.ndarray  # ms when the final status is reached
    kind: np.ndarray  # coin (or fiat currency) index
    sub: np.ndarray  # network (or method) index
    amount: np.ndarray  # float amount
    final: np.ndarray  # final status index / code
    internal: np.ndarray  # bool
    serial: np.ndarray  # stable record number (ids derive from it)


def _concat(a: _Arrays, b: _Arrays) -> _Arrays:
    merged = _Arrays(*(np.concatenate([x, y]) for x, y in zip(_fields(a), _fields(b), strict=True)))
    order = np.argsort(merged.apply, kind="stable")
    return _Arrays(*(x[order] for x in _fields(merged)))


def _fields(a: _Arrays) -> tuple[np.ndarray, ...]:
    return (a.apply, a.done, a.kind, a.sub, a.amount, a.final, a.internal, a.serial)


class WithdrawalHistory:
    """Crypto and fiat withdrawal records of one simulated exchange."""

    def __init__(self, seed: int, exchange: str, epoch_ms: int, count: int, days: int) -> None:
        self._key = key(seed, exchange, "withdrawals")
        rng = np.random.default_rng([seed & 0xFFFFFFFF, self._key & 0xFFFFFFFF])
        start = epoch_ms - days * DAY_MS
        self.crypto = self._generate(rng, count, start, epoch_ms, fiat=False)
        self.fiat = self._generate(rng, count // 10, start, epoch_ms, fiat=True)
        self._serial = count + count // 10

    @staticmethod
    def _generate(rng: np.random.Generator, n: int, start: int, end: int, fiat: bool) -> _Arrays:
        apply = np.sort(rng.integers(start, end, n, dtype=np.int64)) // 1000 * 1000
        delay = (np.exp(rng.normal(np.log(40 * 60_000), 1.0, n))).astype(np.int64) + 60_000
        names = _FIAT_WEIGHTS if fiat else _COIN_WEIGHTS
        kind = rng.choice(len(names), n, p=names)
        sub = rng.integers(0, 12, n) % (
            len(_FIAT_METHODS) if fiat else np.array([len(_COINS[c][0]) for c in _COIN_NAMES])[kind]
        )
        typical = np.array([1_000.0] * len(_FIAT) if fiat else [_COINS[c][1] for c in _COIN_NAMES])
        amount = typical[kind] * np.exp(rng.normal(0.0, 1.0, n))
        final = rng.choice(
            6 if fiat else 4, n, p=FIAT_FINAL_STATUSES_WEIGHTS if fiat else _FINAL_WEIGHTS
        )
        internal = np.zeros(n, dtype=bool) if fiat else rng.random(n) < 0.08
        return _Arrays(
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
    ) -> None:
        """Append one record (tests add new withdrawals)."""
        row = _Arrays(
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
                    self._serial + (1 << 41),
                )
            )
        )
        self._serial += 1
        if fiat:
            self.fiat = _concat(self.fiat, row)
        else:
            self.crypto = _concat(self.crypto, row)

    @staticmethod
    def _window(a: _Arrays, start: int, end: int) -> np.ndarray:
        lo = int(np.searchsorted(a.apply, start, "left"))
        hi = int(np.searchsorted(a.apply, end, "right"))
        return np.arange(lo, hi)

    def crypto_rows(
        self, start: int, end: int, now: int, coin: str | None, offset: int, limit: int
    ) -> list[dict]:
        """Binance ``capital/withdraw/history`` rows applied in [start, end], newest first."""
        a = self.crypto
        idx = self._window(a, start, min(end, now))
        if coin is not None:
            if coin not in _COINS:
                return []
            idx = idx[a.kind[idx] == _COIN_NAMES.index(coin)]
        idx = idx[::-1][offset : offset + limit]
        return [self._crypto_row(a, int(i), now) for i in idx]

    def _crypto_row(self, a: _Arrays, i: int, now: int) -> dict:
        serial = int(a.serial[i])
        k = mix(self._key ^ serial)
        coin = _COIN_NAMES[int(a.kind[i])]
        networks, _, decimals = _COINS[coin]
        network, fee, style = networks[int(a.sub[i])]
        internal = bool(a.internal[i])
        apply, done = int(a.apply[i]), int(a.done[i])
        final = int(_FINAL[int(a.final[i])]) if a.final[i] < len(_FINAL) else int(a.final[i])
        if now >= done:
            status = final
        else:  # email sent, awaiting approval, processing
            elapsed = (now - apply) / max(1, done - apply)
            status = 0 if elapsed < 0.05 else 2 if elapsed < 0.3 else 4
            if final == 1:  # a cancelled withdrawal never got past the e-mail
                status = 0
        has_tx = status in (4, 6) and final != 1
        row = {
            "id": _hex(k, 32),
            "amount": f"{float(a.amount[i]):.{decimals}f}",
            "transactionFee": "0" if internal else fee,
            "coin": coin,
            "status": status,
            "address": _address(style, mix(k ^ 7)),
            "txId": (
                f"Internal transfer {mix(k ^ 11) % 10**11}"
                if internal
                else ("0x" if style == "evm" else "") + _hex(mix(k ^ 13), 64)
            )
            if has_tx
            else "",
            "applyTime": fmt_time(apply),
            "network": network,
            "transferType": 1 if internal else 0,
            "info": "",
            "confirmNo": 12 if status == 6 else 0,
            "walletType": 0,
            "txKey": "",
        }
        if style == "xrp":
            row["addressTag"] = str(mix(k ^ 17) % 10**9)
        if status == 6:
            row["completeTime"] = fmt_time(done)
        return row

    def fiat_rows(
        self, start: int, end: int, now: int, page: int, rows: int
    ) -> tuple[list[dict], int]:
        """Binance ``fiat/orders`` withdrawals created in [start, end], newest first; the total."""
        a = self.fiat
        idx = self._window(a, start, min(end, now))[::-1]
        chosen = idx[(page - 1) * rows : page * rows]
        return [self._fiat_row(a, int(i), now) for i in chosen], len(idx)

    def _fiat_row(self, a: _Arrays, i: int, now: int) -> dict:
        k = mix(self._key ^ int(a.serial[i]))
        apply, done = int(a.apply[i]), int(a.done[i])
        final = FIAT_FINAL_STATUSES[int(a.final[i])]
        refund_start = apply + (done - apply) // 2
        if now >= done:
            status, updated = final, done
        elif final.startswith("Refund") and now >= refund_start:
            status, updated = "Refunding", refund_start
        else:
            status, updated = "Processing", apply
        amount = float(a.amount[i])
        fee = round(max(1.0, amount * 0.005), 2)
        return {
            "orderNo": "CJW" + str(mix(k ^ 3) % 10**18).zfill(18),
            "fiatCurrency": _FIAT[int(a.kind[i])],
            "indicatedAmount": f"{amount + fee:.2f}",
            "amount": f"{amount:.2f}",
            "totalFee": f"{fee:.2f}",
            "method": _FIAT_METHODS[int(a.sub[i])],
            "status": status,
            "createTime": apply,
            "updateTime": updated,
        }

    @staticmethod
    def coin_index(coin: str) -> tuple[int, tuple[tuple[str, str, str], ...]]:
        if coin not in _COINS:
            raise ValueError(f"unknown coin {coin!r}; simulated coins: {', '.join(_COIN_NAMES)}")
        return _COIN_NAMES.index(coin), _COINS[coin][0]

    @staticmethod
    def fiat_index(currency: str) -> int:
        if currency not in _FIAT:
            raise ValueError(f"unknown fiat currency {currency!r}; simulated: {', '.join(_FIAT)}")
        return _FIAT.index(currency)
