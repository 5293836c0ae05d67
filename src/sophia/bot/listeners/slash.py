"""`/gong …`: ack at once, then answer privately through the command's response_url."""

from __future__ import annotations

import logging
import time
from typing import Any

from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.context.respond.async_respond import AsyncRespond

from sophia.bot import messages
from sophia.bot.answers import reply_to
from sophia.bot.blocks import Message, feedback_buttons, help_blocks, notice_blocks, paginate
from sophia.bot.commands import Help, parse
from sophia.bot.surface import SlackSurface
from sophia.core.logs import new_request_id, request_scope
from sophia.core.metrics import SLACK_COMMANDS

__all__ = ["on_gong", "respond_all"]

log = logging.getLogger("sophia.slack")
# A response_url accepts five posts: an answer longer than that is cut (and says so).
RESPONSE_URL_POSTS = 5
# Quick commands answer before anyone notices the wait; the rest say they are working.
_QUICK = ("search", "stats", "help")


async def on_gong(
    ack: AsyncAck, command: dict[str, Any], respond: AsyncRespond, surface: SlackSurface
) -> None:
    """Handle one `/gong` command."""
    if not surface.seen.first_time(command.get("trigger_id")):
        await ack()  # Slack delivered it again: answered already
        return
    user, channel = str(command.get("user_id", "")), str(command.get("channel_id", ""))
    parsed = parse(str(command.get("text", "")), surface.sophia.settings)
    SLACK_COMMANDS.labels(parsed.kind).inc()
    if isinstance(parsed, Help):
        await ack(text=parsed.problem or messages.HELP_TITLE, blocks=help_blocks(parsed.problem))
        return
    if not await surface.channels.allows(channel, command.get("channel_name")):
        text = messages.NOT_HERE.format(channels=", ".join(surface.channels.allowed))
        await ack(text=text, blocks=notice_blocks(text))
        return
    if wait := surface.wait_s(user):
        text = messages.RATE_LIMITED.format(
            limit=surface.sophia.settings.slack_rate_limit, seconds=wait
        )
        await ack(text=text, blocks=notice_blocks(text))
        return
    if parsed.kind in _QUICK:
        await ack()
    else:
        await ack(text=messages.WORKING_ON.format(command=parsed.kind))
    request_id = new_request_id()
    with request_scope(request_id):
        started = time.perf_counter()
        session = await surface.session(user, channel, request_id)
        reply = await reply_to(parsed, session, surface.sophia)
        share = str(command.get("text", ""))
        after = [feedback_buttons(request_id, share)] if reply.rated else []
        pages = paginate(reply.blocks, reply.text, after=after, max_pages=RESPONSE_URL_POSTS)
        await respond_all(respond, pages, response_type="ephemeral")
        log.info(
            "slack /gong %s answered",
            parsed.kind,
            extra={
                "kind": parsed.kind,
                "user": user,
                "channel": channel,
                "ms": round((time.perf_counter() - started) * 1000, 1),
            },
        )


async def respond_all(respond: AsyncRespond, pages: list[Message], *, response_type: str) -> None:
    """Post each page to the response_url; a refused post is logged (the URL may have expired)."""
    for page in pages:
        response = await respond(
            **page.payload(), response_type=response_type, replace_original=False
        )
        if response.status_code != 200:
            log.warning(
                "response_url refused a message: HTTP %s %s", response.status_code, response.body
            )
            return
