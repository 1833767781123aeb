"""Market data: live books and quotes for the execution service, and the recorder."""

from deltaworks_exec.marketdata.live import MarketData

__all__ = ["MarketData"]
