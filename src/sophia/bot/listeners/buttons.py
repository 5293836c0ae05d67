"""The buttons under an answer: "Share in channel", 👍 and 👎."""

from __future__ import annotations

import logging
import re
from typing import Any

from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.context.respond.async_respond import AsyncRespond

from sophia.bot import messages
from sophia.bot.answers import reply_to
from sophia.bot.blocks import VOTE_UP, paginate, shared_by
from sophia.bot.commands import Help, parse
from sophia.bot.listeners.slash import RESPONSE_URL_POSTS, respond_all
from sophia.bot.mrkdwn import unescape
from sophia.bot.surface import SlackSurface
from sophia.core.logs import new_request_id, request_scope
from sophia.core.metrics import SLACK_COMMANDS
from sophia.core.session import Vote

__all__ = ["on_share", "on_vote"]

log = logging.getLogger("sophia.slack")
_REQUEST_ID = re.compile(r"^[0-9a-f]{16}$")


def _who_and_where(body: dict[str, Any]) -> tuple[str, str | None]:
    channel = (body.get("channel") or {}).get("id") or (body.get("container") or {}).get(
        "channel_id"
    )
    return str((body.get("user") or {}).get("id", "")), channel


async def on_share(
    ack: AsyncAck, body: dict[str, Any], respond: AsyncRespond, surface: SlackSurface
) -> None:
    """Post the answer visibly in the channel, saying who shared it.

    Stateless: the button carries the command, which is run again for the person sharing
    (the result cache makes it cheap), so the channel sees what that person may see.
    """
    await ack()
    if not surface.seen.first_time(body.get("trigger_id")):
        return  # Slack delivered the click again: shared already
    user, channel = _who_and_where(body)
    command_text = str(body["actions"][0].get("value", ""))
    parsed = parse(command_text, surface.sophia.settings)
    if isinstance(parsed, Help):
        await respond(
            text=messages.SHARE_EXPIRED, response_type="ephemeral", replace_original=False
        )
        return
    SLACK_COMMANDS.labels("share").inc()
    request_id = new_request_id()
    with request_scope(request_id):
        session = await surface.session(user, channel, request_id)
        reply = await reply_to(parsed, session, surface.sophia)
        before = [shared_by(user, " ".join(unescape(command_text).split()))]
        pages = paginate(reply.blocks, reply.text, before=before, max_pages=RESPONSE_URL_POSTS)
        await respond_all(respond, pages, response_type="in_channel")
        log.info(
            "slack answer shared", extra={"kind": parsed.kind, "user": user, "channel": channel}
        )


async def on_vote(
    ack: AsyncAck, body: dict[str, Any], respond: AsyncRespond, surface: SlackSurface
) -> None:
    """Record a 👍 or 👎 on the answer the button belongs to, and thank the person."""
    await ack()
    if not surface.seen.first_time(body.get("trigger_id")):
        return  # Slack delivered the click again: counted already
    action = body["actions"][0]
    about = str(action.get("value", ""))
    if not _REQUEST_ID.match(about):
        log.warning("ignored a vote on an unknown answer id")
        return
    vote: Vote = "up" if action.get("action_id") == VOTE_UP else "down"
    user, channel = _who_and_where(body)
    SLACK_COMMANDS.labels("feedback").inc()
    with request_scope(about):
        session = await surface.session(user, channel, new_request_id())
        await session.feedback(about, vote)
        await respond(
            text=messages.FEEDBACK_THANKS[vote], response_type="ephemeral", replace_original=False
        )
        log.info("slack feedback %s", vote, extra={"vote": vote, "user": user})
