"""What the dashboard builds itself from: the signed-in user, each venue's markets, and the
algorithms' parameter forms (``/dashboard/api/me``, ``/markets/{exchange}``, ``/algo-forms``)."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, Request
from pydantic import BaseModel

from deltaworks_exec.api.algo_forms import ParamField, algo_forms
from deltaworks_exec.api.roles import allow
from deltaworks_exec.auth.roles import GRANTS, Permission, Principal

router = APIRouter(
    prefix="/dashboard/api", tags=["dashboard"], dependencies=[allow(Permission.READ)]
)


class MeOut(BaseModel):
    """The signed-in user, its role and the permissions the role grants."""

    user: str
    role: str
    permissions: list[Permission]


class MarketOut(BaseModel):
    """A market of a venue with its precision and minimums."""

    symbol: str
    base: str
    quote: str
    price_increment: float
    amount_increment: float
    min_amount: float
    min_notional: float


@router.get("/me", response_model=MeOut)
async def me(request: Request) -> MeOut:
    """The signed-in user and what its role may do (the dashboard hides the rest)."""
    principal: Principal = request.state.principal
    granted = sorted(GRANTS[principal.role], key=list(Permission).index)
    return MeOut(user=principal.user, role=principal.role.value, permissions=granted)


@router.get("/markets/{exchange}", response_model=list[MarketOut])
async def markets(exchange: str, request: Request) -> list[MarketOut]:
    """Markets of a connected venue, by symbol."""
    venue = request.app.state.service.venues.get(exchange)
    if venue is None:
        raise HTTPException(404, f"unknown exchange {exchange!r}")
    found = []
    for symbol in venue.symbols():
        rules = venue.rules(symbol)
        found.append(
            MarketOut(
                symbol=symbol,
                base=rules.base,
                quote=rules.quote,
                price_increment=rules.price_increment,
                amount_increment=rules.amount_increment,
                min_amount=rules.min_amount,
                min_notional=rules.min_notional,
            )
        )
    return found


@router.get("/algo-forms", response_model=dict[str, list[ParamField]])
async def forms() -> dict[str, list[ParamField]]:
    """Each algorithm's parameters as form fields (name, kind, default, choices)."""
    return algo_forms()
