"""Valuing balances in a quote currency from the tickers of one snapshot."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


def last_prices(tickers: Mapping[str, Mapping[str, Any]]) -> dict[str, float]:
    """``{"BASE/QUOTE": price}`` of spot tickers: last trade, else the bid/ask midpoint.

    Derivatives (``BASE/QUOTE:SETTLE``) are left out: balances are valued at spot.
    """
    prices: dict[str, float] = {}
    for symbol, ticker in tickers.items():
        price = ticker.get("last") or ticker.get("close")
        if not price and ticker.get("bid") and ticker.get("ask"):
            price = (ticker["bid"] + ticker["ask"]) / 2
        if price and price > 0 and "/" in symbol and ":" not in symbol:
            prices[symbol] = float(price)
    return prices


def price_in_quote(asset: str, quote: str, prices: Mapping[str, float]) -> float | None:
    """The price of one ``asset`` in ``quote``, or None when no route exists.

    Routes, in order: the asset is the quote; ``ASSET/QUOTE``; ``QUOTE/ASSET``
    inverted; through one intermediate currency ``X`` (``ASSET/X`` or ``X/ASSET``,
    then ``X`` in ``quote`` directly or inverted).
    """
    if asset == quote:
        return 1.0
    direct = _pair_price(asset, quote, prices)
    if direct is not None:
        return direct
    for symbol in prices:
        base, counter = symbol.split("/", 1)
        if asset not in (base, counter):
            continue
        middle = counter if base == asset else base
        first = _pair_price(asset, middle, prices)
        second = _pair_price(middle, quote, prices)
        if first is not None and second is not None:
            return first * second
    return None


def _pair_price(asset: str, quote: str, prices: Mapping[str, float]) -> float | None:
    if asset == quote:
        return 1.0
    if f"{asset}/{quote}" in prices:
        return prices[f"{asset}/{quote}"]
    if f"{quote}/{asset}" in prices:
        return 1.0 / prices[f"{quote}/{asset}"]
    return None
