"""The web dashboard: static assets and the read-only data endpoints behind them."""

from deltaworks_exec.dashboard.routes import router

__all__ = ["router"]
