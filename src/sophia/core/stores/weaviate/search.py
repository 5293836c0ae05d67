"""Searching one data set's chunks: keyword (BM25), semantic (cosine) or hybrid (Weaviate's
relative score fusion), with every filter inside the query, before ranking."""

from __future__ import annotations

import time
from typing import Any

import numpy as np
from weaviate.classes.query import HybridFusion, MetadataQuery
from weaviate.exceptions import WeaviateBaseError

from sophia.core.errors import StoreError
from sophia.core.query import SearchMode
from sophia.core.stores.base import StoredChunk, StoreQuery
from sophia.core.stores.records import HIT_FIELDS, stored_chunk
from sophia.core.stores.weaviate.connection import WeaviateConnection
from sophia.core.stores.weaviate.datasets import DataSet
from sophia.core.stores.weaviate.schema import VECTOR, search_filters

__all__ = ["search_chunks"]


async def search_chunks(
    conn: WeaviateConnection, data: DataSet, query: StoreQuery
) -> list[StoredChunk]:
    """The best chunks for `query`, best first, scored as LanceStore scores them."""
    chunks = conn.use(data.chunks)
    common: dict[str, Any] = {
        "limit": query.limit,
        "filters": search_filters(query.filters),
        "return_properties": HIT_FIELDS,
    }
    started = time.perf_counter()
    try:
        if query.mode is SearchMode.KEYWORD:
            found = await chunks.query.bm25(
                query=query.text,
                query_properties=["text"],
                return_metadata=MetadataQuery(score=True),
                **common,
            )
            return [_hit(obj, obj.metadata.score) for obj in found.objects]
        if query.vector is None:
            raise StoreError(f"{query.mode} search needs a query vector")
        vector = query.vector.astype(np.float32).tolist()
        if query.mode is SearchMode.SEMANTIC:
            found = await chunks.query.near_vector(
                near_vector=vector,
                target_vector=VECTOR,
                return_metadata=MetadataQuery(distance=True),
                **common,
            )
            # Cosine distance is 1 - cosine similarity: report the similarity, as Lance.
            return [_hit(obj, _similarity(obj.metadata.distance)) for obj in found.objects]
        found = await chunks.query.hybrid(
            query=query.text,
            vector=vector,
            alpha=query.alpha,
            fusion_type=HybridFusion.RELATIVE_SCORE,
            query_properties=["text"],
            target_vector=VECTOR,
            return_metadata=MetadataQuery(score=True),
            **common,
        )
        return [_hit(obj, obj.metadata.score) for obj in found.objects]
    except WeaviateBaseError as exc:
        ms = (time.perf_counter() - started) * 1000
        raise StoreError(f"search failed after {ms:.0f} ms: {conn.scrub(exc)}") from None


def _hit(obj: Any, score: float | None) -> StoredChunk:
    if score is None:
        raise StoreError("Weaviate returned a hit without a score")
    return stored_chunk(obj.properties, str(obj.uuid), score)


def _similarity(distance: float | None) -> float | None:
    return None if distance is None else 1.0 - distance
