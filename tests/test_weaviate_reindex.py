"""Online reindex on Weaviate: the new data set is built beside the live one and the index
record switches to it in one update, so searches keep answering meanwhile, and a reindex
killed at any point leaves the old set serving. `sophia reindex` runs as a real process
against the fake Weaviate, beside an API serving searches."""

from __future__ import annotations

import random
from pathlib import Path

import pytest
import weaviate
from weaviate.classes.data import DataObject

from sophia.core.config import Settings
from sophia.core.stores.weaviate.schema import META_FIELDS, Collection
from tests.conftest import SAMPLES
from tests.fakes.sophia_api import api_client, make_settings, open_sophia
from tests.fakes.weaviate_server import FakeWeaviate
from tests.test_reindex import (
    LIVE,
    QUERIES,
    call_ids,
    kill_reindex_at,
    reindex_env,
    search,
    searches_until,
    start_reindex,
)

pytest_plugins = ["tests.fakes.weaviate_fixtures"]

META = "GongChunkMeta"


def weaviate_settings(server: FakeWeaviate, data_dir: Path) -> Settings:
    return make_settings(
        data_dir,
        cache_ttl_s=0,  # every search reaches the store
        weaviate_endpoint=server.url,
        weaviate_grpc_port=server.grpc_port,
    )


@pytest.fixture
async def indexed(weaviate_server: FakeWeaviate, tmp_path: Path) -> Settings:
    """samples/ indexed into the fake Weaviate (hashing embedder)."""
    settings = weaviate_settings(weaviate_server, tmp_path / "data")
    async with open_sophia(settings) as sophia:
        assert (await sophia.ingest_folder(SAMPLES)).indexed == 40
    return settings


def weaviate_env(settings: Settings) -> dict[str, str]:
    """`sophia reindex`'s environment for the index in `settings`."""
    return reindex_env(
        settings.sophia_data_dir,
        WEAVIATE_ENDPOINT=str(settings.weaviate_endpoint),
        WEAVIATE_GRPC_PORT=str(settings.weaviate_grpc_port),
    )


def live_set(server: FakeWeaviate) -> str:
    """The chunk collection the index record names."""
    [record] = server.collections()[META]
    return str(record["collection"])


def forget_reads_of_dropped_sets(server: FakeWeaviate, dropped: set[str]) -> None:
    """A search that was reading the set a reindex just dropped is refused (as by Weaviate)
    and read again from the new one: those refusals, and only those, are expected."""
    unexpected = [r for r in server.rejected if not any(f"'{n}' not found" in r for n in dropped)]
    assert unexpected == []
    server.rejected.clear()


async def test_searches_never_come_back_empty_or_failed_while_another_process_reindexes(
    weaviate_server: FakeWeaviate, indexed: Settings, tmp_path: Path
) -> None:
    before = live_set(weaviate_server)
    async with open_sophia(indexed) as sophia, api_client(sophia) as http:
        expected = {q: call_ids(await search(http, q)) for q in QUERIES}
        with (tmp_path / "reindex.log").open("wb") as log:
            process = await start_reindex(weaviate_env(indexed), log)
            answers = await searches_until(process, http)
        after = {q: call_ids(await search(http, q)) for q in QUERIES}
        counts = await sophia.store.counts()

    assert process.returncode == 0, (tmp_path / "reindex.log").read_text()
    now = live_set(weaviate_server)
    assert now != before, "the reindex switched to a new data set"
    assert [a for a in answers if a[0] != 200 or a[1] == 0] == [], "no failed or empty answer"
    assert len(answers) > 16
    assert after == expected, "the same data, rebuilt, ranks the same"
    assert counts.calls == 40
    assert set(weaviate_server.collections()) == {now, f"{now}Call", META}, "the old set is gone"
    forget_reads_of_dropped_sets(weaviate_server, {before, f"{before}Call"})


async def test_a_reindex_killed_at_any_point_leaves_the_old_set_serving(
    weaviate_server: FakeWeaviate, indexed: Settings
) -> None:
    before = live_set(weaviate_server)
    # Kill points: at start, after a few random stored batches, and after the switch.
    kill_after: list[int | str] = [0, *sorted(random.Random(13).sample(range(1, 20), 2)), LIVE]
    async with open_sophia(indexed) as sophia, api_client(sophia) as http:
        expected = {q: call_ids(await search(http, q)) for q in QUERIES}
        for point in kill_after:
            await kill_reindex_at(weaviate_env(indexed), point)
            assert (live_set(weaviate_server) != before) == (point == LIVE), point
            answers = {q: await search(http, q) for q in QUERIES}
            assert all(r.status_code == 200 for r in answers.values()), point
            assert {q: call_ids(r) for q, r in answers.items()} == expected, point
            assert (await sophia.store.counts()).calls == 40, point
        # What the killed runs left behind goes with the next finished run.
        await sophia.reindex()
        now = live_set(weaviate_server)
    assert set(weaviate_server.collections()) == {now, f"{now}Call", META}
    forget_reads_of_dropped_sets(weaviate_server, {before, f"{before}Call"})


async def test_an_index_from_before_data_sets_serves_and_moves_on_at_reindex(
    weaviate_server: FakeWeaviate, raw_client: weaviate.WeaviateAsyncClient, tmp_path: Path
) -> None:
    # The record earlier versions wrote: no `collection` property, the data in N and NCall.
    settings = weaviate_settings(weaviate_server, tmp_path / "data")
    async with open_sophia(settings) as sophia:
        await sophia.ingest_folder(SAMPLES)
    fields = {k: v for k, v in META_FIELDS.items() if k != "collection"}
    meta = raw_client.collections.use(META)
    [record] = (await meta.query.fetch_objects(limit=1, return_properties=list(fields))).objects
    properties = dict(record.properties)
    await raw_client.collections.delete(META)
    older = Collection(META, fields, indexed=False)
    await raw_client.collections.create(**older.create_arguments(128))
    await raw_client.collections.use(META).data.insert_many(
        [DataObject(properties=properties, uuid=record.uuid)]
    )

    async with open_sophia(settings) as sophia, api_client(sophia) as http:
        assert call_ids(await search(http, QUERIES[0]))
        await sophia.reindex()
        assert call_ids(await search(http, QUERIES[0]))
        assert (await sophia.store.counts()).calls == 40
    now = live_set(weaviate_server)
    assert now.startswith("GongChunk_g")
    assert set(weaviate_server.collections()) == {now, f"{now}Call", META}
