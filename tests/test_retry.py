"""The retry policy: what is retried, how often, and how long it waits."""

from __future__ import annotations

import ccxt
import pytest

from deltaworks_core.retry import EXCHANGE_READS, STREAM_RECONNECT, RetryPolicy


class Reads:
    """An exchange read that fails with the given errors, then answers."""

    def __init__(self, *errors: Exception) -> None:
        self.errors = list(errors)
        self.calls = 0

    def fetch_ticker(self, symbol: str) -> dict[str, str]:
        self.calls += 1
        if self.errors:
            raise self.errors.pop(0)
        return {"symbol": symbol}

    async def fetch_order(self, symbol: str) -> dict[str, str]:
        return self.fetch_ticker(symbol)


@pytest.fixture
def waits(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """The waits between attempts, recorded instead of slept."""
    recorded: list[float] = []
    monkeypatch.setattr("time.sleep", recorded.append)
    return recorded


def test_a_transient_error_is_retried(waits: list[float]) -> None:
    reads = Reads(ccxt.RequestTimeout("timed out"), ccxt.RateLimitExceeded("429"))
    assert EXCHANGE_READS.call(reads.fetch_ticker, "BTC/USDT") == {"symbol": "BTC/USDT"}
    assert reads.calls == 3
    assert len(waits) == 2


def test_a_permanent_error_is_not_retried(waits: list[float]) -> None:
    reads = Reads(ccxt.AuthenticationError("bad key"))
    with pytest.raises(ccxt.AuthenticationError):
        EXCHANGE_READS.call(reads.fetch_ticker, "BTC/USDT")
    assert reads.calls == 1
    assert waits == []


def test_the_attempts_are_bounded_and_the_last_error_propagates(waits: list[float]) -> None:
    last = ccxt.ExchangeNotAvailable("still down")
    reads = Reads(*(ccxt.NetworkError("down") for _ in range(2)), last, ccxt.NetworkError("x"))
    with pytest.raises(ccxt.ExchangeNotAvailable) as raised:
        RetryPolicy(attempts=3, base_delay_s=0.1).call(reads.fetch_ticker, "BTC/USDT")
    assert raised.value is last
    assert reads.calls == 3


def test_waits_back_off_exponentially_with_bounded_jitter(waits: list[float]) -> None:
    policy = RetryPolicy(attempts=5, base_delay_s=0.2, max_delay_s=0.5, jitter=0.5)
    reads = Reads(*(ccxt.NetworkError("down") for _ in range(4)))
    policy.call(reads.fetch_ticker, "BTC/USDT")
    for wait, exponential in zip(waits, (0.2, 0.4, 0.8, 1.6), strict=True):
        low = min(exponential, policy.max_delay_s)
        assert low <= wait <= min(exponential + 0.1, policy.max_delay_s)


async def test_the_async_form_follows_the_same_policy() -> None:
    policy = RetryPolicy(attempts=2, base_delay_s=0)
    reads = Reads(ccxt.DDoSProtection("slow down"))
    assert await policy.call_async(reads.fetch_order, "BTC/USDT") == {"symbol": "BTC/USDT"}
    failing = Reads(ccxt.NetworkError("a"), ccxt.NetworkError("b"))
    with pytest.raises(ccxt.NetworkError, match="b"):
        await policy.call_async(failing.fetch_order, "BTC/USDT")
    assert failing.calls == 2


def test_order_entry_is_never_retried() -> None:
    exchange = ccxt.binance()
    with pytest.raises(ValueError, match="changes state on the exchange"):
        EXCHANGE_READS.call(exchange.create_order, "BTC/USDT", "limit", "buy", 1, 1)


def test_streams_reconnect_after_any_error_without_end() -> None:
    hook_calls: list[int] = []
    retrying = STREAM_RECONNECT.replace(base_delay_s=0.0, jitter=0.0).retrying(
        "stream", on_retry=lambda state: hook_calls.append(state.attempt_number)
    )
    reads = Reads(*(RuntimeError("socket closed") for _ in range(10)))
    assert retrying(reads.fetch_ticker, "BTC/USDT") == {"symbol": "BTC/USDT"}
    assert hook_calls == list(range(1, 11))


@pytest.mark.parametrize(
    ("field", "value"), [("attempts", 0), ("base_delay_s", -1.0), ("jitter", -0.1)]
)
def test_a_bad_policy_names_the_field(field: str, value: float) -> None:
    with pytest.raises(ValueError, match=field):
        RetryPolicy(**{field: value})
