"""The weekly brief on the samples: the past week's calls, their planted competitor mentions
and objections, and the planted stalled deals, each cited."""

from __future__ import annotations

from collections import Counter
from collections.abc import AsyncIterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest

from sophia.core.clock import FixedClock
from sophia.core.config import Settings
from sophia.core.insights.answer import Answer, Intent
from sophia.core.services import Sophia
from sophia.core.session import Viewer
from tests.conftest import NOW

pytest_plugins = ["tests.fakes.slack_fixtures"]

# The tests' pinned now is a Monday morning, when the brief goes out. (Imported from
# conftest, not from the plugin module: importing a plugin before pytest registers it
# skips its assertion rewriting, which stops a run of this file alone.)
BRIEF_MONDAY = NOW

COMPETITORS = "DealForge, Quotient AI, Pipestream, Ledgerly"


@pytest.fixture
def clock() -> FixedClock:
    """Sophia's clock: the Monday 09:00 the weekly brief is posted, unless a test moves it."""
    return FixedClock(BRIEF_MONDAY)


@pytest.fixture
async def sophia(sophia_dir: Path, clock: FixedClock) -> AsyncIterator[Sophia]:
    settings = Settings(
        _env_file=None,
        sophia_data_dir=sophia_dir,
        sophia_embedder="hashing",
        retention_days=0,
        competitors=COMPETITORS,
        sophia_summarizer="extractive",
    )
    app = await Sophia.open(settings, clock=clock)
    yield app
    await app.aclose()


def table(answer: Answer, title: str) -> list[list[Any]]:
    [found] = [t for t in answer.tables if t.title == title]
    return found.rows


async def test_the_brief_covers_the_past_week_with_the_planted_facts(
    sophia: Sophia, expected: dict[str, Any]
) -> None:
    answer = await sophia.session(Viewer("scheduler")).weekly_brief()
    monday = BRIEF_MONDAY.date()
    week = {
        c["call_id"]: c
        for c in expected["calls"]
        # The samples were indexed in their anchor week: expected.json's dates are theirs.
        if monday - timedelta(days=7) <= date.fromisoformat(c["started"][:10]) <= monday
    }
    assert len(week) >= 4, "the samples put several calls in the brief's week"
    assert answer.intent is Intent.WEEKLY_BRIEF
    assert answer.title == f"Weekly brief, {answer.filters['period']}"
    assert answer.understood.startswith(f"The calls of {answer.filters['period']} ({len(week)})")
    # Calls: every account of the week, with its number of calls.
    per_account = Counter(c["account"] for c in week.values())
    assert {row[0]: row[1] for row in table(answer, "Calls")} == dict(per_account)
    # Competitors: exactly the planted mentions made in the week's calls.
    planted = Counter(
        m["competitor"] for m in expected["competitor_mentions"] if m["call_id"] in week
    )
    assert {row[0]: row[1] for row in table(answer, "Competitor mentions")} == dict(planted)
    # Stalled deals: the planted ones, with their blockers quoted.
    assert {row[0] for row in table(answer, "Stalled deals")} == {
        d["account"] for d in expected["stalled_opportunities"]
    }
    quotes = "\n".join(c.quote for c in answer.citations)
    for deal in expected["stalled_opportunities"]:
        assert deal["blocker"] in quotes
    # Every bullet is cited, numbers are unique and point at real citations.
    numbers = [c.number for c in answer.citations]
    assert numbers == list(range(1, len(numbers) + 1))
    titles = [s.title for s in answer.sections]
    assert titles[:3] == ["Top topics", "Objections", "Competitors"]
    assert any(t.startswith("Stalled: ") for t in titles)
    for section in answer.sections:
        for bullet in section.bullets:
            assert bullet.citations and all(1 <= n <= len(numbers) for n in bullet.citations)
    # The week's part cites the week's calls; objections are the customers' words.
    [objections] = [s for s in answer.sections if s.title == "Objections"]
    for bullet in objections.bullets:
        cited = answer.citations[bullet.citations[0] - 1]
        assert cited.call_id in week and cited.affiliation == "external"


async def test_a_week_without_calls_says_so_and_still_lists_stalled_deals(
    sophia: Sophia, clock: FixedClock, expected: dict[str, Any]
) -> None:
    clock.advance(timedelta(weeks=2))  # the samples' last call is weeks ago
    answer = await sophia.insights.weekly_brief()
    assert answer.notice == f"No calls were indexed for {answer.filters['period']}."
    assert "Calls" not in {t.title for t in answer.tables}
    stalled = {row[0] for row in table(answer, "Stalled deals")}
    assert {d["account"] for d in expected["stalled_opportunities"]} <= stalled
    assert answer.citations and all(s.title.startswith("Stalled: ") for s in answer.sections)
