"""Reading a question (core/insights/understanding.py): every constraint kept, and what
matches nothing said, on samples/ indexed with the hashing embedder."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from sophia.core.config import Settings
from sophia.core.insights.answer import Answer, Intent
from sophia.core.insights.ask import read
from sophia.core.models import Affiliation
from sophia.core.services import Sophia

pytest_plugins = ["tests.fakes.slack_fixtures"]

MOSS_SECURITY_REVIEW = "7964471811250078217"


@pytest.fixture
async def sophia(sophia_dir: Path) -> AsyncIterator[Sophia]:
    settings = Settings(
        _env_file=None,
        sophia_data_dir=sophia_dir,
        sophia_embedder="hashing",
        retention_days=0,
        sophia_summarizer="extractive",
    )
    app = await Sophia.open(settings)
    yield app
    await app.aclose()


def accounts(answer: Answer) -> set[str | None]:
    return {c.account for c in answer.citations}


@pytest.mark.parametrize(
    ("question", "account"),
    [
        ("where are we with Halden?", "Halden Energy"),
        ("what did Brightwater's CFO say about budget?", "Brightwater Health"),
        ("recent calls with cobalt ridge", "Cobalt Ridge Foods"),
        ("did O’Hara ask for a discount?", "O'Hara Logistics"),
        ("pricing pushback from Moss and Co", "Moss & Co"),
    ],
)
async def test_short_names_possessives_and_apostrophes_find_the_account(
    sophia: Sophia, question: str, account: str
) -> None:
    meaning = await read(sophia.insights.context, question)
    assert meaning.account == account and not meaning.misses
    answer = await sophia.insights.ask(question)
    assert answer.citations or answer.tables
    assert accounts(answer) <= {account}


@pytest.mark.parametrize(
    ("question", "notice"),
    [
        ("what did Initech say about pricing?", "No calls found for 'Initech'."),
        ("what did initech say about pricing?", "No calls found for 'initech'."),
        ("where are we with Acme Corp?", "No calls found for 'Acme Corp'."),
        ("did anyone mention Clari?", "No calls found for 'Clari'."),
        (
            "what did Brightwatter say about HIPAA?",
            "No calls found for 'Brightwatter'. Did you mean Brightwater Health?",
        ),
        ("and what about Olympsu?", "No calls found for 'Olympsu'. Did you mean Olympus?"),
    ],
)
async def test_a_name_in_no_call_is_named_in_the_notice_and_nothing_is_cited(
    sophia: Sophia, question: str, notice: str
) -> None:
    answer = await sophia.insights.ask(question)
    assert answer.notice == notice
    assert not answer.citations and answer.is_empty


async def test_brief_offers_the_right_account_instead_of_briefing_on_all_calls(
    sophia: Sophia,
) -> None:
    answer = await sophia.insights.brief("Olympos")
    assert answer.notice == "No calls found for 'Olympos'. Did you mean Olympus?"
    assert not answer.citations and answer.is_empty


@pytest.mark.parametrize(
    "question",
    [
        "what did Pinecrest say about Okta?",  # a word said on the calls, not a name
        "what did Olympus say about SSO?",  # an acronym
        "pricing objections with Moss & Co in Q4",
    ],
)
async def test_words_said_on_calls_are_topics_not_unknown_names(
    sophia: Sophia, question: str
) -> None:
    assert not (await read(sophia.insights.context, question)).misses


@pytest.mark.parametrize(
    ("question", "notice"),
    [
        (
            "pricing objections next quarter",
            "No calls next quarter (Jan 1, 2027 – Mar 31, 2027). That period has not started yet.",
        ),
        (
            "what did Moss & Co say in 2031?",
            "No calls with Moss & Co in 2031 (Jan 1, 2031 – Dec 31, 2031). "
            "That period has not started yet.",
        ),
        ("security calls in 2019", "No calls in 2019 (Jan 1, 2019 – Dec 31, 2019)."),
        ("what happened yesterday?", "No calls yesterday (Nov 22)."),
        (
            "pricing since 2026-13-45",
            "I could not read the date in 'since 2026-13-45'; try 2026-10-01 or “last month”.",
        ),
    ],
)
async def test_a_period_without_calls_is_said_never_widened_to_all_calls(
    sophia: Sophia, question: str, notice: str
) -> None:
    answer = await sophia.insights.ask(question)
    assert answer.notice == notice
    assert not answer.citations and answer.is_empty


async def test_competitors_and_coaching_over_a_period_ahead_say_so(sophia: Sophia) -> None:
    ahead = await sophia.insights.competitors("next quarter")
    assert ahead.notice and "not started yet" in ahead.notice and not ahead.citations
    unread = await sophia.insights.coaching("pricing", "last fortnightish")
    assert unread.notice and "could not read" in unread.notice and not unread.citations


async def test_a_person_a_side_and_a_kind_of_call_narrow_the_answer(sophia: Sophia) -> None:
    ctx = sophia.insights.context
    person = await sophia.insights.ask("what did Gregory Hale say about the budget?")
    assert person.citations and {c.speaker for c in person.citations} == {"Gregory Hale"}
    ours = await sophia.insights.ask("what did our reps say about pricing to Moss & Co?")
    assert (await read(ctx, "what did our reps say about pricing?")).side is Affiliation.INTERNAL
    assert ours.citations and {c.affiliation for c in ours.citations} == {Affiliation.INTERNAL}
    theirs = await read(ctx, "what did Olympus say about SSO?")
    assert theirs.side is Affiliation.EXTERNAL
    review = await sophia.insights.ask("what did Moss & Co say about SSO in the security review?")
    assert review.citations
    assert {c.call_id for c in review.citations} == {MOSS_SECURITY_REVIEW}
    none = await sophia.insights.ask("what did Olympus say in the renewal call?")
    assert none.notice == "No renewal call with Olympus is indexed." and not none.citations


@pytest.mark.parametrize(
    ("question", "intent"),
    [
        ("who are the decision makers at Olympus?", Intent.STAKEHOLDERS),
        ("who signs off at Kestrel?", Intent.STAKEHOLDERS),
        ("where are we with Olympus?", Intent.DEAL_STATUS),
        ("is the Halden deal stalled?", Intent.DEAL_STATUS),
        ("which deals are stalled?", Intent.STALLED),
        ("when was our last call with Olympus?", Intent.LAST_CALL),
        ("recent calls with Kestrel", Intent.RECENT_CALLS),
        ("what happened in calls last week?", Intent.RECENT_CALLS),
        ("who are we losing to on price?", Intent.COMPETITORS),
        ("how did we win the Kestrel renewal?", Intent.COACHING),
        ("brief me on recent conversations with Olympus", Intent.ACCOUNT_BRIEF),
        ("what pricing objections came up with Moss & Co?", Intent.TOPIC_BRIEF),
    ],
)
async def test_everyday_questions_have_an_intent(
    sophia: Sophia, question: str, intent: Intent
) -> None:
    assert (await read(sophia.insights.context, question)).intent is intent


async def test_deal_status_people_and_last_call_stay_on_the_account(sophia: Sophia) -> None:
    status = await sophia.insights.ask("is the Halden deal stalled?")
    said = "\n".join(b.text for s in status.sections for b in s.bullets)
    assert "Proposal" in said and "stalled" in said and accounts(status) == {"Halden Energy"}
    people = await sophia.insights.ask("who are the decision makers at Olympus?")
    [theirs] = [t for t in people.tables if t.title == "Their side"]
    assert theirs.rows[0][:2] == ["James Whitaker", "Chief Revenue Officer"]
    assert accounts(people) == {"Olympus"}
    last = await sophia.insights.ask("when was our last call with Olympus?")
    assert {c.call_id for c in last.citations} == {"1429704269911187597"}
    assert "2026-11-17" in last.title
