"""Pytest fixtures around the fake Weaviate; load with `pytest_plugins` in a test module."""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass

import pytest
import weaviate

from tests.fakes.loopback import clear_proxies, serving
from tests.fakes.weaviate_server import FakeWeaviate


@pytest.fixture
def weaviate_server(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeWeaviate]:
    """A started fake Weaviate on loopback; a test fails if it refused a request unasked.

    A test that provokes a refusal on purpose checks `weaviate_server.rejected` and clears it.
    """
    server = yield from serving(FakeWeaviate(), monkeypatch)
    assert server.rejected == [], f"the fake Weaviate refused requests: {server.rejected}"


@pytest.fixture
async def raw_client(weaviate_server: FakeWeaviate) -> AsyncIterator[weaviate.WeaviateAsyncClient]:
    """The plain weaviate-client, connected to the fake: for what Sophia's store never does."""
    client = weaviate.use_async_with_custom(
        http_host="127.0.0.1",
        http_port=int(weaviate_server.url.rsplit(":", 1)[1]),
        http_secure=False,
        grpc_host="127.0.0.1",
        grpc_port=weaviate_server.grpc_port,
        grpc_secure=False,
        skip_init_checks=True,
    )
    await client.connect()
    yield client
    await client.close()


@dataclass(frozen=True)
class RealWeaviate:
    """Where the real Weaviate of WEAVIATE_TEST_URL listens, and a collection name of its own."""

    url: str
    grpc_port: int
    collection: str


@pytest.fixture
def real_weaviate(monkeypatch: pytest.MonkeyPatch) -> RealWeaviate:
    """The Weaviate in WEAVIATE_TEST_URL (gRPC port WEAVIATE_TEST_GRPC_PORT, default 50051)
    with a fresh collection name; skips when WEAVIATE_TEST_URL is unset. The test drops its
    collections (`name`, `nameCall`, `nameMeta`) itself.

    docs/backends.md ("Testing the Weaviate store") shows how to start one with docker compose.
    """
    url = os.environ.get("WEAVIATE_TEST_URL")
    if not url:
        pytest.skip("WEAVIATE_TEST_URL is not set (no real Weaviate to test against)")
    clear_proxies(monkeypatch)
    return RealWeaviate(
        url,
        int(os.environ.get("WEAVIATE_TEST_GRPC_PORT", "50051")),
        f"SophiaTest{uuid.uuid4().hex[:12]}",
    )
