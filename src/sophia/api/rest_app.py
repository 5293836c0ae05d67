"""`create_app(sophia)`: the REST API over an already-open `Sophia`.

The app never opens or closes `sophia`: whoever opened it (`sophia run`, a test) closes it.
Middleware, outermost first: request tracing (id, log line, counter, last-resort 500), then
the key check and rate limit, then FastAPI's routing and error handlers.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Callable, Sequence
from functools import partial

from fastapi import FastAPI
from fastapi_offline import FastAPIOffline
from starlette.routing import BaseRoute

from sophia.api.auth import ApiGuard
from sophia.api.errors import install_error_handlers
from sophia.api.openapi import install_openapi
from sophia.api.readiness import Readiness
from sophia.api.routes import router
from sophia.api.tracing import RequestTracing
from sophia.api.webhook import WEBHOOK_PATH, webhook_router
from sophia.core.gong.webhook import WebhookVerifier
from sophia.core.metrics import FRESHNESS_LAG, NEWEST_CALL, QUARANTINED
from sophia.core.ratelimit import RateLimiter
from sophia.core.services import Sophia
from sophia.core.stats import nearest_rank

__all__ = ["MAX_BODY_BYTES", "OPEN_PATHS", "create_app"]

# Probes: no key, no rate limit (Kubernetes sends neither credentials nor patience).
# The webhook is signed by Gong instead of carrying an API key, and caps its own body.
OPEN_PATHS = frozenset({"/api/gong/health", "/api/gong/ready", WEBHOOK_PATH})
# The largest valid body (a 1,000-character query, 100 call ids) is a few KB.
MAX_BODY_BYTES = 64 * 1024

_DESCRIPTION = """Cited answers from the team's Gong calls: search, call analysis, briefs and
questions, plus the operational endpoints (stats, health, readiness, Prometheus metrics).

Errors always have the shape `{"error": {"code", "message", "request_id"}}`. When
SOPHIA_API_KEYS is set, every endpoint except health and ready needs
`Authorization: Bearer <key>`."""


def create_app(
    sophia: Sophia,
    *,
    clock: Callable[[], float] = time.monotonic,
    ready_timeout_s: float = 2.0,
) -> FastAPI:
    """The FastAPI app serving `sophia`.

    `clock` drives the rate limit and the reuse of readiness results; each readiness check
    gets `ready_timeout_s` (below the probe's own timeout).
    """
    settings = sophia.settings
    keys = settings.api_keys
    # The docs page with its scripts served from here: it works without internet access.
    app = FastAPIOffline(
        title="Sophia",
        version="1",
        description=_DESCRIPTION,
        docs_url="/docs",
        redoc_url=None,
        openapi_url="/openapi.json",
    )
    app.state.sophia = sophia
    # Read from the state DB at each scrape: a sync in another process updates it.
    QUARANTINED.set_function(lambda: _quarantine_count(sophia))
    for quantile in ("0.5", "0.95"):
        FRESHNESS_LAG.labels(quantile).set_function(partial(_lag, sophia, float(quantile)))
    NEWEST_CALL.set_function(lambda: _newest_call(sophia))
    app.state.readiness = Readiness(sophia, timeout_s=ready_timeout_s, clock=clock)
    app.include_router(router)
    app.include_router(webhook_router)
    app.state.webhook_verifier = _webhook_verifier(sophia)
    install_error_handlers(app)
    install_openapi(app, secured=bool(keys), open_paths=OPEN_PATHS)
    limiter = RateLimiter(settings.api_rate_limit, clock) if settings.api_rate_limit else None
    app.add_middleware(
        ApiGuard,
        keys=keys,
        limiter=limiter,
        open_paths=OPEN_PATHS,
        max_body_bytes=MAX_BODY_BYTES,
    )
    # The docs' routes are the app's own; ours are the router's.
    known_paths = frozenset(
        _paths(app.routes) + _paths(router.routes) + _paths(webhook_router.routes)
    )
    app.add_middleware(  # added last: outermost
        RequestTracing, known_paths=known_paths, quiet_paths=OPEN_PATHS | {"/metrics"}
    )
    return app


def _quarantine_count(sophia: Sophia) -> float:
    try:
        return float(sophia.state.quarantine_count())
    except sqlite3.Error:
        return float("nan")  # unknown: a scrape must not fail on it


def _webhook_verifier(sophia: Sophia) -> WebhookVerifier | None:
    settings = sophia.settings
    key = settings.gong_webhook_key
    if key is None:
        return None
    return WebhookVerifier(
        key,
        sophia.clock,
        max_age_s=settings.gong_webhook_max_age_s,
        max_bytes=settings.gong_webhook_max_bytes,
    )


def _lag(sophia: Sophia, share: float) -> float:
    try:
        lags = sophia.state.lags()
    except sqlite3.Error:
        return float("nan")
    return nearest_rank(lags, share) if lags else float("nan")


def _newest_call(sophia: Sophia) -> float:
    try:
        newest = sophia.state.newest_indexed()
    except sqlite3.Error:
        return float("nan")
    return newest[1].timestamp() if newest else float("nan")


def _paths(routes: Sequence[BaseRoute]) -> list[str]:
    return [path for route in routes if isinstance(path := getattr(route, "path", None), str)]
