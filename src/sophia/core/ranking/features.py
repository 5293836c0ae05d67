"""What the second-stage ranker knows about each candidate: computed from the candidates alone.

Everything here comes from what a store's hybrid search returns (fused score, raw cosine and
BM25 where reported, text, speakers, title, position), plus the other candidates of the
same call: a moment a query asks about usually spans several chunks, and most global misses
pick the wrong call, so neighbours and the call as a whole carry signal a single chunk lacks.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from functools import lru_cache

import numpy as np

from sophia.core.snippets import query_terms
from sophia.core.stores.base import StoredChunk

__all__ = ["FEATURES", "features"]

_WINDOW = 3  # chunks either side that count as the same moment
# Words seen and what they stem to: a plain dict, faster than lru_cache, emptied when full.
_TERMS: dict[str, str | None] = {}
_TERMS_KEPT = 1 << 17

FEATURES: tuple[str, ...] = (
    "fused",  # the store's fused score, 0..1 (relative score fusion)
    "fused_gap",  # fused minus the best fused score of the query
    "rank",  # log(1 + position in the store's order)
    "similarity",  # cosine to the query (0 where the store did not report it)
    "similarity_gap",
    "has_similarity",
    "bm25",  # the store's BM25 (0 where absent: not among its keyword candidates)
    "bm25_ratio",  # BM25 over the best BM25 of the query
    "has_bm25",
    "cover",  # share of the query's content words said in the chunk
    "cover_gap",
    "neighbour_fused",  # best fused score of the chunks just before and after, if candidates
    "neighbour_cover",  # share of query words said in the chunk or its candidate neighbours
    "call_best",  # best fused score of the chunk's call
    "call_share",  # the call's share of all fused score in the candidates
    "call_count",  # log(1 + candidates from the chunk's call)
    "call_rank",  # log(1 + rank of the call by its best fused score)
    "call_cover",  # share of query words said anywhere in the call's candidates
    "calls",  # log(number of calls among the candidates): call scope or global
    "title_cover",  # share of query words in the call's title
    "speaker_named",  # share of the chunk's sentences said by a speaker the query names
    "words",  # log(words in the chunk)
    "position",  # log(1 + chunk index in its call)
    "relative_position",  # chunk index over the call's last candidate index
    "title_early",  # title_cover where the call starts (titles name a call's first topic)
    "window_fused",  # fused score of the call's candidates within 3 chunks, summed
    "window_cover",  # share of query words said within 3 chunks (candidates)
    "similarity_z",  # cosine, standardised over the query's candidates
    "bm25_z",
)

_AT = {name: i for i, name in enumerate(FEATURES)}


def features(query: str, chunks: Sequence[StoredChunk]) -> np.ndarray:
    """One row of `FEATURES` per candidate, in the order given (the store's)."""
    n = len(chunks)
    out = np.zeros((n, len(FEATURES)), dtype=np.float64)
    if not n:
        return out
    terms = sorted(query_terms(query))
    q = max(len(terms), 1)
    # said[i, t]: candidate i says query term t. Sets of words per candidate, per call and
    # per window are rows of this matrix OR-ed together, in numpy rather than Python.
    said, words = _read(chunks, terms)
    fused = np.array([c.score for c in chunks], dtype=np.float64)
    sim = np.array([c.similarity or 0.0 for c in chunks], dtype=np.float64)
    has_sim = np.array([c.similarity is not None for c in chunks], dtype=np.float64)
    bm25 = np.array([c.keyword or 0.0 for c in chunks], dtype=np.float64)
    cover = said.sum(axis=1) / q

    # Calls numbered by first appearance; everything per call is a reduction over them.
    ids: dict[str, int] = {}
    call = np.array([ids.setdefault(c.call_id, len(ids)) for c in chunks], dtype=np.int64)
    calls = len(ids)
    index = np.array([c.chunk_index for c in chunks], dtype=np.int64)
    best = np.full(calls, -np.inf)
    np.maximum.at(best, call, fused)
    count = np.bincount(call, minlength=calls)
    last = np.zeros(calls, dtype=np.int64)
    np.maximum.at(last, call, index)
    call_said = np.zeros((calls, said.shape[1]), dtype=bool)
    np.logical_or.at(call_said, call, said)
    # Ranked by best fused score, ties by first appearance (calls are numbered that way).
    rank = np.empty(calls, dtype=np.float64)
    rank[np.lexsort((np.arange(calls), -best))] = np.arange(calls)
    titles = {c.call_id: c.title for c in chunks}
    title_cover = np.array([len(_terms(titles[cid]) & set(terms)) / q for cid in ids])

    near, window = _windows(chunks, call, index)
    relative = index / (last[call] + 1)
    out[:, _AT["fused"]] = fused
    out[:, _AT["fused_gap"]] = fused - fused.max()
    out[:, _AT["rank"]] = np.log1p(np.arange(n))
    out[:, _AT["similarity"]] = sim
    out[:, _AT["similarity_gap"]] = np.where(
        has_sim > 0, sim - (sim[has_sim > 0].max() if has_sim.any() else 0), 0
    )
    out[:, _AT["has_similarity"]] = has_sim
    out[:, _AT["bm25"]] = bm25
    out[:, _AT["bm25_ratio"]] = bm25 / bm25.max() if bm25.max() > 0 else 0.0
    out[:, _AT["has_bm25"]] = np.array([c.keyword is not None for c in chunks], dtype=np.float64)
    out[:, _AT["cover"]] = cover
    out[:, _AT["cover_gap"]] = cover - cover.max()
    out[:, _AT["neighbour_fused"]] = _gathered(fused, near).max(axis=1, initial=0.0)
    out[:, _AT["neighbour_cover"]] = _around(said, near) / q
    out[:, _AT["call_best"]] = best[call]
    out[:, _AT["call_share"]] = np.bincount(call, fused, calls)[call] / (float(fused.sum()) or 1.0)
    out[:, _AT["call_count"]] = np.log1p(count[call])
    out[:, _AT["call_rank"]] = np.log1p(rank[call])
    out[:, _AT["call_cover"]] = call_said.sum(axis=1)[call] / q
    out[:, _AT["calls"]] = math.log(calls)
    out[:, _AT["title_cover"]] = title_cover[call]
    out[:, _AT["speaker_named"]] = _named_shares(chunks, set(terms))
    out[:, _AT["words"]] = np.log(np.maximum(words, 1))
    out[:, _AT["position"]] = np.log1p(index)
    out[:, _AT["relative_position"]] = relative
    out[:, _AT["title_early"]] = title_cover[call] * (1.0 - relative)
    out[:, _AT["window_fused"]] = _gathered(fused, window).sum(axis=1)
    out[:, _AT["window_cover"]] = _around(said, window) / q
    out[:, _AT["similarity_z"]] = _standardised(sim)
    out[:, _AT["bm25_z"]] = _standardised(bm25)
    return out


def _windows(
    chunks: Sequence[StoredChunk], call: np.ndarray, index: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """For each candidate, the rows of the candidates 1 and up to `_WINDOW` chunks away in
    the same call (-1 where that chunk is not a candidate): `[n, 2]` and `[n, 2 * _WINDOW]`."""
    at = {(int(c), int(i)): row for row, (c, i) in enumerate(zip(call, index, strict=True))}
    offsets = [d for d in range(-_WINDOW, _WINDOW + 1) if d]
    window = np.array(
        [
            [at.get((int(c), int(i) + d), -1) for d in offsets]
            for c, i in zip(call, index, strict=True)
        ],
        dtype=np.int64,
    ).reshape(len(chunks), len(offsets))
    near = window[:, [offsets.index(-1), offsets.index(1)]]
    return near, window


def _gathered(values: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """`values` at `rows`, 0 where a row is -1 (no such candidate)."""
    return np.where(rows >= 0, values[rows], 0.0)


def _around(said: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """How many query terms each candidate says together with the candidates at `rows`."""
    union = said.copy()
    for column in rows.T:
        present = column >= 0
        union[present] |= said[column[present]]
    counted: np.ndarray = union.sum(axis=1)
    return counted


def _read(chunks: Sequence[StoredChunk], terms: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """Which query terms (as `query_terms` stems them) each chunk says, and its words."""
    said = np.zeros((len(chunks), len(terms)), dtype=bool)
    words = np.zeros(len(chunks), dtype=np.float64)
    column = {t: j for j, t in enumerate(terms)}
    starts = _starts(set(terms))
    for i, chunk in enumerate(chunks):
        text = " ".join(line.text for line in chunk.lines).lower()
        # Only words that begin like a query term can stem to one: the regex finds those
        # in C, instead of stemming every word of 100 chunks in Python.
        for word in set(starts.findall(text)):
            term = _term(word)
            if term is not None and term in column:
                said[i, column[term]] = True
        words[i] = len(text.split())
    return said, words


def _starts(terms: set[str]) -> re.Pattern[str]:
    """Whole words (as `_WORD` splits them) beginning with a term's first three letters."""
    prefixes = sorted({re.escape(t[:3]) for t in terms}) or ["(?!)"]
    return re.compile(rf"(?<![a-z0-9'])(?:{'|'.join(prefixes)})[a-z0-9]*(?:'[a-z]+)?")


def _term(word: str) -> str | None:
    """The query term a word counts as (None: a stop word, or more than one). Stemming is
    the slow part of reading 100 chunks, and the same words recur in all of them."""
    try:
        return _TERMS[word]
    except KeyError:
        pass
    if len(_TERMS) >= _TERMS_KEPT:
        _TERMS.clear()
    stems = query_terms(word)
    term = _TERMS[word] = next(iter(stems)) if len(stems) == 1 else None
    return term


@lru_cache(maxsize=1 << 12)
def _terms(text: str) -> frozenset[str]:
    """`query_terms` of a title or speaker name (few, and repeated across chunks)."""
    return frozenset(query_terms(text))


def _standardised(values: np.ndarray) -> np.ndarray:
    spread = float(values.std())
    return (values - values.mean()) / spread if spread > 0 else np.zeros_like(values)


def _named_shares(chunks: Sequence[StoredChunk], terms: set[str]) -> np.ndarray:
    """Share of each chunk's sentences said by a speaker the query names ("what did the
    project manager say")."""
    speakers = {line.speaker for c in chunks for line in c.lines}
    named = {s for s in speakers if _terms(s) & terms}
    shares = np.zeros(len(chunks), dtype=np.float64)
    if named:
        for i, c in enumerate(chunks):
            if c.lines:
                shares[i] = sum(line.speaker in named for line in c.lines) / len(c.lines)
    return shares
