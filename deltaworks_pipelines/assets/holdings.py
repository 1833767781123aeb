"""``holdings``: one snapshot of every wallet of an exchange, valued in its quote currency."""

from datetime import UTC, datetime, timedelta
from functools import partial
from typing import Any

import dagster as dg
import pandas as pd

from deltaworks_core.models import Holding
from deltaworks_core.venues.normalize import holdings_from_balance
from deltaworks_core.venues.profiles import Wallet, profile_for
from deltaworks_pipelines.assets._common import (
    TREASURY,
    exchange_failure,
    preview,
    run_parallel,
    utc_micros,
)
from deltaworks_pipelines.assets.zero_balances import last_held, with_zero_balances
from deltaworks_pipelines.resources import ExchangesResource, QuestDBResource
from deltaworks_pipelines.valuation import last_prices, price_in_quote

TABLE = "holdings"
COLUMNS = [
    "ts",
    "exchange",
    "account_type",
    "asset",
    "free",
    "used",
    "total",
    "quote",
    "price",
    "value",
    "priced",
    "debt",
]
SYMBOLS = ["exchange", "account_type", "asset", "quote"]


def _balance(exchanges: ExchangesResource, name: str, wallet: Wallet) -> dict[str, Any]:
    with exchanges.client(name) as venue:
        return venue.fetch_balance(dict(wallet.balance_params))


def wallets(exchanges: ExchangesResource, name: str) -> list[Wallet]:
    """The distinct wallets behind the exchange's configured account types, each once."""
    settings = exchanges.exchange_settings(name)
    return profile_for(settings.ccxt_id).wallets_for(settings.account_types)


def _tickers(exchanges: ExchangesResource, name: str) -> dict[str, Any]:
    with exchanges.client(name) as venue:
        return venue.fetch_tickers()


def _row(holding: Holding, quote: str, prices: dict[str, float]) -> dict[str, Any]:
    price = price_in_quote(holding.asset, quote, prices)
    net = holding.total - (holding.debt or 0.0)
    return {
        "ts": holding.ts,
        "exchange": holding.exchange,
        "account_type": holding.account_type,
        "asset": holding.asset,
        "free": holding.free,
        "used": holding.used,
        "total": holding.total,
        "quote": quote,
        "price": price,
        "value": None if price is None else net * price,
        "priced": price is not None,
        "debt": holding.debt,
    }


def snapshot(exchanges: ExchangesResource, names: list[str], max_workers: int) -> pd.DataFrame:
    """Balances of every wallet of every exchange in ``names``, valued at snapshot time.

    Account types that share a wallet (OKX's unified trading account) read it once, and
    its rows carry the wallet's label as ``account_type``. All requests (one balance per
    wallet, one ticker list per exchange) go
    out on ``max_workers`` threads; ``max_workers=1`` does them one at a time.
    Assets with no route to a price are kept with ``priced = False``; margin
    balances are valued net of their debt. Every row carries the snapshot time.
    """
    now = datetime.now(UTC)
    ts = now.replace(microsecond=now.microsecond // 1000 * 1000)
    accounts = [(n, w) for n in names for w in wallets(exchanges, n)]
    tasks = [partial(_balance, exchanges, n, w) for n, w in accounts]
    tasks += [partial(_tickers, exchanges, n) for n in names]
    results = run_parallel(tasks, max_workers)
    balances = results[: len(accounts)]
    prices = {n: last_prices(t) for n, t in zip(names, results[len(accounts) :], strict=True)}
    rows = [
        _row(holding, exchanges.exchange_settings(name).quote_currency, prices[name])
        for (name, wallet), balance in zip(accounts, balances, strict=True)
        for holding in holdings_from_balance(balance, name, wallet.label, ts)
    ]
    frame = pd.DataFrame(rows, columns=COLUMNS)
    frame["ts"] = utc_micros(frame["ts"])
    return frame


def snapshot_metadata(frame: pd.DataFrame) -> dict[str, Any]:
    """Row count, total value, value per account type, unpriced assets and a preview."""
    by_type = frame.groupby("account_type")["value"].sum()
    unpriced = sorted(set(frame.loc[~frame["priced"].astype(bool), "asset"]))
    return {
        "dagster/row_count": len(frame),
        "snapshot_ts": str(frame["ts"].iloc[0]) if len(frame) else "",
        "quote": ", ".join(sorted(set(frame["quote"]))),
        "total_value": round(float(frame["value"].sum()), 2),
        "value_by_account_type": {k: round(float(v), 2) for k, v in by_type.items()},
        "unpriced_assets": ", ".join(unpriced) or "none",
        "preview": preview(
            frame.sort_values("value", ascending=False, na_position="last"),
            ["account_type", "asset", "free", "used", "total", "price", "value"],
        ),
    }


def build_holdings(
    partitions_def: dg.PartitionsDefinition, interval_minutes: int
) -> dg.AssetsDefinition:
    """The ``holdings`` asset over ``partitions_def`` (exchanges), due every interval."""

    @dg.asset(
        name=TABLE,
        partitions_def=partitions_def,
        group_name="treasury",
        owners=TREASURY,
        kinds={"questdb", "ccxt"},
        freshness_policy=dg.FreshnessPolicy.time_window(
            fail_window=timedelta(minutes=2 * interval_minutes),
            warn_window=timedelta(minutes=interval_minutes + 1),
        ),
        description="Balances of every account type, one snapshot per materialization, valued "
        "in the exchange's quote currency. A partition per exchange; each run appends a "
        "time-stamped snapshot (exchanges keep no balance history to backfill).",
    )
    def holdings(
        context: dg.AssetExecutionContext, questdb: QuestDBResource, exchanges: ExchangesResource
    ) -> dg.MaterializeResult:
        exchange = context.partition_key
        with exchange_failure():
            frame = snapshot(exchanges, [exchange], exchanges.max_workers)
        frame = with_zero_balances(
            frame,
            exchange,
            last_held(questdb.reader, exchange),
            [wallet.label for wallet in wallets(exchanges, exchange)],
            frame["ts"].iloc[0] if len(frame) else pd.Timestamp.now(tz="UTC").as_unit("us"),
        )
        questdb.writer.write_dataframe(TABLE, frame, symbols=SYMBOLS)
        questdb.reader.wait_visible(TABLE)
        metadata = snapshot_metadata(frame)
        context.log.info(
            f"holdings {exchange}: {len(frame)} balances, total "
            f"{metadata['total_value']:,.2f} {metadata['quote']}"
        )
        return dg.MaterializeResult(metadata=metadata)

    return holdings
