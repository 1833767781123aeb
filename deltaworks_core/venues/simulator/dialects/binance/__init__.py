"""Binance's wire layer: spot ``/api/v3``, ``/sapi`` and USDⓈ-M ``/fapi`` REST, its
websocket streams, error codes and JSON shapes, over the neutral engine."""

from .dialect import BinanceDialect
from .errors import BinanceError, to_binance
from .routes import WINDOW_MS, fiat_withdraw_history, withdraw_history
from .vocabulary import type_name
from .wallet import deposit_history, fiat_deposit_history

__all__ = [
    "WINDOW_MS",
    "BinanceDialect",
    "BinanceError",
    "deposit_history",
    "fiat_deposit_history",
    "fiat_withdraw_history",
    "to_binance",
    "type_name",
    "withdraw_history",
]
