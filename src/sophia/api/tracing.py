"""Per-request bookkeeping: a request id, one log line, the request counter, and the last
resort that turns an unexpected exception into a 500 without internals.

The log line names the route template (`/api/gong/search`), never the raw path or query
string, and never a body or a header: user text and keys stay out of the logs.
"""

from __future__ import annotations

import logging
import re
import time

from starlette.routing import BaseRoute
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from sophia.api.errors import INTERNAL_MESSAGE, error_response
from sophia.core.logs import request_scope
from sophia.core.metrics import API_REQUESTS

__all__ = ["REQUEST_ID_HEADER", "RequestTracing"]

log = logging.getLogger("sophia.api")

REQUEST_ID_HEADER = "X-Request-ID"
# A caller's id is kept when it is short and plain; anything else could forge log lines.
_SANE_ID = re.compile(rb"^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$")
_UNMATCHED = "<unmatched>"


class RequestTracing:
    """Binds a request id for the request's log lines and returns it as `X-Request-ID`."""

    def __init__(
        self, app: ASGIApp, *, known_paths: frozenset[str], quiet_paths: frozenset[str]
    ) -> None:
        self.app = app
        self._known_paths = known_paths
        # Probes and scrapes arrive every few seconds: logged at DEBUG unless they fail.
        self._quiet_paths = quiet_paths

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        given = dict(scope["headers"]).get(REQUEST_ID_HEADER.lower().encode())
        wanted = given.decode() if given and _SANE_ID.match(given) else None
        started = time.perf_counter()
        status = 500
        response_started = False

        with request_scope(wanted) as request_id:

            async def send_with_id(message: Message) -> None:
                nonlocal status, response_started
                if message["type"] == "http.response.start":
                    status = message["status"]
                    response_started = True
                    headers = list(message.get("headers", []))
                    headers.append((REQUEST_ID_HEADER.lower().encode(), request_id.encode()))
                    message = {**message, "headers": headers}
                await send(message)

            try:
                await self.app(scope, receive, send_with_id)
            except Exception:
                log.exception(
                    "request failed: %s %s", scope["method"], _route(scope, self._known_paths)
                )
                if response_started:
                    raise
                status = 500
                await error_response(500, INTERNAL_MESSAGE)(scope, receive, send_with_id)
            finally:
                route = _route(scope, self._known_paths)
                ms = round((time.perf_counter() - started) * 1000, 1)
                API_REQUESTS.labels(route, str(status)).inc()
                quiet = route in self._quiet_paths and status < 400
                log.log(
                    logging.DEBUG if quiet else logging.INFO,
                    "%s %s %d %.1f ms",
                    scope["method"],
                    route,
                    status,
                    ms,
                    extra={
                        "method": scope["method"],
                        "route": route,
                        "status": status,
                        "ms": ms,
                        "api_key": (scope.get("state") or {}).get("api_key_name"),
                    },
                )


def _route(scope: Scope, known_paths: frozenset[str]) -> str:
    """The route's template; a fixed label for unknown paths (raw paths are unbounded)."""
    route = scope.get("route")
    path = getattr(route, "path", None) if isinstance(route, BaseRoute) else None
    if isinstance(path, str):
        return path
    # Refused before routing (no key, rate limited): the API's paths have no parameters,
    # so a known path is its own template.
    return str(scope["path"]) if scope["path"] in known_paths else _UNMATCHED
