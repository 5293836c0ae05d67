"""The real Bolt app (AsyncApp + AsyncSocketModeHandler) end to end against the fake Slack:
slash commands, mentions and follow-ups, DMs, buttons, guards, errors, reconnects."""

from __future__ import annotations

import json
import time
from typing import TYPE_CHECKING, Any

from prometheus_client import REGISTRY

from sophia.bot import messages
from sophia.core.errors import CallNotFound
from sophia.core.query import build_request
from sophia.core.viewer import Viewer
from tests.fakes.slack_server import FakeSlack

if TYPE_CHECKING:  # a plugin module: imported by pytest_plugins, not before
    from tests.fakes.slack_fixtures import MakeBot

pytest_plugins = ["tests.fakes.slack_fixtures"]

MOSS_PRICING = "what pricing objections came up with Moss &amp; Co?"


def texts(blocks: list[dict[str, Any]]) -> str:
    """Every mrkdwn/plain text of some blocks, one per line."""
    found = []
    for block in blocks:
        for part in [block.get("text"), *block.get("fields", []), *block.get("elements", [])]:
            if isinstance(part, dict) and isinstance(part.get("text"), str):
                found.append(part["text"])
            elif isinstance(part, dict) and isinstance(part.get("text"), dict):
                found.append(part["text"]["text"])
    return "\n".join(found)


def actions(blocks: list[dict[str, Any]]) -> dict[str, Any]:
    [block] = [b for b in blocks if b["type"] == "actions"]
    return block


def handled(kind: str) -> float:
    return REGISTRY.get_sample_value("sophia_slack_commands_total", {"kind": kind}) or 0.0


async def test_a_search_is_acked_at_once_and_answered_with_cited_moments(
    make_bot: MakeBot, slack: FakeSlack
) -> None:
    bot = await make_bot()
    before = handled("search")
    sent = time.monotonic()
    envelope = await slack.command(
        'search pricing objections account:"Moss &amp; Co" side:customer', user="UDANA"
    )
    ack = await slack.wait_ack(envelope, within=3.0)
    assert ack.at - sent < 3.0 and ack.payload is None
    [page] = await slack.wait_responses(envelope)
    assert page.body["response_type"] == "ephemeral" and page.body["replace_original"] is False
    # The same search, asked of core directly: Slack shows exactly its moments, with links.
    request = build_request(
        query="pricing objections",
        limit=bot.sophia.settings.search_limit,
        filters={"account": "Moss & Co", "side": "external"},
    )
    result = await bot.sophia.session(Viewer("cli")).search(request)
    assert result.hits and all(h.account == "Moss & Co" for h in result.hits)
    shown = texts(page.body["blocks"])
    for hit in result.hits:
        link = hit.url.replace("&", "&amp;")
        assert f"<{link}|{hit.speaker} · Moss &amp; Co · " in shown
    assert actions(page.body["blocks"])["elements"][0]["value"] == (
        'search pricing objections account:"Moss &amp; Co" side:customer'
    )
    assert handled("search") == before + 1
    assert slack.invalid == []


async def test_malformed_or_unknown_commands_get_help_saying_what_was_wrong(
    make_bot: MakeBot, slack: FakeSlack
) -> None:
    await make_bot()
    bad_date = await slack.command("search pricing from:yesterday")
    unknown = await slack.command("forecast Olympus")
    for envelope, problem in [
        (bad_date, "from: must be a date like 2026-10-01, not “yesterday”"),
        (unknown, "I don't know the command “forecast”"),
    ]:
        ack = await slack.wait_ack(envelope)
        assert ack.payload is not None
        shown = texts(ack.payload["blocks"])
        assert problem in shown and "/gong search &lt;words&gt;" in shown
        assert slack.responses_to(envelope) == []
    assert slack.invalid == []


async def test_core_errors_are_friendly_sentences_not_tracebacks(
    make_bot: MakeBot, slack: FakeSlack
) -> None:
    await make_bot()
    envelope = await slack.command("call 1234567890")
    [page] = await slack.wait_responses(envelope)
    expected = str(CallNotFound("x")).replace("x", "")  # the class, not its wording
    shown = texts(page.body["blocks"])
    assert shown.startswith("⚠️ ") and "1234567890" in shown and expected in shown
    assert "Traceback" not in page.text and "actions" not in page.text


