"""Helpers for REST API tests: a real `Sophia` opened on given settings, an httpx client on
its ASGI app, and a clock a test moves by hand."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import httpx
from prometheus_client.parser import text_string_to_metric_families

from sophia.core.config import Settings
from sophia.core.services import Sophia

__all__ = ["FakeClock", "api_client", "assert_error", "make_settings", "metric", "open_sophia"]


class FakeClock:
    """A monotonic clock a test moves by hand: rate limits refill without waiting."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


def make_settings(data_dir: Path, **overrides: Any) -> Settings:
    """Hashing embedder, no retention cut-off, no rate limit unless asked for."""
    fields: dict[str, Any] = {
        "sophia_data_dir": data_dir,
        "sophia_embedder": "hashing",
        "retention_days": 0,
        "api_rate_limit": 0,
    }
    return Settings(_env_file=None, **{**fields, **overrides})


@asynccontextmanager
async def open_sophia(settings: Settings) -> AsyncIterator[Sophia]:
    """`Sophia.open(settings)`, closed on exit."""
    sophia = await Sophia.open(settings)
    try:
        yield sophia
    finally:
        await sophia.aclose()


@asynccontextmanager
async def api_client(
    sophia: Sophia, *, client: tuple[str, int] = ("127.0.0.1", 50000), **app_options: Any
) -> AsyncIterator[httpx.AsyncClient]:
    """An httpx client speaking to `create_app(sophia)` in process (ASGI, no socket);
    `client` is the caller's address the app sees."""
    from sophia.api.rest_app import create_app

    transport = httpx.ASGITransport(app=create_app(sophia, **app_options), client=client)
    async with httpx.AsyncClient(transport=transport, base_url="http://sophia.test") as http:
        yield http


def assert_error(response: httpx.Response, status: int, code: str) -> dict[str, Any]:
    """The API's one error shape, with the response's request id inside; returns `error`."""
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == {"error"} and set(body["error"]) == {"code", "message", "request_id"}
    assert body["error"]["code"] == code
    assert body["error"]["request_id"] == response.headers["x-request-id"]
    error: dict[str, Any] = body["error"]
    return error


def metric(text: str, name: str, **labels: str) -> float:
    """One sample's value from Prometheus text (0 when absent)."""
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            if sample.name == name and all(sample.labels.get(k) == v for k, v in labels.items()):
                return float(sample.value)
    return 0.0
