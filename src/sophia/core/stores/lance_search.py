"""Searching a LanceDB generation: exact (or ANN) cosine, native BM25, and hybrid as
Weaviate's relative score fusion (core/stores/fusion.py) over both candidate lists, so
results mean the same on both stores. Filters go into each sub-query with `prefilter=True`,
so they act before ranking."""

from __future__ import annotations

from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

import numpy as np

from sophia.core.embedders.base import Vectors
from sophia.core.errors import StoreError
from sophia.core.query import SearchMode
from sophia.core.stores.base import StoredChunk, StoreQuery
from sophia.core.stores.fusion import relative_score_fusion
from sophia.core.stores.lance_ahead import Ahead, StartedReads
from sophia.core.stores.lance_generation import OpenGeneration, dataset_of
from sophia.core.stores.lance_indexes import AnnProbe
from sophia.core.stores.lance_schema import where
from sophia.core.stores.lance_scoped import Scoped, scoped_search
from sophia.core.stores.lance_scoped import read_ahead as scoped_read_ahead
from sophia.core.stores.records import HIT_FIELDS, stored_chunk

__all__ = ["read_ahead", "search_chunks"]

# Each sub-search of a hybrid query ranks this many candidates before fusion (Weaviate
# fuses max(limit, 100), so both stores normalise over the same lists).
_HYBRID_CANDIDATES = 100
# Where a hybrid search's keyword half runs while its own thread runs the vector half.
_KEYWORD_SEARCHES = ThreadPoolExecutor(max_workers=4, thread_name_prefix="lance-keyword")
_HIT_COLUMNS = ["id", *HIT_FIELDS]
# What a scoped search asks of the full-text index: it has read the rows itself.
_SCORED = ["id"]


def search_chunks(
    gen: OpenGeneration, query: StoreQuery, ann: AnnProbe, started: StartedReads
) -> list[StoredChunk]:
    """The best chunks of `gen` for `query`, best first (blocking), with what `read_ahead`
    started for it."""
    clause = where(query.filters)
    # Both sub-queries read one version of the table (a view's handles are fixed at
    # one): a write landing between them cannot show a call under two titles.
    chunks = gen.chunks
    if query.mode is SearchMode.KEYWORD:
        rows = _keyword(gen, chunks, query.text, clause, query.limit)
        return [_hit(row, row["_score"], keyword=row["_score"]) for row in rows]
    if query.vector is None:
        raise StoreError(f"{query.mode} search needs a query vector")
    pool = max(query.limit, _HYBRID_CANDIDATES)
    if clause and query.filters.call_ids:
        # A few calls' rows: read once and ranked here (core/stores/lance_scoped.py).
        return scoped_search(
            started,
            _scoped(gen, chunks, query, clause, pool),
            lambda row, score, similarity, bm25: _hit(
                row, score, similarity=similarity, keyword=bm25
            ),
        )
    if query.mode is SearchMode.SEMANTIC:
        rows = _semantic(chunks, query, clause, query.limit, ann)
        return [
            _hit(row, 1.0 - row["_distance"], similarity=1.0 - row["_distance"]) for row in rows
        ]
    # The two sub-queries run side by side (the keyword half perhaps since the query was
    # being embedded): LanceDB releases the GIL while it searches, so a hybrid search waits
    # for the slower one, not for both.
    ahead = started.take(chunks, _keyword_key(query.text, clause, pool))
    keyword_rows = ahead.bm25 if ahead and ahead.bm25 else _keyword_half(gen, query, pool)
    semantic = _semantic(chunks, query, clause, pool, ann)
    keyword = keyword_rows.result()
    by_id = {row["id"]: row for row in (*semantic, *keyword)}
    similarity = {row["id"]: 1.0 - row["_distance"] for row in semantic}
    bm25 = {row["id"]: row["_score"] for row in keyword}
    fused = relative_score_fusion(
        list(similarity.items()), [(row["id"], row["_score"]) for row in keyword], query.alpha
    )
    chosen = fused[: query.limit]
    for key, _ in chosen:
        if key not in similarity:  # found by BM25 alone: its cosine, from its own vector
            similarity[key] = _cosine(query.vector, by_id[key]["vector"])
    return [
        _hit(by_id[key], score, similarity=similarity[key], keyword=bm25.get(key))
        for key, score in chosen
    ]