async def test_a_mention_gets_a_threaded_answer_in_place_of_a_status_message(
    make_bot: MakeBot, slack: FakeSlack
) -> None:
    await make_bot()
    before = handled("mention")
    _, asked = await slack.mention(MOSS_PRICING, channel="CSALES")
    [update] = await slack.wait_calls("chat.update")
    [status] = slack.calls_to("chat.postMessage")
    assert status.args["thread_ts"] == asked and status.args["text"] == messages.WORKING
    assert update.args["ts"] == slack.thread("CSALES", asked)[1]["ts"]
    thread = slack.thread("CSALES", asked)
    assert [m["user"] for m in thread] == ["UALICE", slack.bot_user_id]
    answer = texts(thread[1]["blocks"])
    assert "Brief: pricing objections" in answer
    assert "Briefing on Moss &amp; Co calls for pricing objections" in answer
    sources = [line for line in answer.splitlines() if line.startswith("<https://app.gong.io")]
    assert sources and all(" · Moss &amp; Co · " in line for line in sources)
    assert {e["action_id"] for e in actions(thread[1]["blocks"])["elements"]} == {
        "vote_up",
        "vote_down",
    }
    assert handled("mention") == before + 1
    assert slack.invalid == []


async def test_a_follow_up_in_the_thread_inherits_what_it_leaves_out(
    make_bot: MakeBot, slack: FakeSlack
) -> None:
    await make_bot()
    _, asked = await slack.mention(MOSS_PRICING)
    await slack.wait_calls("chat.update")
    await slack.mention("and what about Olympus?", thread_ts=asked)
    await slack.wait_calls("chat.update", 2)
    [replies] = slack.calls_to("conversations.replies")
    assert replies.args["ts"] == asked
    answer = texts(slack.thread("CGENERAL", asked)[-1]["blocks"])
    assert "Briefing on Olympus calls for pricing objections" in answer
    assert "Moss &amp; Co · " not in answer


async def test_direct_messages_are_answered_and_edits_and_bots_are_ignored(
    make_bot: MakeBot, slack: FakeSlack
) -> None:
    await make_bot()
    await slack.direct_message("brief me on Olympus", subtype="message_changed")
    await slack.direct_message("brief me on Olympus", bot_id="BOTHER")
    await slack.direct_message("I am the bot", user=slack.bot_user_id)
    _, asked = await slack.direct_message("brief me on Olympus")
    [update] = await slack.wait_calls("chat.update")
    assert "Brief: Olympus" in texts(update.args["blocks"])
    assert len(slack.calls_to("chat.postMessage")) == 1  # one status message: one answer
    assert slack.thread("DALICE", asked)[-1]["ts"] == update.args["ts"]


async def test_share_posts_the_answer_in_the_channel_saying_who_shared_it(
    make_bot: MakeBot, slack: FakeSlack
) -> None:
    await make_bot()
    envelope = await slack.command("search security review SSO", user="UDANA")
    [page] = await slack.wait_responses(envelope)
    click = await slack.click(actions(page.body["blocks"]), "share", user="UDANA")
    await slack.wait_ack(click)
    [shared] = await slack.wait_responses(click)
    assert shared.body["response_type"] == "in_channel"
    blocks = shared.body["blocks"]
    assert texts(blocks[:1]) == "Shared by <@UDANA> · `/gong search security review SSO`"
    private = [b for b in page.body["blocks"] if b["type"] != "actions"]
    assert blocks[1:] == private  # the same moments, without the buttons
    assert slack.invalid == []


async def test_votes_are_recorded_and_acknowledged(make_bot: MakeBot, slack: FakeSlack) -> None:
    bot = await make_bot()
    envelope = await slack.command("stalled")
    [page] = await slack.wait_responses(envelope)
    buttons = actions(page.body["blocks"])
    up = await slack.click(buttons, "vote_up")
    [thanks] = await slack.wait_responses(up)
    assert thanks.body["text"] == messages.FEEDBACK_THANKS["up"]
    assert thanks.body["response_type"] == "ephemeral"
    down = await slack.click(buttons, "vote_down", user="UBOB")
    await slack.wait_responses(down)
    assert bot.sophia.state.feedback_counts() == {"up": 1, "down": 1}


