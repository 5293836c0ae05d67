"""Online reindex: the new index is built beside the live one and switched in one step, so
searches keep answering meanwhile, and a reindex killed at any point leaves the old index
serving. `sophia reindex` runs as a real process here, beside an API serving searches."""

from __future__ import annotations

import asyncio
import os
import random
import shutil
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import lancedb
import numpy as np

from sophia.core.stores.base import IndexedCall, IndexInfo
from sophia.core.stores.generations import Generations
from sophia.core.stores.lance import LanceStore
from tests.fakes.sophia_api import api_client, make_settings, open_sophia

pytest_plugins = ["tests.fakes.api_fixtures"]

SOPHIA = str(Path(sys.executable).with_name("sophia"))
QUERIES = [
    "pricing objections and the budget",
    "security review questionnaire",
    "renewal discount for next year",
    "onboarding timeline and training",
]
LIVE = "reindex: the rebuilt index is live"


def reindex_env(data_dir: Path, **more: str) -> dict[str, str]:
    return {
        **os.environ,
        "SOPHIA_DATA_DIR": str(data_dir),
        "SOPHIA_EMBEDDER": "hashing",
        "RETENTION_DAYS": "0",
        # Two calls a batch: many steps at which to be killed, and a longer window to search in.
        "SYNC_BATCH_SIZE": "2",
        **more,
    }


async def start_reindex(env: dict[str, str], log: Any) -> asyncio.subprocess.Process:
    return await asyncio.create_subprocess_exec(
        SOPHIA, "-v", "reindex", env=env, stdout=log, stderr=log
    )


