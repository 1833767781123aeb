"""Backtesting: replay recorded market data through the simulator engine (docs/BACKTESTING.md)."""

from deltaworks_exec.backtest.data import DataError, MarketData, load_candles, load_file, prepare
from deltaworks_exec.backtest.engine import Backtest
from deltaworks_exec.backtest.live import LiveRunner, run_live
from deltaworks_exec.backtest.metrics import compute
from deltaworks_exec.backtest.models import DepthSlippage, FeeModel, FixedSlippage, Latency
from deltaworks_exec.backtest.result import RunResult
from deltaworks_exec.backtest.setup import BacktestConfig

__all__ = [
    "Backtest",
    "BacktestConfig",
    "DataError",
    "DepthSlippage",
    "FeeModel",
    "FixedSlippage",
    "Latency",
    "LiveRunner",
    "MarketData",
    "RunResult",
    "compute",
    "load_candles",
    "load_file",
    "prepare",
    "run_live",
]
