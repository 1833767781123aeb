"""OKX's funding-account transfers out and in: ``asset/deposit-address`` and
``asset/withdrawal``, over the engine's transfer network.

Addresses are the engine's (so a withdrawal from any simulated exchange to one arrives
here as a deposit with the same txid), listed per OKX chain (``USDT-TRC20``). OKX's ``amt``
is what the address receives; the chain's fee is charged on top, except to an address of
this same exchange, which the engine moves free of fee.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from ...engine import ErrorKind, ExchangeEngine, SimError
from . import rendering
from .account import CHAINS, DEFAULT_CHAINS
from .errors import OkxError, param_error, param_missing
from .instruments import plain

Params = dict[str, Any]
# OKX's chain names -> the engine's network codes
NETWORKS = {name: code for code, name in rendering.CHAINS.items()}
# neutral refusals of a withdrawal -> OKX's funding codes
_WITHDRAW_ERRORS = {
    ErrorKind.INSUFFICIENT_BALANCE: ("58350", "Insufficient balance"),
    ErrorKind.WITHDRAWAL_TOO_SMALL: (
        "58206",
        "Withdrawal amount is lower than the lower limit",
    ),
    ErrorKind.UNKNOWN_ASSET: ("58200", "Withdrawal from funding to chain is unavailable"),
    ErrorKind.UNKNOWN_NETWORK: ("58200", "Withdrawal from funding to chain is unavailable"),
    ErrorKind.MALFORMED_PARAMETER: ("51000", "Parameter amt error"),
}


class Wallet:
    """Deposit addresses and withdrawals of one engine's accounts."""

    def __init__(self, engine: ExchangeEngine) -> None:
        self.engine = engine

    def deposit_address(self, account: str, params: Params) -> list[dict]:
        """``asset/deposit-address``: the account's address on every chain of ``ccy``."""
        ccy = params.get("ccy")
        if not ccy:
            raise param_missing("ccy")
        rows = []
        for name, *_ in CHAINS.get(str(ccy), DEFAULT_CHAINS):
            try:
                found = self.engine.deposit_address(account, str(ccy), NETWORKS.get(name, name))
            except SimError:
                continue  # a chain (or coin) the engine's network does not carry
            row = {
                "chain": f"{ccy}-{name}",
                "ctAddr": "",
                "ccy": ccy,
                "to": "6",
                "addr": found.address,
                "verifiedName": "",
                "selected": True,
            }
            if found.tag is not None:
                row["tag"] = found.tag
            rows.append(row)
        if not rows:
            raise OkxError("51001", "Instrument ID does not exist.")
        return rows

    def withdraw(self, account: str, params: Params) -> list[dict]:
        """``asset/withdrawal``: send ``amt`` of ``ccy`` on ``chain`` to ``toAddr``."""
        for name in ("ccy", "amt", "dest", "toAddr"):
            if params.get(name) in (None, ""):
                raise param_missing(name)
        if str(params["dest"]) != "4":
            raise param_error("dest")  # internal transfers (dest 3) are not simulated
        ccy = str(params["ccy"])
        chain = str(params.get("chain") or f"{ccy}-{CHAINS.get(ccy, DEFAULT_CHAINS)[0][0]}")
        network = NETWORKS.get(chain.removeprefix(f"{ccy}-"))
        if not chain.startswith(f"{ccy}-") or network is None:
            raise param_error("chain")
        address, _, tag = str(params["toAddr"]).partition(":")
        try:
            amount = Decimal(str(params["amt"]))
        except InvalidOperation:
            raise param_error("amt") from None
        if not amount.is_finite() or amount <= 0:
            raise param_error("amt")
        fee, minimum = _published(ccy, chain)
        if amount < minimum:
            raise OkxError(*_WITHDRAW_ERRORS[ErrorKind.WITHDRAWAL_TOO_SMALL])
        owner = self.engine.network.owner(network, address)
        own = owner is not None and owner.engine is self.engine
        try:
            sent = self.engine.withdraw(
                account,
                ccy,
                amount if own else amount + fee,
                address,
                network=network,
                tag=tag or None,
            )
        except SimError as exc:
            code, msg = _WITHDRAW_ERRORS.get(exc.kind, ("51000", exc.message))
            raise OkxError(code, msg) from None
        return [
            {
                "amt": plain(amount),
                "wdId": sent.id,
                "ccy": ccy,
                "clientId": str(params.get("clientId") or ""),
                "chain": chain,
            }
        ]


def _published(ccy: str, chain: str) -> tuple[Decimal, Decimal]:
    """OKX's withdrawal fee and minimum on ``chain`` (as ``asset/currencies`` lists them)."""
    for name, fee, minimum in CHAINS.get(ccy, DEFAULT_CHAINS):
        if chain == f"{ccy}-{name}":
            return Decimal(fee), Decimal(minimum)
    return Decimal(0), Decimal(0)
