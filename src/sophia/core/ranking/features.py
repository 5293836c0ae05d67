"""What the second-stage ranker knows about each candidate: computed from the candidates alone.

Everything here comes from what a store's hybrid search returns (fused score, raw cosine and
BM25 where reported, text, speakers, title, position), plus the other candidates of the
same call: a moment a query asks about usually spans several chunks, and most global misses
pick the wrong call, so neighbours and the call as a whole carry signal a single chunk lacks.
"""

from __future__ import annotations

import math
import re
from collections import defaultdict
from collections.abc import Sequence
from functools import lru_cache

import numpy as np

from sophia.core.snippets import query_terms
from sophia.core.stores.base import StoredChunk

__all__ = ["FEATURES", "features"]

_WINDOW = 3
# Words seen and what they stem to: a plain dict, faster than lru_cache, emptied when full.
_TERMS: dict[str, str | None] = {}
_TERMS_KEPT = 1 << 17  # chunks either side that count as the same moment

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
    terms = query_terms(query)
    starts = _starts(terms)
    read = [_read(c, terms, starts) for c in chunks]
    said = [r[0] for r in read]
    q = max(len(terms), 1)

    fused = np.array([c.score for c in chunks], dtype=np.float64)
    sim = np.array([c.similarity or 0.0 for c in chunks], dtype=np.float64)
    has_sim = np.array([c.similarity is not None for c in chunks], dtype=np.float64)
    bm25 = np.array([c.keyword or 0.0 for c in chunks], dtype=np.float64)
    cover = np.array([len(s) / q for s in said], dtype=np.float64)

    by_call: dict[str, list[int]] = defaultdict(list)
    for i, c in enumerate(chunks):
        by_call[c.call_id].append(i)
    at = {(c.call_id, c.chunk_index): i for i, c in enumerate(chunks)}
    call_best = {cid: max(fused[i] for i in idx) for cid, idx in by_call.items()}
    call_sum = {cid: sum(fused[i] for i in idx) for cid, idx in by_call.items()}
    call_said = {cid: set().union(*(said[i] for i in idx)) for cid, idx in by_call.items()}
    call_order = sorted(by_call, key=lambda cid: (-call_best[cid], by_call[cid][0]))
    call_rank = {cid: r for r, cid in enumerate(call_order)}
    total = float(fused.sum()) or 1.0
    call_last = {cid: max(chunks[i].chunk_index for i in idx) for cid, idx in by_call.items()}

    for i, c in enumerate(chunks):
        sides = ((c.call_id, c.chunk_index - 1), (c.call_id, c.chunk_index + 1))
        near = [at[k] for k in sides if k in at]
        row = out[i]
        row[_AT["neighbour_fused"]] = max((fused[j] for j in near), default=0.0)
        row[_AT["neighbour_cover"]] = len(set(said[i]).union(*(said[j] for j in near))) / q
        row[_AT["call_best"]] = call_best[c.call_id]
        row[_AT["call_share"]] = call_sum[c.call_id] / total
        row[_AT["call_count"]] = math.log1p(len(by_call[c.call_id]))
        row[_AT["call_rank"]] = math.log1p(call_rank[c.call_id])
        row[_AT["call_cover"]] = len(call_said[c.call_id]) / q
        row[_AT["title_cover"]] = len(_terms(c.title) & terms) / q
        row[_AT["speaker_named"]] = _named_share(c, terms)
        row[_AT["words"]] = math.log(max(read[i][1], 1))
        row[_AT["position"]] = math.log1p(c.chunk_index)
        relative = c.chunk_index / (call_last[c.call_id] + 1)
        row[_AT["relative_position"]] = relative
        row[_AT["title_early"]] = row[_AT["title_cover"]] * (1.0 - relative)
        window = [
            j
            for d in range(-_WINDOW, _WINDOW + 1)
            if d and (j := at.get((c.call_id, c.chunk_index + d))) is not None
        ]
        row[_AT["window_fused"]] = sum(fused[j] for j in window)
        row[_AT["window_cover"]] = len(set(said[i]).union(*(said[j] for j in window))) / q

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
    out[:, _AT["calls"]] = math.log(len(by_call))
    out[:, _AT["similarity_z"]] = _standardised(sim)
    out[:, _AT["bm25_z"]] = _standardised(bm25)
    return out


def _read(chunk: StoredChunk, terms: set[str], starts: re.Pattern[str]) -> tuple[set[str], int]:
    """The query's terms said in the chunk (as `query_terms` stems them), and its words."""
    text = " ".join(line.text for line in chunk.lines).lower()
    # Only words that begin like a query term can stem to one: the regex finds those in C,
    # instead of stemming every word of 100 chunks in Python.
    found = {t for w in set(starts.findall(text)) if (t := _term(w)) in terms}
    return found, len(text.split())


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


def _named_share(chunk: StoredChunk, terms: set[str]) -> float:
    """Share of the chunk's sentences spoken by someone the query names ("what did the
    project manager say")."""
    named = {s for s in {line.speaker for line in chunk.lines} if _terms(s) & terms}
    if not named or not chunk.lines:
        return 0.0
    return sum(line.speaker in named for line in chunk.lines) / len(chunk.lines)
