"""A call cut into the spans a summary may quote: one speaker's sentences, tidied, short.

Greetings, small talk and backchannels are never units; a long turn becomes several units
that can be quoted again as one (`SummaryUnit.joins`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sophia.core.insights.cues import small_talk
from sophia.core.insights.spoken import Spoken
from sophia.core.insights.tidy import tidy

__all__ = ["MIN_WORDS", "UNIT_WORDS", "SummaryUnit", "summary_units"]

# Gong's names for the parts of a call that are about the call, not its subject.
_NOT_SUMMARY_TOPICS = frozenset({"call setup", "small talk"})
# A unit says something: fewer words are a reply ("Yes, that works.").
MIN_WORDS = 6
# Longest span of one speaker that is a unit; longer turns become several units. Short
# units spend the budget on the sentence that matters, not the rest of its turn (15 words
# beat 20-45 on QMSum train: benchmarks/README.md).
UNIT_WORDS = 15


@dataclass(frozen=True)
class SummaryUnit:
    """A span of one speaker's consecutive sentences, and its tidied words."""

    sentences: tuple[Spoken, ...]
    text: str
    # The same speaker's turn goes on from the unit before (nothing but backchannels between).
    joins: bool = False

    @property
    def words(self) -> int:
        return len(self.text.split())


def summary_units(sentences: Sequence[Spoken], max_words: int = UNIT_WORDS) -> list[SummaryUnit]:
    """One speaker's consecutive sentences, tidied, in spans of at most `max_words` words
    (a longer sentence is a unit alone).

    Greetings and small talk end a span and are left out; sentences that tidy to nothing
    ("Mm-hmm.", "Yeah.") are skipped without ending one.
    """
    units: list[SummaryUnit] = []
    span: list[tuple[Spoken, str]] = []
    joins = False

    def close() -> bool:
        text = " ".join(t for _, t in span)
        kept = len(text.split()) >= MIN_WORDS
        if kept:
            units.append(SummaryUnit(tuple(s for s, _ in span), text, joins))
        span.clear()
        return kept

    for sentence in sentences:
        text = tidy(sentence.text)
        if not text:
            continue
        chatter = small_talk(sentence.text) or (
            (sentence.topic or "").casefold() in _NOT_SUMMARY_TOPICS
        )
        cut = False
        if span:
            same = sentence.speaker == span[-1][0].speaker
            words = sum(len(t.split()) for _, t in span) + len(text.split())
            if chatter or not same or words > max_words:
                # Only a turn cut for length goes on in the next unit.
                cut = close() and same and not chatter
        if chatter:
            continue
        if not span:
            joins = cut
        span.append((sentence, text))
    if span:
        close()
    return units
