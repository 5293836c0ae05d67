"""A call cut into the spans a summary may quote: one speaker's sentences, tidied, short.

Greetings, small talk and backchannels are never units; a long turn becomes several units
that can be quoted again as one (`SummaryUnit.joins`), and a long sentence becomes its
clauses, so a summary can quote the clause that matters without the rest of the sentence.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from sophia.core.insights.cues import small_talk
from sophia.core.insights.spoken import Spoken
from sophia.core.insights.tidy import tidy

__all__ = ["MIN_WORDS", "UNIT_WORDS", "SummaryUnit", "clauses", "summary_units"]

# Gong's names for the parts of a call that are about the call, not its subject.
_NOT_SUMMARY_TOPICS = frozenset({"call setup", "small talk"})
# A unit says something: fewer words are a reply ("Yes, that works.").
MIN_WORDS = 6
# Longest span of one speaker that is a unit; longer turns become several units. Short
# units spend the budget on the sentence that matters, not the rest of its turn (15 words
# beat 20-45 on QMSum train: benchmarks/README.md).
UNIT_WORDS = 15
# Where a spoken sentence can be cut into clauses: after a comma, semicolon or colon, and
# before a conjunction that starts one. Cutting only at punctuation gained half as much on
# QMSum train (benchmarks/README.md).
# Not before a clause that opens by pointing back ("…, and that matters for the forecast"):
# alone, its "that" has lost what it points at.
_POINTS_BACK = r"(?!(?:(?:and|but|so|or|because|cause)\s+)?(?:that|this|it|those|these)\b)"
# Nor between two conjunctions ("and | so we"), which left a piece ending on "and"; nor at
# "or so" or "and so on", which say how much, not what happens next.
_HOW_MUCH = r"(?!or\s+so\b|and\s+so\s+(?:on|forth)\b)"
_CLAUSE_BREAK = re.compile(
    rf"(?<=[,;:])\s+{_POINTS_BACK}|(?<!\bor)(?<!\band)\s+{_HOW_MUCH}(?=(?:and|but|so|or|"
    rf"because|cause|which|where|whereas|although|though)\b){_POINTS_BACK}",
    re.IGNORECASE,
)

# Words no phrase ends on, even before a full stop: articles, conjunctions, possessives.
_BROKEN_OFF = frozenset("the a an and or but because if whether than my our your their".split())
# Nor, without one, on these ("from what I", "a way to"). Others often do ("what they're talking
# about", "we need that", "I think it is").
_GOES_ON = _BROKEN_OFF | frozenset("which his her its i we they he she of to".split())
_AUXILIARIES = frozenset(
    "is are was were be been am have has had do does did will would can could should".split()
)
_LAST_WORD = re.compile(r"[A-Za-z']+(?=[^A-Za-z']*$)")


@dataclass(frozen=True)
class SummaryUnit:
    """A span of one speaker's consecutive sentences, or clauses of one sentence, tidied."""

    sentences: tuple[Spoken, ...]
    text: str
    # The same speaker's turn goes on from the unit before (nothing but backchannels between).
    joins: bool = False
    # The text starts / ends inside its sentence (a clause of a longer sentence).
    clipped_start: bool = False
    clipped_end: bool = False

    @property
    def words(self) -> int:
        return len(self.text.split())

    @property
    def trails_off(self) -> bool:
        """The words stop where the phrase needs more ("Try it on the P Z Ms and"): the
        speaker broke off, or the sentence was cut there."""
        last = _LAST_WORD.search(self.text)
        said = last.group(0) if last else ""
        word = said.lower() if said != "A" else ""  # "triple A": the letter
        end = self.text.rstrip()[-1:]
        if end in ("?", "!"):
            return False
        if end == ".":
            # The transcriber's full stop where the speaker broke off: "We're all so proud of
            # the." ("to." and "of." often end a phrase: "the one we compared it to.")
            return word in _BROKEN_OFF
        # Cut inside its sentence after a verb: "The plan I had in mind is, …".
        return word in _GOES_ON or (self.clipped_end and word in _AUXILIARIES)


def summary_units(sentences: Sequence[Spoken], max_words: int = UNIT_WORDS) -> list[SummaryUnit]:
    """One speaker's consecutive sentences, tidied, in spans of at most `max_words` words; a
    longer sentence becomes its clauses, packed into units of at most `max_words` words.

    Greetings and small talk end a span and are left out; sentences that tidy to nothing
    ("Mm-hmm.", "Yeah.") are skipped without ending one.
    """
    units: list[SummaryUnit] = []
    span: list[tuple[Spoken, str]] = []
    # Whose turn the last unit was, while nothing but backchannels followed it.
    turn: str | None = None

    def close() -> None:
        nonlocal turn
        text = " ".join(t for _, t in span)
        if len(text.split()) >= MIN_WORDS:
            units.append(SummaryUnit(tuple(s for s, _ in span), text, turn == span[0][0].speaker))
            turn = span[0][0].speaker
        else:
            turn = None
        span.clear()

    for sentence in sentences:
        text = tidy(sentence.text)
        if not text:
            continue
        chatter = small_talk(sentence.text) or (
            (sentence.topic or "").casefold() in _NOT_SUMMARY_TOPICS
        )
        words = len(text.split())
        if span and (
            chatter
            or sentence.speaker != span[-1][0].speaker
            or sum(len(t.split()) for _, t in span) + words > max_words
        ):
            close()
        if chatter:
            turn = None
            continue
        parts = clauses(text, max_words) if words > max_words else [text]
        if len(parts) == 1:
            span.append((sentence, text))
            continue
        for k, part in enumerate(parts):
            joins = turn == sentence.speaker
            units.append(SummaryUnit((sentence,), part, joins, k > 0, k < len(parts) - 1))
            turn = sentence.speaker
    if span:
        close()
    return units


def clauses(text: str, max_words: int = UNIT_WORDS) -> list[str]:
    """`text` cut at clause breaks into pieces of at most `max_words` words where the
    clauses allow (a longer clause is a piece alone), none shorter than MIN_WORDS."""
    pieces: list[list[str]] = []
    for clause in _CLAUSE_BREAK.split(text):
        said = clause.split()
        if pieces and len(pieces[-1]) + len(said) <= max_words:
            pieces[-1] += said
        elif said:
            pieces.append(said)
    # A piece too short to say anything goes with its neighbour.
    kept: list[list[str]] = []
    for piece in pieces:
        if kept and (len(piece) < MIN_WORDS or len(kept[-1]) < MIN_WORDS):
            kept[-1] += piece
        else:
            kept.append(piece)
    return [" ".join(piece) for piece in kept]
