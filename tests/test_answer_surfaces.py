"""One understanding serves every surface: the same question gets the same cited moments and
the same notice from core, the `sophia` command, REST and Slack (`/gong ask`, `/gong brief`,
a mention). Real parts: the CLI through typer, the API in process over ASGI, the Bolt app
against the fake Slack; samples/ indexed with the hashing embedder."""

from __future__ import annotations

import asyncio
import html
import json
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from typer.testing import CliRunner

from sophia.cli.main import app as cli
from sophia.core.session import Viewer
from tests.fakes.slack_server import FakeSlack
from tests.fakes.sophia_api import api_client

if TYPE_CHECKING:  # a plugin module: imported by pytest_plugins, not before
    from tests.fakes.slack_fixtures import MakeBot

pytest_plugins = ["tests.fakes.slack_fixtures"]

# A cited moment's link (a call link with the moment to open); tables link whole calls.
_CALL = re.compile(r"call\?id=(\d+)&highlights=")
QUESTIONS = [
    ("ask", "what did Initech say about pricing?"),
    ("ask", "pricing objections next quarter"),
    ("ask", "where are we with Halden?"),
    ("ask", "who are the decision makers at Olympus?"),
    ("brief", "Olympos"),
    ("brief", "competitive mentions in Q4"),
]


def _slack_text(blocks: list[dict[str, Any]]) -> str:
    return html.unescape(json.dumps(blocks, ensure_ascii=False))


@pytest.mark.parametrize(("kind", "question"), QUESTIONS)
async def test_every_surface_gives_the_same_answer(
    kind: str, question: str, make_bot: MakeBot, slack: FakeSlack, sophia_dir: Path
) -> None:
    bot = await make_bot()
    session = bot.sophia.session(Viewer("cli"))
    core = await (session.brief(question) if kind == "brief" else session.ask(question))
    cited = {c.call_id for c in core.citations}

    async with api_client(bot.sophia) as http:
        path, body = ("/api/gong/brief", {"topic": question})
        if kind == "ask":
            path, body = ("/api/gong/ask", {"question": question})
        rest = (await http.post(path, json=body)).json()
    assert {c["call_id"] for c in rest["citations"]} == cited
    assert rest["notice"] == core.notice and rest["intent"] == core.intent.value

    env = {
        "SOPHIA_DATA_DIR": str(sophia_dir),
        "SOPHIA_EMBEDDER": "hashing",
        "RETENTION_DAYS": "0",
        "COMPETITORS": bot.sophia.settings.competitors,
        "SOPHIA_SUMMARIZER": "extractive",
    }
    # The command runs its own event loop: in a thread, as from a shell beside the bot.
    result = await asyncio.to_thread(
        CliRunner().invoke, cli, [kind, question, "--json"], env=env, catch_exceptions=False
    )
    assert result.exit_code == 0, result.output
    shell = json.loads(result.output)
    assert {c["call_id"] for c in shell["citations"]} == cited and shell["notice"] == core.notice

    envelope = await slack.command(f"{kind} {html.escape(question, quote=False)}", user="UDANA")
    pages = await slack.wait_responses(envelope)
    shown = "".join(_slack_text(page.body["blocks"]) for page in pages)
    assert set(_CALL.findall(shown)) == cited
    if core.notice:
        assert core.notice in shown
    if kind == "ask":
        _, asked = await slack.mention(html.escape(question, quote=False))
        await slack.wait_calls("chat.update")
        replies = slack.thread("CGENERAL", asked)[1:]
        threaded = "".join(_slack_text(m.get("blocks", [])) for m in replies)
        assert set(_CALL.findall(threaded)) == cited
    assert slack.invalid == []
