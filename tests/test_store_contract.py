"""One contract, every store (LanceDB, Weaviate behind the fake, a real Weaviate when
WEAVIATE_TEST_URL is set): the index's lifecycle and writes. Searches are in
test_store_search_contract.py; the corpus is tests/store_corpus.py.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import numpy as np
import pytest

from sophia.core.chunking import Chunk
from sophia.core.errors import IndexMismatch, StoreError
from sophia.core.models import Call
from sophia.core.query import SearchFilters, SearchMode
from sophia.core.stores.base import (
    IndexCounts,
    IndexedCall,
    IndexInfo,
    RedactionCounts,
    VectorStore,
)
from tests.store_corpus import (
    CALL_1,
    CALL_2,
    CALL_3,
    HOSTILE,
    INFO,
    REP,
    A,
    B,
    C,
    D,
    OpenStore,
    call_1_rewritten,
    corpus,
    indexed_call,
    ranked,
    search,
    unit,
)

pytest_plugins = ["tests.fakes.store_fixtures"]


# --- index lifecycle -------------------------------------------------------------------------


async def test_a_new_index_is_empty_and_reopens_with_its_data(open_store: OpenStore) -> None:
    first = await open_store()
    assert await first.counts() == IndexCounts(0, 0)
    await first.upsert(corpus())
    again = await open_store()
    assert await again.counts() == IndexCounts(4, 3)


async def test_an_index_built_by_another_embedder_names_reindex(open_store: OpenStore) -> None:
    await open_store()
    with pytest.raises(IndexMismatch, match="sophia reindex"):
        await open_store(IndexInfo("test:other-8", 8))
    with pytest.raises(IndexMismatch, match="sophia reindex"):
        await open_store(IndexInfo("test:unit-4-v2", 4))
    await open_store(IndexInfo("test:other-8", 8), check=False)  # reindex opens it anyway


async def test_reset_empties_the_index_for_the_new_embedder(
    store: VectorStore, open_store: OpenStore
) -> None:
    await store.reset(IndexInfo("test:other-8", 8))
    assert await store.counts() == IndexCounts(0, 0)
    reopened = await open_store(IndexInfo("test:other-8", 8))
    assert await reopened.list_calls() == []


def eight_dims(calls: list[IndexedCall]) -> list[IndexedCall]:
    """The calls as an 8-dimension embedder would store them."""
    return [
        IndexedCall(c.call, c.content_hash, c.chunks, np.pad(c.vectors, ((0, 0), (0, 4))))
        for c in calls
    ]


async def test_a_rebuild_serves_nothing_until_promoted_then_everyone_moves_at_once(
    store: VectorStore, open_store: OpenStore
) -> None:
    reader = await open_store()  # another process serving searches
    before = ranked(await search(reader, SearchMode.HYBRID))
    other = IndexInfo("test:other-8", 8)
    staged = await store.rebuild(other)
    await staged.upsert(eight_dims(corpus()[:2]))
    assert await staged.counts() == IndexCounts(3, 2)
    assert ranked(await search(reader, SearchMode.HYBRID)) == before, "the old index serves"
    assert await reader.counts() == IndexCounts(4, 3)

    await store.promote(staged)
    # The reader was opened for the old embedder: told to reindex, as at start.
    with pytest.raises(IndexMismatch, match="sophia reindex"):
        await reader.counts()
    moved = await open_store(other)
    assert await moved.counts() == IndexCounts(3, 2)
    assert {c.call_id for c in await moved.list_calls()} == {CALL_1, CALL_2}


async def test_a_discarded_rebuild_leaves_the_live_index_as_it_was(
    store: VectorStore, open_store: OpenStore
) -> None:
    generation = await store.generation()
    staged = await store.rebuild(INFO)
    await staged.upsert(corpus()[:1])
    await store.discard(staged)
    reopened = await open_store()
    assert await reopened.counts() == IndexCounts(4, 3)
    assert await reopened.generation() == generation


async def test_the_store_refuses_vectors_of_another_dimension(open_store: OpenStore) -> None:
    opened = await open_store()
    wrong = indexed_call(
        CALL_1,
        "Moss & Co",
        datetime(2026, 10, 5, tzinfo=UTC),
        [(REP, "Hi.", np.ones(8, np.float32))],
    )
    with pytest.raises(StoreError, match="dimension"):
        await opened.upsert([wrong])
    assert await opened.counts() == IndexCounts(0, 0)


# --- writes ----------------------------------------------------------------------------------


async def test_upserting_the_same_calls_twice_changes_no_count(store: VectorStore) -> None:
    before = sorted(h.chunk_id for h in await search(store, SearchMode.SEMANTIC))
    await store.upsert(corpus())
    assert await store.counts() == IndexCounts(4, 3)
    assert (
        sorted(h.chunk_id for h in await search(store, SearchMode.SEMANTIC))
        == before
        == sorted([A, B, C, D])
    )


async def test_a_reupserted_call_replaces_all_its_chunks(store: VectorStore) -> None:
    changed = call_1_rewritten("Only security questions now.", unit(0, 0, 1, 0), "hash-changed")
    await store.upsert([changed])
    assert await store.counts() == IndexCounts(3, 3)
    hits = await search(store, SearchMode.SEMANTIC, call_ids=(CALL_1,))
    assert [(h.chunk_id, h.lines[0].text) for h in hits] == [(A, "Only security questions now.")]
    assert (await store.content_hashes([CALL_1])) == {CALL_1: "hash-changed"}


async def test_chunks_whose_ids_changed_do_not_survive_a_reupsert(store: VectorStore) -> None:
    # As after a chunker change: same call and index, another chunk id.
    changed = indexed_call(
        CALL_2,
        HOSTILE,
        datetime(2026, 10, 20, 15, tzinfo=UTC),
        [(REP, "Pricing is fixed.", unit(0, 0, 0, 1))],
    )
    moved = Chunk(str(uuid.uuid5(uuid.NAMESPACE_URL, "moved")), CALL_2, 0, changed.chunks[0].lines)
    await store.upsert([IndexedCall(changed.call, "hash-moved", [moved], changed.vectors)])
    hits = await search(store, SearchMode.SEMANTIC, call_ids=(CALL_2,))
    assert [h.chunk_id for h in hits] == [moved.chunk_id]
    assert await store.counts() == IndexCounts(4, 3)


async def test_upserting_a_call_without_chunks_deletes_its_chunks(store: VectorStore) -> None:
    emptied = indexed_call(CALL_1, "Moss & Co", datetime(2026, 10, 5, 15, tzinfo=UTC), [])
    await store.upsert([emptied])
    assert await store.counts() == IndexCounts(2, 3)
    assert await search(store, SearchMode.SEMANTIC, call_ids=(CALL_1,)) == []
    assert await store.get_call(CALL_1) == emptied.call


async def test_retention_deletes_calls_that_started_before_the_cutoff(store: VectorStore) -> None:
    generation = await store.generation()
    # Call 2 starts exactly at the cutoff and stays: the cutoff is exclusive.
    deleted = await store.delete_older_than(datetime(2026, 10, 20, 15, tzinfo=UTC))
    assert deleted == [CALL_1]
    assert await store.counts() == IndexCounts(2, 2)
    assert await store.get_call(CALL_1) is None
    assert {h.call_id for h in await search(store, SearchMode.SEMANTIC)} == {CALL_2, CALL_3}
    assert await store.generation() != generation
    assert await store.delete_older_than(datetime(2026, 10, 1, tzinfo=UTC)) == []


async def test_generation_changes_with_every_write_and_only_then(store: VectorStore) -> None:
    first = await store.generation()
    await search(store, SearchMode.HYBRID)
    assert await store.generation() == first
    await store.upsert(corpus()[1:2])
    second = await store.generation()
    assert second != first
    await store.reset(INFO)
    assert await store.generation() not in (first, second)


# --- reads -----------------------------------------------------------------------------------


async def test_counts_hashes_and_vectors_come_back_as_stored(store: VectorStore) -> None:
    assert await store.counts() == IndexCounts(4, 3)
    assert await store.content_hashes([CALL_1, CALL_3, "7000000000000000009"]) == {
        CALL_1: f"hash-{CALL_1}",
        CALL_3: f"hash-{CALL_3}",
    }
    assert await store.content_hashes([]) == {}
    [call_1] = [c for c in corpus() if c.call.call_id == CALL_1]
    vectors = await store.vectors_by_text([CALL_1])
    assert set(vectors) == {chunk.text_hash for chunk in call_1.chunks}
    for chunk, vector in zip(call_1.chunks, call_1.vectors, strict=True):
        np.testing.assert_allclose(vectors[chunk.text_hash], vector, atol=1e-6)
    assert await store.vectors_by_text([]) == {}


async def test_calls_round_trip(store: VectorStore) -> None:
    calls = [c.call for c in corpus()]
    assert await store.get_call(CALL_2) == calls[1]
    assert await store.get_call("7000000000000000009") is None
    assert await store.list_calls() == sorted(calls, key=lambda c: c.details.started)


async def test_calls_are_listed_by_account_date_and_recency(store: VectorStore) -> None:
    def ids(calls: list[Call]) -> list[str]:
        return [c.call_id for c in calls]

    assert ids(await store.list_calls(SearchFilters(account="moss & co"))) == [CALL_1]
    assert ids(await store.list_calls(SearchFilters(account=HOSTILE))) == [CALL_2]
    october = SearchFilters(
        started_from=datetime(2026, 10, 1, tzinfo=UTC), started_to=datetime(2026, 11, 1, tzinfo=UTC)
    )
    assert ids(await store.list_calls(october)) == [CALL_1, CALL_2]
    assert ids(await store.list_calls(newest=2)) == [CALL_2, CALL_3]
    assert ids(await store.list_calls(SearchFilters(call_ids=(CALL_3, CALL_1)))) == [CALL_1, CALL_3]
    light = await store.list_calls(transcripts=False)
    assert ids(light) == [CALL_1, CALL_2, CALL_3]
    assert all(c.monologues == () for c in light)
    assert light[0].details == corpus()[0].call.details
    assert await store.list_calls(SearchFilters(account="Nobody Inc")) == []


async def test_redaction_counts_add_up_what_each_call_recorded(open_store: OpenStore) -> None:
    opened = await open_store()
    assert await opened.redaction_counts() == RedactionCounts(0, 0)
    calls = corpus()
    calls[0] = IndexedCall(calls[0].call, "h1", calls[0].chunks, calls[0].vectors, redactions=3)
    calls[2] = IndexedCall(calls[2].call, "h3", calls[2].chunks, calls[2].vectors, redactions=1)
    await opened.upsert(calls)
    assert await opened.redaction_counts() == RedactionCounts(4, 2)
