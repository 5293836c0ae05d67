"""Online reindex on Weaviate: the new data set is built beside the live one and the index
record switches to it in one update, so searches keep answering meanwhile, and a reindex
killed at any point leaves the old set serving. `sophia reindex` runs as a real process
against the fake Weaviate, beside an API serving searches."""

from __future__ import annotations

import asyncio
import os
import random
import sys
from pathlib import Path
from typing import Any

import httpx
import pytest
import weaviate
from weaviate.classes.data import DataObject

from core.config import Settings
from core.stores.weaviate.schema import META_FIELDS, Collection
from tests.conftest import SAMPLES
from tests.fakes.sophia_api import api_client, make_settings, open_sophia
from tests.fakes.weaviate_server import FakeWeaviate

pytest_plugins = ["tests.fakes.weaviate_fixtures"]

SOPHIA = str(Path(sys.executable).with_name("sophia"))
QUERIES = [
    "pricing objections and the budget",
    "security review questionnaire",
    "renewal discount for next year",
    "onboarding timeline and training",
]
LIVE = "reindex: the rebuilt index is live"
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


def reindex_env(settings: Settings) -> dict[str, str]:
    return {
        **os.environ,
        "SOPHIA_DATA_DIR": str(settings.sophia_data_dir),
        "SOPHIA_EMBEDDER": "hashing",
        "RETENTION_DAYS": "0",
        "WEAVIATE_ENDPOINT": str(settings.weaviate_endpoint),
        "WEAVIATE_GRPC_PORT": str(settings.weaviate_grpc_port),
        # Two calls a batch: many steps at which to be killed, and a longer window to search in.
        "SYNC_BATCH_SIZE": "2",
    }


async def start_reindex(settings: Settings, log: Any) -> asyncio.subprocess.Process:
    return await asyncio.create_subprocess_exec(
        SOPHIA, "-v", "reindex", env=reindex_env(settings), stdout=log, stderr=log
    )


def live_set(server: FakeWeaviate) -> str:
    """The chunk collection the index record names."""
    [record] = server.collections()[META]
    return str(record["collection"])


async def search(http: httpx.AsyncClient, query: str) -> httpx.Response:
    return await http.post("/api/gong/search", json={"query": query, "limit": 5})


def call_ids(response: httpx.Response) -> list[str]:
    return [hit["call_id"] for hit in response.json()["hits"]]


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
    answers: list[tuple[int, int]] = []
    async with open_sophia(indexed) as sophia, api_client(sophia) as http:
        expected = {q: call_ids(await search(http, q)) for q in QUERIES}
        with (tmp_path / "reindex.log").open("wb") as log:
            process = await start_reindex(indexed, log)

            async def client(offset: int) -> None:
                done = 0
                # Until the reindex has ended, and at least once after the switch.
                while process.returncode is None or done < 1:
                    if process.returncode is not None:
                        done += 1
                    response = await search(http, QUERIES[(offset + len(answers)) % len(QUERIES)])
                    hits = call_ids(response) if response.status_code == 200 else []
                    answers.append((response.status_code, len(hits)))

            async with asyncio.timeout(120):
                await asyncio.gather(process.wait(), *(client(n) for n in range(8)))
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
            process = await asyncio.create_subprocess_exec(
                SOPHIA,
                "-v",
                "reindex",
                env=reindex_env(indexed),
                stdout=asyncio.subprocess.DEVNULL,
                stderr=asyncio.subprocess.PIPE,
            )
            assert process.stderr is not None
            stored = 0
            async with asyncio.timeout(60):
                while point == LIVE or stored < int(point):
                    line = (await process.stderr.readline()).decode()
                    assert line, f"the reindex ended before kill point {point}"
                    stored += "batch stored" in line
                    if point == LIVE and LIVE in line:
                        break
                process.kill()
                await process.wait()
                await process.stderr.read()
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
    weaviate_server: FakeWeaviate, tmp_path: Path
) -> None:
    # The record earlier versions wrote: no `collection` property, the data in N and NCall.
    settings = weaviate_settings(weaviate_server, tmp_path / "data")
    async with open_sophia(settings) as sophia:
        await sophia.ingest_folder(SAMPLES)
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
    try:
        fields = {k: v for k, v in META_FIELDS.items() if k != "collection"}
        meta = client.collections.use(META)
        [record] = (await meta.query.fetch_objects(limit=1, return_properties=list(fields))).objects
        properties = dict(record.properties)
        await client.collections.delete(META)
        older = Collection(META, fields, indexed=False)
        await client.collections.create(**older.create_arguments(128))
        await client.collections.use(META).data.insert_many(
            [DataObject(properties=properties, uuid=record.uuid)]
        )
    finally:
        await client.close()

    async with open_sophia(settings) as sophia, api_client(sophia) as http:
        assert call_ids(await search(http, QUERIES[0]))
        await sophia.reindex()
        assert call_ids(await search(http, QUERIES[0]))
        assert (await sophia.store.counts()).calls == 40
    now = live_set(weaviate_server)
    assert now.startswith("GongChunk_g")
    assert set(weaviate_server.collections()) == {now, f"{now}Call", META}
