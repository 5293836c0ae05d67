"""The REST surface (FastAPI): `create_app(sophia)` and `build_server(sophia)`."""

from sophia.api.rest_app import create_app
from sophia.api.server import build_server

__all__ = ["build_server", "create_app"]
