"""A small sync costs what it adds (core/stores/lance_upkeep.py): new calls are appended and
folded into every index as deltas without rewriting a file already on disk, deltas and tiny
files are merged only past their thresholds, the daily full upkeep brings each index back to
one segment, and what a sync wrote is counted in its summary and in /metrics."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import lancedb
from prometheus_client import REGISTRY
from typer.testing import CliRunner

from sophia.cli.main import app
from sophia.core.config import Settings
from sophia.core.query import NO_FILTERS, SearchMode
from sophia.core.services import Sophia
from sophia.core.stores.base import StoreQuery
from sophia.core.stores.lance import LanceStore
from sophia.core.stores.lance_upkeep import COMPACT_SMALL_FRAGMENTS, MAX_INDEX_SEGMENTS
from tests.test_ingest import numbered_corpus
from tests.test_lance_indexes import CALLS, call, open_store, semantic
from tests.test_store_contract import REP, indexed_call

runner = CliRunner()


def files(root: Path) -> dict[Path, int]:
    """The tables' files (Lance's own, never rewritten in place) and their sizes."""
    return {path: path.stat().st_size for path in root.rglob("*.lance/**/*") if path.is_file()}


def segments(store: LanceStore) -> dict[str, int]:
    chunks = store.live_tables()[0]
    return {i.name: chunks.index_stats(i.name).num_indices for i in chunks.list_indices()}


def unindexed(store: LanceStore) -> int:
    chunks = store.live_tables()[0]
    return sum(chunks.index_stats(i.name).num_unindexed_rows for i in chunks.list_indices())


def keyword(text: str) -> StoreQuery:
    return StoreQuery(
        mode=SearchMode.KEYWORD, text=text, vector=None, limit=5, filters=NO_FILTERS, alpha=0.0
    )


async def indexed(tmp_path: Path) -> LanceStore:
    """400 chunks with every index, the ANN one included, as after a first sync."""
    store = await open_store(tmp_path / "index", ann_min_rows=200)
    await store.upsert([call(n) for n in range(CALLS)])
    await store.optimize()
    return store


async def test_a_sync_appends_and_indexes_without_rewriting_what_is_on_disk(
    tmp_path: Path,
) -> None:
    store = await indexed(tmp_path)
    before = files(tmp_path / "index")
    written = store.written_bytes()
    late = call(CALLS + 1)
    await store.upsert([late])
    done = await store.optimize()
    after = files(tmp_path / "index")

    # Nothing on disk was rewritten: every file is still there, the same size.
    assert all(after.get(path) == size for path, size in before.items())
    new = sum(size for path, size in after.items() if path not in before)
    assert store.written_bytes() - written == new > 0
    assert any(step.startswith("indexed") for step in done)
    assert unindexed(store) == 0
    assert all(count == 2 for count in segments(store).values())  # the base and one delta
    # Found at once, through the indexes.
    [hit, *_] = await store.search(semantic(late.vectors[3]))
    assert hit.chunk_id == late.chunks[3].chunk_id
    hits = await store.search(keyword(f"call {CALLS + 1} turn 4"))
    assert hits[0].chunk_id == late.chunks[4].chunk_id


async def test_deltas_merge_past_the_limit_and_never_into_the_base(tmp_path: Path) -> None:
    store = await indexed(tmp_path)
    base = files(tmp_path / "index")
    for n in range(MAX_INDEX_SEGMENTS):
        await store.upsert([call(CALLS + 1 + n)])
        await store.optimize()
    # MAX_INDEX_SEGMENTS deltas were made; the last optimize merged them into one.
    assert set(segments(store).values()) == {2}
    assert all(files(tmp_path / "index").get(path) == size for path, size in base.items())
    for n in range(MAX_INDEX_SEGMENTS):
        late = call(CALLS + 1 + n)
        [hit, *_] = await store.search(semantic(late.vectors[0]))
        assert hit.chunk_id == late.chunks[0].chunk_id


async def test_tiny_files_are_compacted_only_when_enough_have_piled_up(tmp_path: Path) -> None:
    store = await indexed(tmp_path)  # one fragment of 400 rows: tiny too
    chunks = store.live_tables()[0]
    for n in range(1, COMPACT_SMALL_FRAGMENTS):
        assert len(chunks.to_lance().get_fragments()) == n
        await store.upsert([call(CALLS + n)])
        done = await store.optimize()
        if n < COMPACT_SMALL_FRAGMENTS - 1:
            assert not any("compacted" in step for step in done)
    # Lance merges neighbours that its index segments cover alike: a few files may stay.
    assert any(step.startswith("chunks: compacted") for step in done)
    assert len(chunks.to_lance().get_fragments()) <= COMPACT_SMALL_FRAGMENTS // 4
    late = call(CALLS + COMPACT_SMALL_FRAGMENTS - 1)
    [hit, *_] = await store.search(semantic(late.vectors[5]))
    assert hit.chunk_id == late.chunks[5].chunk_id
    assert (await store.counts()).chunks == 10 * (CALLS + COMPACT_SMALL_FRAGMENTS - 1)


async def test_the_full_upkeep_leaves_one_file_and_one_segment_per_index(tmp_path: Path) -> None:
    store = await indexed(tmp_path)
    for n in range(3):
        await store.upsert([call(CALLS + 1 + n)])
        await store.optimize()
    # A changed call: its old chunks are deleted rows until compaction.
    first = call(0)
    changed = indexed_call(
        first.call.call_id,
        first.call.details.account or "",
        first.call.details.started,
        [(REP, "a new transcript entirely", first.vectors[0])],
        content_hash="changed",
    )
    await store.upsert([changed])
    done = await store.optimize(full=True)

    chunks = store.live_tables()[0]
    fragments = chunks.to_lance().get_fragments()
    assert len(fragments) == 1 and fragments[0].deletion_file() is None
    assert set(segments(store).values()) == {1}
    assert any("compacted" in step for step in done)
    assert (await store.counts()).chunks == 10 * (CALLS + 3) - 9
    [hit] = await store.search(keyword("transcript entirely"))
    assert hit.call_id == first.call.call_id


async def test_an_ingest_reports_its_store_work_in_the_summary_and_metrics(
    settings: Settings, tmp_path: Path
) -> None:
    def metric(name: str) -> float:
        return REGISTRY.get_sample_value(name, {"operation": "write"}) or 0.0

    start = datetime(2026, 9, 1, tzinfo=UTC)
    app = await Sophia.open(settings)
    try:
        await app.ingest_folder(numbered_corpus(tmp_path / "first", 4, start))
        written = metric("sophia_store_written_bytes_total")
        runs = metric("sophia_store_seconds_count")
        summary = await app.ingest_folder(numbered_corpus(tmp_path / "more", 6, start))
        again = await app.ingest_folder(tmp_path / "more")
    finally:
        app.close()

    assert summary.indexed == 2 and summary.embed_seconds > 0
    assert summary.write_bytes and summary.write_bytes > 0
    assert summary.optimize_bytes is not None and summary.upkeep
    assert "store writes" in summary.line() and "optimize" in summary.line()
    record = summary.as_dict()
    assert record["store_write_bytes"] == summary.write_bytes
    assert record["optimize"] == summary.upkeep
    assert metric("sophia_store_written_bytes_total") - written == summary.write_bytes
    assert metric("sophia_store_seconds_count") == runs + 1
    # Nothing new: nothing written, and the line says no more than what happened.
    assert again.indexed == 0 and again.write_bytes is None and "store writes" not in again.line()


def test_sophia_purge_compacts_what_syncs_left(tmp_path: Path) -> None:
    env = {"SOPHIA_DATA_DIR": str(tmp_path / "data"), "SOPHIA_EMBEDDER": "hashing"}
    start = datetime(2026, 9, 1, tzinfo=UTC)
    for n in range(1, 4):  # three syncs of 2 new calls each: three files
        corpus = numbered_corpus(tmp_path / f"sync-{n}", 2 * n, start)
        done = runner.invoke(app, ["ingest", "--from-dir", str(corpus)], env=env)
        assert done.exit_code == 0, done.output

    purged = runner.invoke(app, ["purge"], env=env)

    assert purged.exit_code == 0, purged.output
    assert purged.output.strip() == "Removed 0 calls past retention; the index is compacted."
    [live] = [p for p in (tmp_path / "data" / "index").rglob("chunks.lance")]
    fragments = lancedb.connect(live.parent).open_table("chunks").to_lance().get_fragments()
    assert len(fragments) == 1
    stats = json.loads(runner.invoke(app, ["stats", "--json"], env=env).output)
    assert stats["calls_indexed"] == 6
    found = runner.invoke(app, ["search", "team of 15 reps", "--json"], env=env)
    assert json.loads(found.output)["hits"][0]["call_id"] == "2000000000000000005"
