"""Choosing the sentence of a chunk that best shows why it matched."""

from __future__ import annotations

import functools
import itertools
import re
from collections.abc import Sequence

from sophia.core.chunking import ChunkLine
from sophia.core.models import Affiliation

__all__ = [
    "RELATED_WEIGHT",
    "best_line",
    "query_terms",
    "related_terms",
    "says_any",
    "snippet_text",
    "word_stems",
]

_WORD = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")
_STOP = frozenset(
    "a an and are as at be but by did do does for from had has have how i in is it of on or "
    "our so that the their them they this to up was we were what when where which who why "
    "with you your about any came come did me my us said say".split()
)
_SNIPPET_CHARS = 280
_MIN_WORDS = 6


# Suffixes stripped to find a word's stem, longest first ("evaluating" and "evaluation" both
# become "evalu"). A cheap stand-in for a real stemmer: good enough to match a question's
# words to a sentence's, and it never makes "competitor" match "company".
_SUFFIXES = sorted(
    "ational ations ation ating ated ates ators ator itions ition ings ing ities ity ness "
    "ments ment ives ive ously ous als al ors or ers er ies ied es ed ly s".split(),
    key=len,
    reverse=True,
)
_STEM_CHARS = 6


def query_terms(query: str) -> set[str]:
    """Content words of a query, reduced to a stem (so 'pricing' finds 'price')."""
    return {_stem(w) for w in _WORD.findall(query.lower()) if w not in _STOP}


def word_stems(text: str) -> set[str]:
    """Content words with their suffix stripped but not cut short: 'objections' and
    'objects' stay apart here, where `query_terms` (and BM25's stemmer) join them."""
    return {_stem(w, cap=None) for w in _WORD.findall(text.lower()) if w not in _STOP}


def says_any(text: str, stems: frozenset[str]) -> bool:
    """True when `text` holds a content word whose `word_stems` stem is one of `stems`."""
    return any(
        w not in _STOP and _stem(w, cap=None) in stems for w in _words_like(text.lower(), stems)
    )


def _words_like(lowered: str, stems: frozenset[str]) -> list[str]:
    """The words (as `_WORD` splits them) that can stem to one of `stems`: a stem keeps the
    first three letters of its word, so the others need not be stemmed at all."""
    return _word_starts(stems).findall(lowered)


@functools.lru_cache(maxsize=1 << 10)
def _word_starts(stems: frozenset[str]) -> re.Pattern[str]:
    heads = "|".join(sorted({re.escape(stem[:3]) for stem in stems})) or "(?!)"
    # A word starts after a non-word character, or after an apostrophe that does not end a
    # word ("'cause" is a word; the "s" of "it's" is not).
    return re.compile(rf"(?<![a-z0-9])(?<![a-z0-9]')(?:{heads})[a-z0-9]*(?:'[a-z]+)?")


# Words a sales question uses for things the calls name more specifically: "security
# documents" are a SOC 2 report and a pen test summary, "competitors" are other vendors.
# They count for less than the question's own words.
_CONCEPTS = {
    "secur": "soc pen test dpa sso questionnaire encryption iso infosec residency nda audit",
    "docum": "report summary certificate questionnaire contract addendum dpa msa",
    "pric": "seat discount cost budget quote fee uplift",
    "compet": "vendor vendors option alternative",
    "legal": "contract msa dpa redlines counsel",
    "discou": "off percent",
    "sso": "single sign okta saml",
}
RELATED_WEIGHT = 0.5
# An answer to a matching question from the other side counts this much of its match.
_ANSWER_WEIGHT = 0.8


def related_terms(terms: set[str]) -> set[str]:
    """Stems of the sales words that stand for these query terms (not the terms themselves)."""
    return {r for t in terms for r in query_terms(_CONCEPTS.get(t, ""))} - terms


def best_line(
    lines: Sequence[ChunkLine], terms: set[str], side: Affiliation | None = None
) -> ChunkLine:
    """The sentence to quote: from `side` when given, sharing most query words (or answering
    a question that does), and substantial rather than a one-word acknowledgement."""
    pool = [line for line in lines if side is None or line.affiliation is side] or list(lines)
    related = related_terms(terms)
    wanted = frozenset(terms | related)
    asked = {
        id(line): _match(before, terms, related, wanted)
        for before, line in itertools.pairwise(lines)
        if before.text.rstrip().endswith("?") and before.speaker != line.speaker
    }

    def score(line: ChunkLine) -> tuple[float, bool]:
        own = _match(line, terms, related, wanted)
        answered = _ANSWER_WEIGHT * asked.get(id(line), 0.0)
        return max(own, answered), len(line.text.split()) >= _MIN_WORDS

    # max() keeps the first of equals: earlier sentences win ties, which reads naturally.
    return max(pool, key=score)


def snippet_text(lines: Sequence[ChunkLine], chosen: ChunkLine) -> str:
    """The chosen sentence, followed by the same speaker's next ones while they fit."""
    start = lines.index(chosen)
    text = chosen.text
    for line in lines[start + 1 :]:
        if line.speaker != chosen.speaker or len(text) + 1 + len(line.text) > _SNIPPET_CHARS:
            break
        text = f"{text} {line.text}"
    return text if len(text) <= _SNIPPET_CHARS else text[: _SNIPPET_CHARS - 1].rstrip() + "…"


def _match(line: ChunkLine, terms: set[str], related: set[str], wanted: frozenset[str]) -> float:
    words = {_stem(w) for w in _words_like(line.text.lower(), wanted)}
    return len(terms & words) + RELATED_WEIGHT * bool(related & words)


# Pure, and called for every word of every candidate a search looks at (the floor and the
# quoted sentence): conversation reuses few words, so a cache makes it ~free.
@functools.lru_cache(maxsize=1 << 16)
def _stem(word: str, cap: int | None = _STEM_CHARS) -> str:
    word = word.removesuffix("'s")
    for suffix in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= (4 if len(suffix) > 3 else 3):
            word = word[: -len(suffix)] + ("y" if suffix in ("ies", "ied") else "")
            break
    if word.endswith("e") and len(word) > 3:
        word = word[:-1]
    return word[:cap] if cap else word
