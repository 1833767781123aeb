"""Helpers shared by the assets: exchange failures, parallel calls, metadata."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from typing import TypeVar

import dagster as dg
import pandas as pd

from deltaworks_pipelines.resources import ExchangeError

T = TypeVar("T")
# Who answers for an asset (the UI's owner filter): the desk's treasury and its market data.
TREASURY = ["team:treasury"]
MARKET_DATA = ["team:market-data"]
PREVIEW_ROWS = 10


@contextmanager
def exchange_failure() -> Iterator[None]:
    """Turn an ``ExchangeError`` into a ``dg.Failure`` that shows the exchange's error."""
    try:
        yield
    except ExchangeError as exc:
        raise dg.Failure(
            description=str(exc),
            metadata={"exchange": exc.exchange, "error": type(exc.error).__name__},
        ) from exc


def run_parallel(tasks: Iterable[Callable[[], T]], max_workers: int) -> list[T]:
    """Run ``tasks`` on a thread pool; results in task order, the first error re-raised."""
    tasks = list(tasks)
    if len(tasks) <= 1 or max_workers <= 1:
        return [task() for task in tasks]
    with ThreadPoolExecutor(max_workers=min(max_workers, len(tasks))) as pool:
        futures = [pool.submit(task) for task in tasks]
        return [future.result() for future in futures]


def utc_micros(values: object) -> pd.Series:
    """Timestamps as ``datetime64[us, UTC]``, a unit the QuestDB client accepts."""
    return pd.Series(pd.to_datetime(values, utc=True)).dt.as_unit("us")


def preview(frame: pd.DataFrame, columns: list[str], rows: int = PREVIEW_ROWS) -> dg.MetadataValue:
    """The first ``rows`` rows of ``frame`` as a Markdown table."""
    head = frame[columns].head(rows)
    lines = ["| " + " | ".join(columns) + " |", "|" + "---|" * len(columns)]
    lines += ["| " + " | ".join(_cell(v) for v in row) + " |" for row in head.itertuples(False)]
    return dg.MetadataValue.md("\n".join(lines))


def _cell(value: object) -> str:
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return ""
    if isinstance(value, float):
        return f"{value:,.8g}"
    return str(value)
