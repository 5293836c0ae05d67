"""The call summary on the samples: cited, tidy, no small talk, and the planted moments in it."""

from __future__ import annotations

import asyncio
import json
import re
from itertools import pairwise
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from sophia.core.config import Settings
from sophia.core.gong.parsing import parse_call_details, parse_transcript
from sophia.core.insights import call_summary
from sophia.core.insights.answer import Answer, CitationBook, Section
from sophia.core.insights.call_analysis import SUMMARY_WORDS
from sophia.core.insights.call_summary import (
    bullets,
    choose,
    joined,
    summary_candidates,
    summary_words,
)
from sophia.core.insights.cues import NEXT_STEP
from sophia.core.insights.spoken import QUOTES_PER_BULLET, Spoken, by_speaker, spoken_sentences
from sophia.core.insights.summarizer import Candidate, ExtractiveSummarizer, SectionRequest
from sophia.core.insights.summary_features import unit_features
from sophia.core.insights.summary_units import UNIT_WORDS, SummaryUnit, clauses, summary_units
from sophia.core.models import Affiliation, Call
from sophia.core.services import Sophia
from tests.conftest import SAMPLES, raw_call, raw_transcript

COMPETITORS = ("DealForge", "Quotient AI", "Pipestream", "Ledgerly")
DISFLUENT = re.compile(r"\b(?:um+|uh+|erm|mm-?hmm|uh-huh)\b|\b(\w+) \1\b", re.IGNORECASE)
GREETING = re.compile(
    r"“\W*(?:hi|hey|hello|good morning)\b|how's your week|how are you|weekend|bye|"
    r"great conversation|have a (?:good|great|nice|lovely) (?:\w*day|one|week|evening)|"
    r"appreciate the time",
    re.I,
)


@pytest.fixture(scope="module")
def summaries(samples_index: Path, expected: dict[str, Any]) -> dict[str, Answer]:
    """`sophia analyze` of every sample call, extractive, with the planted competitors."""
    settings = Settings(
        _env_file=None,
        sophia_data_dir=samples_index,
        competitors=", ".join(COMPETITORS),
        sophia_summarizer="extractive",
    )

    async def analyse() -> dict[str, Answer]:
        app = await Sophia.open(settings)
        try:
            return {
                c["call_id"]: await app.insights.analyze_call(c["call_id"])
                for c in expected["calls"]
            }
        finally:
            await app.aclose()

    return asyncio.run(analyse())


def summary(answer: Answer) -> Section:
    [found] = [s for s in answer.sections if s.title == "Summary"]
    return found


def quoted(answer: Answer) -> list[str]:
    """The verbatim transcript behind each summary bullet."""
    return [answer.citations[n - 1].quote for b in summary(answer).bullets for n in b.citations]


def objections(answer: Answer) -> list[str]:
    """The verbatim transcript behind the "Objections raised" bullets."""
    return [
        answer.citations[n - 1].quote
        for s in answer.sections
        if s.title == "Objections raised"
        for b in s.bullets
        for n in b.citations
    ]


def said_under(topics: set[str]) -> dict[str, list[str]]:
    """Per call, the sentences Gong filed under any of these monologue topics."""
    transcripts = json.loads((SAMPLES / "transcripts.json").read_text())
    items = transcripts["callTranscripts"] if isinstance(transcripts, dict) else transcripts
    return {
        t["callId"]: [
            s["text"] for m in t["transcript"] if m.get("topic") in topics for s in m["sentences"]
        ]
        for t in items
    }


pytestmark = pytest.mark.model


def test_every_bullet_cites_a_moment_of_its_call_in_time_order(
    summaries: dict[str, Answer],
) -> None:
    for call_id, answer in summaries.items():
        bullets = summary(answer).bullets
        assert all(b.citations for b in bullets)
        # A bullet holds one speaker's consecutive moments, each cited.
        cited = [answer.citations[n - 1] for b in bullets for n in b.citations]
        assert len(cited) >= 3, call_id
        assert {c.call_id for c in cited} == {call_id}
        assert [c.moment_ms for c in cited] == sorted(c.moment_ms for c in cited)
        words = sum(len(b.text.split()) for b in bullets)
        assert words <= SUMMARY_WORDS


def test_bullets_say_who_spoke_and_for_which_side(summaries: dict[str, Answer]) -> None:
    for answer in summaries.values():
        bullets = summary(answer).bullets
        for bullet in bullets:
            cited = [answer.citations[n - 1] for n in bullet.citations]
            citation = cited[0]
            who = citation.speaker
            if citation.affiliation is Affiliation.EXTERNAL:
                who += f" ({citation.account})"
            assert bullet.text.startswith(f"{who}: “") and bullet.text.endswith("”")
            # One quote per moment, all of them this speaker's.
            assert bullet.text.count("“") == len(cited)
            assert {c.speaker for c in cited} == {citation.speaker}
        # The next bullet is someone else's, unless this one is full: one speaker's stretch
        # is one bullet.
        for a, b in pairwise(bullets):
            same = answer.citations[a.citations[0] - 1].speaker == (
                answer.citations[b.citations[0] - 1].speaker
            )
            assert not same or len(a.citations) == QUOTES_PER_BULLET


