"""OKX's v5 wire layer: REST under ``/api/v5``, WebSockets under ``/ws/v5``, OKX's
signing (key, secret and passphrase), error layout, rate limits and JSON shapes, over
the neutral engine. Sizes, ticks and fees are OKX's (``instruments``); swaps trade in
contracts.
"""

from .dialect import OkxDialect
from .instruments import market_rule

__all__ = ["OkxDialect", "market_rule"]
