"""Vector stores: where chunks, their vectors and the indexed calls live."""

from sophia.core.stores.base import (
    IndexCounts,
    IndexedCall,
    IndexInfo,
    StoredChunk,
    StoreQuery,
    VectorStore,
)

__all__ = ["IndexCounts", "IndexInfo", "IndexedCall", "StoreQuery", "StoredChunk", "VectorStore"]