async def test_allowed_channels_refuse_politely_elsewhere_and_dms_always_work(
    make_bot: MakeBot, slack: FakeSlack
) -> None:
    await make_bot(allowed_channels="#sales-team")
    elsewhere = await slack.command("search pricing", channel="CGENERAL")
    ack = await slack.wait_ack(elsewhere)
    assert ack.payload is not None and "I only answer in #sales-team" in ack.payload["text"]
    allowed = await slack.command("search pricing", channel="CSALES")
    await slack.wait_responses(allowed)
    # Events carry no channel name: the bot asks Slack once which channel it is.
    _, asked = await slack.mention("pricing objections", channel="CGENERAL")
    await slack.wait_calls("chat.postMessage")
    assert "I only answer in #sales-team" in slack.thread("CGENERAL", asked)[-1]["text"]
    assert slack.calls_to("conversations.info")[0].args["channel"] == "CGENERAL"
    await slack.command("search pricing", channel="DALICE")
    await slack.wait_for(lambda: len(slack.responses) == 2, what="the DM's answer")


async def test_a_user_over_the_rate_limit_is_told_when_to_come_back(
    make_bot: MakeBot, slack: FakeSlack
) -> None:
    await make_bot(slack_rate_limit=2)
    first = [await slack.command(f"search pricing {n}", user="UDANA") for n in range(2)]
    third = await slack.command("search pricing 3", user="UDANA")
    other = await slack.command("search pricing", user="UBOB")
    ack = await slack.wait_ack(third)
    assert ack.payload is not None
    assert "You have asked me 2 things in the last minute" in ack.payload["text"]
    for envelope in [*first, other]:
        await slack.wait_responses(envelope)
    assert slack.responses_to(third) == []


async def test_a_reconnect_loses_no_command(make_bot: MakeBot, slack: FakeSlack) -> None:
    await make_bot()
    before = await slack.command("search pricing objections")
    await slack.disconnect()
    during = [await slack.command(f"search security review {n}") for n in range(3)]
    await slack.wait_connections(2)
    after = await slack.command("search renewal")
    for envelope in [before, *during, after]:
        await slack.wait_ack(envelope, within=3.0)
        await slack.wait_responses(envelope)
    assert len(slack.calls_to("apps.connections.open")) == 2
    # Each command answered exactly once, redelivered or not.
    answered = [r.key for r in slack.responses]
    assert sorted(answered) == sorted([before, *during, after])


async def test_the_home_tab_lists_the_commands(make_bot: MakeBot, slack: FakeSlack) -> None:
    await make_bot()
    await slack.home_opened("UDANA")
    [publish] = await slack.wait_calls("views.publish")
    assert publish.args["user_id"] == "UDANA"
    view = publish.args["view"]
    assert view["type"] == "home" and "/gong stalled" in texts(view["blocks"])
    assert slack.invalid == []


async def test_stats_show_the_index_and_are_audited(make_bot: MakeBot, slack: FakeSlack) -> None:
    bot = await make_bot()
    searched = await slack.command("search pricing objections", user="UDANA")
    await slack.wait_responses(searched)
    envelope = await slack.command("stats", user="UDANA")
    [page] = await slack.wait_responses(envelope)
    shown = texts(page.body["blocks"])
    assert "*Calls indexed*\n40" in shown
    assert "*Query time by surface* (server-side)\nSlack: p50 " in shown
    assert "Salesforce pending" not in shown  # CRM enrichment is off
    assert "actions" not in json.dumps(page.body)  # nothing to rate or share
    *_, line = (json.loads(text) for text in bot.sophia.audit.path.read_text().splitlines())
    assert (line["kind"], line["surface"], line["user"]) == ("stats", "slack", "UDANA")


async def test_stats_show_what_crm_enrichment_has_still_to_write(
    make_bot: MakeBot, slack: FakeSlack
) -> None:
    # Configured but never run against this index: nothing is pending yet, and the card says so.
    await make_bot(
        salesforce_login_url="https://127.0.0.1:9",
        salesforce_client_id="sophia-connected-app",
        salesforce_client_secret="never-used",
    )
    envelope = await slack.command("stats", user="UDANA")
    [page] = await slack.wait_responses(envelope)
    assert "*Salesforce pending*\n0" in texts(page.body["blocks"])
