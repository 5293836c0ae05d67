"""Leak tests through Slack: the real Bolt app in socket mode against the fake Slack, each
persona sending `/gong` commands as its Slack user, on samples/ under the restricted policy.

The whole question matrix runs against `Session` (which the bot asks through) in
test_leaks.py; a sample of it here proves the bot's wiring: who the viewer is, what a denial
looks like, and that no command goes around the session. `/gong search` takes no call-id
filter, so searches inside one call are left out here.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import pytest
from pydantic import SecretStr

from sophia.bot.slack_bot import SlackBot, web_client
from sophia.core.config import Settings
from tests.fakes.loopback import clear_proxies
from tests.fakes.slack_server import FakeSlack
from tests.fakes.sophia_api import open_sophia
from tests.leak_harness import Ask, LeakCheck, Persona, Record, Reply, SophiaDriver, check_surface
from tests.leak_questions import Corpus, Question, surface_sample

pytest_plugins = ["tests.fakes.leak_fixtures"]

_CALL_LINK = re.compile(r"call\?id=(\d+)")


class SlackDriver(SophiaDriver):
    """Sends each question as a `/gong` command from the persona's Slack user."""

    surface = "slack"

    @asynccontextmanager
    async def connect(self, persona: Persona) -> AsyncIterator[Ask]:
        user = persona.slack_user
        assert user is not None
        async with FakeSlack() as slack:
            # The persona's groups, as Slack would list their members (plus someone else).
            slack.usergroups = {g: {user, "U0SOMEONE"} for g in persona.slack_groups}
            settings = self.settings.model_copy(
                update={
                    "slack_bot_token": SecretStr(slack.bot_token),
                    "slack_app_token": SecretStr(slack.app_token),
                    "slack_api_url": slack.api_url,
                }
            )

            async def ask(question: Question) -> Reply:
                envelope = await slack.command(self._text(question), user=user)
                [page] = await slack.wait_responses(envelope)
                return self._reply(page.body)

            async with open_sophia(settings) as sophia:
                bot = SlackBot(sophia, web_client(settings))
                try:
                    await bot.start()
                    await slack.wait_connections(1)
                    yield ask
                    assert slack.invalid == []
                finally:
                    await bot.stop()

    @staticmethod
    def _text(q: Question) -> str:
        # As Slack delivers it: & < > escaped.
        def escaped(text: str) -> str:
            return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")

        if q.kind == "search":
            text = f"search {escaped(q.text)}"
            if "account" in q.filters:
                text += f' account:"{escaped(q.filters["account"])}"'
            if "side" in q.filters:
                text += " side:customer" if q.filters["side"] == "external" else " side:rep"
            return text
        return f"{q.kind} {escaped(q.text)}".strip()

    @staticmethod
    def _reply(body: dict[str, Any]) -> Reply:
        shown = html.unescape(json.dumps(body, ensure_ascii=False))
        denied = "do not have access to this call" in shown
        return Reply(set(_CALL_LINK.findall(shown)), shown, 0, denied=denied)


def test_no_restricted_account_reaches_a_slack_user_the_policy_keeps_it_from(
    indexed: tuple[Settings, Corpus], record_property: Record, monkeypatch: pytest.MonkeyPatch
) -> None:
    clear_proxies(monkeypatch)
    settings, corpus = indexed
    check = LeakCheck.under(settings, corpus)
    asked = [q for q in surface_sample(corpus) if "call_ids" not in q.filters]
    driver = SlackDriver(settings)
    # Halden Energy is open to a Slack user group: the bot must look its members up.
    personas = ("moss", "halden", "outsider")
    check_surface(check, "slack", [(driver, p, asked) for p in personas], record_property)
    # Two calls by id per account: U0MOSSREP and U0HALDEN1 may not see two accounts each,
    # U0OUTSIDE three.
    assert check.denials == 2 * 2 + 2 * 2 + 2 * 3
