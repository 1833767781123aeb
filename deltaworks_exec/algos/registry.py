"""Algorithms by name: create one from JSON parameters, or rebuild one from its last event."""

from __future__ import annotations

from typing import Any

from deltaworks_exec.algos.base import AlgoContext, ParentOrder, ParentSpec
from deltaworks_exec.algos.bracket import Bracket, BracketParams
from deltaworks_exec.algos.iceberg import Iceberg, IcebergParams
from deltaworks_exec.algos.pov import Pov, PovParams
from deltaworks_exec.algos.stops import StopOrder, StopParams
from deltaworks_exec.algos.twap import Twap, TwapParams
from deltaworks_exec.algos.vwap import Vwap, VwapParams
from deltaworks_exec.oms.algo_store import AlgoEvent

ALGORITHMS: dict[str, tuple[type[ParentOrder], Any]] = {
    "twap": (Twap, TwapParams),
    "vwap": (Vwap, VwapParams),
    "pov": (Pov, PovParams),
    "iceberg": (Iceberg, IcebergParams),
    "stop": (StopOrder, StopParams),
    "bracket": (Bracket, BracketParams),
}


def create(
    algo: str,
    spec: ParentSpec,
    params: dict[str, Any],
    ctx: AlgoContext,
    start_ms: int | None = None,
) -> ParentOrder:
    """A new parent order; bad parameters raise ``ValueError`` naming what is wrong."""
    if algo not in ALGORITHMS:
        raise ValueError(f"unknown algorithm {algo!r}; known: {', '.join(sorted(ALGORITHMS))}")
    cls, params_cls = ALGORITHMS[algo]
    try:
        parsed = params_cls.from_dict(params)
    except (TypeError, KeyError) as exc:
        raise ValueError(f"{algo} parameters: {type(exc).__name__}: {exc}") from None
    return cls(spec, parsed, ctx, start_ms=start_ms)


async def restore(event: AlgoEvent, ctx: AlgoContext) -> ParentOrder:
    """Rebuild a parent order from its last event: resumed, or a record when it has ended
    (see ``ParentOrder.recover``)."""
    params = dict(event.params)
    start_ms = params.pop("start_ms", None)
    if not isinstance(start_ms, int):
        raise ValueError(f"algo_events of {event.algo_id}: params carry no start_ms")
    spec = ParentSpec(event.algo_id, event.exchange, event.symbol, event.side, event.quantity)
    algo = create(event.algo, spec, params, ctx, start_ms=start_ms)
    await algo.recover(event)
    return algo
