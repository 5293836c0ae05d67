"""Query vectors remembered in a cache, so a repeated query skips the embedder.

Worth it for a remote embedder (an OpenAI round trip per query) and after a sync: the
generation bump retires cached search results, but the vector of a query stays valid for
as long as the embedder does, and the embedder's name is part of the key.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Sequence

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

    @property
    def name(self) -> str:
        return self.inner.name

    @property
    def dim(self) -> int:
        return self.inner.dim

    @property
    def default_plan(self) -> ChunkPlan:
        return self.inner.default_plan

    @property
    def max_tokens(self) -> int:
        return self.inner.max_tokens

    def count_tokens(self, text: str) -> int:
        return self.inner.count_tokens(text)

    async def warm_up(self) -> None:
        await self.inner.warm_up()

    async def embed_documents(self, texts: Sequence[str]) -> Vectors:
        return await self.inner.embed_documents(texts)

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
