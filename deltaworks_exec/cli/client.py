"""The running service's HTTP API as the CLI calls it: URL, token, output format."""

from __future__ import annotations

import os
from typing import Any

import httpx
import typer
from rich.markup import escape

from deltaworks_core.config import ConfigError, Settings, load_settings
from deltaworks_exec.cli.output import console

URL_ENV_VAR = "DELTAWORKS_EXEC_URL"


def settings_or_exit() -> Settings:
    """The configuration, or exit 2 with the error printed."""
    try:
        return load_settings()
    except ConfigError as exc:
        console.print(f"[red]configuration error:[/red] {escape(str(exc))}")
        raise typer.Exit(2) from None


class ServiceClient:
    """Calls the service's API; ``--url`` and ``--json`` of the root command set it up."""

    def __init__(self, url: str | None = None, as_json: bool = False) -> None:
        self.url = url
        self.as_json = as_json

    def _http(self) -> httpx.Client:
        settings = settings_or_exit()
        url = (
            self.url
            or os.environ.get(URL_ENV_VAR)
            or (f"http://{settings.exec.host}:{settings.exec.port}")
        )
        token = os.environ.get(settings.exec.token_env)
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        return httpx.Client(base_url=url, headers=headers, timeout=30.0)

    def get_optional(self, path: str) -> Any:
        """The JSON answer of ``GET path``, or ``None`` on any failure (for optional extras)."""
        try:
            with self._http() as client:
                response = client.get(path)
        except httpx.HTTPError:
            return None
        return response.json() if response.status_code == 200 else None

    def call(self, method: str, path: str, **kwargs: Any) -> Any:
        """The JSON answer of ``method path``; exits 1 when unreachable or on an HTTP error."""
        try:
            with self._http() as client:
                response = client.request(method, path, **kwargs)
        except httpx.HTTPError as exc:
            console.print(f"[red]cannot reach the service:[/red] {escape(str(exc))}")
            raise typer.Exit(1) from None
        if response.status_code >= 400:
            console.print(f"[red]{response.status_code}:[/red] {escape(response.text)}")
            raise typer.Exit(1)
        return response.json()
