"""Posting pages of blocks into a channel or a thread with the Web API (chat.postMessage)."""

from __future__ import annotations

from collections.abc import Sequence
from zoneinfo import ZoneInfo

from slack_sdk.web.async_client import AsyncWebClient

from sophia.bot.blocks import Block, Message, answer_blocks, paginate
from sophia.core.insights.answer import Answer

__all__ = ["post_answer", "post_pages"]


async def post_pages(
    client: AsyncWebClient,
    channel: str,
    pages: Sequence[Message],
    *,
    thread_ts: str | None = None,
) -> list[str]:
    """Post `pages` in order (in the thread of `thread_ts`, if given).

    Returns the timestamps of the messages. Raises `SlackApiError` when Slack refuses one.
    """
    posted = []
    for page in pages:
        response = await client.chat_postMessage(
            channel=channel, thread_ts=thread_ts, unfurl_links=False, **page.payload()
        )
        posted.append(str(response["ts"]))
    return posted


async def post_answer(
    client: AsyncWebClient,
    channel: str,
    answer: Answer,
    zone: ZoneInfo,
    *,
    before: Sequence[Block] = (),
) -> list[str]:
    """An answer as one or more messages in `channel` (a scheduled brief, `sophia brief --post`)."""
    return await post_pages(
        client, channel, paginate(answer_blocks(answer, zone), answer.title, before=before)
    )
