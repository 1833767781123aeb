"""``deltaworks-exec backtest``: run a strategy over recorded data and report the results."""

from __future__ import annotations

import inspect
import json
import typing
from pathlib import Path
from typing import Annotated, Any

import psycopg
import typer
from psycopg_pool import PoolTimeout
from pydantic import TypeAdapter, ValidationError
from rich.console import Console
from rich.markup import escape
from rich.progress import MofNCompleteColumn, Progress, TimeRemainingColumn
from rich.table import Table

from deltaworks_core.cli_numbers import finite
from deltaworks_core.config import ConfigError, load_settings
from deltaworks_core.numbers import non_finite_path
from deltaworks_core.questdb import (
    QuestDBReader,
    QuestDBWriteError,
    QuestDBWriter,
    WalNotAppliedError,
)
from deltaworks_exec.backtest.data import DataError, MarketData, load_candles, load_file
from deltaworks_exec.backtest.engine import Backtest
from deltaworks_exec.backtest.live import run_live
from deltaworks_exec.backtest.metrics import compute
from deltaworks_exec.backtest.models import DepthSlippage, FeeModel, FixedSlippage, Latency
from deltaworks_exec.backtest.recorded import load_recorded
from deltaworks_exec.backtest.report import save_html, save_png
from deltaworks_exec.backtest.result import RunResult
from deltaworks_exec.backtest.setup import BacktestConfig
from deltaworks_exec.backtest.store import store
from deltaworks_exec.backtest.tca import COSTS
from deltaworks_exec.strategies import STRATEGIES, Strategy

console = Console()
DATABASE_ERRORS = (psycopg.Error, PoolTimeout, QuestDBWriteError, WalNotAppliedError)


def _pairs(values: list[str], what: str) -> dict[str, str]:
    out = {}
    for value in values:
        name, sep, text = value.partition("=")
        if not sep or not name:
            raise typer.BadParameter(f"{what} must look like NAME=VALUE, got {value!r}")
        out[name.strip()] = text.strip()
    return out


def _value(text: str) -> object:
    try:
        value = json.loads(text)
    except json.JSONDecodeError:
        return text
    if non_finite_path(value) is not None:
        raise ValueError(f"--param value {text!r} is not a finite number")
    return value


def _typed(strategy: str, name: str, text: str, annotation: Any) -> object:
    """``text`` (JSON or a string) as the parameter's declared type; a bad one is named."""
    value = _value(text)
    if annotation is None:
        return value
    try:
        return TypeAdapter(annotation).validate_python(value)
    except ValidationError:
        kind = getattr(annotation, "__name__", str(annotation))
        raise ValueError(
            f"--param {name}={text}: {strategy}'s {name} must be {kind}, got {text!r}"
        ) from None


def build_strategy(name: str, symbol: str, params: dict[str, str]) -> Strategy:
    """A strategy by name with ``params`` (JSON values or strings) for ``symbol``; a
    parameter the strategy does not take, or of the wrong type, is named in the error."""
    cls = STRATEGIES[name]
    hints = typing.get_type_hints(cls.__init__)
    accepted = [p for p in inspect.signature(cls).parameters if p != "symbol"]
    values = {}
    for key, text in params.items():
        if key not in accepted:
            raise ValueError(
                f"--param {key}: {name} has no parameter {key!r}; it takes {', '.join(accepted)}"
            )
        values[key] = _typed(name, key, text, hints.get(key))
    try:
        return cls(symbol, **values)  # type: ignore[call-arg]
    except TypeError as exc:
        raise ValueError(f"strategy {name}: {exc}") from None


def _load(
    data: Path | None,
    symbols: list[str],
    venue: str,
    exchanges: list[str],
    start: str | None,
    end: str | None,
    repair: list[str],
    recorded: bool,
) -> MarketData:
    if data is not None:
        return load_file(
            data,
            venue=venue,
            symbol=symbols[0] if len(symbols) == 1 else None,
            symbols=symbols or None,
            repair=repair,
        )
    if not (start and end and exchanges and symbols):
        raise typer.BadParameter(
            "give --data FILE, or --exchange, --symbol, --start and --end for QuestDB candles "
            "(with --recorded: the recorder's trades and books)"
        )
    load = load_recorded if recorded else load_candles
    with QuestDBReader(load_settings().questdb) as reader:
        return load(reader, exchanges, symbols, start, end, repair)


def _run(engine: Backtest, strategy: Strategy) -> RunResult:
    columns = (*Progress.get_default_columns()[:-1], MofNCompleteColumn(), TimeRemainingColumn())
    with Progress(*columns, console=console) as bar:
        task = bar.add_task(f"backtest {strategy.name}", total=len(engine.setup.ts))
        return engine.run(strategy, progress=lambda done: bar.update(task, completed=done))


ORDER_ROWS = 20


def _bps(value: float | None) -> str:
    return "-" if value is None else f"{value:,.2f}"


def _show_costs(result: RunResult) -> None:
    """Each order's transaction costs (the first ``ORDER_ROWS``; all in the CSV)."""
    if not result.executions:
        return
    table = Table(title="costs per order, bps of the arrival mid")
    for name in ("order", "kind", "status", "filled", "part.", "total", "spread", "impact",
                 "timing", "fees"):  # fmt: skip
        table.add_column(name, justify="left" if name in ("order", "kind", "status") else "right")
    for r in result.executions[:ORDER_ROWS]:
        part = "-" if r.participation_rate is None else f"{r.participation_rate:.0%}"
        table.add_row(
            r.parent_id, r.kind, r.status, f"{r.fill_rate:.0%}", part,
            *(_bps(getattr(r, name)) for name in COSTS),
        )  # fmt: skip
    console.print(table)
    if len(result.executions) > ORDER_ROWS:
        console.print(f"... {len(result.executions) - ORDER_ROWS} more orders (--out writes all)")


