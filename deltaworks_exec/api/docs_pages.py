"""Interactive API documentation that works offline: Swagger UI at ``/docs``, ReDoc at ``/redoc``.

The Swagger UI and ReDoc bundles come from the ``fastapi-offline`` package's static files,
served by the service itself at ``/docs/assets``: no CDN is contacted.
"""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

from fastapi import FastAPI
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.staticfiles import StaticFiles

DOCS_ASSETS = Path(str(files("fastapi_offline") / "static"))
FAVICON = "/dashboard/assets/favicon.svg"
# ReDoc's sidebar shows a logo from the vendor's CDN: the policy keeps the browser from
# requesting it (nothing leaves the service) and the style hides the link it sits in.
_REDOC_POLICY = (
    "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
    "script-src 'self'; worker-src 'self' blob:; font-src 'self' data:"
)
_REDOC_PAGE = """<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <meta name="viewport" content="width=device-width, initial-scale=1" />
    <title>{title}</title>
    <link rel="icon" type="image/svg+xml" href="{favicon}" />
    <style>body {{ margin: 0; }} a[href*="redocly.com"] {{ display: none; }}</style>
  </head>
  <body>
    <redoc spec-url="{openapi_url}"></redoc>
    <script src="/docs/assets/redoc.standalone.js"></script>
  </body>
</html>
"""
# Authorize once (the token survives a reload); no call to the public spec validator.
SWAGGER_PARAMETERS = {
    "persistAuthorization": True,
    "displayRequestDuration": True,
    "validatorUrl": None,
}


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
        page = _REDOC_PAGE.format(
            title=f"{title}: ReDoc",
            favicon=FAVICON,
            openapi_url=app.openapi_url or "/openapi.json",
        )
        return HTMLResponse(page, headers={"Content-Security-Policy": _REDOC_POLICY})
