"""The indexes the embedded store keeps on its chunk table, and how searches use them.

- The full-text (BM25) index on the chunk text.
- Scalar indexes on the filter columns (call id, account, date, the side flags), so a
  filtered search reads only the rows its filter allows.
- An ANN vector index (IVF-PQ) once the table holds `ANN_MIN_ROWS` chunks: below that an
  exact scan is fast and exact. Searches probe a quarter of its partitions and re-rank
  the best candidates (two per partition, at least 400) by their exact vectors, which
  keeps recall@10 against an exact scan at or above 0.97 (benchmarks/scale.py). Rows
  added after it was trained are folded in as delta segments after each sync
  (core/stores/lance_upkeep.py); when the table has grown past four times what the index
  was trained for, optimize trains a new one. All of this runs after a sync, never on the
  query path. IVF-PQ rather than IVF-HNSW-SQ: at 1M chunks the latter answers in half the
  time at the same recall but holds ~0.7 GB more in memory (benchmarks/ann_kinds.py).

A search confined to calls or accounts skips the ANN index: the scalar index hands over
just those rows, and an exact scan of a few hundred rows beats probing partitions that
may not even hold them.
"""

from __future__ import annotations

import logging
import math
import re
from typing import Any

from sophia.core.query import SearchFilters
from sophia.core.stores.lance_generation import dataset_of

__all__ = ["ANN_MIN_ROWS", "AnnProbe", "ann_partitions", "ensure_indexes"]

log = logging.getLogger("sophia.store")

# Measured in benchmarks/scale.py: an exact scan of 25k chunks costs about what an ANN
# query with its refine step costs; beyond, the scan grows with the table and the index
# does not.
ANN_MIN_ROWS = 25_000
# The index's name carries its partition count, which searches need to probe a share of
# them: `vector_ivf_pq_316`.
_ANN_PREFIX = "vector_ivf_pq_"
# 48 sub-vectors of 8 dims for 384 dims (96 of 16 for OpenAI's 1536).
_SUB_VECTOR_DIMS = 8
# Measured on QMSum replicated to 100k and 1M chunks (benchmarks/README.md): what misses
# at 1M is the re-ranking, not the probing (a fifth of the partitions and 400 candidates:
# recall@10 0.93; 1,000 candidates 0.96; 2,000: 0.996), and at 100k a quarter of the
# partitions finds what a fifth misses. The candidates are bounded, not the factor: a hybrid
# search's pool of 100 re-ranks as many.
_PROBE_SHARE = 0.25
_MIN_PROBES = 16
_MIN_REFINE_CANDIDATES = 400
_REFINE_PER_PARTITION = 2
# Retrain when the rows outgrow the partitions: sqrt(rows) partitions is the usual balance.
_RETRAIN_GROWTH = 4

_BTREE = ("call_id", "account_key", "started_ms")
_BITMAP = ("has_internal", "has_external", "has_unknown")


def ensure_indexes(table: Any, *, ann_min_rows: int = ANN_MIN_ROWS) -> list[str]:
    """Create the full-text and scalar indexes and, past `ann_min_rows`, the ANN index when
    missing or outgrown; returns what was (re)built. The upkeep after each sync keeps the
    rest current (core/stores/lance_upkeep.py)."""
    from lancedb.index import FTS, Bitmap, BTree  # lazily: see lance_generation

    rows = table.count_rows()
    if not rows:
        return []
    indexes = list(table.list_indices())
    have = {column for index in indexes for column in index.columns if index.index_type != "FTS"}
    made = []
    if not any(index.index_type == "FTS" for index in indexes):
        table.create_index("text", config=FTS(), replace=True)
        made.append("text (full text)")
    for columns, kind in ((_BTREE, BTree), (_BITMAP, Bitmap)):
        for column in columns:
            if column not in have:
                table.create_index(column, config=kind())
                made.append(column)
    trained_for = ann_partitions(table)
    outgrown = trained_for is not None and rows > _RETRAIN_GROWTH * trained_for**2
    if rows >= ann_min_rows and (trained_for is None or outgrown):
        _build_ann(table, rows, replacing=trained_for)
        made.append("vector")
    return made


def ann_partitions(table: Any) -> int | None:
    """The ANN index's partition count, or None while the vectors have no ANN index."""
    for index in table.list_indices():
        found = re.fullmatch(rf"{_ANN_PREFIX}(\d+)", index.name)
        if found:
            return int(found[1])
    return None


class AnnProbe:
    """How vector searches of one table use its ANN index; re-read only when the table
    changed (another process's optimize may have built or retrained it)."""

    def __init__(self) -> None:
        self._version: int | None = None
        self._partitions: int | None = None

    def nearest(self, table: Any, filters: SearchFilters, limit: int) -> dict[str, Any]:
        """How a vector search of `table` uses the ANN index, as Lance's `nearest` options:
        not at all for searches confined to calls or accounts (an exact scan of their rows);
        otherwise probed and refined."""
        if filters.call_ids or filters.account_key:
            return {"use_index": False}
        # The handle's own dataset knows its version; LanceDB's `table.version` goes
        # through LanceDB's event loop (~0.2 ms a search).
        version = dataset_of(table).version
        if version != self._version:
            self._partitions, self._version = ann_partitions(table), version
        if self._partitions is None:
            return {}
        probes = max(_MIN_PROBES, math.ceil(_PROBE_SHARE * self._partitions))
        candidates = max(_MIN_REFINE_CANDIDATES, _REFINE_PER_PARTITION * self._partitions)
        return {"nprobes": probes, "refine_factor": max(2, math.ceil(candidates / limit))}


def _build_ann(table: Any, rows: int, *, replacing: int | None) -> None:
    partitions = max(1, round(math.sqrt(rows)))
    dim = table.schema.field("vector").type.list_size
    log.info(
        "building the ANN index over %d chunks (%d partitions)%s",
        rows,
        partitions,
        f", replacing the one trained with {replacing}" if replacing else "",
    )
    if replacing is not None:
        # Until the new one is built, searches scan exactly: slower, never wrong.
        table.drop_index(f"{_ANN_PREFIX}{replacing}")
    from lancedb.index import IvfPq  # lazily: see lance_generation

    config = IvfPq(
        distance_type="cosine",
        num_partitions=partitions,
        num_sub_vectors=max(1, dim // _SUB_VECTOR_DIMS),
    )
    table.create_index("vector", config=config, name=f"{_ANN_PREFIX}{partitions}")
