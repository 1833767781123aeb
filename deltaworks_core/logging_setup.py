"""Process logging: key-value for people, JSON when asked, secrets redacted."""

from __future__ import annotations

import json
import logging
import os
import re

JSON_ENV_VAR = "DELTAWORKS_LOG_JSON"
LEVEL_ENV_VAR = "DELTAWORKS_LOG_LEVEL"
_SECRET_PATTERN = re.compile(
    r"(?i)((?:api[_-]?key|secret|signature|password|token|authorization)[\"']?\s*[:=]\s*[\"']?"
    r"(?:bearer\s+)?)([^\s\"'&,}]+)"
)
# Standard record attributes, uvicorn's duplicate of the message with ANSI colours, and
# Dagster's structured copy of a run's log line (its text already names run and step).
_RESERVED = set(vars(logging.makeLogRecord({}))) | {"color_message", "dagster_meta"}


def redact(text: str) -> str:
    """Replace the value of anything that looks like a credential with ``***``."""
    return _SECRET_PATTERN.sub(r"\1***", text)


def _extras(record: logging.LogRecord) -> dict[str, object]:
    return {k: v for k, v in vars(record).items() if k not in _RESERVED and k != "message"}


class KeyValueFormatter(logging.Formatter):
    """``time level logger message key=value ...`` with secrets redacted."""

    def format(self, record: logging.LogRecord) -> str:
        pairs = " ".join(f"{k}={v}" for k, v in _extras(record).items())
        line = (
            f"{self.formatTime(record)} {record.levelname:<7} {record.name} {record.getMessage()}"
        )
        if pairs:
            line = f"{line} {pairs}"
        if record.exc_info:
            line = f"{line}\n{self.formatException(record.exc_info)}"
        return redact(line)


class JsonFormatter(logging.Formatter):
    """One JSON object per line with secrets redacted."""

    def format(self, record: logging.LogRecord) -> str:
        payload = {
            "time": self.formatTime(record),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            **{k: str(v) for k, v in _extras(record).items()},
        }
        if record.exc_info:
            payload["exception"] = self.formatException(record.exc_info)
        return redact(json.dumps(payload))


def console_handler() -> logging.Handler:
    """A stderr handler in the process's one format (``DELTAWORKS_LOG_JSON=1`` for JSON)."""
    handler = logging.StreamHandler()
    use_json = os.environ.get(JSON_ENV_VAR, "").lower() in ("1", "true", "yes")
    handler.setFormatter(JsonFormatter() if use_json else KeyValueFormatter())
    return handler


def configure_logging(level: str | None = None) -> None:
    """Configure the root logger once per process (``DELTAWORKS_LOG_JSON=1`` for JSON)."""
    root = logging.getLogger()
    if getattr(root, "_deltaworks_configured", False):
        return
    root.addHandler(console_handler())
    root.setLevel(level or os.environ.get(LEVEL_ENV_VAR, "INFO"))
    root._deltaworks_configured = True  # type: ignore[attr-defined]


class OneLineTracebacks(logging.Filter):
    """Unless the level is DEBUG, a logged traceback becomes one line naming the error.

    For loggers of libraries that log a failure with its full trace (uvicorn's startup
    failure): the user sees what went wrong; ``DELTAWORKS_LOG_LEVEL=DEBUG`` shows where.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        if logging.getLogger().isEnabledFor(logging.DEBUG):
            return True
        if record.exc_info and record.exc_info[1] is not None:
            exc = record.exc_info[1]
            record.msg = f"{record.getMessage()}: {type(exc).__name__}: {exc}".splitlines()[0]
            record.args, record.exc_info, record.exc_text = (), None, None
        elif isinstance(record.msg, str) and record.msg.startswith("Traceback"):
            record.msg = record.msg.strip().splitlines()[-1]
            record.args = ()
        return True
