"""Market data: live books and quotes for the execution service, and the recorder."""

from deltaworks_exec.marketdata.live import BookCache
from deltaworks_exec.marketdata.recorder import Recorder

__all__ = ["BookCache", "Recorder"]
