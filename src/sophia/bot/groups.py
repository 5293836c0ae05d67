"""Which of the access policy's Slack user groups a user belongs to.

Only the groups the policy names are looked up (`usergroups.users.list`, scope
`usergroups:read`), and each group's members are kept for a few minutes, so a command costs
no extra Slack call most of the time. A lookup that fails counts as "not a member": a user
then sees less, never more.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

__all__ = ["UserGroups"]

log = logging.getLogger("sophia.slack")
MEMBERS_TTL_S = 300.0


class UserGroups:
    """Membership of the policy's groups, cached per group for `ttl_s` seconds."""

    def __init__(
        self,
        client: AsyncWebClient,
        groups: frozenset[str],
        ttl_s: float = MEMBERS_TTL_S,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._client = client
        self._groups = groups
        self._ttl_s = ttl_s
        self._clock = clock
        self._members: dict[str, tuple[float, frozenset[str]]] = {}
        self._lock = asyncio.Lock()

    async def of(self, user: str) -> frozenset[str]:
        """The policy's groups that `user` is a member of."""
        if not self._groups:
            return frozenset()
        async with self._lock:  # one refresh at a time, not one per waiting command
            members = {group: await self._members_of(group) for group in self._groups}
        return frozenset(group for group, users in members.items() if user in users)

    async def _members_of(self, group: str) -> frozenset[str]:
        now = self._clock()
        cached = self._members.get(group)
        if cached is not None and now - cached[0] < self._ttl_s:
            return cached[1]
        try:
            reply = await self._client.usergroups_users_list(usergroup=group)
            listed: list[str] = reply.get("users") or []
            users = frozenset(listed)
        except SlackApiError as exc:
            log.warning(
                "cannot list the members of Slack user group %s (%s); treating it as empty",
                group,
                exc.response.get("error", "unknown error"),
            )
            users = frozenset()
        self._members[group] = (now, users)
        return users
