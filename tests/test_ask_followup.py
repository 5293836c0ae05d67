"""Follow-ups: a question that leaves out the account, topic or period takes it from the
latest earlier question of the conversation that had one."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from sophia.core.config import Settings
from sophia.core.insights.answer import Answer, Intent
from sophia.core.services import Sophia

pytest_plugins = ["tests.fakes.slack_fixtures"]

MOSS = "what pricing objections came up with Moss & Co?"


@pytest.fixture
async def sophia(sophia_dir: Path) -> AsyncIterator[Sophia]:
    settings = Settings(
        _env_file=None, sophia_data_dir=sophia_dir, sophia_embedder="hashing", retention_days=0
    )
    app = await Sophia.open(settings)
    yield app
    await app.aclose()


def accounts(answer: Answer) -> set[str | None]:
    return {c.account for c in answer.citations}


async def test_a_new_account_keeps_the_topic(sophia: Sophia) -> None:
    answer = await sophia.insights.ask("and what about Olympus?", earlier=[MOSS])
    assert answer.intent is Intent.TOPIC_BRIEF
    assert answer.understood == "Briefing on Olympus calls for pricing objections"
    assert answer.citations and accounts(answer) == {"Olympus"}


async def test_a_new_topic_keeps_the_account(sophia: Sophia) -> None:
    answer = await sophia.insights.ask("what did they say about security?", earlier=[MOSS])
    assert answer.intent is Intent.SEARCH
    assert answer.understood == "Searching Moss & Co calls for security"
    assert answer.citations and accounts(answer) == {"Moss & Co"}
    assert answer.filters["account"] == "Moss & Co"


async def test_earlier_follow_ups_carry_forward_and_a_period_is_kept(sophia: Sophia) -> None:
    earlier = ["pricing objections with Moss & Co last quarter", "and Olympus?"]
    answer = await sophia.insights.ask("what about security?", earlier=earlier)
    assert answer.understood.startswith("Searching Olympus calls, ")
    assert answer.understood.endswith(", for security")
    period = await sophia.insights.ask("and Kestrel Software?", earlier=[earlier[0]])
    assert period.understood.startswith("Briefing on Kestrel Software calls, ")
    assert period.understood.endswith("for pricing objections")


async def test_a_new_kind_of_question_keeps_only_its_scope(sophia: Sophia) -> None:
    earlier = [MOSS, "brief me on Olympus"]
    answer = await sophia.insights.ask("and Kestrel Software?", earlier=earlier)
    assert answer.intent is Intent.ACCOUNT_BRIEF and answer.title == "Brief: Kestrel Software"
    competitors = await sophia.insights.ask("which competitors came up?", earlier=[MOSS])
    assert competitors.intent is Intent.COMPETITORS
    assert competitors.filters["account"] == "Moss & Co"


async def test_questions_that_stand_alone_are_not_changed(sophia: Sophia) -> None:
    alone = await sophia.insights.ask("what did Olympus say about SSO?")
    followed = await sophia.insights.ask("what did Olympus say about SSO?", earlier=[MOSS])
    assert followed.model_dump() == alone.model_dump()
    typo = await sophia.insights.ask("and what about Olympsu?", earlier=[MOSS])
    assert typo.notice == "No calls found for 'Olympsu'. Did you mean Olympus?"
    nothing_before = await sophia.insights.ask("and what about Olympus?", earlier=["", "  "])
    # Empty messages give no context: the question is read alone, as a brief on Olympus.
    assert nothing_before.intent is Intent.ACCOUNT_BRIEF and accounts(nothing_before) == {"Olympus"}
