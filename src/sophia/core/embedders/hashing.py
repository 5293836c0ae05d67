"""A feature-hashing embedder: deterministic, instant, no model.

Its vectors only capture shared words, so search quality is keyword-like. It exists for
tests that are not about embedding quality and for installs without the local model
(the `sophia[local]` extra) or an OpenAI key.
"""

from __future__ import annotations

import hashlib
import itertools
import re
from collections.abc import Sequence

import numpy as np

from sophia.core.chunking import ChunkPlan
from sophia.core.embedders.base import Vectors

__all__ = ["HashingEmbedder"]

_WORD = re.compile(r"\w+")


class HashingEmbedder:
    """Signed feature hashing of words and word pairs into `dim` buckets."""

    max_tokens = 254
    default_plan = ChunkPlan(max_tokens=254, overlap_tokens=50)

    def __init__(self, dim: int = 256) -> None:
        self.dim = dim
        self.name = f"hashing:v1-{dim}"

    def count_tokens(self, text: str) -> int:
        return len(_WORD.findall(text))

    async def warm_up(self) -> None:
        return None

    async def embed_documents(self, texts: Sequence[str]) -> Vectors:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        return np.stack([self._vector(t) for t in texts])

    async def embed_query(self, text: str) -> Vectors:
        return self._vector(text)

    def _vector(self, text: str) -> Vectors:
        words = [w.lower() for w in _WORD.findall(text)]
        vector = np.zeros(self.dim, dtype=np.float32)
        for feature in [*words, *(f"{a} {b}" for a, b in itertools.pairwise(words))]:
            digest = hashlib.blake2b(feature.encode(), digest_size=8).digest()
            bucket = int.from_bytes(digest[:4], "little") % self.dim
            vector[bucket] += 1.0 if digest[4] & 1 else -1.0
        norm = float(np.linalg.norm(vector))
        return vector / norm if norm else vector
