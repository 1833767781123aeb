"""``docs/API.md`` matches the service's OpenAPI schema."""

from __future__ import annotations

import json

from deltaworks_exec.api.docs import API_DOC, current_schema, render


def test_api_doc_is_current() -> None:
    schema = current_schema()
    assert {"/orders", "/orders/{order_id}", "/risk/kill-switch", "/health"} <= set(schema["paths"])
    assert render(schema) == API_DOC.read_text(), (
        "docs/API.md is stale: run python -m deltaworks_exec.api.docs"
    )


def test_openapi_documents_bearer_auth_and_refusals() -> None:
    schema = current_schema()
    assert schema["components"]["securitySchemes"]["bearer"] == {
        "type": "http",
        "scheme": "bearer",
        "description": schema["components"]["securitySchemes"]["bearer"]["description"],
    }
    protected = [
        (path, method, op)
        for path, methods in schema["paths"].items()
        for method, op in methods.items()
        if path != "/health"
    ]
    assert protected
    for path, method, op in protected:
        where = f"{method.upper()} {path}"
        assert op.get("x-permission"), f"{where} declares no permission"
        assert op["security"] == [{"bearer": []}], where
        assert {"401", "403"} <= set(op["responses"]), f"{where} does not document 401/403"
        assert op.get("summary") and not op["summary"].endswith("."), where
    assert "security" not in schema["paths"]["/health"]["get"]
    assert "``" not in json.dumps(schema), "reST double backticks left in the descriptions"
