"""422 bodies that can always be encoded, and listings that survive a damaged stored row.

FastAPI's own handler echoes each error's ``input``; for ``NaN`` or ``1e309``
(infinity once parsed) that echo is not valid JSON and the client got a 500.
Non-finite inputs are echoed as text instead.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Iterable
from typing import Any

from fastapi import FastAPI, Request, Response
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from deltaworks_core.numbers import non_finite_path

log = logging.getLogger(__name__)


def _encodable(value: Any) -> Any:
    """``value`` with every NaN or infinity replaced by its text."""
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    if isinstance(value, dict):
        return {key: _encodable(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_encodable(item) for item in value]
    return value


async def _unprocessable(_: Request, exc: Exception) -> JSONResponse:
    errors = exc.errors() if isinstance(exc, RequestValidationError) else []
    return JSONResponse({"detail": _encodable(jsonable_encoder(errors))}, status_code=422)


def install(app: FastAPI) -> None:
    """Answer request validation errors with an encodable 422 naming each field."""
    app.add_exception_handler(RequestValidationError, _unprocessable)


SKIPPED_HEADER = "X-Skipped-Rows"  # ids of stored rows left out of a listing (damaged)


def listable(
    rows: Iterable[dict[str, Any]], id_field: str, model: type[BaseModel], response: Response
) -> list[Any]:
    """``rows`` as ``model``s, leaving out (logged, named in ``X-Skipped-Rows``) every row that
    is damaged: a non-finite number or a value the model refuses. One bad stored row must not
    break a listing."""
    shown, skipped = [], []
    for row in rows:
        try:
            if non_finite_path(row) is not None:
                raise ValueError("a non-finite number")
            shown.append(model.model_validate(row))
        except ValueError:  # pydantic's ValidationError included
            skipped.append(str(row.get(id_field)))
    if skipped:
        log.error("damaged rows left out of a listing", extra={id_field: skipped})
        response.headers[SKIPPED_HEADER] = ",".join(skipped)
    return shown
