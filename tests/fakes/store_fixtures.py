"""Stores for the store contract tests: LanceDB, Weaviate behind the fake, and a real
Weaviate when WEAVIATE_TEST_URL is set. Load with `pytest_plugins`."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import weaviate

from sophia.core.stores.base import IndexInfo, VectorStore
from sophia.core.stores.lance import LanceStore
from sophia.core.stores.weaviate import WeaviateStore
from tests.store_corpus import INFO, OpenStore, corpus

__all__ = ["open_store", "store"]

pytest_plugins = ["tests.fakes.weaviate_fixtures"]


@pytest.fixture(params=["lance", "weaviate-fake", "weaviate-real"])
async def open_store(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[OpenStore]:
    """Opens stores on one backing index: each call gives a new store object on the same data."""
    opened: list[VectorStore] = []
    if request.param == "lance":

        def make() -> VectorStore:
            return LanceStore(tmp_path / "index")

    else:
        if request.param == "weaviate-fake":
            fake = request.getfixturevalue("weaviate_server")
            url, grpc_port, name = fake.url, fake.grpc_port, "GongChunk"
        else:
            real = request.getfixturevalue("real_weaviate")
            url, grpc_port, name = real.url, real.grpc_port, real.collection

        def make() -> VectorStore:
            return WeaviateStore(url, grpc_port=grpc_port, collection=name)

    async def open_(info: IndexInfo = INFO, *, check: bool = True) -> VectorStore:
        store = make()
        opened.append(store)
        await store.ensure_index(info, check=check)
        return store

    yield open_
    for store in opened:
        await store.aclose()
    if request.param == "weaviate-real":
        await drop_collections(url, grpc_port, name)


async def drop_collections(url: str, grpc_port: int, name: str) -> None:
    """Remove a test's collections from a real Weaviate (the fake forgets them by itself)."""
    parts = urlsplit(url)
    secure, host = parts.scheme == "https", parts.hostname or "localhost"
    async with weaviate.use_async_with_custom(
        http_host=host,
        http_port=parts.port or (443 if secure else 80),
        http_secure=secure,
        grpc_host=host,
        grpc_port=grpc_port,
        grpc_secure=secure,
        skip_init_checks=True,
    ) as client:
        # The first data set, the record, and any set a reindex built (`name_g…`).
        names = [n for n in await client.collections.list_all(simple=True) if n.startswith(name)]
        await client.collections.delete(names)


@pytest.fixture
async def store(open_store: OpenStore) -> VectorStore:
    """A store holding the four-chunk corpus."""
    opened = await open_store()
    await opened.upsert(corpus())
    return opened
