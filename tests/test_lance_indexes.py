"""The embedded store's indexes: full-text and scalar indexes from the first optimize, an
ANN index past its threshold that still finds what an exact scan finds, rows added after
it searched at once, and call- or account-scoped searches answered exactly."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np

from sophia.core.models import Affiliation
from sophia.core.query import NO_FILTERS, SearchFilters, SearchMode, account_key
from sophia.core.stores.base import IndexedCall, IndexInfo, StoreQuery
from sophia.core.stores.lance import LanceStore
from sophia.core.stores.lance_indexes import ann_partitions
from tests.store_corpus import BUYER, REP, indexed_call

DIM = 16
CALLS, TURNS = 40, 10  # 400 chunks: enough to train a small IVF-PQ index
START = datetime(2026, 10, 1, 15, tzinfo=UTC)


def vectors(seed: int, count: int) -> np.ndarray:
    """Clustered unit vectors, as real embeddings are (each call near its own topic)."""
    rng = np.random.default_rng(seed)
    centre = rng.normal(size=DIM)
    points = centre + 0.5 * rng.normal(size=(count, DIM))
    unit: np.ndarray = (points / np.linalg.norm(points, axis=1, keepdims=True)).astype(np.float32)
    return unit


def call(n: int) -> IndexedCall:
    turns = [
        ((REP if t % 2 else BUYER), f"call {n} turn {t} about rollout topic{n % 7}", v)
        for t, v in enumerate(vectors(n, TURNS))
    ]
    return indexed_call(
        str(3_000_000_000_000_000_000 + n), f"Account {n % 5}", START + timedelta(days=n), turns
    )


async def open_store(path: Path, ann_min_rows: int) -> LanceStore:
    store = LanceStore(path, ann_min_rows=ann_min_rows)
    await store.ensure_index(IndexInfo("test", DIM))
    return store


def semantic(
    vector: np.ndarray, filters: SearchFilters = NO_FILTERS, limit: int = 10
) -> StoreQuery:
    return StoreQuery(
        mode=SearchMode.SEMANTIC, text="", vector=vector, limit=limit, filters=filters, alpha=1.0
    )


def index_types(store: LanceStore) -> dict[str, str]:
    return {
        column: index.index_type
        for index in store.live_tables()[0].list_indices()
        for column in index.columns
    }


async def test_a_small_index_gets_full_text_and_scalar_indexes_but_stays_exact(
    tmp_path: Path,
) -> None:
    store = await open_store(tmp_path / "index", ann_min_rows=10_000)
    await store.upsert([call(n) for n in range(5)])
    await store.optimize()
    kinds = index_types(store)
    assert kinds["text"] == "FTS"
    assert {kinds[c] for c in ("call_id", "account_key", "started_ms")} == {"BTree"}
    assert {kinds[c] for c in ("has_internal", "has_external", "has_unknown")} == {"Bitmap"}
    assert "vector" not in kinds and ann_partitions(store.live_tables()[0]) is None


async def test_past_the_threshold_an_ann_index_finds_what_an_exact_scan_finds(
    tmp_path: Path,
) -> None:
    exact = await open_store(tmp_path / "exact", ann_min_rows=10**9)
    ann = await open_store(tmp_path / "ann", ann_min_rows=CALLS * TURNS)
    everything = [call(n) for n in range(CALLS)]
    for store in (exact, ann):
        await store.upsert(everything)
        await store.optimize()
    assert (
        ann_partitions(ann.live_tables()[0]) == 20
        and ann_partitions(exact.live_tables()[0]) is None
    )
    overlap = []
    for probe in vectors(999, 20):
        want = [h.chunk_id for h in await exact.search(semantic(probe))]
        got = [h.chunk_id for h in await ann.search(semantic(probe))]
        overlap.append(len(set(want) & set(got)) / len(want))
    assert np.mean(overlap) >= 0.97


async def test_scoped_searches_are_exact_with_an_ann_index(tmp_path: Path) -> None:
    store = await open_store(tmp_path / "index", ann_min_rows=CALLS * TURNS)
    await store.upsert([call(n) for n in range(CALLS)])
    await store.optimize()
    assert ann_partitions(store.live_tables()[0]) is not None
    target = call(17)
    probe = vectors(4242, 1)[0]
    expected = np.argsort(-(np.asarray(target.vectors) @ probe))
    filters = SearchFilters(call_ids=(target.call.call_id,))
    hits = await store.search(semantic(probe, filters, limit=TURNS))
    assert [h.chunk_id for h in hits] == [target.chunks[i].chunk_id for i in expected]
    by_account = SearchFilters(account="Account 2")
    hits = await store.search(semantic(probe, by_account, limit=100))
    assert len(hits) == CALLS // 5 * TURNS  # every chunk of the account, none missed
    assert {h.account for h in hits} == {"Account 2"}
    assert by_account.account_key == account_key("Account 2")


async def test_calls_added_after_the_ann_index_are_found_at_once(tmp_path: Path) -> None:
    store = await open_store(tmp_path / "index", ann_min_rows=CALLS * TURNS)
    await store.upsert([call(n) for n in range(CALLS)])
    await store.optimize()
    late = call(CALLS + 1)
    await store.upsert([late])  # no optimize: its rows are not in the ANN index yet
    probe = np.asarray(late.vectors[3])
    [top] = await store.search(semantic(probe, limit=1))
    assert top.chunk_id == late.chunks[3].chunk_id
    hits = await store.search(
        StoreQuery(
            mode=SearchMode.KEYWORD,
            text=f"call {CALLS + 1} turn 3",
            vector=None,
            limit=1,
            filters=SearchFilters(side=Affiliation.INTERNAL),
            alpha=0.0,
        )
    )
    assert hits and hits[0].call_id == late.call.call_id
    await store.optimize()  # folded into the index: still found
    [top] = await store.search(semantic(probe, limit=1))
    assert top.chunk_id == late.chunks[3].chunk_id
