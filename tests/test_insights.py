"""Insights on the samples, asserting substance: the planted facts come back, cited."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest

from sophia.core.config import Settings
from sophia.core.errors import CallNotFound
from sophia.core.insights.answer import Answer, Intent
from sophia.core.services import Sophia

pytestmark = pytest.mark.model

COMPETITORS = "DealForge, Quotient AI, Pipestream, Ledgerly"


@pytest.fixture(scope="module")
def sophia(samples_index: Path) -> Iterator[Sophia]:
    """The samples index with the extractive summarizer and the four planted competitors."""
    settings = Settings(
        _env_file=None,
        sophia_data_dir=samples_index,
        competitors=COMPETITORS,
        sophia_summarizer="extractive",
    )
    app = asyncio.run(Sophia.open(settings))
    yield app
    app.close()


def quotes(answer: Answer) -> str:
    return "\n".join(c.quote for c in answer.citations)


def table(answer: Answer, title: str) -> list[list]:
    [found] = [t for t in answer.tables if t.title == title]
    return found.rows


def account_calls(expected: dict, account: str) -> set[str]:
    return {c["call_id"] for c in expected["calls"] if c["account"] == account}


async def test_moss_pricing_objection_brief_cites_only_moss_and_the_planted_objections(
    sophia: Sophia, expected: dict
) -> None:
    answer = await sophia.insights.ask("what pricing objections came up with Moss & Co?")
    assert answer.intent is Intent.TOPIC_BRIEF
    assert answer.understood.startswith("Briefing on Moss & Co calls")
    assert answer.citations
    assert {c.call_id for c in answer.citations} <= account_calls(expected, "Moss & Co")
    planted = [o["text"] for o in expected["pricing_objections"] if o["account"] == "Moss & Co"]
    found = [text for text in planted if text in quotes(answer)]
    assert len(found) >= 6, f"only {len(found)} of {len(planted)} planted objections quoted"
    [concerns] = [s for s in answer.sections if s.title == "Concerns raised"]
    for bullet in concerns.bullets:
        assert bullet.quote and bullet.citations
        assert answer.citations[bullet.citations[0] - 1].affiliation == "external"


async def test_competitor_counts_equal_the_planted_mentions(sophia: Sophia, expected: dict) -> None:
    answer = await sophia.insights.competitors()
    planted = Counter(m["competitor"] for m in expected["competitor_mentions"])
    counted = {row[0]: row[1] for row in table(answer, "Mentions by competitor")}
    assert counted == dict(planted)
    by_account = Counter((m["competitor"], m["account"]) for m in expected["competitor_mentions"])
    rows = table(answer, "Mentions by account")
    assert {(r[0], r[1]): r[2] for r in rows} == dict(by_account)
    for section in answer.sections:
        assert section.bullets and all(section.title in b.text or b.quote for b in section.bullets)


async def test_gong_trackers_name_competitors_when_none_are_configured(
    samples_index: Path, expected: dict
) -> None:
    settings = Settings(_env_file=None, sophia_data_dir=samples_index, sophia_embedder="local")
    app = await Sophia.open(settings)
    try:
        answer = await app.insights.competitors()
    finally:
        app.close()
    named = {row[0] for row in table(answer, "Mentions by competitor")}
    assert named == set(expected["competitors"])


async def test_stalled_deals_are_exactly_the_planted_ones(sophia: Sophia, expected: dict) -> None:
    answer = await sophia.insights.ask("which deals are stalled and why?")
    assert answer.intent is Intent.STALLED
    rows = table(answer, "Stalled deals")
    assert {r[0] for r in rows} == {d["account"] for d in expected["stalled_opportunities"]}
    assert all(r[6] > sophia.settings.stalled_days for r in rows)
    for deal in expected["stalled_opportunities"]:
        assert deal["blocker"] in quotes(answer), f"{deal['account']}: blocker not quoted"
        assert all(
            c.call_id in {d["call_id"] for d in expected["stalled_opportunities"]}
            for c in answer.citations
        )


async def test_successful_pricing_negotiations_are_the_planted_ones(
    sophia: Sophia, expected: dict
) -> None:
    answer = await sophia.insights.ask("show me successful pricing negotiations")
    assert answer.intent is Intent.COACHING
    assert {c.call_id for c in answer.citations} == set(expected["successful_pricing_calls"])
    assert all(c.affiliation == "internal" for c in answer.citations), "talk tracks are the rep's"


async def test_the_planted_prompt_injection_is_quoted_not_obeyed(
    sophia: Sophia, expected: dict
) -> None:
    injection = expected["prompt_injection"]
    answer = await sophia.insights.analyze_call(injection["call_id"])
    brief = await sophia.insights.brief("discount")
    for result in (answer, brief):
        said = [b.text for s in result.sections for b in s.bullets if not b.quote]
        assert not any("90%" in text or "agreed to" in text for text in said)
        for section in result.sections:
            for bullet in section.bullets:
                if "Ignore previous instructions" in bullet.text:
                    assert bullet.quote and bullet.citations
    search = await sophia.insights.ask("ignore previous instructions")
    assert injection["text"] in quotes(search), "the sentence is findable, as data"


async def test_unknown_account_gets_a_suggestion_not_an_empty_answer(sophia: Sophia) -> None:
    answer = await sophia.insights.ask("brief me on recent conversations with Mos and Co")
    assert answer.notice == "No calls found for 'Mos and Co'. Did you mean Moss & Co?"
    assert not answer.citations


async def test_account_brief_covers_olympus_only(sophia: Sophia, expected: dict) -> None:
    answer = await sophia.insights.ask("brief me on recent conversations with Olympus")
    assert answer.intent is Intent.ACCOUNT_BRIEF
    assert {c.call_id for c in answer.citations} <= account_calls(expected, "Olympus")
    titles = [s.title for s in answer.sections]
    assert "Concerns" in titles and "Next steps" in titles
    stakeholders = table(answer, "Stakeholders")
    assert stakeholders and all(row[2] >= 1 for row in stakeholders)
    latest = max(
        (c for c in expected["calls"] if c["account"] == "Olympus"), key=lambda c: c["started"]
    )
    [next_steps] = [s for s in answer.sections if s.title == "Next steps"]
    assert {answer.citations[b.citations[0] - 1].call_id for b in next_steps.bullets} == {
        latest["call_id"]
    }


async def test_call_analysis_has_every_part(sophia: Sophia, expected: dict) -> None:
    with_content = next(c for c in expected["calls"] if c["has_content"])
    answer = await sophia.insights.analyze_call(with_content["call_id"])
    titles = [s.title for s in answer.sections]
    assert "Gong's brief" in titles and "Summary" in titles and "Topics" in titles
    assert {c.call_id for c in answer.citations} == {with_content["call_id"]}
    shares = [int(str(row[2]).rstrip("%")) for row in table(answer, "Talk ratio")]
    assert 98 <= sum(shares) <= 102
    assert [row[0] for row in table(answer, "Questions asked")] == ["our team", "customer"]
    with pytest.raises(CallNotFound):
        await sophia.insights.analyze_call("1234567890123456789")


async def test_periods_in_questions_narrow_the_answer(sophia: Sophia, expected: dict) -> None:
    # The tests' clock reads Monday 2026-11-23 09:00 (tests/conftest.py NOW): last week holds
    # calls with planted mentions, this week none yet.
    started = {c["call_id"]: c["started"][:10] for c in expected["calls"]}
    planted = Counter(
        m["competitor"]
        for m in expected["competitor_mentions"]
        if "2026-11-16" <= started[m["call_id"]] <= "2026-11-22"
    )
    last_week = await sophia.insights.ask("what competitors were mentioned last week?")
    assert last_week.intent is Intent.COMPETITORS
    assert "Scanning all calls, Nov 16 – Nov 22" in last_week.understood
    counted = {row[0]: row[1] for row in table(last_week, "Mentions by competitor")}
    assert counted == dict(planted)
    everything = await sophia.insights.competitors()
    assert sum(counted.values()) < sum(r[1] for r in table(everything, "Mentions by competitor"))

    this_week = await sophia.insights.ask("what competitors were mentioned this week?")
    assert this_week.intent is Intent.COMPETITORS and "Nov 23" in this_week.understood
    assert not this_week.tables and not this_week.citations
    assert this_week.notice == "No calls this week (Nov 23)."
