"""Interactive API documentation that works offline: Swagger UI at ``/docs``, ReDoc at ``/redoc``.

The Swagger UI and ReDoc bundles come from the ``fastapi-offline`` package's static files,
served by the service itself at ``/docs/assets``: no CDN is contacted.
"""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

from fastapi import FastAPI
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.staticfiles import StaticFiles

DOCS_ASSETS = Path(str(files("fastapi_offline") / "static"))
FAVICON = "/dashboard/assets/favicon.svg"
# Authorize once: the token survives a reload of the page.
SWAGGER_PARAMETERS = {"persistAuthorization": True, "displayRequestDuration": True}


def add_docs_pages(app: FastAPI) -> None:
    """Serve ``/docs``, ``/redoc`` and their assets; ``GET /`` redirects to the dashboard.

    ``app`` must be created with ``docs_url=None, redoc_url=None``.
    """
    app.mount("/docs/assets", StaticFiles(directory=DOCS_ASSETS), name="docs-assets")
    title = app.title

    @app.get("/", include_in_schema=False)
    async def home() -> RedirectResponse:
        return RedirectResponse("/dashboard/")

    @app.get("/docs", include_in_schema=False)
    async def swagger_ui() -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url=app.openapi_url or "/openapi.json",
            title=f"{title}: Swagger UI",
            swagger_js_url="/docs/assets/swagger-ui-bundle.js",
            swagger_css_url="/docs/assets/swagger-ui.css",
            swagger_favicon_url=FAVICON,
            swagger_ui_parameters=SWAGGER_PARAMETERS,
        )

    @app.get("/redoc", include_in_schema=False)
    async def redoc() -> HTMLResponse:
        return get_redoc_html(
            openapi_url=app.openapi_url or "/openapi.json",
            title=f"{title}: ReDoc",
            redoc_js_url="/docs/assets/redoc.standalone.js",
            redoc_favicon_url=FAVICON,
            with_google_fonts=False,
        )
