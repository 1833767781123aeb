"""Account balances: spot, cross margin, linear perpetuals and funding, in integer atoms (1e-8)."""

from __future__ import annotations

from dataclasses import dataclass, field

from .markets import ATOMS_PER_UNIT, Market
from .orders import Order

HOUR_MS = 3_600_000
MARGIN_HOURLY_RATE_PPM = 5  # interest: 5 millionths of the borrowed amount per hour
DEFAULT_LEVERAGE = 10
SPOT_QUOTE_FUNDS = 100_000
SPOT_BASE_FUNDS_VALUE = 20_000
FUTURES_FUNDS = 50_000
MARGIN_QUOTE_FUNDS = 10_000
FUNDING_QUOTE_FUNDS = 5_000


@dataclass(slots=True)
class Position:
    """A one-way linear position: signed quantity in steps, signed cost basis in atoms."""

    amt: int = 0
    cost: int = 0
    update: int = 0


@dataclass(slots=True)
class Account:
    """One API user of a simulated exchange."""

    name: str
    spot_free: dict[str, int] = field(default_factory=dict)
    spot_locked: dict[str, int] = field(default_factory=dict)
    margin_free: dict[str, int] = field(default_factory=dict)
    margin_borrowed: dict[str, int] = field(default_factory=dict)
    margin_since: int = 0
    futures_wallet: int = 0
    positions: dict[str, Position] = field(default_factory=dict)
    leverage: dict[str, int] = field(default_factory=dict)  # USDⓈ-M symbol -> leverage
    funding: dict[str, int] = field(default_factory=dict)  # the funding wallet (no trading)
    open_orders: dict[int, Order] = field(default_factory=dict)
    update: int = 0

    def leverage_of(self, symbol: str) -> int:
        """The leverage set for a USDⓈ-M ``symbol`` (``DEFAULT_LEVERAGE`` until set)."""
        return self.leverage.get(symbol, DEFAULT_LEVERAGE)

    def interest(self, asset: str, now: int) -> int:
        """Interest accrued on the borrowed ``asset`` since the margin account opened."""
        hours = max(0, now - self.margin_since) // HOUR_MS
        return self.margin_borrowed.get(asset, 0) * MARGIN_HOURLY_RATE_PPM * hours // 1_000_000


def default_account(name: str, markets: list[Market], now: int) -> Account:
    """An account funded like a small desk: quote and base assets on spot, margin and futures."""
    account = Account(name, margin_since=now, update=now)
    quotes = {m.quote for m in markets}
    for quote in quotes:
        account.spot_free[quote] = SPOT_QUOTE_FUNDS * ATOMS_PER_UNIT
        account.margin_free[quote] = MARGIN_QUOTE_FUNDS * ATOMS_PER_UNIT
        account.funding[quote] = FUNDING_QUOTE_FUNDS * ATOMS_PER_UNIT
    for market in markets:
        if market.linear or market.base in account.spot_free:
            continue
        units = SPOT_BASE_FUNDS_VALUE / market.ref_price
        account.spot_free[market.base] = int(units * ATOMS_PER_UNIT) // 1000 * 1000
        account.margin_free[market.base] = int(units * ATOMS_PER_UNIT / 10) // 1000 * 1000
        account.margin_borrowed[market.base] = int(units * ATOMS_PER_UNIT / 20) // 1000 * 1000
    if any(m.linear for m in markets):
        account.futures_wallet = FUTURES_FUNDS * ATOMS_PER_UNIT
    return account


def spot_lock(account: Account, asset: str, atoms: int) -> bool:
    """Move ``atoms`` of ``asset`` from free to locked; False when free is short."""
    free = account.spot_free.get(asset, 0)
    if free < atoms:
        return False
    account.spot_free[asset] = free - atoms
    account.spot_locked[asset] = account.spot_locked.get(asset, 0) + atoms
    return True


def spot_unlock(account: Account, asset: str, atoms: int) -> None:
    account.spot_locked[asset] -= atoms
    account.spot_free[asset] = account.spot_free.get(asset, 0) + atoms


def spot_settle(
    account: Account, order: Order, price: int, qty: int, fee_ppm: int
) -> tuple[int, str]:
    """Apply one spot fill to the account; returns (commission atoms, commission asset).

    The buyer pays quote (from the order's lock when it has one) and receives base less
    the commission; the seller pays base and receives quote less the commission.
    """
    m = order.market
    quote = qty * price * m.notional_atoms_per_unit
    base = qty * m.step_atoms
    if order.buy:
        pay_asset, pay, get_asset, get = m.quote, quote, m.base, base
    else:
        pay_asset, pay, get_asset, get = m.base, base, m.quote, quote
    if order.locked:
        taken = min(pay, order.locked)
        order.locked -= taken
        account.spot_locked[pay_asset] -= taken
        account.spot_free[pay_asset] -= pay - taken
    else:
        account.spot_free[pay_asset] = account.spot_free.get(pay_asset, 0) - pay
    fee = get * fee_ppm // 1_000_000
    account.spot_free[get_asset] = account.spot_free.get(get_asset, 0) + get - fee
    return fee, get_asset


def futures_settle(
    account: Account, order: Order, price: int, qty: int, fee_ppm: int, now: int
) -> tuple[int, int]:
    """Apply one linear fill; returns (commission atoms, realised PnL atoms)."""
    m = order.market
    notional = qty * price * m.notional_atoms_per_unit
    pos = account.positions.setdefault(m.symbol, Position())
    side = 1 if order.buy else -1
    realized = 0
    remaining = qty
    if pos.amt and (pos.amt > 0) != order.buy:
        closing = min(qty, abs(pos.amt))
        closed_cost = pos.cost * closing // abs(pos.amt)
        realized = -side * closing * price * m.notional_atoms_per_unit - closed_cost
        pos.amt += side * closing
        pos.cost -= closed_cost
        remaining -= closing
    if remaining:
        pos.amt += side * remaining
        pos.cost += side * remaining * price * m.notional_atoms_per_unit
    if pos.amt == 0:
        pos.cost = 0
    pos.update = now
    fee = notional * fee_ppm // 1_000_000
    account.futures_wallet += realized - fee
    return fee, realized


@dataclass(frozen=True, slots=True)
class FuturesState:
    """linear account figures at one mark price set (atoms)."""

    wallet: int
    unrealized: int
    position_margin: int
    order_margin: int

    @property
    def margin_balance(self) -> int:
        return self.wallet + self.unrealized

    @property
    def initial_margin(self) -> int:
        return self.position_margin + self.order_margin

    @property
    def available(self) -> int:
        return self.margin_balance - self.initial_margin


def futures_state(
    account: Account, marks: dict[str, int], markets: dict[str, Market]
) -> FuturesState:
    """Wallet, unrealised PnL and margins given mark prices in ticks per symbol."""
    unrealized = position_margin = order_margin = 0
    for symbol, pos in account.positions.items():
        if pos.amt:
            m = markets[symbol]
            value = pos.amt * marks[symbol] * m.notional_atoms_per_unit
            unrealized += value - pos.cost
            position_margin += abs(value) // account.leverage_of(symbol)
    for order in account.open_orders.values():
        if order.market.linear and not order.reduce_only:
            price = order.price or marks[order.market.symbol]
            notional = order.remaining * price * order.market.notional_atoms_per_unit
            order_margin += notional // account.leverage_of(order.market.symbol)
    return FuturesState(account.futures_wallet, unrealized, position_margin, order_margin)
