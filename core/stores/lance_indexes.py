"""The indexes the embedded store keeps on its chunk table, and how searches use them.

- The full-text (BM25) index on the chunk text.
- Scalar indexes on the filter columns (call id, account, date, the side flags), so a
  filtered search reads only the rows its filter allows.
- An ANN vector index (IVF-PQ) once the table holds `ANN_MIN_ROWS` chunks: below that an
  exact scan is fast and exact. Searches re-rank its candidates by their exact vectors
  (`refine_factor`), which keeps recall@10 against exact search above 0.97
  (benchmarks/scale.py). Rows added after it was trained are scanned until the next
  optimize folds them in; that runs after a sync, never on the query path.

A search confined to calls or accounts skips the ANN index: the scalar index hands over
just those rows, and an exact scan of a few hundred rows beats probing partitions that
may not even hold them.
"""

from __future__ import annotations

import logging
import math
from typing import Any

from lancedb.index import FTS, Bitmap, BTree, IvfPq

from core.query import SearchFilters

__all__ = [
    "ANN_MIN_ROWS",
    "ensure_indexes",
    "has_ann_index",
    "tune_vector_search",
]

log = logging.getLogger("sophia.store")

# Measured in benchmarks/scale.py: an exact scan of 25k chunks is as fast as an ANN query
# with its refine step; beyond, the scan grows with the table and the index does not.
ANN_MIN_ROWS = 25_000
_ANN_NAME = "vector_idx"
# IVF partitions ~ sqrt(rows) keep both the probe and the partitions small; 48 sub-vectors
# of 8 dims each for 384 dims (1536 for OpenAI's: 96 of 16).
_SUB_VECTOR_DIMS = 8
# Probed partitions and exact re-ranking of refine_factor x limit candidates: recall@10
# >= 0.97 against exact search on QMSum at 100k and 1M chunks (benchmarks/README.md).
_NPROBES = 24
_REFINE_FACTOR = 10

_BTREE = ("call_id", "account_key", "started_ms")
_BITMAP = ("has_internal", "has_external", "has_unknown")


def ensure_indexes(table: Any, *, ann_min_rows: int = ANN_MIN_ROWS) -> list[str]:
    """Create the full-text and scalar indexes and, past `ann_min_rows`, the ANN index when
    missing; returns what was newly indexed. optimize() keeps existing indexes current."""
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
    if "vector" not in have and rows >= ann_min_rows:
        dim = table.schema.field("vector").type.list_size
        log.info("building the ANN index over %d chunks (once; later rows are folded in)", rows)
        ann = IvfPq(
            distance_type="cosine",
            num_partitions=max(1, round(math.sqrt(rows))),
            num_sub_vectors=max(1, dim // _SUB_VECTOR_DIMS),
        )
        table.create_index("vector", config=ann, name=_ANN_NAME)
        made.append("vector")
    return made


def has_ann_index(table: Any) -> bool:
    """Whether the vectors have an ANN index (else every vector search is an exact scan)."""
    return any("vector" in index.columns for index in table.list_indices())


def tune_vector_search(search: Any, filters: SearchFilters) -> Any:
    """An exact scan for searches confined to calls or accounts; otherwise the ANN index,
    probed and refined (both settings are ignored while no ANN index exists)."""
    if filters.call_ids or filters.account_key:
        return search.bypass_vector_index()
    return search.nprobes(_NPROBES).refine_factor(_REFINE_FACTOR)