def test_no_greetings_small_talk_or_disfluencies(summaries: dict[str, Answer]) -> None:
    chatter = said_under({"Small Talk", "Call Setup"})
    for call_id, answer in summaries.items():
        for bullet in summary(answer).bullets:
            assert not GREETING.search(bullet.text), bullet.text
            assert not DISFLUENT.search(bullet.text), bullet.text
            for n in bullet.citations:
                quote = answer.citations[n - 1].quote
                assert not any(s in quote for s in chatter[call_id]), bullet.text


def test_planted_competitors_objections_and_next_steps_are_in_the_summary(
    summaries: dict[str, Answer], expected: dict[str, Any]
) -> None:
    next_steps = said_under({"Next Steps"})
    for call_id, answer in summaries.items():
        text = " ".join(b.text for b in summary(answer).bullets)
        quotes = quoted(answer)
        if any(m["call_id"] == call_id for m in expected["competitor_mentions"]):
            assert any(name in text for name in COMPETITORS), call_id
        planted = [o["text"] for o in expected["pricing_objections"] if o["call_id"] == call_id]
        planted += [
            d["blocker"] for d in expected["stalled_opportunities"] if d["call_id"] == call_id
        ]
        found = objections(answer)
        # Where call analysis finds a planted objection or blocker at all, the summary quotes one.
        if any(p in q for p in planted for q in found):
            assert any(p in q for p in planted for q in quotes), call_id
        if next_steps[call_id]:
            assert any(
                NEXT_STEP.search(q) or any(s in q for s in next_steps[call_id]) for q in quotes
            ), call_id


def test_a_deal_blocker_is_an_objection_of_its_call(
    summaries: dict[str, Answer], expected: dict[str, Any]
) -> None:
    """A spend freeze or a legal queue the deal has to wait out is listed with the objections."""
    assert expected["stalled_opportunities"]
    for deal in expected["stalled_opportunities"]:
        assert deal["blocker"] in objections(summaries[deal["call_id"]]), deal["account"]


async def test_the_summary_is_the_same_every_time(
    samples_index: Path, summaries: dict[str, Answer]
) -> None:
    settings = Settings(
        _env_file=None,
        sophia_data_dir=samples_index,
        competitors=", ".join(COMPETITORS),
        sophia_summarizer="extractive",
    )
    app = await Sophia.open(settings)
    try:
        for call_id in list(summaries)[:3]:
            again = await app.insights.analyze_call(call_id)
            assert summary(again) == summary(summaries[call_id])
            assert quoted(again) == quoted(summaries[call_id])
    finally:
        await app.aclose()


def disfluent_call() -> list[Spoken]:
    """A short sales call as people speak: greetings, fillers, stutters, a long turn."""
    call_id = "7000000000000000011"
    turns = [
        ("1001", ["Hi Casey! How's your week going?"]),
        ("2002", ["Good, busy. Yours?"]),
        ("1001", ["Um, so, uh, let's go through the the pricing for the annual plan today."]),
        ("2002", ["Mm-hmm."]),
        (
            "2002",
            [
                "Yeah, so, I I think the the price is, you know, too high for a team our size.",
                "We we were quoted a lot less by DealForge for the same forty seats.",
            ],
        ),
        ("1001", ["Okay."]),
        ("1001", ["Uh, I'll send over a revised quote with a two-year option by Friday."]),
        ("2002", ["Thanks, have a great weekend, bye."]),
    ]
    call = Call(
        details=parse_call_details(raw_call(call_id)),
        monologues=parse_transcript(raw_transcript(call_id, turns)).monologues,
    )
    return spoken_sentences(call)


