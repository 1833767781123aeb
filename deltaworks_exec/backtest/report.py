"""Charts of a run: equity curve over price with the fills, as PNG and as self-contained HTML."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from deltaworks_exec.backtest.result import RunResult

MAX_POINTS = 5_000


def _thin(frame, limit: int = MAX_POINTS):
    step = max(1, len(frame) // limit)
    return frame.iloc[::step]


def _title(result: RunResult) -> str:
    m = result.metrics
    text = f"{result.strategy} on {', '.join(result.symbols)} ({', '.join(result.venues)})"
    if m:
        text += (
            f" — PnL {m['pnl']:,.2f} {result.quote}, return {m['return_pct']:.2f} %, "
            f"max DD {m['max_drawdown_pct']:.2f} %, Sharpe {m['sharpe']:.2f}, "
            f"costs {m['tca_shortfall_bps']:.2f} bps"
        )
    return text


def save_png(result: RunResult, path: str | Path) -> Path:
    """Equity curve (top) and fill prices by side (bottom) as a PNG image."""
    path = Path(path)
    equity, fills = _thin(result.equity_frame()), result.fills_frame()
    fig, (top, bottom) = plt.subplots(2, 1, figsize=(11, 7), sharex=True)
    top.plot(equity["ts"], equity["equity"], color="tab:blue", linewidth=1)
    top.set_ylabel(f"equity ({result.quote})")
    top.set_title(_title(result), fontsize=9)
    for side, color, marker in (("buy", "tab:green", "^"), ("sell", "tab:red", "v")):
        rows = fills[fills["side"] == side]
        bottom.scatter(rows["ts"], rows["price"], c=color, marker=marker, s=14, label=side)
    bottom.set_ylabel("fill price")
    bottom.legend(loc="upper left")
    fig.autofmt_xdate()
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def save_html(result: RunResult, path: str | Path) -> Path:
    """The same charts as an interactive HTML file with plotly's JavaScript inline (no CDN)."""
    path = Path(path)
    equity, fills = _thin(result.equity_frame()), result.fills_frame()
    fig = make_subplots(rows=2, cols=1, shared_xaxes=True, vertical_spacing=0.06)
    fig.add_trace(
        go.Scatter(x=equity["ts"], y=equity["equity"], name="equity", mode="lines"), row=1, col=1
    )
    for side, color, symbol in (("buy", "green", "triangle-up"), ("sell", "red", "triangle-down")):
        rows = fills[fills["side"] == side]
        fig.add_trace(
            go.Scatter(
                x=rows["ts"],
                y=rows["price"],
                name=side,
                mode="markers",
                marker={"color": color, "symbol": symbol, "size": 7},
                text=rows["client_order_id"],
            ),
            row=2,
            col=1,
        )
    fig.update_layout(title=_title(result), height=700)
    fig.update_yaxes(title_text=f"equity ({result.quote})", row=1, col=1)
    fig.update_yaxes(title_text="fill price", row=2, col=1)
    fig.write_html(path, include_plotlyjs=True, full_html=True)
    return path
