"""The OpenAPI document as Swagger UI and ReDoc users need it.

* an HTTP bearer security scheme, required by every operation that declares a permission
  (so Swagger's *Authorize* button sends the token with "Try it out");
* 401, 403 and 429 documented on each of those operations;
* descriptions in Markdown (docstrings' reST ``literals`` become `code`);
* summaries from the first sentence of each operation's docstring.
"""

from __future__ import annotations

import re
from typing import Any

from fastapi import FastAPI

SCHEME = "bearer"
_SECURITY_SCHEME = {
    "type": "http",
    "scheme": "bearer",
    "description": "A user token `dwt_<id>.<secret>` (`deltaworks-exec users add|token`) or "
    "the bootstrap token of single-token set-ups.",
}
_ERROR = {"$ref": "#/components/schemas/ErrorOut"}
REFUSALS = {
    "401": "No bearer token.",
    "403": "Wrong, expired or revoked token, or a role without the permission.",
    "429": "Too many failed sign-ins from this address (`Retry-After` says when to retry).",
}
_REST_LITERAL = re.compile(r"``([^`]+)``")
_SENTENCE_END = re.compile(r"(?<=[a-z0-9)])[.;](\s|$)")


def markdown(text: str) -> str:
    """``text`` with reST double-backtick literals as Markdown code spans."""
    return _REST_LITERAL.sub(r"`\1`", text)


def summary(description: str) -> str:
    """The first sentence of a description, without its full stop."""
    first = description.strip().split("\n\n", 1)[0]
    first = " ".join(first.split())
    match = _SENTENCE_END.search(first)
    return first[: match.start() + 1].rstrip(".;") if match else first.rstrip(".")


def _clean(node: Any) -> None:
    """Rewrite every ``description`` in a schema tree as Markdown."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "description" and isinstance(value, str):
                node[key] = markdown(value)
            else:
                _clean(value)
    elif isinstance(node, list):
        for item in node:
            _clean(item)


def _secure(operation: dict[str, Any]) -> None:
    operation["security"] = [{SCHEME: []}]
    responses = operation.setdefault("responses", {})
    for code, text in REFUSALS.items():
        responses.setdefault(
            code, {"description": text, "content": {"application/json": {"schema": _ERROR}}}
        )


def polish(schema: dict[str, Any]) -> dict[str, Any]:
    """Add the security scheme, refusals, Markdown descriptions and summaries to ``schema``."""
    _clean(schema)
    schema.setdefault("components", {}).setdefault("securitySchemes", {})[SCHEME] = _SECURITY_SCHEME
    for methods in schema.get("paths", {}).values():
        for operation in methods.values():
            if operation.get("description"):
                operation["summary"] = summary(operation["description"])
            if "x-permission" in operation:
                _secure(operation)
    return schema


def polish_openapi(app: FastAPI) -> None:
    """Serve ``app``'s OpenAPI document polished (call after the routes and roles are added)."""
    generate = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = polish(generate())
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
