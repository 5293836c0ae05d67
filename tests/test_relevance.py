"""The relevance floor on samples/ with the real model: weak hits are left out instead of
padding to the limit, an answer with none over the floor says so, and a hit with strong
evidence of either kind stays."""

from __future__ import annotations

from pathlib import Path

import pytest

from sophia.core.cache import NoCache
from sophia.core.embedders.local import LocalEmbedder
from sophia.core.query import SearchFilters, SearchMode, build_request
from sophia.core.relevance import NO_FLOOR, RelevanceFloor, floor_for
from sophia.core.search import SearchService
from sophia.core.stores.base import IndexInfo, StoreQuery
from sophia.core.stores.lance import LanceStore

pytestmark = pytest.mark.model


@pytest.fixture
async def store(samples_index: Path, local_embedder: LocalEmbedder) -> LanceStore:
    lance = LanceStore(samples_index / "index")
    await lance.ensure_index(IndexInfo(local_embedder.name, local_embedder.dim))
    return lance


def service(store: LanceStore, embedder: LocalEmbedder, *, floor: bool) -> SearchService:
    chosen = floor_for(embedder.name) if floor else NO_FLOOR
    return SearchService(store, embedder, NoCache(), floor=chosen)


async def test_hybrid_hits_carry_their_raw_evidence(
    store: LanceStore, local_embedder: LocalEmbedder
) -> None:
    vector = await local_embedder.embed_query("SSO")
    chunks = await store.search(
        StoreQuery(SearchMode.HYBRID, "SSO", vector, 0.5, 10, SearchFilters(account="Olympus"))
    )
    assert all(c.similarity is not None and -1 <= c.similarity <= 1 for c in chunks)
    with_word = [c for c in chunks if any("SSO" in line.text for line in c.lines)]
    assert with_word and all((c.keyword or 0) > 0 for c in with_word)
    assert all(c.keyword is None for c in chunks if c not in with_word)


async def test_a_question_nothing_is_about_gets_no_padding_and_a_notice(
    store: LanceStore, local_embedder: LocalEmbedder
) -> None:
    request = build_request(query="football results", limit=5, filters={"account": "Olympus"})
    padded = await service(store, local_embedder, floor=False).search(request)
    assert len(padded.hits) == 5, "without the floor, any five moments come back"
    honest = await service(store, local_embedder, floor=True).search(request)
    assert honest.hits == [] and honest.below_floor > 0
    assert honest.notice and "closely enough" in honest.notice


async def test_weak_hits_are_left_out_and_strong_ones_of_either_kind_stay(
    store: LanceStore, local_embedder: LocalEmbedder, expected: dict
) -> None:
    sso = build_request(query="SSO", limit=10, filters={"account": "Olympus"})
    result = await service(store, local_embedder, floor=True).search(sso)
    assert 4 <= len(result.hits) < 10 and result.below_floor
    assert sum("SSO" in hit.text for hit in result.hits) >= 3  # a fourth overlaps one
    # Rare words of a quoted phrase, inside a long chunk whose meaning is elsewhere.
    phrase = build_request(query="ignore previous instructions", limit=3)
    found = await service(store, local_embedder, floor=True).search(phrase)
    assert any(expected["prompt_injection"]["text"] in hit.text for hit in found.hits)


def test_the_floor_judges_raw_evidence_and_keeps_what_it_cannot_judge() -> None:
    floor = RelevanceFloor(similarity=0.25, keyword=2.0, low=0.10, strong=8.0)
    assert floor.admits_evidence(0.30, None)  # close in meaning
    assert floor.admits_evidence(0.15, 3.0)  # a word of the question, meaning not far off
    assert not floor.admits_evidence(0.07, 5.5)  # a word matched by accident
    assert floor.admits_evidence(0.03, 13.7)  # several rare words: a quoted phrase
    assert not floor.admits_evidence(0.20, None)
    assert NO_FLOOR.admits_evidence(0.0, 0.0)
    assert floor_for("openai:text-embedding-3-small:1536") == NO_FLOOR  # not calibrated
    assert floor_for("local:all-MiniLM-L6-v2", enabled=False) == NO_FLOOR