async def test_a_disfluent_call_is_summarised_in_tidy_cited_words() -> None:
    sentences = disfluent_call()
    request = SectionRequest(
        "Summary",
        "What the call was about.",
        summary_candidates(sentences, SUMMARY_WORDS, lambda t: "DealForge" in t),
        chosen=True,
    )
    assert request.candidates == summary_candidates(
        sentences, SUMMARY_WORDS, lambda t: "DealForge" in t
    )
    book = CitationBook()
    written = await ExtractiveSummarizer().write("the call", [request], book)
    texts = [b.text for b in written.sections[0].bullets]
    assert texts == [
        "Dana Rep: “Let's go through the pricing for the annual plan today.”",
        "Casey Buyer (Moss & Co): “I think the price is too high for a team our size. "
        "We were quoted a lot less by DealForge for the same forty seats.”",
        "Dana Rep: “I'll send over a revised quote with a two-year option by Friday.”",
    ]
    # Citations keep the verbatim words and the moment they were said.
    quotes = [c.quote for c in book.citations]
    assert quotes[1].startswith("Yeah, so, I I think the the price")
    assert [c.moment_ms for c in book.citations] == [
        s.start_ms for s in sentences if s.text.startswith(("Um, so", "Yeah, so, I", "Uh, I'll"))
    ]


def test_a_long_turn_is_cut_into_units_that_are_quoted_as_one() -> None:
    units = summary_units(disfluent_call())
    casey = [u for u in units if u.sentences[0].speaker == "Casey Buyer"]
    # Casey's two sentences are one turn but longer than a unit: two units, the second
    # going on from the first, so choosing both quotes the turn once, under one label.
    assert [u.joins for u in casey] == [False, True]
    assert all(u.words <= UNIT_WORDS for u in casey)
    assert joined(units, [units.index(c) for c in casey]) == [[units.index(c) for c in casey]]
    # A unit after someone else spoke never joins.
    assert not any(u.joins for u in units if u.sentences[0].speaker == "Dana Rep")


def short_call(turns: list[tuple[str, list[str]]]) -> list[Spoken]:
    call_id = "7000000000000000012"
    call = Call(
        details=parse_call_details(raw_call(call_id)),
        monologues=parse_transcript(raw_transcript(call_id, turns)).monologues,
    )
    return spoken_sentences(call)


@pytest.mark.parametrize("late", [False, True])
def test_a_next_step_must_be_in_only_when_said_late_in_the_call(late: bool) -> None:
    step = ("2002", ["I'll send you our current contract after this call."])
    talk = [
        ("1001", ["Let's go through the pricing for the annual plan today."]),
        ("1001", ["The annual plan covers forty seats and the onboarding."]),
        ("2002", ["The rollout would start with the finance team in March."]),
        ("1001", ["The integration with the CRM is included in that price."]),
        ("2002", ["Our security review usually takes about two weeks end to end."]),
    ]
    sentences = short_call([*talk, step] if late else [talk[0], step, *talk[1:]])
    units = summary_units(sentences)
    assert NEXT_STEP.search(units[-1 if late else 1].text)
    _, vectors = unit_features(sentences, units)
    # Equal scores and room for one unit: only a must-include moment beats the first unit.
    chosen = choose(units, np.zeros(len(units)), vectors, 14)
    assert chosen == ([len(units) - 1] if late else [0])


@pytest.mark.parametrize("ending", ["and", "today."])
def test_a_quote_that_trails_off_is_taken_only_when_clearly_the_best(ending: str) -> None:
    sentences = short_call(
        [
            ("1001", [f"Let's go through the pricing for the annual plan {ending}"]),
            ("2002", ["The rollout would start with the finance team in March."]),
            ("1001", ["Our security review usually takes about two weeks end to end."]),
        ]
    )
    units = summary_units(sentences)
    assert [u.trails_off for u in units] == [ending == "and", False, False]
    _, vectors = unit_features(sentences, units)
    # Room for one unit; the first scores a little above the second.
    chosen = choose(units, np.array([1.0, 0.8, 0.0]), vectors, 16)
    assert chosen == ([1] if ending == "and" else [0])


@pytest.mark.parametrize(
    ("text", "trails"),
    [
        ("Try it on the P Z Ms and", True),
        ("We're all so proud of the.", True),
        ("That's the one we compared it to.", False),
        ("I'm not sure what they're talking about", False),
        ("We probably have to get going, don't we?", False),
        ("Then we'd probably go with a triple A", False),
    ],
)
def test_a_unit_trails_off_where_its_phrase_needs_more(text: str, trails: bool) -> None:
    assert SummaryUnit((), text).trails_off is trails


def test_a_clause_cut_right_after_its_verb_trails_off() -> None:
    plan = (
        "The plan I had in mind is, you tell me how the number gets built across your regions, "
        "I ask a lot of annoying questions, and we save ten minutes for next steps."
    )
    units = summary_units(short_call([("1001", [plan])]))
    assert units[0].clipped_end
    assert units[0].text.endswith("is,")
    assert [u.trails_off for u in units] == [True] + [False] * (len(units) - 1)


LONG = (
    "The rollout starts with the finance team in March, and the other regions follow in "
    "the spring, because the budget for them opens in April."
)


