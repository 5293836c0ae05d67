"""The REST API's HTTP server: uvicorn in the caller's event loop, signals left to the caller.

`sophia run` owns SIGTERM/SIGINT (it stops the bot and the scheduler too), so this server
installs no signal handlers; stop it with `server.should_exit = True` and await `serve()`.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import uvicorn

from sophia.api.rest_app import create_app
from sophia.core.services import Sophia

__all__ = ["EmbeddedServer", "build_server"]


class EmbeddedServer(uvicorn.Server):
    """A uvicorn server that leaves signal handling to the process that runs it."""

    @contextmanager
    def capture_signals(self) -> Iterator[None]:
        # uvicorn.Server.serve() installs its SIGINT/SIGTERM handlers here; install none.
        yield


def build_server(sophia: Sophia) -> uvicorn.Server:
    """A server for `create_app(sophia)` on API_HOST:API_PORT, logging through our config."""
    settings = sophia.settings
    config = uvicorn.Config(
        create_app(sophia),
        host=settings.api_host,
        port=settings.api_port,
        # None: our logging configuration applies. The access log is off: RequestTracing
        # writes one line per request without query strings or client details.
        log_config=None,
        access_log=False,
        # The app has no startup work; `sophia` is open before the server starts.
        lifespan="off",
        server_header=False,
        # X-Forwarded-For names the client only when a trusted proxy sent it (uvicorn would
        # otherwise believe it from 127.0.0.1, and a local caller could dodge the rate limit).
        proxy_headers=bool(settings.trusted_proxy_list),
        forwarded_allow_ips=settings.trusted_proxy_list or [],
    )
    return EmbeddedServer(config)
