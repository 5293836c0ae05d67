"""The OpenAPI schema as the API really behaves, on top of what FastAPI generates.

FastAPI documents a 422 for every body; this API answers 400 in its one error shape instead.
Every response carries `X-Request-ID`; with SOPHIA_API_KEYS set, every operation but the
probes needs a bearer key.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI

from sophia.api.tracing import REQUEST_ID_HEADER

__all__ = ["install_openapi"]

_FASTAPI_422 = ("HTTPValidationError", "ValidationError")


def install_openapi(app: FastAPI, *, secured: bool, open_paths: frozenset[str]) -> None:
    """Replace `app.openapi` with the corrected schema (built once, then cached)."""

    generated = app.openapi  # FastAPI's own schema, which it caches in `app.openapi_schema`

    def schema() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = _corrected(generated(), secured=secured, open_paths=open_paths)
        return app.openapi_schema

    app.openapi = schema  # type: ignore[method-assign]


def _corrected(
    spec: dict[str, Any], *, secured: bool, open_paths: frozenset[str]
) -> dict[str, Any]:
    components = spec.setdefault("components", {})
    for name in _FASTAPI_422:
        components.get("schemas", {}).pop(name, None)
    if secured:
        components["securitySchemes"] = {
            "bearer": {
                "type": "http",
                "scheme": "bearer",
                "description": "A key from SOPHIA_API_KEYS.",
            }
        }
    request_id = {
        "description": "The request's id (the caller's, when it sent a plain one).",
        "schema": {"type": "string"},
    }
    for path, operations in spec.get("paths", {}).items():
        for operation in operations.values():
            responses = operation.setdefault("responses", {})
            responses.pop("422", None)
            for response in responses.values():
                response.setdefault("headers", {})[REQUEST_ID_HEADER] = request_id
            if secured and path not in open_paths:
                operation["security"] = [{"bearer": []}]
    return spec
