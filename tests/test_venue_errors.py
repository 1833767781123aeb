"""Classification of ccxt errors and the retry helpers for idempotent reads."""

from __future__ import annotations

import ccxt
import ccxt.pro
import pytest

from deltaworks_core.venues.errors import is_retryable, retry_call, retry_call_async


@pytest.mark.parametrize(
    "error",
    [
        ccxt.NetworkError,
        ccxt.RequestTimeout,
        ccxt.ExchangeNotAvailable,
        ccxt.OnMaintenance,
        ccxt.DDoSProtection,
        ccxt.RateLimitExceeded,
        ccxt.InvalidNonce,
    ],
)
def test_network_errors_are_retryable(error: type[Exception]) -> None:
    assert is_retryable(error("binance GET https://... 429"))


@pytest.mark.parametrize(
    "error",
    [
        ccxt.AuthenticationError,
        ccxt.InsufficientFunds,
        ccxt.InvalidOrder,
        ccxt.OrderNotFound,
        ccxt.BadRequest,
        ccxt.BadResponse,
        ccxt.ExchangeError,
        ValueError,
    ],
)
def test_other_errors_are_not(error: type[Exception]) -> None:
    assert not is_retryable(error("nope"))


class Flaky:
    """A read that fails with the given errors first, then answers."""

    def __init__(self, *errors: Exception) -> None:
        self.errors = list(errors)
        self.calls: list[tuple] = []

    def fetch_balance(self, *args: object, **kwargs: object) -> str:
        self.calls.append((args, kwargs))
        if self.errors:
            raise self.errors.pop(0)
        return "balance"

    async def fetch_balance_async(self, *args: object, **kwargs: object) -> str:
        return self.fetch_balance(*args, **kwargs)


def test_retry_call_retries_network_errors_then_answers() -> None:
    flaky = Flaky(ccxt.RequestTimeout("t"), ccxt.DDoSProtection("429"))
    result = retry_call(flaky.fetch_balance, {"type": "spot"}, attempts=3, base_delay=0, x=1)
    assert result == "balance"
    assert flaky.calls == [(({"type": "spot"},), {"x": 1})] * 3


def test_retry_call_gives_up_after_attempts_with_the_last_error() -> None:
    last = ccxt.ExchangeNotAvailable("still down")
    flaky = Flaky(ccxt.RequestTimeout("t"), last, ccxt.RequestTimeout("unused"))
    with pytest.raises(ccxt.ExchangeNotAvailable) as error:
        retry_call(flaky.fetch_balance, attempts=2, base_delay=0)
    assert error.value is last
    assert len(flaky.calls) == 2


def test_retry_call_does_not_retry_other_errors() -> None:
    flaky = Flaky(ccxt.AuthenticationError("bad key"))
    with pytest.raises(ccxt.AuthenticationError):
        retry_call(flaky.fetch_balance, attempts=5, base_delay=0)
    assert len(flaky.calls) == 1


def test_retry_call_waits_exponentially(monkeypatch: pytest.MonkeyPatch) -> None:
    delays: list[float] = []
    monkeypatch.setattr("time.sleep", delays.append)
    flaky = Flaky(*(ccxt.NetworkError("n") for _ in range(3)))
    assert retry_call(flaky.fetch_balance, attempts=4, base_delay=0.25, jitter=0) == "balance"
    assert delays == [0.25, 0.5, 1.0]


def test_state_changing_calls_are_refused() -> None:
    exchange = ccxt.binance()
    for method in (
        exchange.create_order,
        exchange.createOrder,
        exchange.cancel_order,
        exchange.withdraw,
        exchange.edit_order,
    ):
        with pytest.raises(ValueError, match="changes state on the exchange"):
            retry_call(method, "BTC/USDT", "limit", "buy", 1, 1, attempts=2)
    with pytest.raises(ValueError, match="attempts must be at least 1"):
        retry_call(Flaky().fetch_balance, attempts=0)


async def test_retry_call_async() -> None:
    flaky = Flaky(ccxt.RateLimitExceeded("slow down"))
    assert await retry_call_async(flaky.fetch_balance_async, attempts=2, base_delay=0) == "balance"
    assert len(flaky.calls) == 2
    with pytest.raises(ValueError, match="changes state"):
        await retry_call_async(ccxt.pro.binance().create_order, "BTC/USDT", "market", "buy", 1)
