"""The relevance floor: a hit must show real evidence of matching the query to be shown.

Search ranks by a fused score that is min-max normalised per query, so its top hit always
scores 1.0, even when nothing in the index is about the question; filling `limit` hits then
pads an answer with moments that merely happened to rank. The floor judges each hit on raw
evidence instead, which means the same thing in every query: the cosine similarity of its
chunk to the question, and its BM25 score. A hit clears the floor on either one.

The thresholds are calibrated per embedder (cosines of different models are not on one
scale) on QMSum's train split and on samples/ (see benchmarks/README.md): low enough to keep
every hit that QMSum's judges marked relevant in our top 10, high enough to drop small talk.
An embedder without a calibration (OpenAI's, the hashing one) gets no floor: its cosines
have not been measured, and a BM25-only floor would drop its paraphrase matches.
"""

from __future__ import annotations

from dataclasses import dataclass

from core.stores.base import StoredChunk

__all__ = ["NO_FLOOR", "RelevanceFloor", "floor_for"]

# Cosine similarity of a chunk to the query, per embedder (see the module docstring).
_MIN_SIMILARITY = {
    "local:all-MiniLM-L6-v2": 0.30,
}
# BM25 of a chunk: about one moderately specific word of the query (idf ~2) matched.
_MIN_BM25 = 2.0


@dataclass(frozen=True)
class RelevanceFloor:
    """Raw evidence a hit needs: a cosine or a BM25 score at least this high (None: no
    threshold on that side)."""

    similarity: float | None
    keyword: float | None

    def admits(self, chunk: StoredChunk) -> bool:
        """True when the chunk clears the floor on either kind of evidence.

        A store that reports no raw evidence for a chunk (only a fused score) cannot be
        judged: its hit is kept, as before the floor existed.
        """
        if self.similarity is None and self.keyword is None:
            return True
        if chunk.similarity is None and chunk.keyword is None:
            return True
        if self.similarity is not None and (chunk.similarity or 0.0) >= self.similarity:
            return True
        return self.keyword is not None and (chunk.keyword or 0.0) >= self.keyword


NO_FLOOR = RelevanceFloor(None, None)


def floor_for(embedder: str, enabled: bool = True) -> RelevanceFloor:
    """The calibrated floor for an embedder (by its name), or none when turned off."""
    similarity = _MIN_SIMILARITY.get(embedder)
    if not enabled or similarity is None:
        return NO_FLOOR
    return RelevanceFloor(similarity, _MIN_BM25)
