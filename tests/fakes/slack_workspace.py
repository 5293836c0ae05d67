"""What the fake Slack keeps of a workspace (channels, user groups, messages and threads)
and its answers to the Web API methods the bot calls."""

from __future__ import annotations

import itertools
import time
from typing import Any

from tests.fakes.slack_blocks import block_problems

__all__ = ["SlackWorkspace"]


class SlackWorkspace:
    """A workspace's state and Web API; `FakeSlack` serves it over HTTP and Socket Mode."""

    def __init__(
        self,
        *,
        bot_token: str = "xoxb-fake-bot-token",
        app_token: str = "xapp-fake-app-token",
        bot_user_id: str = "USOPHIA",
        team_id: str = "TFAKE",
    ) -> None:
        self.bot_token = bot_token
        self.app_token = app_token
        self.bot_user_id = bot_user_id
        self.team_id = team_id
        self.invalid: list[str] = []
        # Channel ids to names; chat.postMessage accepts "#name" for these.
        self.channels: dict[str, str] = {"CGENERAL": "general", "CSALES": "sales-team"}
        # User group id -> member user ids (usergroups.users.list).
        self.usergroups: dict[str, set[str]] = {}
        self._messages: dict[str, dict[str, Any]] = {}  # ts -> message (with "channel")
        self._clock = itertools.count(1)
        self._ids = itertools.count(1)

    def thread(self, channel: str, thread_ts: str) -> list[dict[str, Any]]:
        """The thread's messages, its root first, as conversations.replies returns them."""
        return sorted(
            (
                m
                for m in self._messages.values()
                if m["channel"] == channel and thread_ts in (m["ts"], m.get("thread_ts"))
            ),
            key=lambda m: float(m["ts"]),
        )

    def message(self, ts: str) -> dict[str, Any]:
        return self._messages[ts]

    def web_api(self, method: str, args: dict[str, Any], token: str | None) -> dict[str, Any]:
        """Slack's answer to one Web API call."""
        expected = self.app_token if method == "apps.connections.open" else self.bot_token
        if token != expected:
            return {"ok": False, "error": "invalid_auth"}
        handler = getattr(self, "_api_" + method.replace(".", "_"), None)
        if handler is None:
            return {"ok": False, "error": "unknown_method"}
        answer: dict[str, Any] = handler(args)
        return answer

    def _api_auth_test(self, _args: dict[str, Any]) -> dict[str, Any]:
        return {
            "ok": True,
            "url": "https://fake.slack.com/",
            "team": "Fake Team",
            "user": "sophia",
            "team_id": self.team_id,
            "user_id": self.bot_user_id,
            "bot_id": "BSOPHIA",
            "is_enterprise_install": False,
        }

    def _api_chat_postMessage(self, args: dict[str, Any]) -> dict[str, Any]:
        channel = self._channel(str(args.get("channel", "")))
        if channel is None:
            return {"ok": False, "error": "channel_not_found"}
        if self._check(f"chat.postMessage to {channel}", args):
            return {"ok": False, "error": "invalid_blocks"}
        message = {
            "user": self.bot_user_id,
            "bot_id": "BSOPHIA",
            "text": args.get("text", ""),
            "blocks": args.get("blocks", []),
            "channel": channel,
            "thread_ts": args.get("thread_ts"),
        }
        ts = self._store(message)
        return {"ok": True, "channel": channel, "ts": ts, "message": self._messages[ts]}

    def _api_chat_update(self, args: dict[str, Any]) -> dict[str, Any]:
        message = self._messages.get(str(args.get("ts")))
        if message is None or message["channel"] != args.get("channel"):
            return {"ok": False, "error": "message_not_found"}
        if self._check("chat.update", args):
            return {"ok": False, "error": "invalid_blocks"}
        message.update(text=args.get("text", ""), blocks=args.get("blocks", []), edited=True)
        return {"ok": True, "channel": message["channel"], "ts": message["ts"]}

    def _api_chat_postEphemeral(self, args: dict[str, Any]) -> dict[str, Any]:
        if self._check("chat.postEphemeral", args):
            return {"ok": False, "error": "invalid_blocks"}
        return {"ok": True, "message_ts": f"{time.time():.6f}"}

    def _api_reactions_add(self, _args: dict[str, Any]) -> dict[str, Any]:
        return {"ok": True}

    def _api_reactions_remove(self, _args: dict[str, Any]) -> dict[str, Any]:
        return {"ok": True}

    def _api_conversations_replies(self, args: dict[str, Any]) -> dict[str, Any]:
        messages = self.thread(str(args.get("channel")), str(args.get("ts")))
        if not messages:
            return {"ok": False, "error": "thread_not_found"}
        return {"ok": True, "messages": messages, "has_more": False}

    def _api_conversations_info(self, args: dict[str, Any]) -> dict[str, Any]:
        channel = str(args.get("channel"))
        if channel not in self.channels:
            return {"ok": False, "error": "channel_not_found"}
        return {"ok": True, "channel": {"id": channel, "name": self.channels[channel]}}

    def _api_usergroups_users_list(self, args: dict[str, Any]) -> dict[str, Any]:
        members = self.usergroups.get(str(args.get("usergroup")))
        if members is None:
            return {"ok": False, "error": "no_such_subteam"}
        return {"ok": True, "users": sorted(members)}

    def _api_views_publish(self, args: dict[str, Any]) -> dict[str, Any]:
        view = args.get("view") or {}
        if self._check("views.publish", {"blocks": view.get("blocks", [])}, max_blocks=100):
            return {"ok": False, "error": "invalid_blocks"}
        return {"ok": True, "view": view}

    def _channel(self, value: str) -> str | None:
        if value.startswith("#"):
            return next((i for i, name in self.channels.items() if name == value[1:]), None)
        return value if value in self.channels or value.startswith("D") else None

    def _store(self, message: dict[str, Any]) -> str:
        tick = next(self._clock)
        ts = f"{1_700_000_000 + tick}.{tick:06d}"
        self._messages[ts] = {k: v for k, v in {**message, "ts": ts}.items() if v is not None}
        return ts

    def _check(self, where: str, body: dict[str, Any], max_blocks: int = 50) -> list[str]:
        problems = block_problems(body.get("blocks") or [], max_blocks)
        if len(str(body.get("text", ""))) > 40_000:
            problems.append("text over 40,000 characters")
        self.invalid += [f"{where}: {p}" for p in problems]
        return problems
