"""What only the Weaviate store has: configuration, connection and schema errors, the API key,
and a fake that refuses what Weaviate refuses. The behaviour both stores share is in
test_store_contract.py."""

from __future__ import annotations

import logging
import socket
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import weaviate
from weaviate.classes.config import Configure, DataType, Property
from weaviate.classes.data import DataObject
from weaviate.classes.query import Filter
from weaviate.collections import CollectionAsync
from weaviate.exceptions import WeaviateBaseError

from sophia.core.backends import build_store
from sophia.core.config import Settings, load_settings
from sophia.core.errors import ConfigError, IndexMismatch, StoreError
from sophia.core.query import NO_FILTERS, SearchMode, build_request
from sophia.core.services import Sophia
from sophia.core.stores.base import IndexCounts, IndexInfo, StoreQuery
from sophia.core.stores.weaviate import WeaviateStore
from tests.conftest import SAMPLES
from tests.fakes.weaviate_server import FakeWeaviate

pytest_plugins = ["tests.fakes.weaviate_fixtures"]

INFO = IndexInfo("test:unit-4", 4)


def store_of(server: FakeWeaviate, **options: Any) -> WeaviateStore:
    return WeaviateStore(server.url, grpc_port=server.grpc_port, **options)


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


# --- configuration -----------------------------------------------------------------------------


