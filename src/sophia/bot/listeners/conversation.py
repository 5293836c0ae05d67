"""`@Sophia …` in a channel and direct messages: answered in the thread, with its context."""

from __future__ import annotations

import logging
import time
from typing import Any

from slack_sdk.errors import SlackApiError

from sophia.bot import messages
from sophia.bot.answers import reply_to
from sophia.bot.blocks import Message, feedback_buttons, help_blocks, notice_blocks, paginate
from sophia.bot.commands import Ask
from sophia.bot.guard import is_direct
from sophia.bot.posting import post_pages
from sophia.bot.surface import SlackSurface
from sophia.bot.threads import earlier_questions, question_text
from sophia.core.logs import new_request_id, request_scope
from sophia.core.metrics import SLACK_COMMANDS

__all__ = ["on_direct_message", "on_mention"]

log = logging.getLogger("sophia.slack")


async def on_mention(event: dict[str, Any], surface: SlackSurface) -> None:
    """A mention in a channel (a mention inside a DM arrives as that DM's message too)."""
    if not is_direct(str(event.get("channel", ""))):
        await _converse(event, surface, kind="mention")


async def on_direct_message(event: dict[str, Any], surface: SlackSurface) -> None:
    """A person's new message in a DM with the bot; edits, deletions and bots are not questions."""
    if (
        event.get("channel_type") == "im"
        and not event.get("subtype")
        and not event.get("bot_id")
        and event.get("user") not in (None, surface.bot_user_id)
    ):
        await _converse(event, surface, kind="dm")


async def _converse(event: dict[str, Any], surface: SlackSurface, *, kind: str) -> None:
    user, channel = str(event.get("user", "")), str(event.get("channel", ""))
    ts = str(event.get("ts", ""))
    if not surface.seen.first_time(f"{channel}:{ts}"):
        return  # Slack delivered it again: answered already
    SLACK_COMMANDS.labels(kind).inc()
    thread_ts = str(event.get("thread_ts") or ts)
    question = question_text(str(event.get("text") or ""), surface.bot_user_id)

    async def say(blocks: list[dict[str, Any]], text: str) -> None:
        await post_pages(surface.client, channel, [Message(text, blocks)], thread_ts=thread_ts)

    request_id = new_request_id()
    with request_scope(request_id):
        try:
            if not await surface.channels.allows(channel):
                text = messages.NOT_HERE.format(channels=", ".join(surface.channels.allowed))
                return await say(notice_blocks(text), text)
            if question.casefold() in ("", "help", "?"):
                return await say(help_blocks(), messages.HELP_TITLE)
            if wait := surface.wait_s(user):
                text = messages.RATE_LIMITED.format(
                    limit=surface.sophia.settings.slack_rate_limit, seconds=wait
                )
                return await say(notice_blocks(text), text)
            await _answer(event, surface, question, thread_ts, request_id, kind=kind)
        except SlackApiError as exc:
            log.warning("slack %s in %s could not be answered: %s", kind, channel, exc)


async def _answer(
    event: dict[str, Any],
    surface: SlackSurface,
    question: str,
    thread_ts: str,
    request_id: str,
    *,
    kind: str,
) -> None:
    started = time.perf_counter()
    user, channel, client = (
        str(event.get("user", "")),
        str(event.get("channel", "")),
        surface.client,
    )
    # The status message shows at once that the bot is on it; the answer replaces it.
    status = await client.chat_postMessage(
        channel=channel, thread_ts=thread_ts, text=messages.WORKING
    )
    earlier: list[str] = []
    if event.get("thread_ts"):
        earlier = await earlier_questions(
            client,
            channel,
            thread_ts,
            str(event.get("ts")),
            surface.bot_user_id,
            direct=kind == "dm",
        )
    session = await surface.session(user, channel, request_id)
    reply = await reply_to(Ask(question, tuple(earlier)), session, surface.sophia)
    after = [feedback_buttons(request_id)] if reply.rated else []
    first, *rest = paginate(reply.blocks, reply.text, after=after)
    await client.chat_update(channel=channel, ts=str(status["ts"]), **first.payload())
    await post_pages(client, channel, rest, thread_ts=thread_ts)
    log.info(
        "slack %s answered",
        kind,
        extra={
            "kind": kind,
            "user": user,
            "channel": channel,
            "follow_up": bool(earlier),
            "ms": round((time.perf_counter() - started) * 1000, 1),
        },
    )