def _show(result: RunResult) -> None:
    table = Table(title=f"{result.strategy} · run {result.run_id} · {result.mode}")
    table.add_column("metric")
    table.add_column("value", justify="right")
    for name, value in result.metrics.items():
        table.add_row(name, f"{value:,.4f}" if isinstance(value, float) else str(value))
    console.print(table)
    _show_costs(result)
    for note in result.repairs:
        console.print(f"[yellow]data repaired:[/yellow] {escape(str(note))}", soft_wrap=True)


Opt = typer.Option
Strs = list[str] | None


def backtest(
    strategy: Annotated[str, typer.Argument(help=f"One of: {', '.join(STRATEGIES)}.")],
    data: Annotated[Path | None, Opt(help="Trades or 1m candles, .csv or .parquet.")] = None,
    symbol: Annotated[Strs, Opt(help="Symbol(s) to trade; the first is the strategy's.")] = None,
    venue: Annotated[str, Opt(help="Venue of file data that has no venue column.")] = "sim",
    exchange: Annotated[Strs, Opt(help="QuestDB candles: exchange(s), the venues.")] = None,
    start: Annotated[str | None, Opt(help="QuestDB candles: start (UTC).")] = None,
    end: Annotated[str | None, Opt(help="QuestDB candles: end, exclusive (UTC).")] = None,
    recorded: Annotated[
        bool, Opt("--recorded", help="QuestDB: the recorder's trades and book snapshots.")
    ] = False,
    param: Annotated[Strs, Opt(help="Strategy parameter NAME=VALUE.")] = None,
    repair: Annotated[Strs, Opt(help="sort, dedupe, fill_gaps or drop_unknown.")] = None,
    cash: Annotated[Strs, Opt(help="Balance ASSET=AMOUNT per venue [USDT=100000].")] = None,
    maker_bps: Annotated[float, Opt(parser=finite, help="Maker fee, basis points.")] = 10.0,
    taker_bps: Annotated[float, Opt(parser=finite, help="Taker fee, basis points.")] = 10.0,
    slippage_bps: Annotated[
        float | None, Opt(parser=finite, help="Fixed slippage, not book depth.")
    ] = None,
    depth_notional: Annotated[
        float, Opt(parser=finite, help="Depth model: quote value a level.")
    ] = 25_000.0,
    latency_ms: Annotated[int, Opt(help="Order and cancel latency.")] = 0,
    out: Annotated[Path | None, Opt(help="Folder for the PNG and HTML charts.")] = None,
    save: Annotated[bool, Opt("--store/--no-store", help="Store results in QuestDB.")] = False,
    live: Annotated[bool, Opt("--live", help="Run through the Venue interface instead.")] = False,
) -> None:
    """Run a strategy over trades or 1m candles: metrics, charts, results in QuestDB."""
    if strategy not in STRATEGIES:
        console.print(
            f"[red]error:[/red] unknown strategy {strategy!r}; known: {', '.join(STRATEGIES)}"
        )
        raise typer.Exit(2)
    try:
        market = _load(
            data, symbol or [], venue, exchange or [], start, end, repair or [], recorded
        )
        symbols = symbol or market.symbols(market.venues[0])
        chosen = build_strategy(strategy, symbols[0], _pairs(param or [], "--param"))
        config = BacktestConfig(
            fees=FeeModel(maker_bps, taker_bps),
            slippage=FixedSlippage(slippage_bps)
            if slippage_bps is not None
            else DepthSlippage(level_notional=depth_notional),
            latency=Latency(latency_ms),
            cash={k: finite(v) for k, v in _pairs(cash or ["USDT=100000"], "--cash").items()},
        )
        if live:
            result = run_live(market, chosen, config)
        else:
            result = _run(Backtest(market, config), chosen)
    except (DataError, ValueError, ConfigError) as exc:
        console.print(f"[red]error:[/red] {escape(str(exc))}", soft_wrap=True)
        raise typer.Exit(2) from None
    except DATABASE_ERRORS as exc:
        console.print(f"[red]QuestDB unavailable:[/red] {escape(str(exc))}", soft_wrap=True)
        raise typer.Exit(1) from None
    compute(result)
    _show(result)
    if out is not None:
        out.mkdir(parents=True, exist_ok=True)
        png = save_png(result, out / f"backtest-{result.run_id}.png")
        html = save_html(result, out / f"backtest-{result.run_id}.html")
        orders = out / f"backtest-{result.run_id}-orders.csv"
        result.executions_frame().to_csv(orders, index=False)
        console.print(f"charts: {png} {html}; costs per order: {orders}")
    if save:
        try:
            settings = load_settings()
        except ConfigError as exc:
            console.print(f"[red]configuration error:[/red] {escape(str(exc))}")
            raise typer.Exit(2) from None
        try:
            with (
                QuestDBWriter(settings.questdb) as writer,
                QuestDBReader(settings.questdb) as reader,
            ):
                store(writer, reader, result, config)
        except DATABASE_ERRORS as exc:
            console.print(
                f"[red]results not stored in QuestDB:[/red] {escape(str(exc))}", soft_wrap=True
            )
            raise typer.Exit(1) from None
        console.print(f"stored run {result.run_id} in QuestDB")


app = typer.Typer(help="Backtests.")
app.command()(backtest)