def read_ahead(gen: OpenGeneration, query: StoreQuery, started: StartedReads) -> None:
    """Start what a search can do before its vector exists (blocking), kept in `started`:
    a scoped search's reads, a hybrid search's keyword half."""
    clause = where(query.filters)
    pool = max(query.limit, _HYBRID_CANDIDATES)
    if query.mode is SearchMode.KEYWORD:
        return
    if clause and query.filters.call_ids:
        scoped_read_ahead(started, _scoped(gen, gen.chunks, query, clause, pool))
    elif query.mode is SearchMode.HYBRID:
        started.keep(
            gen.chunks,
            _keyword_key(query.text, clause, pool),
            Ahead(None, _keyword_half(gen, query, pool)),
        )


def _keyword_half(
    gen: OpenGeneration, query: StoreQuery, pool: int
) -> Future[list[dict[str, Any]]]:
    """A hybrid search's keyword half, in a thread of its own: with the vector of each hit
    (the cosine of a hit BM25 alone found comes from it)."""
    columns = [*_HIT_COLUMNS, "vector"]
    clause = where(query.filters)
    return _KEYWORD_SEARCHES.submit(
        _keyword, gen, gen.chunks, query.text, clause, pool, columns=columns
    )


def _keyword_key(text: str, clause: str | None, pool: int) -> tuple[str, str, str | None, int]:
    return "keyword", text, clause, pool


def _scoped(gen: OpenGeneration, chunks: Any, query: StoreQuery, clause: str, pool: int) -> Scoped:
    """`query` confined to a few calls' rows; its keyword half asks the full-text index for
    ids and BM25 scores only, in a thread of its own."""

    def keyword() -> Future[list[dict[str, Any]]]:
        return _KEYWORD_SEARCHES.submit(
            _keyword, gen, chunks, query.text, clause, pool, columns=_SCORED
        )

    return Scoped(chunks, query, clause, pool, keyword)


def _semantic(
    chunks: Any, query: StoreQuery, clause: str | None, limit: int, ann: AnnProbe
) -> list[dict[str, Any]]:
    nearest = {
        "column": "vector",
        "q": np.asarray(query.vector, dtype=np.float32).ravel(),
        "k": limit,
        "metric": "cosine",
        **ann.nearest(chunks, query.filters, limit),
    }
    found = dataset_of(chunks).to_table(
        nearest=nearest, filter=clause, prefilter=True, columns=[*_HIT_COLUMNS, "_distance"]
    )
    rows: list[dict[str, Any]] = found.to_pylist()
    rows.sort(key=lambda row: row["_distance"])  # nearest first, as LanceDB returns them
    return rows


def _keyword(
    gen: OpenGeneration,
    chunks: Any,
    text: str,
    clause: str | None,
    limit: int,
    *,
    columns: list[str] | None = None,
) -> list[dict[str, Any]]:
    if not gen.has_fts:
        # Built by the first write, perhaps in another process since we opened it.
        gen.has_fts = any(i.index_type == "FTS" for i in gen.chunks.list_indices())
        if not gen.has_fts:
            return []
    # A match query takes the text as words, not as query syntax: quotes, AND, colons
    # and parentheses in a user's question are just characters.
    from lance.query import MatchQuery  # lazily: see lance_generation

    found = dataset_of(chunks).to_table(
        full_text_query=MatchQuery(text, "text"),
        filter=clause,
        prefilter=True,
        columns=[*(columns or _HIT_COLUMNS), "_score"],
        limit=limit,
    )
    rows: list[dict[str, Any]] = found.to_pylist()
    # Best first, as LanceDB's search returns them.
    rows.sort(key=lambda row: -row["_score"])
    return rows


def _cosine(query: Vectors, vector: Any) -> float:
    a, b = np.asarray(query, dtype=np.float32).ravel(), np.asarray(vector, dtype=np.float32)
    norm = float(np.linalg.norm(a) * np.linalg.norm(b))
    return float(a @ b) / norm if norm else 0.0


def _hit(
    row: dict[str, Any],
    score: float,
    *,
    similarity: float | None = None,
    keyword: float | None = None,
) -> StoredChunk:
    return stored_chunk(row, row["id"], score, similarity=similarity, keyword=keyword)
