"""Pytest fixtures around the fake Gong server; load with `pytest_plugins` in a test module."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any

import pytest

from core.gong.client import GongClient
from tests.fakes.gong_server import FakeGong

_PROXY_VARIABLES = (
    "HTTP_PROXY",
    "HTTPS_PROXY",
    "ALL_PROXY",
    "http_proxy",
    "https_proxy",
    "all_proxy",
)


MakeClient = Callable[..., GongClient]


class RecordedSleep:
    """An injectable sleep that records the waits asked for and returns at once."""

    def __init__(self) -> None:
        self.waits: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.waits.append(seconds)
        await asyncio.sleep(0)


@pytest.fixture
def gong_server(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeGong]:
    """A started fake Gong on loopback (pages of 2 records, so a few calls page), stopped after."""
    # httpx honours proxy variables; a proxy must never see loopback test traffic.
    for name in _PROXY_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    server = FakeGong(page_size=2).start()
    yield server
    server.stop()


@pytest.fixture
def gong_sleeps() -> RecordedSleep:
    """The retry sleep injected into `gong_client`."""
    return RecordedSleep()


@pytest.fixture
async def make_gong_client(
    gong_server: FakeGong, gong_sleeps: RecordedSleep
) -> AsyncIterator[MakeClient]:
    """Factory of clients of the fake: fast throttle and recorded retry sleeps unless overridden."""
    clients: list[GongClient] = []

    def make(**overrides: Any) -> GongClient:
        options: dict[str, Any] = {
            "base_url": gong_server.url,
            "access_key": gong_server.access_key,
            "access_secret": gong_server.access_secret,
            "rate_per_s": 1000.0,
            "sleep": gong_sleeps,
            **overrides,
        }
        clients.append(GongClient(**options))
        return clients[-1]

    yield make
    for client in clients:
        await client.aclose()


@pytest.fixture
def gong_client(make_gong_client: MakeClient) -> GongClient:
    """A real GongClient pointed at the fake, with recorded (instant) retry sleeps."""
    return make_gong_client()
