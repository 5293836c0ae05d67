"""Searching a few calls of a LanceDB generation: a search confined to call ids reads those
calls' rows once, through the scalar index on the call id, and ranks them in process.

The vector half is an exact cosine over the rows read (what a vector search that bypasses
the ANN index computes); the keyword half is the full-text index's own BM25, asked for ids
and scores only, side by side with the read. Both halves, the filters and the fusion are
those of the general path (core/stores/lance_search.py), so the hits are the same; what is
saved is a second query that would read the same rows again (measured in
benchmarks/README.md, "Scale").
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass
from typing import Any

import numpy as np
import pyarrow as pa

from sophia.core.query import SearchMode
from sophia.core.stores.base import StoredChunk, StoreQuery
from sophia.core.stores.fusion import relative_score_fusion
from sophia.core.stores.lance_ahead import Ahead, StartedReads
from sophia.core.stores.lance_generation import dataset_of
from sophia.core.stores.records import HIT_FIELDS

__all__ = ["Hit", "Keyword", "Scoped", "read_ahead", "scoped_search"]

# The rows a scoped search reads: what a hit is built from, and the vector to score.
_COLUMNS = ["id", *HIT_FIELDS, "vector"]

# (row, score, similarity, bm25) -> a stored chunk, as the general path builds its hits.
Hit = Callable[[dict[str, Any], float, float | None, float | None], StoredChunk]
# The full-text half started: ids and BM25 scores of the best `pool` matches, filtered.
Keyword = Callable[[], "Future[list[dict[str, Any]]]"]


@dataclass(frozen=True)
class Scoped:
    """A semantic or hybrid query confined to the rows `clause` allows on one table handle,
    with its full-text half; `pool`: candidates per half before fusion, as in the general
    path."""

    chunks: Any
    query: StoreQuery
    clause: str
    pool: int
    keyword: Keyword

    @property
    def key(self) -> tuple[str, SearchMode, str, str, int]:
        """What a read ahead is kept under: the same search with or without its vector."""
        return "scoped", self.query.mode, self.query.text, self.clause, self.pool

    def read(self) -> Ahead:
        """The rows and, for a hybrid query, the full-text half started beside them
        (blocking)."""
        bm25 = self.keyword() if self.query.mode is SearchMode.HYBRID else None
        rows = dataset_of(self.chunks).to_table(filter=self.clause, columns=_COLUMNS)
        return Ahead(rows, bm25)


def read_ahead(started: StartedReads, scoped: Scoped) -> None:
    """Read for `scoped` before its vector exists (blocking) and keep it in `started`:
    `scoped_search` for the same query on the same table handle uses it."""
    started.keep(scoped.chunks, scoped.key, scoped.read())


def scoped_search(started: StartedReads, scoped: Scoped, hit: Hit) -> list[StoredChunk]:
    """The best chunks for `scoped` (blocking), from what was read ahead into `started` if
    anything."""
    query, pool = scoped.query, scoped.pool
    assert query.vector is not None
    reads = started.take(scoped.chunks, scoped.key) or scoped.read()
    rows: pa.Table = reads.rows
    similarity = _cosines(query.vector, rows.column("vector").combine_chunks())
    ids = rows.column("id").to_pylist()
    order = np.argsort(-similarity, kind="stable")
    if reads.bm25 is None:
        chosen = [(ids[i], float(similarity[i])) for i in order[: query.limit]]
        keyword_scores: dict[str, float] = {}
    else:
        keyword_rows = reads.bm25.result()
        keyword_scores = {row["id"]: row["_score"] for row in keyword_rows}
        vector_scores = [(ids[i], float(similarity[i])) for i in order[:pool]]
        chosen = relative_score_fusion(
            vector_scores, [(row["id"], row["_score"]) for row in keyword_rows], query.alpha
        )[: query.limit]
    at = {key: i for i, key in enumerate(ids)}
    wanted = [at[key] for key, _ in chosen]
    picked = pa.array(wanted, type=pa.int64())
    records = rows.select(["id", *HIT_FIELDS]).take(picked).to_pylist()
    return [
        hit(record, score, float(similarity[i]), keyword_scores.get(key))
        for record, i, (key, score) in zip(records, wanted, chosen, strict=True)
    ]


def _cosines(query: Any, vectors: Any) -> np.ndarray:
    dim = vectors.type.list_size
    flat = vectors.flatten().to_numpy(zero_copy_only=False)
    matrix = np.asarray(flat, dtype=np.float32).reshape(-1, dim)
    q = np.asarray(query, dtype=np.float32).ravel()
    norms = np.linalg.norm(matrix, axis=1) * float(np.linalg.norm(q))
    dots: np.ndarray = matrix @ q
    cosines: np.ndarray = np.divide(dots, norms, out=np.zeros_like(dots), where=norms > 0)
    return cosines
