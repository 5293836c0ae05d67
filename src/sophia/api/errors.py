"""The one error shape of the REST API, and the handlers that turn exceptions into it.

Every error is `{"error": {"code", "message", "request_id"}}` with the status that says
what went wrong: 400 bad input, 401 no or wrong key, 403 access denied, 404 unknown call or
route, 429 rate limited, 503 a dependency down, 500 anything else. Messages about the
caller's input quote core's own words; a dependency failure gets a generic sentence (its
details, which may name hosts or paths, go to the log).
"""

from __future__ import annotations

import logging
import math
from collections.abc import Mapping
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from redis.exceptions import RedisError
from starlette.exceptions import HTTPException

from sophia.api.schemas import PATTERN_MEANINGS, ErrorDetail, ErrorOut
from sophia.core.errors import (
    AccessDenied,
    BadQuery,
    CallNotFound,
    EmbeddingError,
    ExportError,
    RateLimited,
    SophiaError,
    SourceError,
    StoreError,
)
from sophia.core.logs import current_request_id

__all__ = ["ERROR_RESPONSES", "error_response", "install_error_handlers"]

log = logging.getLogger("sophia.api")

_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    413: "too_large",
    429: "rate_limited",
    500: "internal",
    503: "unavailable",
}
# Dependency failures, most specific first: what the caller is told instead of the details.
_UNAVAILABLE: tuple[tuple[type[BaseException], str], ...] = (
    (StoreError, "The call index is unavailable right now; try again shortly."),
    (EmbeddingError, "The embedding service is unavailable right now; try again shortly."),
    (SourceError, "The Gong API is unavailable right now; try again shortly."),
    (ExportError, "The call-insights table is unavailable right now; try again shortly."),
    (RedisError, "The cache is unavailable right now; try again shortly."),
)
INTERNAL_MESSAGE = "Something went wrong on our side; the request id identifies it in the logs."

# Declared on every operation, so the OpenAPI schema lists each status the API may answer.
ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    400: {"model": ErrorOut, "description": "Bad input (the message names the field)."},
    401: {
        "model": ErrorOut,
        "description": "Missing or wrong API key (when SOPHIA_API_KEYS is set).",
        "headers": {"WWW-Authenticate": {"schema": {"type": "string"}}},
    },
    403: {"model": ErrorOut, "description": "The key may not see what was asked for."},
    404: {"model": ErrorOut, "description": "No such call or route."},
    413: {"model": ErrorOut, "description": "The body is larger than any valid request."},
    429: {
        "model": ErrorOut,
        "description": "Too many requests for this key (API_RATE_LIMIT per minute).",
        "headers": {
            "Retry-After": {"description": "Seconds to wait.", "schema": {"type": "integer"}}
        },
    },
    500: {"model": ErrorOut, "description": "Unexpected failure; no internals are shown."},
    503: {
        "model": ErrorOut,
        "description": "A dependency (index, embedder, cache, insights table) is down.",
    },
}


def error_response(
    status: int, message: str, headers: Mapping[str, str] | None = None
) -> JSONResponse:
    """An error in the API's one shape, carrying the current request id."""
    code = _CODES.get(status, HTTPStatus(status).phrase.lower().replace(" ", "_"))
    body = ErrorOut(
        error=ErrorDetail(code=code, message=message, request_id=current_request_id() or "-")
    )
    return JSONResponse(body.model_dump(), status_code=status, headers=dict(headers or {}))


def install_error_handlers(app: FastAPI) -> None:
    """Route core's exceptions, validation errors and HTTP errors into the one shape."""
    app.add_exception_handler(SophiaError, _on_sophia_error)  # type: ignore[arg-type]
    app.add_exception_handler(RedisError, _on_dependency_error)
    app.add_exception_handler(RequestValidationError, _on_invalid_request)  # type: ignore[arg-type]
    app.add_exception_handler(HTTPException, _on_http_error)  # type: ignore[arg-type]


async def _on_sophia_error(request: Request, exc: SophiaError) -> JSONResponse:
    if isinstance(exc, BadQuery):
        return error_response(400, str(exc))
    if isinstance(exc, CallNotFound):
        return error_response(404, str(exc))
    if isinstance(exc, AccessDenied):
        return error_response(403, str(exc))
    if isinstance(exc, StoreError | EmbeddingError | SourceError | ExportError):
        return await _on_dependency_error(request, exc)
    log.error("unhandled %s: %s", type(exc).__name__, exc)
    return error_response(500, INTERNAL_MESSAGE)


async def _on_dependency_error(request: Request, exc: Exception) -> JSONResponse:
    log.warning("dependency unavailable: %s: %s", type(exc).__name__, exc)
    message = next(text for kind, text in _UNAVAILABLE if isinstance(exc, kind))
    headers = {}
    if isinstance(exc, RateLimited) and exc.retry_after_s:
        headers["Retry-After"] = str(max(1, math.ceil(exc.retry_after_s)))
    return error_response(503, message, headers)


async def _on_invalid_request(request: Request, exc: RequestValidationError) -> JSONResponse:
    problems = []
    for error in exc.errors():
        where = ".".join(str(part) for part in error["loc"] if part != "body")
        if error["type"] == "json_invalid":
            problems.append("the body is not valid JSON")
        elif not where:
            problems.append("the body must be a JSON object (Content-Type: application/json)")
        else:
            problems.append(f"{where}: {_meaning(error)}")
    return error_response(400, "Invalid request: " + "; ".join(problems))


def _meaning(error: Mapping[str, object]) -> str:
    context = error.get("ctx")
    pattern = context.get("pattern") if isinstance(context, dict) else None
    if error["type"] == "string_pattern_mismatch" and pattern in PATTERN_MEANINGS:
        return PATTERN_MEANINGS[str(pattern)]
    return str(error["msg"]).removeprefix("Value error, ")


async def _on_http_error(request: Request, exc: HTTPException) -> JSONResponse:
    if exc.status_code == 404:
        message = "No such endpoint; see /docs for the API."
    elif exc.status_code == 405:
        message = f"{request.method} is not allowed here."
    else:
        message = str(exc.detail)
    return error_response(exc.status_code, message, exc.headers)
