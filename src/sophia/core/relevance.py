"""The relevance floor: a hit must show real evidence of matching the query to be shown.

Search ranks by a fused score that is min-max normalised per query, so its top hit always
scores 1.0, even when nothing in the index is about the question; filling `limit` hits then
pads an answer with moments that merely happened to rank. The floor judges each hit on raw
evidence instead, which means the same thing in every query: the cosine similarity of its
chunk to the question, and its BM25 score. A hit clears the floor on either one.

The thresholds are calibrated per embedder (cosines of different models are not on one
scale) with benchmarks/floor.py on QMSum's train split, and checked on samples/ (see
benchmarks/README.md): on QMSum they keep 97 % of the top-10 hits its judges marked
relevant in call scope (all of them in global scope, where hit@k does not move), and on
samples/ they drop the chunks a question has nothing to do with (cosine under 0.25, no word
of it said).
An embedder without a calibration (OpenAI's, the hashing one) gets no floor: its cosines
have not been measured, and a BM25-only floor would drop its paraphrase matches.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

from sophia.core.snippets import says_any, word_stems
from sophia.core.stores.base import StoredChunk

__all__ = ["NO_FLOOR", "RelevanceFloor", "floor_for"]

# Cosine similarity of a chunk to the query, per embedder (see the module docstring).
_MIN_SIMILARITY = {
    "local:all-MiniLM-L6-v2": 0.25,
}
# BM25 of a chunk: about one moderately specific word of the query (idf ~2) matched...
_MIN_BM25 = 2.0
# ... and then the meaning must not be far off (per embedder, like _MIN_SIMILARITY),
# unless BM25 alone is this strong (a quoted phrase: "ignore previous instructions").
_STRONG_BM25 = 8.0
_MIN_SIMILARITY_WITH_BM25 = {
    "local:all-MiniLM-L6-v2": 0.10,
}


@dataclass(frozen=True)
class RelevanceFloor:
    """The raw evidence a hit needs. A cosine of at least `similarity` is enough alone; a
    BM25 of at least `keyword` is enough when the cosine is at least `low` (a word can match
    by accident: BM25 stems "objections" and "objects" alike), and a BM25 of at least
    `strong` (several rare words of the question, as in a quoted phrase) is enough alone.
    None: no threshold."""

    similarity: float | None
    keyword: float | None
    low: float = 0.0
    strong: float | None = None

    def admits(self, chunk: StoredChunk, query: str) -> bool:
        """True when the chunk clears the floor for `query`.

        A store that reports no raw evidence for a chunk (only a fused score) cannot be
        judged: its hit is kept, as before the floor existed.
        """
        if chunk.similarity is None and chunk.keyword is None:
            return True
        if self.admits_evidence(chunk.similarity, None):
            return True  # the meaning alone clears it: the words need not be read
        text = " ".join(line.text for line in chunk.lines)
        said = says_any(text, _query_stems(query))
        return self.admits_evidence(chunk.similarity, chunk.keyword, said=said)

    def admits_evidence(
        self, similarity: float | None, keyword: float | None, *, said: bool = True
    ) -> bool:
        """The floor applied to raw evidence (None: not measured for this hit). `said`: the
        chunk holds a word of the question as written (BM25's stemmer also matches
        "objects" for "objections"); BM25 evidence counts only then."""
        if self.similarity is None and self.keyword is None:
            return True
        if self.similarity is not None and similarity is not None and similarity >= self.similarity:
            return True
        if keyword is None or not said:
            return False
        if self.strong is not None and keyword >= self.strong:
            return True
        if self.keyword is not None and keyword >= self.keyword:
            return similarity is None or similarity >= self.low
        return False


NO_FLOOR = RelevanceFloor(None, None)


@functools.lru_cache(maxsize=256)
def _query_stems(query: str) -> frozenset[str]:
    """A query's `word_stems`, once for all the candidates judged against it."""
    return frozenset(word_stems(query))


def floor_for(embedder: str, enabled: bool = True) -> RelevanceFloor:
    """The calibrated floor for an embedder (by its name), or none when turned off."""
    similarity = _MIN_SIMILARITY.get(embedder)
    if not enabled or similarity is None:
        return NO_FLOOR
    low = _MIN_SIMILARITY_WITH_BM25.get(embedder, 0.0)
    return RelevanceFloor(similarity, _MIN_BM25, low, _STRONG_BM25)
