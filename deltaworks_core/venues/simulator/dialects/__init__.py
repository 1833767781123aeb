"""Wire layers ("dialects"): how a simulated exchange speaks to clients such as ccxt.

The engine (``..engine``) is exchange-neutral; a dialect turns HTTP requests and
WebSocket messages of one real exchange's API into engine calls and renders the
results (and ``SimError``s) the way that exchange does.

What a dialect provides (see ``base.Dialect``): a class built as
``Dialect(engine, keyring)`` for one exchange, with

* ``async handle(request, path)``: answer a request whose URL is
  ``/<exchange name><path>`` (REST, or a WebSocket upgrade); it owns paths,
  parameter names, market ids (``BTCUSDT``; the engine knows unified symbols
  only), order type/time-in-force/status names, authentication (signatures, via
  ``keyring.lookup``), request weights and rate limits (counted in the engine's
  ``transport``), error codes and messages (translating ``SimError.kind``),
  history windows and page sizes, and JSON shapes; it injects the engine's
  transport faults through ``base.delay``/``broken``/``dropped``;
* ``start()`` (on the server's loop) and ``async stop()`` for its streams;
* optionally ``market_rules``, a ``RuleBook`` (``engine.markets``): the exchange's tick
  and lot sizes, minimum notional and fees, with which the server builds its engine.

``binance/`` shows the layout: ``dialect`` (request pipeline, auth), ``routes``
(path -> handler and weight), ``rendering`` (JSON), ``vocabulary`` (ids and
names), ``errors`` (codes), ``streams`` (WebSocket market and user streams).
``okx/`` splits its handlers by API section (``public``, ``account``, ``trade``,
``algos``, ``funds``) and keeps OKX's own order fields in a ``ledger``.

How the server mounts it: ``SimulatorServer`` builds one engine per simulated
exchange and the dialect registered in ``DIALECTS`` under the exchange's
``ccxt_id``; every request below ``/<exchange name>/`` goes to that exchange's
dialect, so exchanges of different dialects run side by side in one server.
Adding an exchange means adding a package here (``okx/``, like ``binance/``)
and one entry in ``DIALECTS``; the engine stays as it is.
"""

from __future__ import annotations

from .base import Dialect, DialectFactory
from .binance import BinanceDialect
from .okx import OkxDialect

DIALECTS: dict[str, DialectFactory] = {"binance": BinanceDialect, "okx": OkxDialect}


def dialect_for(ccxt_id: str) -> DialectFactory:
    """The dialect of exchanges with this ccxt id."""
    try:
        return DIALECTS[ccxt_id]
    except KeyError:
        known = ", ".join(sorted(DIALECTS))
        raise ValueError(f"the simulator speaks no {ccxt_id!r} dialect (known: {known})") from None


__all__ = ["DIALECTS", "Dialect", "DialectFactory", "dialect_for"]
