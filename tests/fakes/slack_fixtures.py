"""Pytest fixtures around the fake Slack; load with `pytest_plugins` in a test module.

Each test gets its own copy of samples/ indexed with the hashing embedder (`sophia_dir`,
tests/fakes/samples_fixtures.py), so tests may write (feedback, query stats) independently.
`make_bot` starts the real Bolt app and socket-mode handler against the fake.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from sophia.bot.slack_bot import SlackBot, web_client
from sophia.core.config import Settings
from sophia.core.services import Sophia
from tests.conftest import NOW
from tests.fakes.slack_server import FakeSlack

__all__ = ["BRIEF_MONDAY", "COMPETITORS", "Bot"]

pytest_plugins = ["tests.fakes.samples_fixtures"]

COMPETITORS = "DealForge, Quotient AI, Pipestream, Ledgerly"
# 09:00 on the samples' anchor Monday: the weekly brief's usual time, and the tests' clock.
BRIEF_MONDAY: datetime = NOW


@pytest.fixture
async def slack() -> AsyncIterator[FakeSlack]:
    async with FakeSlack() as fake:
        yield fake


def bot_settings(data_dir: Path, slack: FakeSlack, **overrides: Any) -> Settings:
    """Settings of a bot on the hashed samples, pointed at the fake Slack."""
    values: dict[str, Any] = {
        "sophia_data_dir": data_dir,
        "sophia_embedder": "hashing",
        "retention_days": 0,
        "competitors": COMPETITORS,
        "sophia_summarizer": "extractive",
        "slack_bot_token": slack.bot_token,
        "slack_app_token": slack.app_token,
        "slack_api_url": slack.api_url,
        **overrides,
    }
    return Settings(_env_file=None, **values)


class Bot:
    """A running bot: the real AsyncApp and socket-mode handler, connected to the fake."""

    def __init__(self, sophia: Sophia, slack_bot: SlackBot) -> None:
        self.sophia = sophia
        self.slack_bot = slack_bot


MakeBot = Callable[..., Awaitable[Bot]]


@pytest.fixture
async def make_bot(sophia_dir: Path, slack: FakeSlack) -> AsyncIterator[MakeBot]:
    """Start a bot with these setting overrides (at most one per test is typical)."""
    started: list[Bot] = []

    async def make(**overrides: Any) -> Bot:
        sophia = await Sophia.open(bot_settings(sophia_dir, slack, **overrides))
        slack_bot = SlackBot(sophia, web_client(sophia.settings))
        connected = slack.connections_opened
        await slack_bot.start()
        await slack.wait_connections(connected + 1)
        started.append(Bot(sophia, slack_bot))
        return started[-1]

    yield make
    for bot in started:
        await bot.slack_bot.stop()
        await bot.sophia.aclose()
