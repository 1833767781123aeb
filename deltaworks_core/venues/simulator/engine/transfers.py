"""Transfers of an engine: its seeded crypto and fiat withdrawal histories."""

from __future__ import annotations

from .state import EngineState, locked
from .withdrawals import (
    FIAT_FINAL_STATUSES,
    FINAL_STATUSES,
    CryptoWithdrawal,
    FiatStatus,
    FiatWithdrawal,
    WithdrawalStatus,
)


class Transfers(EngineState):
    """Withdrawal queries (any window; exchanges' limits are their wire layers') and additions."""

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
