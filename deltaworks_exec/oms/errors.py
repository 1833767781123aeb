"""Errors the OMS raises to its callers (the API maps them to HTTP statuses)."""

from __future__ import annotations


class OrderInputError(ValueError):
    """An order request is invalid; ``field`` names the offending field."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


class UnknownOrderError(KeyError):
    """No order with this id."""

    def __init__(self, order_id: str) -> None:
        super().__init__(order_id)
        self.message = f"no order with id {order_id!r}"


class OrderStateError(ValueError):
    """The order's state does not allow the request (e.g. canceling a filled order)."""


class PersistenceError(RuntimeError):
    """The write-ahead record could not be stored: nothing was sent to the venue."""


class ClientOrderIdConflict(OrderStateError):
    """A client order id already names an order with other parameters."""

    def __init__(self, client_order_id: str, differences: list[str]) -> None:
        super().__init__(
            f"client_order_id {client_order_id!r} already names an order with other "
            f"parameters: {'; '.join(differences)}"
        )
