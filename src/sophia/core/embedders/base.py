"""The `Embedder` Protocol."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

import numpy as np
import numpy.typing as npt

from sophia.core.chunking import ChunkPlan

__all__ = ["Embedder", "Vectors", "aclose_embedder"]

Vectors = npt.NDArray[np.float32]


class Embedder(Protocol):
    """Turns text into unit-length vectors and counts text in its own tokens.

    `name` and `dim` identify the embedding space: an index records them and refuses
    vectors from any other space.
    """

    @property
    def name(self) -> str: ...

    @property
    def dim(self) -> int: ...

    @property
    def default_plan(self) -> ChunkPlan:
        """Chunk size and overlap that suit this embedder's input window."""
        ...

    @property
    def max_tokens(self) -> int:
        """Longest input, in this embedder's tokens, that it reads without truncating."""
        ...

    def count_tokens(self, text: str) -> int: ...

    async def warm_up(self) -> None:
        """Load whatever the first embedding would load, so query timings measure queries."""
        ...

    async def embed_documents(self, texts: Sequence[str]) -> Vectors:
        """One row per text, in order; raises `EmbeddingError`."""
        ...

    async def embed_query(self, text: str) -> Vectors:
        """A single vector (1-D) for a search query; raises `EmbeddingError`."""
        ...


async def aclose_embedder(embedder: Embedder) -> None:
    """Release an embedder's network client. Only remote embedders hold one, so `aclose`
    is an optional method rather than part of the Protocol."""
    aclose = getattr(embedder, "aclose", None)
    if aclose is not None:
        await aclose()
