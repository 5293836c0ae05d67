"""What every fake server's fixtures share: no proxy between a client and loopback, and a
retry sleep that records its waits instead of waiting."""

from __future__ import annotations

import asyncio

import pytest

__all__ = ["RecordedSleep", "clear_proxies"]

# httpx, aiohttp and grpc honour these; a proxy must never see loopback test traffic.
PROXY_VARIABLES = (
    "HTTP_PROXY",
    "HTTPS_PROXY",
    "ALL_PROXY",
    "http_proxy",
    "https_proxy",
    "all_proxy",
    "GRPC_PROXY",
    "grpc_proxy",
)


def clear_proxies(monkeypatch: pytest.MonkeyPatch, *also: str) -> None:
    """Unset the proxy variables (and `also`) for this test."""
    for name in (*PROXY_VARIABLES, *also):
        monkeypatch.delenv(name, raising=False)


class RecordedSleep:
    """An injectable sleep that records the waits asked for and returns at once."""

    def __init__(self) -> None:
        self.waits: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.waits.append(seconds)
        await asyncio.sleep(0)
