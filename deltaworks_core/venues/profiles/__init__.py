"""Exchange profiles: one module per supported ccxt exchange, each exporting ``PROFILE``.

Adding an exchange: write ``<ccxt_id>.py`` with its ``PROFILE`` and list it in ``PROFILES``.
Nothing outside this package (and the simulator's dialects) branches on a ccxt id.
"""

from deltaworks_core.venues.profiles import binance, bybit, coinbase, kraken, okx
from deltaworks_core.venues.profiles.base import (
    Capabilities,
    ClientIdRules,
    ExchangeProfile,
    HistoryPaging,
    Wallet,
)

PROFILES: dict[str, ExchangeProfile] = {
    module.PROFILE.ccxt_id: module.PROFILE for module in (binance, okx, bybit, kraken, coinbase)
}


def profile_for(ccxt_id: str) -> ExchangeProfile:
    """The profile of ``ccxt_id``; ``ValueError`` listing the supported ids otherwise."""
    try:
        return PROFILES[ccxt_id]
    except KeyError:
        supported = ", ".join(sorted(PROFILES))
        raise ValueError(
            f"{ccxt_id!r} has no exchange profile in Delta Works; supported: {supported}"
        ) from None


__all__ = [
    "PROFILES",
    "Capabilities",
    "ClientIdRules",
    "ExchangeProfile",
    "HistoryPaging",
    "Wallet",
    "profile_for",
]
