"""Which sentences of the search hits answer the question: the ones to quote.

A hit is a chunk of a dozen lines; the quote is one sentence (and the same speaker's next
ones). Sentences are ranked by the question's words they hold, the rarer among the hits
counting more, by meaning (cosine to the question, when an embedder is at hand), by their
hit's rank, and by being a statement rather than a one-word reply or a question back.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence

import numpy as np

from sophia.core.embedders.base import Embedder
from sophia.core.errors import EmbeddingError
from sophia.core.insights.call_analysis import follow_on
from sophia.core.insights.context import InsightContext
from sophia.core.insights.spoken import Spoken, spoken_sentences
from sophia.core.insights.summarizer import Candidate
from sophia.core.models import Affiliation, Call
from sophia.core.search import Hit
from sophia.core.snippets import RELATED_WEIGHT, query_terms, related_terms

__all__ = ["answering_sentences"]

# Sentences this short ("Makes sense.") answer nothing on their own.
_MIN_WORDS = 4
# Sentences of the neighbouring chunks (a hit's length on either side) are read too: search
# drops a chunk that overlaps a better one, and the sentence that answers may sit in the
# part that did not make it.
_AROUND_MS = 45_000
# A sentence with none of the question's words must be this close in meaning to it
# (cosine, MiniLM, per sentence: small talk scores under 0.17, answers over 0.24).
_MIN_MEANING = 0.25
# At most this many sentences are embedded for one question (the top hits' sentences).
_MAX_EMBEDDED = 120
# How much each signal weighs in a sentence's score (words, meaning, hit rank, form).
_WORDS, _MEANING, _RANK, _STATEMENT = 1.0, 1.5, 0.3, 0.15


async def answering_sentences(
    ctx: InsightContext,
    question: str,
    hits: Sequence[Hit],
    *,
    side: Affiliation | None = None,
    embedder: Embedder | None = None,
) -> list[Candidate]:
    """The sentences inside these hits, scored by how well each answers `question`."""
    calls: dict[str, Call | None] = {}
    pool: list[tuple[Spoken, int, tuple[Spoken, ...]]] = []
    seen: set[tuple[str, int]] = set()
    for rank, hit in enumerate(hits):
        if hit.call_id not in calls:
            calls[hit.call_id] = await ctx.store.get_call(hit.call_id)
        call = calls[hit.call_id]
        if call is None:
            continue
        sentences = spoken_sentences(call)
        for s in sentences:
            key = (s.details.call_id, s.start_ms)
            around = max(_AROUND_MS, hit.end_ms - hit.start_ms)
            near = hit.start_ms - around <= s.start_ms < hit.end_ms + around
            if not near or key in seen:
                continue
            if (side is not None and s.affiliation is not side) or len(s.text.split()) < _MIN_WORDS:
                continue
            seen.add(key)
            inside = hit.start_ms <= s.start_ms < hit.end_ms
            pool.append((s, rank if inside else rank + 2, follow_on(sentences, s)))
    if not pool:
        return []
    terms = query_terms(question)
    related = related_terms(terms)
    stems = [query_terms(s.text) for s, _, _ in pool]
    spread = Counter(t for words in stems for t in words & (terms | related))
    weight = {
        t: math.log(1 + len(pool) / spread[t]) * (RELATED_WEIGHT if t in related else 1.0)
        for t in spread
    }
    most = sum(w for t, w in weight.items() if t in terms) or 1.0
    meaning = await _meaning(question, [s for s, _, _ in pool], embedder)
    scored = []
    for (s, rank, context), words, cosine in zip(pool, stems, meaning, strict=True):
        lexical = sum(weight.get(t, 0.0) for t in words & (terms | related)) / most
        if not lexical and cosine < _MIN_MEANING:
            continue  # neither the question's words nor its meaning: not an answer
        statement = 0.0 if s.is_question else _STATEMENT
        score = _WORDS * lexical + _MEANING * cosine + _RANK / (rank + 1) + statement
        scored.append(Candidate(s, score, context))
    return scored


async def _meaning(
    question: str, sentences: Sequence[Spoken], embedder: Embedder | None
) -> list[float]:
    """Cosine of each sentence to the question (0 for all when no embedder can tell)."""
    if embedder is None:
        return [0.0] * len(sentences)
    texts = [s.text for s in sentences[:_MAX_EMBEDDED]]
    try:
        query = np.asarray(await embedder.embed_query(question), dtype=np.float32).ravel()
        vectors = np.asarray(await embedder.embed_documents(texts), dtype=np.float32)
    except EmbeddingError:
        return [0.0] * len(sentences)  # words alone still rank them
    norms = np.linalg.norm(vectors, axis=1) * (np.linalg.norm(query) or 1.0)
    cosines = (vectors @ query) / np.where(norms == 0, 1.0, norms)
    return [float(c) for c in cosines] + [0.0] * (len(sentences) - len(texts))
