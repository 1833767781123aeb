"""``docs/API.md`` matches the service's OpenAPI schema."""

from __future__ import annotations

from deltaworks_exec.api.docs import API_DOC, current_schema, render


def test_api_doc_is_current() -> None:
    schema = current_schema()
    assert {"/orders", "/orders/{order_id}", "/risk/kill-switch", "/health"} <= set(schema["paths"])
    assert render(schema) == API_DOC.read_text(), (
        "docs/API.md is stale: run python -m deltaworks_exec.api.docs"
    )
