"""Dagster's run console logger in Delta Works' one log format (key=value, or JSON)."""

from __future__ import annotations

import logging

import dagster as dg

from deltaworks_core.logging_setup import console_handler

# Dagster starts a job's loggers only when the run config names them: jobs carry this.
RUN_CONFIG = {"loggers": {"console": {"config": {"log_level": "INFO"}}}}


@dg.logger(
    {"log_level": dg.Field(str, is_required=False, default_value="INFO")},
    description="Run logs on the console in Delta Works' format (DELTAWORKS_LOG_JSON=1: JSON).",
)
def console_logger(init_context: dg.InitLoggerContext) -> logging.Logger:
    """The ``console`` logger of every job: Dagster's events and ``context.log`` lines."""
    logger = logging.Logger("dagster", init_context.logger_config["log_level"])
    logger.addHandler(console_handler())
    return logger