def test_a_long_sentence_is_cut_into_clauses_quoted_with_ellipses() -> None:
    sentences = short_call([("2002", [LONG]), ("1001", ["Understood, March works for our side."])])
    units = summary_units(sentences)
    clauses = [u for u in units if u.sentences[0].text == LONG]
    # Each clause is a unit of its own (at most a unit long), citing the whole sentence.
    assert len(clauses) > 1 and all(u.words <= UNIT_WORDS for u in clauses)
    edges = [(u.clipped_start, u.clipped_end) for u in clauses]
    assert edges[0] == (False, True) and edges[-1] == (True, False)
    assert [u.joins for u in clauses] == [False] + [True] * (len(clauses) - 1)
    assert " ".join(u.text for u in clauses) == LONG
    second = units.index(clauses[1])
    assert call_summary.quoted(units, [second]).startswith("…")
    # All the clauses chosen read as the sentence again, without ellipses, cited once.
    everything = [units.index(u) for u in clauses]
    assert joined(units, everything) == [everything]
    assert call_summary.quoted(units, everything) == LONG


@pytest.mark.parametrize(
    ("said", "kept_whole"),
    [
        (
            "We track wholesale, franchise and online deals in a custom object in Salesforce, "
            "and that matters for the forecast.",
            "in Salesforce, and that matters for the forecast.",
        ),
        (
            "The regional managers rebuild the whole forecast by hand every Friday afternoon, "
            "so it never matches what finance sees.",
            "every Friday afternoon, so it never matches",
        ),
    ],
)
def test_a_clause_that_points_back_is_not_cut_from_what_it_points_at(
    said: str, kept_whole: str
) -> None:
    # Alone, "…and that matters for the forecast." has lost what "that" is.
    assert len(said.split()) > UNIT_WORDS  # long enough to be cut
    pieces = clauses(said)
    assert any(kept_whole in piece for piece in pieces), pieces
    assert " ".join(pieces) == said


@pytest.mark.parametrize(
    "said",
    [
        "For 85 seats rollouts take six to eight weeks, so a decision in the next month or so "
        "would still hit the end of February.",
        "We compared the seat price, the implementation fee and so on with what the other two "
        "vendors quoted us last month.",
        "The regional managers were never asked about the template, and so we ended up with "
        "five different versions of it.",
    ],
)
def test_no_clause_is_cut_between_two_conjunctions_or_inside_or_so(said: str) -> None:
    # "…so a decision in the next month or…" had cut "or so" in two.
    assert len(said.split()) > UNIT_WORDS  # long enough to be cut
    pieces = clauses(said)
    assert " ".join(pieces) == said
    assert not any(re.search(r"\b(?:and|or|but|so)$", piece) for piece in pieces), pieces


def test_a_long_sentence_is_still_cut_before_a_clause_of_its_own() -> None:
    said = (
        "We track wholesale and franchise deals in a custom object in Salesforce, "
        "and the regional managers review them every Monday."
    )
    assert clauses(said) == [
        "We track wholesale and franchise deals in a custom object in Salesforce,",
        "and the regional managers review them every Monday.",
    ]


async def test_one_speakers_consecutive_quotes_are_one_bullet() -> None:
    sentences = short_call(
        [
            ("1001", ["Let's go through the pricing for the annual plan today."]),
            ("2002", ["Sure."]),
            ("1001", ["The annual plan covers forty seats and the onboarding."]),
            ("2002", ["Our security review usually takes about two weeks end to end."]),
        ]
    )
    units = summary_units(sentences)
    chosen = list(range(len(units)))
    candidates = [
        Candidate(units[i].sentences[0], 1.0, text=call_summary.quoted(units, [i])) for i in chosen
    ]
    book = CitationBook()
    request = SectionRequest("Summary", "What the call was about.", candidates, chosen=True)
    written = await ExtractiveSummarizer().write("the call", [request], book)
    texts = [b.text for b in written.sections[0].bullets]
    assert texts == [
        "Dana Rep: “Let's go through the pricing for the annual plan today.” … "
        "“The annual plan covers forty seats and the onboarding.”",
        "Casey Buyer (Moss & Co): “Our security review usually takes about two weeks end to end.”",
    ]
    assert [b.citations for b in written.sections[0].bullets] == [[1, 2], [3]]
    # The budget counts the words shown: one label per bullet, and the gap between quotes.
    assert summary_words(units, chosen) == sum(len(t.split()) for t in texts)
    assert bullets(units, chosen) == [[[0], [1]], [[2]]]


def test_a_bullet_holds_at_most_a_few_quotes() -> None:
    assert by_speaker(["a", "a", "b", *["a"] * (QUOTES_PER_BULLET + 1)]) == [
        [0, 1],
        [2],
        list(range(3, 3 + QUOTES_PER_BULLET)),
        [3 + QUOTES_PER_BULLET],
    ]
