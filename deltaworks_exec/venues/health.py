"""Which venues are down and why: a venue that cannot be reached or is misconfigured is
kept out of service on its own (the others keep trading) and reconnected with backoff."""

from __future__ import annotations

import logging
import time
from dataclasses import asdict, dataclass

from deltaworks_core.config import ConfigError
from deltaworks_core.logging_setup import redact

log = logging.getLogger(__name__)


@dataclass(slots=True)
class VenueDown:
    """Why a venue is out of service, since when, and how many connection attempts failed."""

    reason: str
    since_ms: int
    attempts: int = 1
    retrying: bool = True


def describe(exc: BaseException) -> str:
    """One line naming the problem: the error's class and the first line of its message,
    credentials and request signatures (ccxt puts the signed URL in it) redacted."""
    text = str(exc).strip().splitlines()
    return redact(f"{type(exc).__name__}: {text[0][:300]}") if text else type(exc).__name__


def retryable(exc: BaseException) -> bool:
    """A configuration error stays one until the configuration changes: not retried."""
    return not isinstance(exc, ConfigError)


class VenueHealth:
    """The venues that are down, by name."""

    def __init__(self) -> None:
        self.down: dict[str, VenueDown] = {}

    def mark_down(self, name: str, exc: BaseException) -> None:
        """Record a failed (re)connection of ``name``; the full trace only at debug level."""
        reason = describe(exc)
        previous = self.down.get(name)
        if previous is None:
            self.down[name] = VenueDown(reason, int(time.time() * 1000), retrying=retryable(exc))
            log.error("venue down", extra={"venue": name, "reason": reason})
        else:
            previous.reason, previous.attempts = reason, previous.attempts + 1
            log.warning("venue still down", extra={"venue": name, "reason": reason})
        log.debug("venue %s connection failure", name, exc_info=exc)

    def mark_up(self, name: str) -> None:
        if self.down.pop(name, None) is not None:
            log.info("venue back up", extra={"venue": name})

    def status(self) -> dict[str, dict[str, object]]:
        """``/status``'s ``venues_down``: reason, since (ms), attempts, whether it is retried."""
        return {name: asdict(down) for name, down in sorted(self.down.items())}
