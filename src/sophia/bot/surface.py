"""`SlackSurface`: what every listener shares (core, the Web API client, the guards)."""

from __future__ import annotations

from dataclasses import dataclass, field

from slack_sdk.web.async_client import AsyncWebClient

from sophia.bot.groups import UserGroups
from sophia.bot.guard import ChannelGuard, Seen
from sophia.core.ratelimit import RateLimiter
from sophia.core.services import Sophia
from sophia.core.session import Session
from sophia.core.viewer import Viewer

__all__ = ["SlackSurface"]


@dataclass
class SlackSurface:
    sophia: Sophia
    client: AsyncWebClient
    channels: ChannelGuard
    # None: SLACK_RATE_LIMIT=0, no limit.
    rate: RateLimiter | None
    groups: UserGroups
    seen: Seen = field(default_factory=Seen)
    # Set from auth.test when the bot connects: its own messages and mentions are this user.
    bot_user_id: str | None = None

    @classmethod
    def build(cls, sophia: Sophia, client: AsyncWebClient) -> SlackSurface:
        settings = sophia.settings
        return cls(
            sophia=sophia,
            client=client,
            channels=ChannelGuard(settings.allowed_channel_list, client),
            rate=RateLimiter(settings.slack_rate_limit) if settings.slack_rate_limit else None,
            groups=UserGroups(client, sophia.access.slack_groups),
        )

    def wait_s(self, user: str) -> int:
        """0 when `user` may ask now (counted), else the whole seconds until they may."""
        return self.rate.acquire(user) if self.rate else 0

    async def session(self, user: str, channel: str | None, request_id: str) -> Session:
        """The one way into core's answers for a Slack user, with the policy groups they are in."""
        groups = await self.groups.of(user)
        viewer = Viewer("slack", user=user, groups=groups, channel=channel)
        return self.sophia.session(viewer, request_id=request_id)
