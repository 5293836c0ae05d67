"""A call's new chunks and its new call row become visible together (LanceDB): readers see
both tables at versions the writer published after both commits, and one answer's reads
all see one published state (`pinned`)."""

from __future__ import annotations

import asyncio
import json
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import lancedb
import numpy as np

from sophia.core.cache import MemoryCache
from sophia.core.chunking import Chunk, ChunkLine, chunk_id
from sophia.core.models import Affiliation, Call, CallDetails, Monologue, Sentence
from sophia.core.query import NO_FILTERS, SearchMode, build_request
from sophia.core.search import SearchService
from sophia.core.stores.base import IndexedCall, IndexInfo, StoreQuery
from sophia.core.stores.generations import Generations
from sophia.core.stores.lance import LanceStore
from sophia.core.stores.lance_visible import WRITING, Versions, writing

INFO = IndexInfo("test:unit-4", 4)
CALL = "7100000000000000001"
QUERY = StoreQuery(SearchMode.HYBRID, "pricing", np.ones(4, np.float32), 0.5, 10, NO_FILTERS)


def titled(title: str) -> IndexedCall:
    details = CallDetails(
        call_id=CALL, title=title, url="u", started=datetime(2026, 10, 5, tzinfo=UTC)
    )
    sentence = Sentence(start_ms=0, end_ms=10, text="pricing is too high")
    line = ChunkLine("Dana", Affiliation.INTERNAL, 0, 10, "pricing is too high")
    return IndexedCall(
        Call(details=details, monologues=(Monologue(speaker_id="1", sentences=(sentence,)),)),
        f"hash-{title}",
        [Chunk(chunk_id(CALL, 0), CALL, 0, (line,))],
        np.ones((1, 4), np.float32),
    )


async def titles(store: LanceStore) -> tuple[set[str], str | None]:
    """The titles a search shows for the call, and the title of its stored call row."""
    hits = await store.search(QUERY)
    call = await store.get_call(CALL)
    return {h.title for h in hits}, None if call is None else call.details.title


async def reader_and_writer(index: Path, title: str) -> tuple[LanceStore, LanceStore]:
    """Two stores on one index, as a bot and a sync process open it, the call written."""
    reader, writer = LanceStore(index), LanceStore(index)
    await reader.ensure_index(INFO)
    await writer.ensure_index(INFO)
    await writer.upsert([titled(title)])
    return reader, writer


def tables(index: Path) -> tuple[Path, Any, Any]:
    """The live generation's directory and its two tables, as another process opens them."""
    live = Generations(index).live()
    assert live is not None
    db = lancedb.connect(index / live)
    return index / live, db.open_table("chunks"), db.open_table("calls")


async def test_an_answer_started_between_a_writes_two_commits_sees_neither(
    tmp_path: Path,
) -> None:
    store = LanceStore(tmp_path / "index")
    await store.ensure_index(INFO)
    await store.upsert([titled("Renewal")])
    path, chunks, calls = tables(tmp_path / "index")
    # A writer (as `LanceStore.upsert` in a sync process) has made its first commit, the
    # call's new chunks, and not yet its second, the call row.
    with writing(path, Versions(chunks.version, calls.version)):
        chunks.update(where=f"call_id = '{CALL}'", values={"title": "Renewal (renamed)"})
        async with store.pinned():
            assert await titles(store) == ({"Renewal"}, "Renewal"), "the state before it"
        [row] = calls.search().where(f"call_id = '{CALL}'").select(["details"]).to_list()
        details = {**json.loads(row["details"]), "title": "Renewal (renamed)"}
        calls.update(where=f"call_id = '{CALL}'", values={"details": json.dumps(details)})
    async with store.pinned():
        assert await titles(store) == ({"Renewal (renamed)"}, "Renewal (renamed)")


async def test_a_writer_that_died_between_its_commits_holds_no_reader_back(
    tmp_path: Path,
) -> None:
    store = LanceStore(tmp_path / "index")
    await store.ensure_index(INFO)
    await store.upsert([titled("Renewal")])
    path, chunks, _ = tables(tmp_path / "index")
    process = await asyncio.create_subprocess_exec(sys.executable, "-c", "pass")
    await process.wait()  # a writer process, gone
    (path / WRITING).write_text(
        json.dumps({"sequence": 1, "chunks": 1, "calls": 1, "pid": process.pid})
    )
    chunks.update(where=f"call_id = '{CALL}'", values={"title": "Renewal (renamed)"})
    # Its call is redone by the next run (the row kept the old content hash); meanwhile
    # readers see what was committed.
    assert {h.title for h in await store.search(QUERY)} == {"Renewal (renamed)"}
    assert await store.content_hashes([CALL]) == {CALL: "hash-Renewal"}


async def test_pinned_answers_never_see_a_call_under_two_titles_while_it_is_renamed(
    tmp_path: Path,
) -> None:
    reader, writer = await reader_and_writer(tmp_path / "index", "Renewal 0")
    done = asyncio.Event()

    async def rename() -> None:
        for n in range(1, 41):
            await writer.upsert([titled(f"Renewal {n}")])
        done.set()

    seen: list[tuple[set[str], str | None]] = []
    renaming = asyncio.create_task(rename())
    while not done.is_set():
        async with reader.pinned():
            seen.append(await titles(reader))
    await renaming
    assert len(seen) > 5
    assert [s for s in seen if s[0] != {s[1]}] == [], "one title per answer"
    assert len({s[1] for s in seen}) > 2, "answers saw several renames"


async def test_one_answer_reads_one_state_while_a_whole_write_lands_in_the_middle(
    tmp_path: Path,
) -> None:
    reader, writer = await reader_and_writer(tmp_path / "index", "Renewal")
    async with reader.pinned():
        assert await titles(reader) == ({"Renewal"}, "Renewal")
        await writer.upsert([titled("Renewal (renamed)")])
        # Reads of the answer in tasks it starts see the same state.
        seen = await asyncio.gather(titles(reader), titles(reader))
        assert seen == [({"Renewal"}, "Renewal")] * 2
        generation = await reader.generation()
    assert await titles(reader) == ({"Renewal (renamed)"}, "Renewal (renamed)")
    assert await reader.generation() != generation, "cache keys follow what is read"


class RenamesWhileEmbedding:
    """A query embedder during whose work a sync renames the call: the write lands in the
    middle of a search, after its cache key and before its reads."""

    name = INFO.embedder
    dim = INFO.dim

    def __init__(self, writer: LanceStore) -> None:
        self._writer = writer
        self.renamed = False

    async def embed_query(self, text: str) -> np.ndarray:
        if not self.renamed:
            await self._writer.upsert([titled("Renewal (renamed)")])
            self.renamed = True
        return np.ones(4, np.float32)


async def test_a_search_reads_the_state_its_cached_result_is_filed_under(
    tmp_path: Path,
) -> None:
    reader, writer = await reader_and_writer(tmp_path / "index", "Renewal")
    embedder = RenamesWhileEmbedding(writer)
    service = SearchService(reader, embedder, MemoryCache(60))  # type: ignore[arg-type]
    request = build_request(query="pricing")
    first = await service.search(request)
    assert embedder.renamed
    assert {h.title for h in first.hits} == {"Renewal"}, "the state the search started on"
    # Filed under that state's generation: the next search, on the new state, is not
    # served the old title from the cache.
    second = await service.search(request)
    assert not second.cached
    assert {h.title for h in second.hits} == {"Renewal (renamed)"}