async def test_the_weaviate_settings_pick_and_place_the_store(
    weaviate_server: FakeWeaviate, raw_client: weaviate.WeaviateAsyncClient, tmp_path: Path
) -> None:
    settings = Settings(
        _env_file=None,
        sophia_data_dir=tmp_path,
        weaviate_endpoint=weaviate_server.url,
        weaviate_grpc_host="127.0.0.1",
        weaviate_grpc_port=weaviate_server.grpc_port,
        weaviate_collection="SalesChunk",
    )
    store = build_store(settings)
    assert isinstance(store, WeaviateStore)
    await store.ensure_index(INFO)
    await store.aclose()
    for name in ("SalesChunk", "SalesChunkCall", "SalesChunkMeta"):
        assert await raw_client.collections.exists(name)
    # Another loopback address, where nothing listens: the gRPC host is the one configured.
    elsewhere = build_store(settings.model_copy(update={"weaviate_grpc_host": "127.0.0.2"}))
    with pytest.raises(StoreError, match=r"gRPC 127\.0\.0\.2:"):
        await elsewhere.ensure_index(INFO)


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"weaviate_endpoint": "weaviate:8080"}, "WEAVIATE_ENDPOINT"),
        ({"weaviate_collection": "gong chunks"}, "WEAVIATE_COLLECTION"),
        ({"weaviate_ef_construction": 0}, "WEAVIATE_EF_CONSTRUCTION"),
    ],
)
def test_bad_weaviate_settings_are_named(overrides: dict[str, Any], message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        load_settings(_env_file=None, **overrides)


@pytest.mark.parametrize(
    ("endpoint", "grpc_host"),
    [("http://weaviate:8080/v1", None), ("http://weaviate:8080", "grpc://weaviate:50051")],
)
def test_endpoint_and_grpc_host_must_be_plain(endpoint: str, grpc_host: str | None) -> None:
    with pytest.raises(ConfigError, match="WEAVIATE_"):
        WeaviateStore(endpoint, grpc_host=grpc_host)


# --- connection ------------------------------------------------------------------------------


async def test_an_unreachable_endpoint_is_one_clear_error() -> None:
    store = WeaviateStore(f"http://127.0.0.1:{closed_port()}")
    with pytest.raises(StoreError, match=r"Cannot reach Weaviate at http://127\.0\.0\.1"):
        await store.ensure_index(INFO)


async def test_a_wrong_grpc_port_fails_fast_and_names_the_setting(
    weaviate_server: FakeWeaviate,
) -> None:
    store = WeaviateStore(weaviate_server.url, grpc_port=closed_port())
    started = time.monotonic()
    with pytest.raises(StoreError, match="WEAVIATE_GRPC_PORT"):
        await store.ensure_index(INFO)
    assert time.monotonic() - started < 10, "no minute of gRPC retries at start-up"


async def test_a_weaviate_that_stops_answering_fails_a_search_within_its_deadline(
    weaviate_server: FakeWeaviate,
) -> None:
    store = store_of(weaviate_server, search_deadline_s=0.5)
    await store.ensure_index(INFO)
    try:
        weaviate_server.stop()  # the client alone would retry for about a minute
        started = time.monotonic()
        with pytest.raises(StoreError, match=r"did not answer a search within 0\.5 s"):
            await store.search(StoreQuery(SearchMode.KEYWORD, "pricing", None, 0.5, 3, NO_FILTERS))
        assert time.monotonic() - started < 5
    finally:
        await store.aclose()


async def test_the_api_key_is_sent_and_never_shown(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("GRPC_PROXY", "grpc_proxy", "HTTP_PROXY", "http_proxy", "ALL_PROXY", "all_proxy"):
        monkeypatch.delenv(name, raising=False)
    server = FakeWeaviate(api_key="right-key-0123").start()
    try:
        good = store_of(server, api_key="right-key-0123")
        await good.ensure_index(INFO)
        assert await good.counts() == IndexCounts(0, 0)
        await good.aclose()
        with pytest.raises(StoreError, match="WEAVIATE_API_KEY") as refused:
            await store_of(server, api_key="wrong-key-4567").ensure_index(INFO)
        assert "wrong-key-4567" not in str(refused.value)
        assert server.rejected and all("unauthorized" in r for r in server.rejected)
    finally:
        server.stop()


# --- schema ----------------------------------------------------------------------------------


async def test_a_collection_of_another_shape_names_reindex(
    weaviate_server: FakeWeaviate, raw_client: weaviate.WeaviateAsyncClient
) -> None:
    store = store_of(weaviate_server)
    await store.ensure_index(INFO)
    await store.aclose()
    # Someone rebuilt the chunk collection by hand, with call_id as a number.
    await raw_client.collections.delete("GongChunk")
    await raw_client.collections.create(
        "GongChunk",
        properties=[Property(name="call_id", data_type=DataType.INT)],
        vector_config=Configure.Vectors.self_provided(name="default"),
    )
    reopened = store_of(weaviate_server)
    with pytest.raises(IndexMismatch, match=r"GongChunk .*call_id.*sophia reindex"):
        await reopened.ensure_index(INFO)
    await reopened.aclose()


async def test_data_without_an_index_record_is_not_adopted(
    weaviate_server: FakeWeaviate, raw_client: weaviate.WeaviateAsyncClient
) -> None:
    foreign = await raw_client.collections.create(
        "GongChunk",
        properties=[Property(name="text", data_type=DataType.TEXT)],
        vector_config=Configure.Vectors.self_provided(name="default"),
    )
    await foreign.data.insert_many(
        [DataObject(properties={"text": "hi"}, vector={"default": [1.0, 0.0]})]
    )
    store = store_of(weaviate_server)
    with pytest.raises(IndexMismatch, match=r"holds 1 objects but no index record.*sophia reindex"):
        await store.ensure_index(INFO)
    await store.aclose()


async def test_a_new_index_gets_three_collections_with_the_configured_hnsw(
    weaviate_server: FakeWeaviate,
    raw_client: weaviate.WeaviateAsyncClient,
    caplog: pytest.LogCaptureFixture,
) -> None:
    store = store_of(weaviate_server, ef_construction=96)
    await store.ensure_index(INFO)
    await store.aclose()
    config = await raw_client.collections.use("GongChunk").config.get(simple=True)
    index = config.vector_config["default"].vector_index_config
    assert index.ef_construction == 96 and index.distance_metric.value == "cosine"
    searchable = {p.name for p in config.properties if p.index_searchable}
    assert searchable == {"text"}, "BM25 reads the chunk text only"
    for name in ("GongChunkCall", "GongChunkMeta"):
        assert await raw_client.collections.exists(name)
    # Another efConstruction later is applied by a reindex, not an error.
    reopened = store_of(weaviate_server)
    with caplog.at_level(logging.WARNING, logger="sophia.stores.weaviate"):
        await reopened.ensure_index(INFO)
    await reopened.aclose()
    assert "efConstruction 96; WEAVIATE_EF_CONSTRUCTION=128 applies after" in caplog.text


# --- the fake refuses what Weaviate refuses ------------------------------------------------------

Probe = Callable[[Any], Any]


async def one_chunk_index(
    server: FakeWeaviate, raw_client: weaviate.WeaviateAsyncClient
) -> CollectionAsync[Any, Any]:
    """The chunk collection the store makes, holding one well-formed object, as the plain
    client sees it."""
    store = store_of(server)
    await store.ensure_index(INFO)
    await store.aclose()
    chunks = raw_client.collections.use("GongChunk")
    await chunks.data.insert_many(
        [DataObject(properties={"call_id": "0"}, vector={"default": [0.0, 1.0, 0, 0]})]
    )
    return chunks


def refused_once(server: FakeWeaviate, reason: str) -> None:
    """The fake refused exactly one request, for `reason`; cleared, as the test expected it."""
    assert len(server.rejected) == 1 and reason in server.rejected[0]
    server.rejected.clear()


@pytest.mark.parametrize(
    ("probe", "reason"),
    [
        (
            lambda c: c.query.fetch_objects(filters=Filter.by_property("nope").equal("x")),
            "no such prop",
        ),
        (
            lambda c: c.query.fetch_objects(filters=Filter.by_property("lines").equal("x")),
            "not indexed as filterable",
        ),
        (
            lambda c: c.query.fetch_objects(filters=Filter.by_property("call_id").equal(7)),
            "carries a value_int",
        ),
        (
            lambda c: c.query.fetch_objects(filters=Filter.by_property("started_ms").equal("soon")),
            "carries a value_text",
        ),
        (
            lambda c: c.query.near_vector([1.0, 0.0], target_vector="default"),
            "vector lengths don't match",
        ),
        (lambda c: c.query.bm25("pricing", query_properties=["title"]), "not searchable"),
        (
            lambda c: c.query.fetch_objects(
                after="6f1c2a4e-4b7d-5c8e-9a3f-2d1e0b9c8a7f",
                filters=Filter.by_property("call_id").equal("1"),
            ),
            "cannot be set with after",
        ),
    ],
)
async def test_the_fake_refuses_malformed_queries(
    weaviate_server: FakeWeaviate,
    raw_client: weaviate.WeaviateAsyncClient,
    probe: Probe,
    reason: str,
) -> None:
    chunks = await one_chunk_index(weaviate_server, raw_client)
    with pytest.raises(WeaviateBaseError):
        await probe(chunks)
    refused_once(weaviate_server, reason)


@pytest.mark.parametrize(
    ("obj", "reason"),
    [
        (DataObject(properties={"call_id": "1"}), "has no vector 'default'"),
        (
            DataObject(properties={"call_id": "1"}, vector={"default": [1.0, 0.0]}),
            "vector lengths don't match",
        ),
        (
            DataObject(properties={"call_id": 1}, vector={"default": [1.0, 0, 0, 0]}),
            "is text; got a number_value",
        ),
        (
            DataObject(properties={"speaker": "x"}, vector={"default": [1.0, 0, 0, 0]}),
            "no such prop",
        ),
    ],
)
async def test_the_fake_refuses_malformed_objects(
    weaviate_server: FakeWeaviate,
    raw_client: weaviate.WeaviateAsyncClient,
    obj: DataObject[Any, Any],
    reason: str,
) -> None:
    chunks = await one_chunk_index(weaviate_server, raw_client)
    with pytest.raises(WeaviateBaseError):  # all of a batch refused raises
        await chunks.data.insert_many([obj])
    refused_once(weaviate_server, reason)


# --- end to end ------------------------------------------------------------------------------


async def test_sophia_ingests_and_searches_the_samples_through_weaviate(
    weaviate_server: FakeWeaviate, settings: Settings, tmp_path: Path
) -> None:
    """The same corpus through LanceDB and through Weaviate: same chunks, same semantic hits."""
    on_weaviate = settings.model_copy(
        update={
            "weaviate_endpoint": weaviate_server.url,
            "weaviate_grpc_port": weaviate_server.grpc_port,
            "sophia_data_dir": tmp_path / "weaviate-state",
        }
    )
    results = []
    for configured in (settings, on_weaviate):
        app = await Sophia.open(configured)
        try:
            summary = await app.ingest_folder(SAMPLES)
            assert summary.indexed > 30
            again = await app.ingest_folder(SAMPLES)
            assert again.indexed == 0 and again.embedded == 0
            request = build_request(
                query="pricing is too high for our budget",
                mode=SearchMode.SEMANTIC,
                limit=8,
                filters={"account": "moss & co", "side": "external"},
            )
            hits = (await app.search.search(request)).hits
            assert hits and all(h.account == "Moss & Co" for h in hits)
            results.append(
                (await app.store.counts(), [(h.chunk_id, round(h.score, 4)) for h in hits])
            )
        finally:
            app.close()
            await app.store.aclose()
    assert results[0] == results[1]