async def kill_reindex_at(env: dict[str, str], point: int | str) -> None:
    """Run `sophia reindex` and kill it after `point` stored batches, or (`LIVE`) right
    after it switched."""
    process = await asyncio.create_subprocess_exec(
        SOPHIA,
        "-v",
        "reindex",
        env=env,
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


async def search(http: httpx.AsyncClient, query: str) -> httpx.Response:
    return await http.post("/api/gong/search", json={"query": query, "limit": 5})


def call_ids(response: httpx.Response) -> list[str]:
    return [hit["call_id"] for hit in response.json()["hits"]]


async def searches_until(
    process: asyncio.subprocess.Process,
    http: httpx.AsyncClient,
    serving: Callable[[], str] = str,
    clients: int = 8,
) -> list[tuple[int, int, str]]:
    """What `clients` concurrent searchers were answered until `process` ended, and at least
    once after: (status, number of hits, what `serving()` said at the time)."""
    answers: list[tuple[int, int, str]] = []

    async def client(offset: int) -> None:
        done = 0
        while process.returncode is None or done < 1:
            if process.returncode is not None:
                done += 1
            response = await search(http, QUERIES[(offset + len(answers)) % len(QUERIES)])
            hits = call_ids(response) if response.status_code == 200 else []
            answers.append((response.status_code, len(hits), serving()))

    async with asyncio.timeout(120):
        await asyncio.gather(process.wait(), *(client(n) for n in range(clients)))
    return answers


async def test_searches_never_come_back_empty_or_failed_while_another_process_reindexes(
    api_data_dir: Path, tmp_path: Path
) -> None:
    pointer = api_data_dir / "index" / "CURRENT"
    before = pointer.read_text()
    settings = make_settings(api_data_dir, cache_ttl_s=0)  # every search reaches the index
    async with open_sophia(settings) as sophia, api_client(sophia) as http:
        expected = {q: call_ids(await search(http, q)) for q in QUERIES}
        with (tmp_path / "reindex.log").open("wb") as log:
            process = await start_reindex(reindex_env(api_data_dir), log)
            answers = await searches_until(process, http, pointer.read_text)
        after = {q: call_ids(await search(http, q)) for q in QUERIES}
        counts = await sophia.store.counts()

    assert process.returncode == 0, (tmp_path / "reindex.log").read_text()
    assert pointer.read_text() != before, "the reindex switched to a new generation"
    assert [a for a in answers if a[0] != 200 or a[1] == 0] == [], "no failed or empty answer"
    served_from = {generation for _, _, generation in answers}
    assert served_from == {before, pointer.read_text()}, "searches ran before and after the switch"
    assert after == expected, "the same data, rebuilt, ranks the same"
    assert counts.calls == 40
    assert len(list((api_data_dir / "index").glob("gen-*"))) == 1, "the old generation is gone"


async def test_a_reindex_killed_at_any_point_leaves_the_old_index_serving(
    api_data_dir: Path, tmp_path: Path
) -> None:
    settings = make_settings(api_data_dir, cache_ttl_s=0)
    pointer = api_data_dir / "index" / "CURRENT"
    before = pointer.read_text()
    # Kill points: at start, after a few random stored batches, and after the switch.
    kill_after = [0, *sorted(random.Random(13).sample(range(1, 20), 2)), LIVE]
    async with open_sophia(settings) as sophia, api_client(sophia) as http:
        expected = {q: call_ids(await search(http, q)) for q in QUERIES}
        for point in kill_after:
            await kill_reindex_at(reindex_env(api_data_dir), point)
            switched = pointer.read_text() != before
            assert switched == (point == LIVE), point
            answers = {q: await search(http, q) for q in QUERIES}
            assert all(r.status_code == 200 for r in answers.values()), point
            assert {q: call_ids(r) for q, r in answers.items()} == expected, point
            assert (await sophia.store.counts()).calls == 40, point
        # What the killed runs left behind goes with the next finished run.
        await sophia.reindex()
    assert len(list((api_data_dir / "index").glob("gen-*"))) == 1


async def test_an_old_generation_stays_while_a_reader_holds_it_and_goes_after(
    api_data_dir: Path,
) -> None:
    index = api_data_dir / "index"
    generations = Generations(index)
    old = generations.live()
    assert old is not None
    store = LanceStore(index, retire_wait_s=0.1)
    await store.ensure_index(IndexInfo("hashing:v1-256", 256))
    calls = await store.list_calls()
    # Another process mid-query on the live generation: its lease is a shared flock.
    held = generations.hold(old)
    staged = await store.rebuild(IndexInfo("hashing:v1-256", 256))
    await staged.upsert([IndexedCall(c, "h", [], np.zeros((0, 256), np.float32)) for c in calls])
    await store.promote(staged)
    assert (index / old).is_dir(), "removed from under a reader"
    assert (await store.counts()).calls == 40, "reads go to the new generation"
    Generations.release(held)
    await store.optimize()  # after every ingest run and purge
    assert not (index / old).exists()


async def test_an_index_from_before_generations_serves_and_moves_on_at_reindex(
    api_data_dir: Path,
) -> None:
    # The layout earlier versions wrote: the tables and index.json in the index directory.
    index = api_data_dir / "index"
    [generation] = list(index.glob("gen-*"))
    for item in generation.iterdir():
        if item.name != ".lease":
            shutil.move(str(item), str(index / item.name))
    shutil.rmtree(generation)
    (index / "CURRENT").unlink()
    store = LanceStore(index)
    assert (await store.counts()).calls == 40
    async with open_sophia(make_settings(api_data_dir)) as sophia, api_client(sophia) as http:
        assert call_ids(await search(http, QUERIES[0]))
        await sophia.reindex()
        found = await search(http, QUERIES[0])
    assert call_ids(found)
    assert not list(index.glob("*.lance")) and not (index / "index.json").exists()
    assert len(list(index.glob("gen-*"))) == 1
    assert (await store.counts()).calls == 40, "an open store follows the switch"


async def test_a_stored_call_this_version_cannot_read_is_quarantined_and_the_rest_rebuilt(
    api_data_dir: Path,
) -> None:
    index = api_data_dir / "index"
    live = Generations(index).live()
    assert live is not None
    calls = lancedb.connect(index / live).open_table("calls")
    [victim] = calls.search().select(["call_id"]).limit(1).to_list()
    # As an older or newer version might have written it: details this one cannot read.
    calls.update(where=f"call_id = '{victim['call_id']}'", values={"details": '{"title": 1}'})
    async with open_sophia(make_settings(api_data_dir)) as sophia:
        summary = await sophia.reindex()
        [entry] = sophia.state.quarantined()
        counts = await sophia.store.counts()
    assert summary.indexed == 39 and len(summary.quarantined) == 1
    assert (entry.record_id, entry.source, entry.stage) == (victim["call_id"], "reindex", "parse")
    assert entry.payload is not None, "kept (redacted) for `sophia quarantine --retry`"
    assert counts.calls == 39
