"""Reading a chunk's words for a query: `says_any` (the relevance floor's "was a word of the
question said") finds exactly what comparing every word's stem finds, on every sentence of
samples/ and on the apostrophes that decide where a word starts."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from sophia.core.snippets import says_any, word_stems

SAMPLES = Path(__file__).resolve().parents[1] / "samples"
QUESTIONS = (
    "What did they say about pricing and the discount?",
    "security documents, SOC 2 and the pen test",
    "who are the competitors and other vendors",
    "when does the rollout start, and who signs off",
    "the customer's budget for next year's renewal",
    "objections about integrations",
)


def sentences() -> list[str]:
    calls = json.loads((SAMPLES / "transcripts.json").read_text())
    return [
        sentence["text"]
        for call in calls
        for monologue in call["transcript"]
        for sentence in monologue["sentences"]
    ]


def test_says_any_agrees_with_every_stem_on_the_samples() -> None:
    texts = sentences()
    assert len(texts) > 1000
    said = 0
    for question in QUESTIONS:
        stems = frozenset(word_stems(question))
        for text in texts:
            expected = bool(stems & word_stems(text))
            assert says_any(text, stems) is expected, (question, text)
            said += expected
    assert said > 50  # both answers were checked, not only "no"


@pytest.mark.parametrize(
    ("text", "question", "expected"),
    [
        ("'cause the budget moved", "what caused it", True),  # a word after an apostrophe
        ("that's what O'Brien said", "brien", False),  # "o'brien" is one word
        ("it's fine", "s", False),  # the "s" of "it's" is not a word
        ("the price is firm", "the", False),  # stop words never count
        ("Pricing, discounts.", "discount pricing", True),
        ("", "pricing", False),
    ],
)
def test_says_any_starts_words_where_the_word_splitter_does(
    text: str, question: str, expected: bool
) -> None:
    stems = frozenset(word_stems(question))
    assert says_any(text, stems) is bool(stems & word_stems(text)) is expected
