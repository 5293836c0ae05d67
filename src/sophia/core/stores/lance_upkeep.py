"""How the embedded store keeps its files and indexes in shape as syncs add calls.

Every write appends: a sync's chunks become one new fragment (a file of their own), and
nothing already on disk is rewritten. What follows a write decides what a sync costs:

- **After every ingest (light upkeep)** the new rows are folded into each index as a small
  delta segment (an index optimised with nothing to merge), so full-text, vector and
  scalar searches stay indexed without rewriting the index. An index with more than
  `MAX_INDEX_SEGMENTS` segments has its deltas (never its base) merged into one: cheap,
  since they hold only what syncs added since. Tiny fragments are compacted with each
  other only once `COMPACT_SMALL_FRAGMENTS` have piled up, and never together with a
  large one.
- **Once a day (full upkeep**: the daily purge, `sophia purge`, and the end of a reindex)
  fragments are compacted to LanceDB's usual size, rows deleted by re-ingest and retention
  are materialised away, and every index is merged back into one segment.

Both end by removing versions older than `VERSION_GRACE` (kept for queries still reading
them), so deleted or re-redacted text does not linger on disk.

Why these numbers (measured at 1M chunks on 2 cores; benchmarks/README.md, "A small
sync"): 4,800 new rows left unindexed make a full-text search ~15x slower (10 to 166 ms
p50), so new rows are always folded in; 16 delta segments make a vector search ~4x slower
(22 to 106 ms), so deltas are merged long before that; merging 16 deltas takes 0.8 s and
writes 3 MB, while merging them into the base rewrites the whole index (7 s, 165 MB at 1M).
Compaction keeps indexes valid by a remap table instead of rewriting them
(`defer_index_remap`): 16 small fragments compact in 0.14 s.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path
from typing import Any

__all__ = [
    "COMPACT_SMALL_FRAGMENTS",
    "MAX_INDEX_SEGMENTS",
    "VERSION_GRACE",
    "compact",
    "fold_into_indexes",
    "remove_old_versions",
    "written_bytes",
]

# An index's base segment plus up to three deltas before the deltas are merged.
MAX_INDEX_SEGMENTS = 4
# Tiny fragments (one per sync) tolerated before a sync compacts them with each other.
COMPACT_SMALL_FRAGMENTS = 32
# A fragment this large is never rewritten by a sync's compaction, only by the daily one.
_TINY_FRAGMENT_ROWS = 16_384
VERSION_GRACE = timedelta(minutes=10)


def fold_into_indexes(table: Any, *, merge_all: bool = False) -> list[str]:
    """Add unindexed rows to every index as a delta; merge the deltas of an index past
    `MAX_INDEX_SEGMENTS` (or, with `merge_all`, every segment). Returns what was done."""
    done = []
    stats = {index.name: table.index_stats(index.name) for index in table.list_indices()}
    unindexed = [name for name, s in stats.items() if s and s.num_unindexed_rows]
    if unindexed:
        _dataset(table).optimize.optimize_indices(index_names=unindexed, num_indices_to_merge=0)
        table.checkout_latest()
        done.append(f"indexed {max(stats[n].num_unindexed_rows for n in unindexed)} new rows")
    merged = []
    keep = 0 if merge_all else 1  # the base segment stays as it is
    for index in table.list_indices():
        segments = table.index_stats(index.name).num_indices
        if segments > 1 and (merge_all or segments > MAX_INDEX_SEGMENTS):
            _dataset(table).optimize.optimize_indices(
                index_names=[index.name], num_indices_to_merge=segments - keep
            )
            merged.append(index.name)
    if merged:
        table.checkout_latest()
        done.append(f"merged the segments of {len(merged)} indexes")
    return done


def compact(table: Any, *, full: bool = False) -> str | None:
    """Compact fragments: the tiny ones together once enough have piled up, or (`full`)
    everything to LanceDB's usual fragment size. Returns what was done, if anything."""
    fragments = _dataset(table).get_fragments()
    rows = {fragment.fragment_id: fragment.physical_rows for fragment in fragments}
    tiny = [fid for fid, count in rows.items() if count < _TINY_FRAGMENT_ROWS]
    if full:
        if len(fragments) < 2 and not _has_deletions(fragments):
            return None
        options: dict[str, Any] = {}
    else:
        if len(tiny) < COMPACT_SMALL_FRAGMENTS:
            return None
        options = {
            "excluded_fragment_ids": [fid for fid in rows if fid not in tiny],
            "materialize_deletions": False,
        }
    # A sync's compaction leaves the indexes as they are (they read through a remap
    # table); the daily one rewrites them to the new files.
    metrics = _dataset(table).optimize.compact_files(defer_index_remap=not full, **options)
    table.checkout_latest()
    if not metrics.fragments_removed:
        return None
    return f"compacted {metrics.fragments_removed} fragments into {metrics.fragments_added}"


def remove_old_versions(table: Any) -> None:
    """Delete the files of versions older than `VERSION_GRACE`."""
    _dataset(table).cleanup_old_versions(older_than=VERSION_GRACE)


@contextmanager
def written_bytes(root: Path) -> Iterator[list[int]]:
    """Count the bytes of the files that appear under `root` during the block (yields a
    one-item list filled at exit). LanceDB never rewrites a file in place, so the files
    that appear are exactly what the block wrote."""
    before = _sizes(root)
    counted = [0]
    try:
        yield counted
    finally:
        counted[0] = sum(size for path, size in _sizes(root).items() if path not in before)


def _sizes(root: Path) -> dict[str, int]:
    sizes = {}
    for path in root.rglob("*"):
        try:
            if path.is_file():
                sizes[str(path)] = path.stat().st_size
        except OSError:
            continue  # removed by a cleanup meanwhile
    return sizes


def _dataset(table: Any) -> Any:
    """The table's Lance dataset at its latest version, for the fine-grained operations
    LanceDB's own `optimize()` does not expose."""
    table.checkout_latest()
    return table.to_lance()


def _has_deletions(fragments: list[Any]) -> bool:
    return any(fragment.deletion_file() is not None for fragment in fragments)
