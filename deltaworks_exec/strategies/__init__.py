"""Strategies: the Strategy API and example strategies."""

from deltaworks_exec.strategies.api import Bar, Context, FillEvent, Strategy, Trade
from deltaworks_exec.strategies.ma_cross import MovingAverageCross
from deltaworks_exec.strategies.rsi_reversion import RsiReversion
from deltaworks_exec.strategies.twap_entry import TwapEntryCross

STRATEGIES: dict[str, type[Strategy]] = {
    cls.name: cls for cls in (MovingAverageCross, RsiReversion, TwapEntryCross)
}

__all__ = [
    "STRATEGIES",
    "Bar",
    "Context",
    "FillEvent",
    "MovingAverageCross",
    "RsiReversion",
    "Strategy",
    "Trade",
    "TwapEntryCross",
]
