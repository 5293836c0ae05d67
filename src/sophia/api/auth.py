"""Bearer API keys, the per-caller rate limit and the body size, checked before any route.

An ASGI middleware rather than a FastAPI dependency, so that it covers every path (the docs,
the schema, /metrics, unknown routes) and runs before the body is read: a caller without a
key learns nothing, not even whether its JSON was valid.

Open paths (liveness and readiness) need no key and are never rate limited: Kubernetes
probes carry no credentials, and a busy client must not make a replica look unready.
"""

from __future__ import annotations

import hmac

from starlette.exceptions import HTTPException
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from sophia.api.errors import error_response
from sophia.core.ratelimit import RateLimiter

__all__ = ["ApiGuard", "BodyTooLarge", "key_name"]


def key_name(authorization: bytes | None, keys: dict[str, bytes]) -> str | None:
    """The name of the key an `Authorization: Bearer <key>` header carries, or None."""
    if authorization is None:
        return None
    scheme, _, token = authorization.strip().partition(b" ")
    if scheme.lower() != b"bearer" or not token.strip():
        return None
    token = token.strip()
    found = None
    # Every key is compared (no early exit), each in constant time.
    for name, key in keys.items():
        if hmac.compare_digest(token, key):
            found = name
    return found


class BodyTooLarge(HTTPException):
    """A body without Content-Length grew past the limit while it was read (a 413: FastAPI
    passes HTTP exceptions raised while reading the body through to the error handlers)."""

    def __init__(self, limit: int) -> None:
        super().__init__(413, f"The body is larger than {limit} bytes.")


class ApiGuard:
    """Rejects requests without a valid key (when keys are set), over the rate limit, or
    with a body larger than any valid request.

    The caller's key name goes to `request.state.api_key_name` (None without keys).
    """

    def __init__(
        self,
        app: ASGIApp,
        *,
        keys: dict[str, str],
        limiter: RateLimiter | None,
        open_paths: frozenset[str],
        max_body_bytes: int,
    ) -> None:
        self.app = app
        self._keys = {name: key.encode() for name, key in keys.items()}
        self._limiter = limiter
        self._open_paths = open_paths
        self._max_body_bytes = max_body_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] in self._open_paths:
            await self.app(scope, receive, send)
            return
        headers = dict(scope["headers"])
        name, refusal = self._authenticate(headers)
        scope.setdefault("state", {})["api_key_name"] = name
        refusal = refusal or self._throttle(name, scope) or self._oversized(headers)
        if refusal is not None:
            await refusal(scope, receive, send)
            return
        await self.app(scope, self._limited(receive), send)

    def _authenticate(self, headers: dict[bytes, bytes]) -> tuple[str | None, Response | None]:
        """The caller's key name, or the 401 to send (None, None without keys)."""
        if not self._keys:
            return None, None
        name = key_name(headers.get(b"authorization"), self._keys)
        if name is not None:
            return name, None
        if b"authorization" not in headers:
            return None, error_response(
                401, "Send `Authorization: Bearer <key>`.", {"WWW-Authenticate": "Bearer"}
            )
        return None, error_response(
            401,
            "The API key is not valid.",
            {"WWW-Authenticate": 'Bearer error="invalid_token"'},
        )

    def _throttle(self, name: str | None, scope: Scope) -> Response | None:
        """The 429 to send when the caller (key, else client address) is over the limit."""
        if self._limiter is None:
            return None
        caller = f"key:{name}" if name else f"ip:{(scope.get('client') or ('-', 0))[0]}"
        wait = self._limiter.acquire(caller)
        if not wait:
            return None
        return error_response(
            429,
            f"Rate limit of {self._limiter.capacity:g} requests a minute reached; "
            f"retry in {wait} s.",
            {"Retry-After": str(wait)},
        )

    def _oversized(self, headers: dict[bytes, bytes]) -> Response | None:
        """The error to send for a declared body over the limit (chunked: see `_limited`)."""
        # The HTTP server has already refused a Content-Length that is not a number.
        length = headers.get(b"content-length", b"0")
        if length.isdigit() and int(length) > self._max_body_bytes:
            return error_response(413, f"The body is larger than {self._max_body_bytes} bytes.")
        return None

    def _limited(self, receive: Receive) -> Receive:
        """`receive` that stops a chunked body (no Content-Length) at the limit."""
        seen = 0

        async def receive_limited() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self._max_body_bytes:
                    raise BodyTooLarge(self._max_body_bytes)
            return message

        return receive_limited
