"""The production store: Weaviate, through the v4 client's async API (REST + gRPC).

Three collections, named after WEAVIATE_COLLECTION (`N`, default GongChunk):

- `N`: one object per chunk; its id is the chunk id (UUIDv5 of call, index and chunker), its
  vector is ours (a self-provided vector named "default", HNSW, cosine, efConstruction from
  WEAVIATE_EF_CONSTRUCTION), BM25 reads only `text`, and every citation and filter field is a
  property (the fields LanceStore keeps, built by core/stores/records.py).
- `NCall`: one object per indexed call, without a vector: the redacted call as JSON with its
  content hash, so `get_call`, `list_calls` and `sophia reindex` never need Gong.
- `NMeta`: one object, the index record: embedder name and dimension, chunker version, the
  live data set's chunk collection, a `uid` that a reset replaces and a `generation` token
  that every write replaces.

`N` and `NCall` are the first data set; `sophia reindex` builds the next beside the live one
and switches the record to it in one update (core/stores/weaviate/datasets.py).

Why a record object: Weaviate keeps no embedder name and learns a vector's dimension from the
first insert, so the record is what `ensure_index` checks. Why a random token rather than a
counter: two writers bumping a counter can both write the same number; a fresh token per write
cannot collide, and a cache key only needs "changed or not". The token is written after the
data, so a reader can at worst cache fresh results under the old key, never stale results
under the new one.

Scores mean what LanceStore's mean: semantic is cosine similarity (1 - Weaviate's cosine
distance), keyword is Weaviate's BM25, hybrid is Weaviate's relative score fusion with
`alpha`. Filters are built with the client's Filter API (values, never query strings) and act
inside every sub-search, before ranking.
"""

from sophia.core.stores.weaviate.store import WeaviateStore

__all__ = ["WeaviateStore"]
