"""The web dashboard: the single-page app's static files, served by ``api.dashboard``."""

from pathlib import Path

STATIC = Path(__file__).parent / "static"
