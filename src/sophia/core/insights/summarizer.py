"""The `Summarizer` Protocol and the extractive implementation (the offline default).

A capability decides what each section is about and which sentences are candidates (with a
relevance score); the summarizer decides what the bullets say. The extractive one quotes
the best candidates verbatim; the LLM one (core/insights/llm.py) writes bullets that must
cite the candidates it was shown.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Protocol

from sophia.core.insights.answer import CitationBook, Section
from sophia.core.insights.spoken import Spoken, by_speaker, quote, said, speaker_label

__all__ = [
    "Candidate",
    "ExtractiveSummarizer",
    "SectionRequest",
    "Summarizer",
    "Written",
    "select",
    "shown",
]

_WORD = re.compile(r"[a-z0-9']+")
# Two quotes closer than this in the same call say the same thing twice.
_SAME_MOMENT_MS = 20_000
_SIMILAR_WORDS = 0.6


@dataclass(frozen=True)
class Candidate:
    """A sentence that may back a bullet, and how relevant the capability found it."""

    sentence: Spoken
    score: float
    # Same-speaker sentences that follow it and belong in the quote.
    context: tuple[Spoken, ...] = ()
    # The words to show instead of the verbatim sentences (tidied: core/insights/tidy.py).
    text: str | None = None


@dataclass(frozen=True)
class SectionRequest:
    """One section to write: its title, what belongs in it, and its candidates."""

    title: str
    instruction: str
    candidates: Sequence[Candidate]
    limit: int = 5
    # The capability already chose the candidates and their order (a call summary): every
    # one is used, attributed to its speaker, and `limit` only caps an LLM's bullets.
    chosen: bool = False


@dataclass
class Written:
    """The sections, and a notice when the summarizer had to fall back."""

    sections: list[Section]
    notice: str | None = None
    name: str = "extractive"
    dropped: list[str] = field(default_factory=list)


class Summarizer(Protocol):
    """Writes cited sections from candidate sentences."""

    name: str

    async def write(
        self, topic: str, requests: Sequence[SectionRequest], book: CitationBook
    ) -> Written: ...


class ExtractiveSummarizer:
    """Quotes the best candidates of each section, diverse and in order of relevance."""

    name = "extractive"

    async def write(
        self, topic: str, requests: Sequence[SectionRequest], book: CitationBook
    ) -> Written:
        """Deterministic: the same candidates always give the same answer."""
        sections = []
        for request in requests:
            if request.chosen:
                # One bullet for each stretch of one speaker's quotes.
                picked = request.candidates
                bullets = [
                    said(
                        book,
                        [(picked[i].sentence, picked[i].context, shown(picked[i])) for i in group],
                    )
                    for group in by_speaker([speaker_label(c.sentence) for c in picked])
                ]
            else:
                chosen = select(request.candidates, request.limit)
                bullets = [quote(book, c.sentence, c.context) for c in chosen]
            sections.append(Section(title=request.title, bullets=bullets))
        return Written(sections)


def shown(candidate: Candidate) -> str:
    """The words a candidate shows: its tidied text, else its sentences verbatim."""
    if candidate.text is not None:
        return candidate.text
    return " ".join(s.text for s in (candidate.sentence, *candidate.context))


def select(candidates: Sequence[Candidate], limit: int) -> list[Candidate]:
    """The best `limit` candidates, skipping near-repeats of one already chosen."""
    chosen: list[Candidate] = []
    ranked = sorted(
        candidates, key=lambda c: (-c.score, c.sentence.details.call_id, c.sentence.start_ms)
    )
    for candidate in ranked:
        if len(chosen) == limit:
            break
        if not any(_repeats(candidate.sentence, other.sentence) for other in chosen):
            chosen.append(candidate)
    return chosen


def _repeats(a: Spoken, b: Spoken) -> bool:
    if a.details.call_id == b.details.call_id and abs(a.start_ms - b.start_ms) < _SAME_MOMENT_MS:
        return True
    words_a, words_b = set(_WORD.findall(a.text.lower())), set(_WORD.findall(b.text.lower()))
    union = words_a | words_b
    return bool(union) and len(words_a & words_b) / len(union) > _SIMILAR_WORDS
