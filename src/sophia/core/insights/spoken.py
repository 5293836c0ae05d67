"""A call as a list of spoken sentences: who said what, when, in which call."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sophia.core.insights.answer import Bullet, CitationBook
from sophia.core.models import Affiliation, Call, CallDetails

__all__ = [
    "QUOTES_PER_BULLET",
    "QUOTE_GAP",
    "Spoken",
    "by_speaker",
    "quote",
    "said",
    "speaker_label",
    "spoken_sentences",
    "talk_time_ms",
]

# Between two quotes of one speaker in one bullet: what they said in between is left out.
QUOTE_GAP = " … "
# More quotes than this make a bullet too long to read at a glance: the next one starts anew.
QUOTES_PER_BULLET = 3


@dataclass(frozen=True)
class Spoken:
    """One sentence of one call, with its speaker and position."""

    details: CallDetails
    index: int
    speaker: str
    affiliation: Affiliation
    start_ms: int
    end_ms: int
    text: str
    topic: str | None

    @property
    def is_customer(self) -> bool:
        return self.affiliation is Affiliation.EXTERNAL

    @property
    def is_question(self) -> bool:
        return self.text.rstrip().endswith("?")


def spoken_sentences(call: Call) -> list[Spoken]:
    """Every sentence of the call, in order."""
    result: list[Spoken] = []
    for monologue in call.monologues:
        speaker, affiliation = call.details.speaker(monologue.speaker_id)
        for sentence in monologue.sentences:
            result.append(
                Spoken(
                    details=call.details,
                    index=len(result),
                    speaker=speaker,
                    affiliation=affiliation,
                    start_ms=sentence.start_ms,
                    end_ms=sentence.end_ms,
                    text=sentence.text,
                    topic=monologue.topic,
                )
            )
    return result


def quote(book: CitationBook, sentence: Spoken, context: Sequence[Spoken] = ()) -> Bullet:
    """A verbatim bullet for `sentence` (plus same-speaker `context` that follows it), cited."""
    parts = [sentence, *(s for s in context if s.speaker == sentence.speaker)]
    text = " ".join(s.text for s in parts)
    return Bullet(text=text, citations=[_cite(book, parts)], quote=True)


def speaker_label(sentence: Spoken) -> str:
    """Who said it, with the customer's account: "Priya Shah (Moss & Co)"."""
    if sentence.is_customer and sentence.details.account:
        return f"{sentence.speaker} ({sentence.details.account})"
    return sentence.speaker


def said(book: CitationBook, quotes: Sequence[tuple[Spoken, Sequence[Spoken], str]]) -> Bullet:
    """One speaker's moments, each `(sentence, context, text)` with `text` the tidied words
    of `sentence` and `context`: attributed once and each cited, “…” … “…”.

    The citations keep the verbatim transcript; the bullet shows the tidied words.
    """
    numbers = [_cite(book, [sentence, *context]) for sentence, context, _ in quotes]
    shown = QUOTE_GAP.join(f"“{text}”" for _, _, text in quotes)
    return Bullet(text=f"{speaker_label(quotes[0][0])}: {shown}", citations=numbers)


def by_speaker(labels: Sequence[str]) -> list[list[int]]:
    """Indexes of consecutive equal speaker labels, grouped: one bullet for each stretch of
    quotes by one speaker (at most QUOTES_PER_BULLET), so a summary does not repeat the same
    name line after line."""
    groups: list[list[int]] = []
    for i, label in enumerate(labels):
        if groups and labels[groups[-1][-1]] == label and len(groups[-1]) < QUOTES_PER_BULLET:
            groups[-1].append(i)
        else:
            groups.append([i])
    return groups


def _cite(book: CitationBook, parts: Sequence[Spoken]) -> int:
    """One citation for consecutive sentences: the first one's speaker, their span, their words."""
    first = parts[0]
    return book.cite(
        first.details,
        first.speaker,
        first.affiliation,
        first.start_ms,
        parts[-1].end_ms,
        " ".join(s.text for s in parts),
    )


def talk_time_ms(sentences: Iterable[Spoken]) -> dict[Affiliation, int]:
    """Speaking time per side, from sentence timings."""
    totals = dict.fromkeys(Affiliation, 0)
    for s in sentences:
        totals[s.affiliation] += max(0, s.end_ms - s.start_ms)
    return totals
