"""Thread context: the questions asked earlier in a Slack thread, read back from Slack.

Nothing is remembered in the process: any replica can answer a follow-up, because the
thread itself (conversations.replies) is the memory.
"""

from __future__ import annotations

import logging
import re

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from sophia.bot.mrkdwn import unescape

__all__ = ["earlier_questions", "question_text"]

log = logging.getLogger("sophia.slack")
# Follow-ups inherit from the latest questions; older ones add nothing but noise.
MAX_EARLIER = 5
_PAGE = 200


def question_text(text: str, bot_user_id: str | None) -> str:
    """A message's question: the bot's mention removed, Slack's escaping undone."""
    if bot_user_id:
        text = re.sub(rf"<@{re.escape(bot_user_id)}(?:\|[^>]*)?>", " ", text)
    return " ".join(unescape(text).split())


async def earlier_questions(
    client: AsyncWebClient,
    channel: str,
    thread_ts: str,
    before_ts: str,
    bot_user_id: str | None,
    *,
    direct: bool,
) -> list[str]:
    """Questions people asked the bot in this thread before `before_ts`, oldest first.

    In a channel only messages that mention the bot were questions to it; in a direct
    message every message from the person is. A thread that cannot be read gives no
    context (the question is still answered, on its own).
    """
    try:
        response = await client.conversations_replies(channel=channel, ts=thread_ts, limit=_PAGE)
    except SlackApiError as exc:
        log.warning("cannot read thread %s in %s: %s", thread_ts, channel, exc)
        return []
    mention = f"<@{bot_user_id}" if bot_user_id else None
    questions = []
    for message in response.get("messages") or []:
        ts, text = str(message.get("ts", "")), str(message.get("text") or "")
        if not ts or float(ts) >= float(before_ts):
            continue
        if message.get("bot_id") or message.get("subtype") or message.get("user") == bot_user_id:
            continue
        if not direct and (mention is None or mention not in text):
            continue
        if question := question_text(text, bot_user_id):
            questions.append(question)
    return questions[-MAX_EARLIER:]
