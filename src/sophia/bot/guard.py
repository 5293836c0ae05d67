"""What the bot checks before it works: the channel (ALLOWED_CHANNELS) and whether Slack is
delivering something a second time. The user's rate (SLACK_RATE_LIMIT) is a
`core.ratelimit.RateLimiter`.

Both live in this process: with several replicas each counts on its own.
"""

from __future__ import annotations

import logging
from collections import OrderedDict
from collections.abc import Sequence

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

__all__ = ["ChannelGuard", "Seen", "is_direct"]

log = logging.getLogger("sophia.slack")


def is_direct(channel_id: str) -> bool:
    """A direct message between one user and the bot (always allowed)."""
    return channel_id.startswith("D")


class ChannelGuard:
    """ALLOWED_CHANNELS: ids (C0123…) or #names; empty allows every channel."""

    def __init__(self, allowed: Sequence[str], client: AsyncWebClient) -> None:
        self._ids = {item for item in allowed if not item.startswith("#")}
        self._names = {
            item.removeprefix("#").casefold() for item in allowed if item.startswith("#")
        }
        self._client = client
        self._known: dict[str, str] = {}  # channel id -> name, looked up once

    @property
    def allowed(self) -> list[str]:
        """How to name the allowed channels in a message (ids become Slack channel links)."""
        return [f"<#{i}>" for i in sorted(self._ids)] + [f"#{n}" for n in sorted(self._names)]

    async def allows(self, channel_id: str, channel_name: str | None = None) -> bool:
        """True when the bot may answer in this channel."""
        if not (self._ids or self._names) or is_direct(channel_id) or channel_id in self._ids:
            return True
        if not self._names:
            return False
        name = channel_name or await self._name(channel_id)
        return name is not None and name.casefold() in self._names

    async def _name(self, channel_id: str) -> str | None:
        # Events carry no channel name; conversations.info (channels:read) tells it.
        if channel_id not in self._known:
            try:
                info = await self._client.conversations_info(channel=channel_id)
            except SlackApiError as exc:
                log.warning("cannot read the name of channel %s: %s", channel_id, exc)
                return None
            self._known[channel_id] = str(info["channel"]["name"])
        return self._known[channel_id]


class Seen:
    """Keys of requests already handled, so that Slack's redeliveries are not answered twice."""

    def __init__(self, size: int = 10_000) -> None:
        self._keys: OrderedDict[str, None] = OrderedDict()
        self._size = size

    def first_time(self, key: str | None) -> bool:
        """True the first time `key` is seen (and for requests that carry no key)."""
        if not key:
            return True
        if key in self._keys:
            return False
        self._keys[key] = None
        if len(self._keys) > self._size:
            self._keys.popitem(last=False)
        return True
