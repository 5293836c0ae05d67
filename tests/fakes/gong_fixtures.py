"""Pytest fixtures around the fake Gong server; load with `pytest_plugins` in a test module."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterator

import pytest

from sophia.core.gong.client import GongClient
from tests.fakes.gong_server import FakeGong
from tests.fakes.loopback import RecordedSleep, closed_after, serving

MakeClient = Callable[..., GongClient]


@pytest.fixture
def gong_server(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeGong]:
    """A started fake Gong on loopback (pages of 2 records, so a few calls page), stopped after."""
    yield from serving(FakeGong(page_size=2), monkeypatch)


@pytest.fixture
def gong_sleeps() -> RecordedSleep:
    """The retry sleep injected into `gong_client`."""
    return RecordedSleep()


@pytest.fixture
async def make_gong_client(
    gong_server: FakeGong, gong_sleeps: RecordedSleep
) -> AsyncIterator[MakeClient]:
    """Factory of clients of the fake: fast throttle and recorded retry sleeps unless overridden."""
    async with closed_after(
        GongClient,
        base_url=gong_server.url,
        access_key=gong_server.access_key,
        access_secret=gong_server.access_secret,
        rate_per_s=1000.0,
        sleep=gong_sleeps,
    ) as make:
        yield make


@pytest.fixture
def gong_client(make_gong_client: MakeClient) -> GongClient:
    """A real GongClient pointed at the fake, with recorded (instant) retry sleeps."""
    return make_gong_client()
