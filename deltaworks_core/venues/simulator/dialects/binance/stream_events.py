"""Stream events beyond the order book and trades: 24-hour tickers and account balances.

``24hrTicker`` and ``24hrMiniTicker`` carry the REST ticker's figures under the
streams' one-letter keys; ``outboundAccountPosition`` (spot) follows every order event
with the balances of the market's two assets, ``ACCOUNT_UPDATE`` (USDⓈ-M) every fill
with the wallet and the position.
"""

from __future__ import annotations

from ...engine import Account, Market, Ticker, atoms_str
from . import rendering
from .vocabulary import market_id

# REST ticker key -> stream key
_TICKER_KEYS = {
    "priceChange": "p",
    "priceChangePercent": "P",
    "weightedAvgPrice": "w",
    "prevClosePrice": "x",
    "lastPrice": "c",
    "lastQty": "Q",
    "bidPrice": "b",
    "bidQty": "B",
    "askPrice": "a",
    "askQty": "A",
    "openPrice": "o",
    "highPrice": "h",
    "lowPrice": "l",
    "volume": "v",
    "quoteVolume": "q",
    "openTime": "O",
    "closeTime": "C",
    "firstId": "F",
    "lastId": "L",
    "count": "n",
}
_MINI_KEYS = ("c", "o", "h", "l", "v", "q")


def ticker_event(t: Ticker, now: int, *, mini: bool) -> dict:
    """A ``24hrTicker`` (or, ``mini``, ``24hrMiniTicker``) event of ``t``."""
    row = rendering.ticker(t)
    figures = {_TICKER_KEYS[k]: v for k, v in row.items() if k in _TICKER_KEYS}
    if mini:
        figures = {k: figures[k] for k in _MINI_KEYS}
    event = {"e": "24hrMiniTicker" if mini else "24hrTicker", "E": now, "s": row["symbol"]}
    return event | figures


def account_position(acct: Account, m: Market, now: int) -> dict:
    """Spot ``outboundAccountPosition``: free and locked of ``m``'s base and quote assets."""
    return {
        "e": "outboundAccountPosition",
        "E": now,
        "u": acct.update or now,
        "B": [
            {
                "a": asset,
                "f": atoms_str(acct.spot_free.get(asset, 0)),
                "l": atoms_str(acct.spot_locked.get(asset, 0)),
            }
            for asset in (m.base, m.quote)
        ],
    }


def account_update(acct: Account, m: Market, now: int) -> dict:
    """USDⓈ-M ``ACCOUNT_UPDATE`` after a fill in ``m``: the wallet and the position."""
    pos = acct.positions.get(m.symbol)
    amt = pos.amt if pos else 0
    entry = abs(pos.cost) / (abs(amt) * m.step_atoms) if amt else 0.0
    wallet = atoms_str(acct.futures_wallet)
    return {
        "e": "ACCOUNT_UPDATE",
        "E": now,
        "T": now,
        "a": {
            "m": "ORDER",
            "B": [{"a": m.quote, "wb": wallet, "cw": wallet, "bc": "0"}],
            "P": [
                {
                    "s": market_id(m),
                    "pa": m.qty_str(amt),
                    "ep": f"{entry:.{m.price_decimals + 3}f}",
                    "cr": "0",
                    "up": "0",
                    "mt": "cross",
                    "iw": "0",
                    "ps": "BOTH",
                }
            ],
        },
    }
