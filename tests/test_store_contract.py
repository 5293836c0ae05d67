"""One contract, every store: LanceDB, Weaviate behind the fake, and a real Weaviate when
WEAVIATE_TEST_URL is set.

The corpus is four hand-made chunks with hand-made unit vectors, so every score below can be
worked out on paper: cosine similarities are dot products, and a keyword list of two hits
normalises to 1 and 0 whatever the BM25 flavour.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit

import numpy as np
import pytest
import weaviate

from sophia.core.chunking import Chunk, ChunkLine, chunk_id
from sophia.core.errors import IndexMismatch, StoreError
from sophia.core.models import Affiliation, Call, CallDetails, Monologue, Party, Sentence
from sophia.core.query import SearchFilters, SearchMode, account_key
from sophia.core.stores.base import (
    IndexCounts,
    IndexedCall,
    IndexInfo,
    RedactionCounts,
    StoredChunk,
    StoreQuery,
    VectorStore,
)
from sophia.core.stores.lance import LanceStore
from sophia.core.stores.weaviate import WeaviateStore

pytest_plugins = ["tests.fakes.weaviate_fixtures"]

HOSTILE = 'O\'Brien "Holdings"; DROP TABLE chunks; --'
INFO = IndexInfo("test:unit-4", 4)
CALL_1, CALL_2, CALL_3 = "7000000000000000001", "7000000000000000002", "7000000000000000003"
REP = ("Dana Rep", Affiliation.INTERNAL)
BUYER = ("Casey Buyer", Affiliation.EXTERNAL)
QUERY = "pricing discount"
Q = np.array([1, 0, 0, 0], dtype=np.float32)

OpenStore = Callable[..., Awaitable[VectorStore]]


def unit(*values: float) -> np.ndarray:
    vector = np.array(values, dtype=np.float32)
    return vector / np.linalg.norm(vector)


def indexed_call(
    call_id: str,
    account: str | None,
    started: datetime,
    turns: list[tuple[tuple[str, Affiliation], str, np.ndarray]],
    *,
    content_hash: str | None = None,
) -> IndexedCall:
    """A call whose every turn is one chunk, with the given vector."""
    parties = (
        Party(party_id="p1", speaker_id="1", name=REP[0], affiliation=REP[1]),
        Party(party_id="p2", speaker_id="2", name=BUYER[0], affiliation=BUYER[1]),
    )
    monologues, chunks = [], []
    for index, ((speaker, side), text, _) in enumerate(turns):
        start = index * 10_000
        monologues.append(
            Monologue(
                speaker_id="1" if side is Affiliation.INTERNAL else "2",
                sentences=(Sentence(start_ms=start, end_ms=start + 4000, text=text),),
            )
        )
        line = ChunkLine(speaker, side, start, start + 4000, text)
        chunks.append(Chunk(chunk_id(call_id, index), call_id, index, (line,)))
    details = CallDetails(
        call_id=call_id,
        title=f"Call {call_id[-1]}",
        url=f"https://app.gong.io/call?id={call_id}",
        started=started,
        duration_s=600,
        account=account,
        parties=parties,
    )
    vectors = np.stack([v for _, _, v in turns]) if turns else np.zeros((0, 4), np.float32)
    return IndexedCall(
        call=Call(details=details, monologues=tuple(monologues)),
        content_hash=content_hash or f"hash-{call_id}",
        chunks=chunks,
        vectors=vectors,
    )


# A: both query words, cos 0.6 | B: "pricing" only, cos 0.8 | C: no query word, cos 1.0 |
# D: no query word, cos 0.0. Calls start on 5 Oct, 20 Oct 15:00 and 10 Nov 2026.
def corpus() -> list[IndexedCall]:
    return [
        indexed_call(
            CALL_1,
            "Moss & Co",
            datetime(2026, 10, 5, 15, tzinfo=UTC),
            [
                (BUYER, "The pricing is too high without a discount.", unit(0.6, 0.8, 0, 0)),
                (REP, "Let us schedule the security review.", unit(0, 1, 0, 0)),
            ],
        ),
        indexed_call(
            CALL_2,
            HOSTILE,
            datetime(2026, 10, 20, 15, tzinfo=UTC),
            [(REP, "Our pricing changes next year.", unit(0.8, 0.6, 0, 0))],
        ),
        indexed_call(
            CALL_3,
            "Olympus",
            datetime(2026, 11, 10, 15, tzinfo=UTC),
            [(BUYER, "Security review and SSO questions.", unit(1, 0, 0, 0))],
        ),
    ]


A, D = chunk_id(CALL_1, 0), chunk_id(CALL_1, 1)
B, C = chunk_id(CALL_2, 0), chunk_id(CALL_3, 0)


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


async def search(
    store: VectorStore,
    mode: SearchMode,
    text: str = QUERY,
    *,
    limit: int = 10,
    alpha: float = 0.5,
    **filters: object,
) -> list[StoredChunk]:
    vector = None if mode is SearchMode.KEYWORD else Q
    query = StoreQuery(mode, text, vector, alpha, limit, SearchFilters.model_validate(filters))
    return await store.search(query)


def ranked(hits: list[StoredChunk]) -> list[tuple[str, float]]:
    return [(hit.chunk_id, round(hit.score, 4)) for hit in hits]


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
    changed = indexed_call(
        CALL_1,
        "Moss & Co",
        datetime(2026, 10, 5, 15, tzinfo=UTC),
        [(BUYER, "Only security questions now.", unit(0, 0, 1, 0))],
        content_hash="hash-changed",
    )
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


async def test_hits_carry_their_citation(store: VectorStore) -> None:
    [hit] = await search(store, SearchMode.KEYWORD, "discount")
    assert hit.chunk_id == A and hit.call_id == CALL_1 and hit.chunk_index == 0
    assert hit.title == "Call 1" and hit.account == "Moss & Co"
    assert hit.started == datetime(2026, 10, 5, 15, tzinfo=UTC)
    assert hit.call_url == f"https://app.gong.io/call?id={CALL_1}"
    assert (hit.start_ms, hit.end_ms) == (0, 4000)
    assert hit.lines == (
        ChunkLine(
            "Casey Buyer",
            Affiliation.EXTERNAL,
            0,
            4000,
            "The pricing is too high without a discount.",
        ),
    )


# --- ranking ---------------------------------------------------------------------------------


async def test_semantic_scores_are_cosine_similarities(store: VectorStore) -> None:
    assert ranked(await search(store, SearchMode.SEMANTIC)) == [
        (C, 1.0),
        (B, 0.8),
        (A, 0.6),
        (D, 0.0),
    ]


async def test_keyword_ranks_by_bm25(store: VectorStore) -> None:
    hits = await search(store, SearchMode.KEYWORD)
    assert [h.chunk_id for h in hits] == [A, B]
    assert hits[0].score > hits[1].score > 0


async def test_hybrid_is_relative_score_fusion(store: VectorStore) -> None:
    # keyword [A, B] -> 1, 0; vector C 1.0, B 0.8, A 0.6, D 0.0 -> the same after min-max.
    assert ranked(await search(store, SearchMode.HYBRID)) == [
        (A, 0.8),
        (C, 0.5),
        (B, 0.4),
        (D, 0.0),
    ]
    assert ranked(await search(store, SearchMode.HYBRID, alpha=0.75)) == [
        (C, 0.75),
        (A, 0.7),
        (B, 0.6),
        (D, 0.0),
    ]
    assert ranked(await search(store, SearchMode.HYBRID, alpha=1.0))[:3] == [
        (C, 1.0),
        (B, 0.8),
        (A, 0.6),
    ]


async def test_limit_cuts_the_ranked_list(store: VectorStore) -> None:
    for mode in SearchMode:
        assert len(await search(store, mode, limit=1)) == 1


# --- filters ---------------------------------------------------------------------------------


@pytest.mark.parametrize("mode", list(SearchMode))
async def test_filters_apply_before_ranking(store: VectorStore, mode: SearchMode) -> None:
    # Unfiltered, C or A wins every mode; a filter trimming afterwards would return nothing.
    [hit] = await search(store, mode, "pricing", limit=1, account=HOSTILE)
    assert hit.chunk_id == B and hit.account == HOSTILE


async def test_hybrid_normalises_within_the_filtered_candidates(store: VectorStore) -> None:
    # Call 1 only: keyword [A] -> 1; vector A 0.6, D 0.0 -> 1, 0.
    assert ranked(await search(store, SearchMode.HYBRID, call_ids=(CALL_1,))) == [
        (A, 1.0),
        (D, 0.0),
    ]


async def test_account_filter_is_case_and_space_insensitive(store: VectorStore) -> None:
    hits = await search(store, SearchMode.SEMANTIC, account="  moss   &  CO ")
    assert {h.chunk_id for h in hits} == {A, D}


async def test_a_hostile_account_name_is_just_a_name(store: VectorStore) -> None:
    for mode in SearchMode:
        hits = await search(store, mode, "pricing", account=HOSTILE)
        assert [h.chunk_id for h in hits] == [B]
    assert await store.counts() == IndexCounts(4, 3)


async def test_unknown_account_finds_nothing(store: VectorStore) -> None:
    for mode in SearchMode:
        assert await search(store, mode, account="Nobody Inc") == []


async def test_call_id_filter(store: VectorStore) -> None:
    hits = await search(store, SearchMode.SEMANTIC, call_ids=(CALL_2, CALL_3))
    assert [h.chunk_id for h in hits] == [C, B]


async def test_date_range_is_inclusive_then_exclusive(store: VectorStore) -> None:
    hits = await search(
        store,
        SearchMode.SEMANTIC,
        started_from=datetime(2026, 10, 5, 15, tzinfo=UTC),
        started_to=datetime(2026, 10, 20, 15, tzinfo=UTC),
    )
    assert {h.call_id for h in hits} == {CALL_1}
    later = await search(
        store, SearchMode.SEMANTIC, started_from=datetime(2026, 10, 20, 15, tzinfo=UTC)
    )
    assert {h.call_id for h in later} == {CALL_2, CALL_3}


async def test_side_filter(store: VectorStore) -> None:
    customer = await search(store, SearchMode.SEMANTIC, side=Affiliation.EXTERNAL)
    assert [h.chunk_id for h in customer] == [C, A]
    rep = await search(store, SearchMode.SEMANTIC, side=Affiliation.INTERNAL, account="Moss & Co")
    assert [h.chunk_id for h in rep] == [D]
    assert await search(store, SearchMode.SEMANTIC, side=Affiliation.UNKNOWN) == []


# --- access-policy exclusions ------------------------------------------------------------------


def excluded(*accounts: str) -> dict[str, object]:
    return {"exclude_accounts": tuple(account_key(a) for a in accounts)}


@pytest.mark.parametrize("mode", list(SearchMode))
async def test_excluded_accounts_are_gone_before_ranking(
    store: VectorStore, mode: SearchMode
) -> None:
    # Unexcluded, C or A wins every mode; trimming afterwards would leave nothing at limit 1.
    [hit] = await search(store, mode, "pricing", limit=1, **excluded("Olympus", "Moss & Co"))
    assert hit.chunk_id == B
    everything = await search(store, mode, **excluded("Olympus"))
    assert everything and all(h.account != "Olympus" for h in everything)


async def test_an_exclusion_and_an_account_filter_on_it_find_nothing(store: VectorStore) -> None:
    for mode in SearchMode:
        assert await search(store, mode, account="olympus", **excluded("Olympus")) == []
    assert await search(store, SearchMode.SEMANTIC, account=HOSTILE, **excluded(HOSTILE)) == []


async def test_excluded_calls_are_not_listed_or_read(store: VectorStore) -> None:
    scope = SearchFilters.model_validate(excluded("  MOSS & co", HOSTILE))
    assert [c.call_id for c in await store.list_calls(scope)] == [CALL_3]
    assert [c.call_id for c in await store.list_calls(scope, transcripts=False)] == [CALL_3]
    assert await store.get_call(CALL_1, scope) is None
    assert await store.get_call(CALL_2, scope) is None
    assert await store.get_call(CALL_3, scope) == corpus()[2].call
    # The same call without the exclusion, and with an exclusion of another account.
    assert await store.get_call(CALL_1) == corpus()[0].call
    other = SearchFilters.model_validate(excluded("Olympus"))
    assert await store.get_call(CALL_1, other) == corpus()[0].call


async def test_calls_without_an_account_stay_visible_under_exclusions(store: VectorStore) -> None:
    loose = "7000000000000000004"
    await store.upsert(
        [
            indexed_call(
                loose,
                None,
                datetime(2026, 11, 12, tzinfo=UTC),
                [(BUYER, "Pricing for a team without a CRM record.", unit(0.6, 0, 0.8, 0))],
            )
        ]
    )
    scope = excluded("Moss & Co", "Olympus", HOSTILE)
    for mode in SearchMode:
        assert {h.call_id for h in await search(store, mode, **scope)} == {loose}
    filters = SearchFilters.model_validate(scope)
    assert [c.call_id for c in await store.list_calls(filters)] == [loose]
    found = await store.get_call(loose, filters)
    assert found is not None and found.details.account is None


async def test_redaction_counts_add_up_what_each_call_recorded(open_store: OpenStore) -> None:
    opened = await open_store()
    assert await opened.redaction_counts() == RedactionCounts(0, 0)
    calls = corpus()
    calls[0] = IndexedCall(calls[0].call, "h1", calls[0].chunks, calls[0].vectors, redactions=3)
    calls[2] = IndexedCall(calls[2].call, "h3", calls[2].chunks, calls[2].vectors, redactions=1)
    await opened.upsert(calls)
    assert await opened.redaction_counts() == RedactionCounts(4, 2)
