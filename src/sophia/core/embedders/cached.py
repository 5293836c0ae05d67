"""Query vectors remembered in a cache, so a repeated query skips the embedder.

Worth it for a remote embedder (an OpenAI round trip per query) and after a sync: the
generation bump retires cached search results, but the vector of a query stays valid for
as long as the embedder does, and the embedder's name is part of the key.
"""

from __future__ import annotations

import base64
import hashlib

import numpy as np

from sophia.core.cache.base import Cache
from sophia.core.chunking import ChunkPlan
from sophia.core.embedders.base import Embedder, Vectors, aclose_embedder

__all__ = ["QueryVectorCache"]


class QueryVectorCache:
    """An `Embedder` that looks query vectors up in `cache` before asking `inner`."""

    def __init__(self, inner: Embedder, cache: Cache) -> None:
        self.inner = inner
        self._cache = cache
        # The embedding space and everything but query vectors are the inner embedder's.
        self.name: str = inner.name
        self.dim: int = inner.dim
        self.default_plan: ChunkPlan = inner.default_plan
        self.max_tokens: int = inner.max_tokens
        self.count_tokens = inner.count_tokens
        self.warm_up = inner.warm_up
        self.embed_documents = inner.embed_documents

    async def embed_query(self, text: str) -> Vectors:
        key = f"{self.inner.name}:{hashlib.sha256(text.encode()).hexdigest()}"
        cached = await self._cache.get(key)
        if cached is not None and (vector := _decoded(cached, self.inner.dim)) is not None:
            return vector
        vector = await self.inner.embed_query(text)
        encoded = np.ascontiguousarray(vector, dtype=np.float32).tobytes()
        await self._cache.set(key, base64.b64encode(encoded).decode("ascii"))
        return vector

    async def aclose(self) -> None:
        """Close the inner embedder's connections, if it holds any."""
        await aclose_embedder(self.inner)


def _decoded(value: str, dim: int) -> Vectors | None:
    """The cached vector, or None for a value that cannot be one of this embedder's."""
    try:
        vector = np.frombuffer(base64.b64decode(value, validate=True), dtype=np.float32)
    except ValueError:
        return None
    return vector.copy() if vector.shape == (dim,) else None
