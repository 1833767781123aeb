"""Which exchanges and symbols one recorder process owns (its share of the configured ones)."""

from __future__ import annotations

from deltaworks_core.config import RecorderSettings, Settings


def configured_streams(settings: Settings) -> list[tuple[str, str]]:
    """Every (exchange, symbol) to record, in configuration order."""
    symbols = settings.recorder.symbols
    return [
        (exchange.name, symbol)
        for exchange in settings.exchanges
        for symbol in (symbols if symbols is not None else exchange.symbols)
    ]


def owned_streams(settings: Settings) -> dict[str, tuple[str, ...]]:
    """Exchange -> symbols recorded by this process: every ``shard_count``-th exchange (or
    exchange/symbol pair, with ``shard_by = "symbol"``), starting at ``shard_index``.

    Every process of a sharded deployment reads the same configuration, so the shares are
    disjoint and together cover every configured stream.
    """
    recorder: RecorderSettings = settings.recorder
    streams = configured_streams(settings)
    if recorder.shard_by == "exchange":
        exchanges = list(dict.fromkeys(name for name, _ in streams))
        mine = set(exchanges[recorder.shard_index :: recorder.shard_count])
        chosen = [stream for stream in streams if stream[0] in mine]
    else:
        chosen = streams[recorder.shard_index :: recorder.shard_count]
    owned: dict[str, list[str]] = {}
    for name, symbol in chosen:
        owned.setdefault(name, []).append(symbol)
    return {name: tuple(symbols) for name, symbols in owned.items()}
