"""Leak tests through Slack: the real Bolt app in socket mode against the fake Slack, each
persona sending `/gong` commands as its Slack user, on samples/ under the restricted policy.

The whole question matrix runs against `Session` (which the bot asks through) in
test_leaks.py; a sample of it here proves the bot's wiring: who the viewer is, what a denial
looks like, and that no command goes around the session. `/gong search` takes no call-id
filter, so searches inside one call are left out here.
"""

from __future__ import annotations

import asyncio
import html
import json
import re
from collections.abc import Sequence
from typing import Any

import pytest
from pydantic import SecretStr

from sophia.bot.slack_bot import SlackBot, web_client
from sophia.core.access import AccessPolicy
from sophia.core.config import Settings
from sophia.core.services import Sophia
from tests.fakes.loopback import clear_proxies
from tests.fakes.slack_server import FakeSlack
from tests.leak_harness import (
    PERSONAS,
    AuditTail,
    Corpus,
    LeakCheck,
    Persona,
    Question,
    Reply,
    build_index,
    report,
    run_matrix,
    surface_sample,
)

_CALL_LINK = re.compile(r"call\?id=(\d+)")


class SlackDriver:
    """Sends each question as a `/gong` command from the persona's Slack user."""

    surface = "slack"

    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    def ask_all(self, persona: Persona, questions: Sequence[Question]) -> list[Reply]:
        return asyncio.run(self._ask_all(persona, questions))

    async def _ask_all(self, persona: Persona, questions: Sequence[Question]) -> list[Reply]:
        assert persona.slack_user is not None
        slack = await FakeSlack().start()
        # The persona's groups, as Slack would list their members (plus someone else).
        slack.usergroups = {g: {persona.slack_user, "U0SOMEONE"} for g in persona.slack_groups}
        settings = self.settings.model_copy(
            update={
                "slack_bot_token": SecretStr(slack.bot_token),
                "slack_app_token": SecretStr(slack.app_token),
                "slack_api_url": slack.api_url,
            }
        )
        sophia = await Sophia.open(settings)
        bot = SlackBot(sophia, web_client(settings))
        try:
            await bot.start()
            await slack.wait_connections(1)
            audit = AuditTail(settings.sophia_data_dir)
            replies = []
            for question in questions:
                envelope = await slack.command(self._text(question), user=persona.slack_user)
                [page] = await slack.wait_responses(envelope)
                replies.append(self._reply(page.body, audit.added()))
            assert slack.invalid == []
            return replies
        finally:
            await bot.stop()
            await sophia.aclose()
            await slack.stop()

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
    def _reply(body: dict[str, Any], audited: int) -> Reply:
        shown = html.unescape(json.dumps(body, ensure_ascii=False))
        denied = "do not have access to this call" in shown
        return Reply(set(_CALL_LINK.findall(shown)), shown, audited, denied=denied)


@pytest.fixture(scope="module")
def indexed(tmp_path_factory: pytest.TempPathFactory) -> tuple[Settings, Corpus]:
    return build_index(tmp_path_factory.mktemp("leaks-slack"))


def test_no_restricted_account_reaches_a_slack_user_the_policy_keeps_it_from(
    indexed: tuple[Settings, Corpus], record_property: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    clear_proxies(monkeypatch)
    settings, corpus = indexed
    check = LeakCheck(corpus, AccessPolicy.load(settings.access_policy, settings.api_keys))
    asked = [q for q in surface_sample(corpus) if "call_ids" not in q.filters]
    driver = SlackDriver(settings)
    # Halden Energy is open to a Slack user group: the bot must look its members up.
    for persona in ("moss", "halden", "outsider"):
        run_matrix(check, driver, PERSONAS[persona], asked)
    report(check, record_property, "slack")
    assert check.leaks == [], "\n".join(check.leaks[:20])
    assert check.misses == [], "\n".join(check.misses[:20])
    assert check.audit_problems == [], "\n".join(check.audit_problems[:20])
    # Two calls by id per account: U0MOSSREP and U0HALDEN1 may not see two accounts each,
    # U0OUTSIDE three.
    assert check.denials == 2 * 2 + 2 * 2 + 2 * 3
