"""One contract, every store (LanceDB, Weaviate behind the fake, a real Weaviate when
WEAVIATE_TEST_URL is set): what a search returns, how it ranks, and what filters and
access-policy exclusions leave out. The corpus is tests/store_corpus.py.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from sophia.core.chunking import ChunkLine
from sophia.core.models import Affiliation
from sophia.core.query import SearchFilters, SearchMode, account_key
from sophia.core.stores.base import IndexCounts, VectorStore
from tests.store_corpus import (
    BUYER,
    CALL_1,
    CALL_2,
    CALL_3,
    HOSTILE,
    A,
    B,
    C,
    D,
    corpus,
    indexed_call,
    ranked,
    search,
    unit,
)

pytest_plugins = ["tests.fakes.store_fixtures"]


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
