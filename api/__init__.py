"""The REST surface (FastAPI): `create_app(sophia)` and `build_server(sophia)`."""

from api.app import create_app
from api.server import build_server

__all__ = ["build_server", "create_app"]
