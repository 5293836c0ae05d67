"""The second-stage search ranker: its shipped model, its order, and switching it off."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pytest

from sophia.core.cache import NoCache
from sophia.core.chunking import ChunkLine
from sophia.core.config import Settings
from sophia.core.embedders.hashing import HashingEmbedder
from sophia.core.embedders.local import LocalEmbedder
from sophia.core.errors import RankerError
from sophia.core.models import Affiliation
from sophia.core.query import SearchMode, build_request
from sophia.core.ranking import FEATURES, MODEL_PATH, Ranker, features, load_ranker
from sophia.core.relevance import floor_for
from sophia.core.search import SearchService
from sophia.core.services import Sophia
from sophia.core.stores.base import IndexInfo, StoredChunk, StoreQuery
from sophia.core.stores.lance import LanceStore
from sophia.core.trees import build_trees
from tests.store_corpus import BUYER, CALL_1, CALL_2, indexed_call


def chunk(
    call_id: str, index: int, text: str, score: float, *, title: str = "Renewal"
) -> StoredChunk:
    line = ChunkLine(
        "Dana Reyes", Affiliation.EXTERNAL, index * 60_000, index * 60_000 + 50_000, text
    )
    return StoredChunk(
        chunk_id=f"{call_id}-{index}",
        call_id=call_id,
        chunk_index=index,
        lines=(line,),
        title=title,
        account="Moss & Co",
        started=datetime(2026, 11, 2, 15, tzinfo=UTC),
        call_url=f"https://app.gong.io/call?id={call_id}",
        start_ms=line.start_ms,
        end_ms=line.end_ms,
        score=score,
        similarity=score / 2,
        keyword=score * 4,
    )


CANDIDATES = [
    chunk("101", 0, "Thanks everyone for joining today.", 0.9),
    chunk("101", 1, "The price per seat is too high for our budget.", 0.8),
    chunk("202", 5, "Our pricing objections came up again with procurement.", 0.7, title="Pricing"),
    chunk("101", 2, "We could discount the seat price for a longer term.", 0.6),
    chunk("303", 9, "Let us talk about the roadmap.", 0.5),
]


FLAT = {"split_feature": [], "threshold": [], "left": [], "right": [], "leaf_value": [0.0]}


def split_on(feature: str, threshold: float) -> dict[str, list[object]]:
    """A one-split tree: 1 above `threshold` of `feature`, else 0."""
    return {
        "split_feature": [FEATURES.index(feature)],
        "threshold": [threshold],
        "left": [-1],
        "right": [-2],
        "leaf_value": [0.0, 1.0],
    }


def model_file(tmp_path: Path, **changes: object) -> Path:
    model = json.loads(MODEL_PATH.read_text())
    model.update(changes)
    path = tmp_path / "ranker.json"
    path.write_text(json.dumps(model))
    return path


def test_the_shipped_model_loads_and_records_what_it_was_fitted_on() -> None:
    ranker = load_ranker()
    model = json.loads(MODEL_PATH.read_text())
    assert model["features"] == list(FEATURES)
    assert model["fitted_on"]["split"] == "train"
    assert model["fitted_on"]["commit"] and model["fitted_on"]["queries_sha256"]
    assert 30 <= ranker.pool <= 100
    assert ranker.name.startswith("sophia-ranker/1:")


@pytest.mark.parametrize(
    ("changes", "reason"),
    [
        ({"format": "other/2"}, "format"),
        ({"features": ["fused", "rank"]}, "other features"),
        ({"pool": 500}, "pool"),
        ({"trees": []}, "no trees"),
        ({"trees": [{**FLAT, "leaf_value": []}]}, "one leaf more"),
        ({"trees": [{**split_on("cover", 0.2), "split_feature": [99]}]}, "feature"),
        ({"trees": [{**split_on("cover", 0.2), "left": [5]}]}, "node or leaf"),
        ({"trees": [{**split_on("cover", 0.2), "threshold": [float("nan")]}]}, "finite"),
        ({"trees": [{"split_feature": [0]}]}, "lacks leaf_value, left, right, threshold"),
        ({"trees": [{**FLAT, "threshold": "high"}]}, "not usable"),
    ],
)
def test_a_bad_model_file_is_refused_with_what_is_wrong(
    tmp_path: Path, changes: dict[str, object], reason: str
) -> None:
    with pytest.raises(RankerError, match=reason) as caught:
        load_ranker(model_file(tmp_path, **changes))
    assert "SEARCH_RERANK=off" in str(caught.value)


def test_a_missing_or_garbled_model_file_is_an_error_not_a_crash(tmp_path: Path) -> None:
    with pytest.raises(RankerError, match="unreadable"):
        load_ranker(tmp_path / "absent.json")
    garbled = tmp_path / "garbled.json"
    garbled.write_text("{not json")
    with pytest.raises(RankerError, match="unreadable"):
        load_ranker(garbled)


def test_features_are_one_finite_row_per_candidate() -> None:
    rows = features("pricing objections about the seat price", CANDIDATES)
    assert rows.shape == (len(CANDIDATES), len(FEATURES))
    assert (rows == rows).all()  # no NaN
    named = dict(zip(FEATURES, rows[2], strict=True))
    assert named["title_cover"] > 0 and named["cover"] > 0
    assert features("anything", []).shape == (0, len(FEATURES))


def test_ranking_is_deterministic_and_ties_keep_the_store_order() -> None:
    ranker = load_ranker()
    query = "pricing objections about the seat price"
    first = ranker.rank(query, CANDIDATES)
    assert first == ranker.rank(query, list(CANDIDATES))
    assert sorted(c.chunk_id for c in first) == sorted(c.chunk_id for c in CANDIDATES)
    indifferent = Ranker(build_trees([FLAT], len(FEATURES)), 100, "flat")
    assert indifferent.rank(query, CANDIDATES) == CANDIDATES


def test_the_ranker_reads_evidence_not_position() -> None:
    # One split on "cover": the chunk saying most of the query's words comes first.
    ranker = Ranker(build_trees([split_on("cover", 0.6)], len(FEATURES)), 100, "cover")
    ranked = ranker.rank("pricing objections", CANDIDATES)
    assert ranked[0].chunk_id == "202-5"
    assert ranked[1:] == [c for c in CANDIDATES if c.chunk_id != "202-5"]


def test_trees_send_each_row_down_the_splits_to_its_leaf() -> None:
    # Split 0 on feature 0 at 1; left of it split 1 on feature 1 at 5, right of it split 2
    # on feature 2 at 0; leaves numbered out of left-to-right order, as LightGBM may.
    tree = {
        "split_feature": [0, 1, 2],
        "threshold": [1.0, 5.0, 0.0],
        "left": [1, -3, -1],
        "right": [2, -4, -2],
        "leaf_value": [30.0, 40.0, 10.0, 20.0],
    }
    rows = np.zeros((5, len(FEATURES)))
    rows[:, :3] = [[0, 4, 9], [1, 6, 9], [2, 0, -1], [2, 0, 0.5], [1, 5, 0]]
    walked = [10.0, 20.0, 30.0, 40.0, 10.0]  # by hand, "<=" going left
    assert build_trees([tree], len(FEATURES)).predict(rows).tolist() == walked
    both = build_trees([tree, split_on("words", 0.0), FLAT], len(FEATURES)).predict(rows)
    assert both.tolist() == walked  # "words" is 0 in every row: left, leaf 0.0


@pytest.mark.model
async def test_switched_off_search_shows_the_store_order_and_on_the_ranker_order(
    samples_index: Path, local_embedder: LocalEmbedder
) -> None:
    store = LanceStore(samples_index / "index")
    await store.ensure_index(IndexInfo(local_embedder.name, local_embedder.dim))
    ranker = load_ranker()
    off = SearchService(store, local_embedder, NoCache())
    on = SearchService(store, local_embedder, NoCache(), ranker=ranker)
    request = build_request(query="security review questionnaire", limit=5)
    vector = await local_embedder.embed_query(request.query)

    async def fused(limit: int) -> list[StoredChunk]:
        query = StoreQuery(SearchMode.HYBRID, request.query, vector, 0.5, limit, request.filters)
        return await store.search(query)

    shown_off = [h.chunk_id for h in (await off.search(request)).hits]
    store_order = [c.chunk_id for c in await fused(15)]
    assert shown_off[0] == store_order[0]
    assert shown_off == [c for c in store_order if c in shown_off]

    shown_on = [h.chunk_id for h in (await on.search(request)).hits]
    ranked = [c.chunk_id for c in ranker.rank(request.query, await fused(ranker.pool))]
    assert shown_on and shown_on[0] == ranked[0]
    assert shown_on == [c for c in ranked if c in shown_on]


@pytest.mark.model
async def test_search_rerank_off_in_settings_reproduces_search_without_a_ranker(
    samples_index: Path, local_embedder: LocalEmbedder
) -> None:
    settings = Settings(
        _env_file=None, sophia_data_dir=samples_index, retention_days=0, search_rerank="off"
    )
    sophia = await Sophia.open(settings)
    try:
        store = LanceStore(samples_index / "index")
        await store.ensure_index(IndexInfo(local_embedder.name, local_embedder.dim))
        plain = SearchService(
            store, local_embedder, NoCache(), floor=floor_for(local_embedder.name)
        )
        for query in ("pricing objections", "who are we competing with", "next steps"):
            request = build_request(query=query, limit=5)
            expected = [h.chunk_id for h in (await plain.search(request)).hits]
            got = [h.chunk_id for h in (await sophia.search.search(request)).hits]
            assert got == expected
    finally:
        sophia.close()


def test_candidates_without_raw_evidence_keep_the_store_order() -> None:
    # Weaviate's hybrid search reports only the fused score, which the model was not fitted
    # on alone: its order stands rather than a guess.
    bare = [replace(c, similarity=None, keyword=None) for c in reversed(CANDIDATES)]
    assert load_ranker().rank("pricing objections", bare) == bare


async def test_a_call_scoped_search_ranks_at_most_50_candidates_a_global_one_the_pool(
    tmp_path: Path, hashing: HashingEmbedder
) -> None:
    # Two long calls (80 chunks each) that all say the query's words.
    texts = [f"Pricing discount question {i} about seats." for i in range(80)]
    vectors = await hashing.embed_documents(texts)
    calls = [
        indexed_call(call_id, "Moss & Co", datetime(2026, 11, 2, 15, tzinfo=UTC), turns)
        for call_id in (CALL_1, CALL_2)
        for turns in [[(BUYER, text, v) for text, v in zip(texts, vectors, strict=True)]]
    ]
    store = LanceStore(tmp_path / "index")
    await store.ensure_index(IndexInfo(hashing.name, hashing.dim))
    await store.upsert(calls)
    flat = Ranker(build_trees([FLAT], len(FEATURES)), 100, "flat")
    service = SearchService(store, hashing, NoCache(), ranker=flat)

    in_call = build_request(query="pricing discount", limit=10, filters={"call_ids": (CALL_1,)})
    found = (await service.candidates(in_call)).chunks
    assert len(found) == 50 and {c.call_id for c in found} == {CALL_1}
    everywhere = (await service.candidates(build_request(query="pricing discount"))).chunks
    assert len(everywhere) == 100
    # What is shown is still the store's best, ranked from fewer.
    shown = [h.chunk_id for h in (await service.search(in_call)).hits]
    assert shown == [c.chunk_id for c in found[: len(shown)]] and len(shown) == 10
