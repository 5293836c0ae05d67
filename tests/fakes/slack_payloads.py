"""The JSON Slack sends an app over Socket Mode, built the way Slack builds it: a slash
command, a button click (block_actions), an Events API callback and the `hello`."""

from __future__ import annotations

import time
from typing import Any

__all__ = ["block_actions", "event_callback", "hello", "slash_command"]

_APP_ID = "AFAKE"
_TOKEN = "verification-token"


def slash_command(
    envelope_id: str,
    text: str,
    *,
    team_id: str,
    user: str,
    channel: str,
    channel_name: str,
    command: str,
    response_url: str,
) -> dict[str, Any]:
    return {
        "token": _TOKEN,
        "team_id": team_id,
        "team_domain": "fake",
        "channel_id": channel,
        "channel_name": channel_name,
        "user_id": user,
        "user_name": user.lower(),
        "command": command,
        "text": text,
        "api_app_id": _APP_ID,
        "is_enterprise_install": "false",
        "response_url": response_url,
        "trigger_id": f"trigger-{envelope_id}",
    }


def block_actions(
    envelope_id: str,
    block: dict[str, Any],
    button: dict[str, Any],
    *,
    team_id: str,
    user: str,
    channel: str,
    channel_name: str,
    ephemeral: bool,
    response_url: str,
) -> dict[str, Any]:
    """A click on `button` of an actions `block` the bot sent."""
    return {
        "type": "block_actions",
        "user": {"id": user, "username": user.lower(), "name": user.lower(), "team_id": team_id},
        "api_app_id": _APP_ID,
        "token": _TOKEN,
        "container": {
            "type": "message",
            "message_ts": "1.000001",
            "channel_id": channel,
            "is_ephemeral": ephemeral,
        },
        "trigger_id": f"trigger-{envelope_id}",
        "team": {"id": team_id, "domain": "fake"},
        "channel": {"id": channel, "name": channel_name},
        "response_url": response_url,
        "actions": [
            {
                "action_id": button["action_id"],
                "block_id": block.get("block_id", "b"),
                "text": button["text"],
                "value": button.get("value", ""),
                "type": "button",
                "action_ts": f"{time.time():.6f}",
            }
        ],
    }


def event_callback(
    envelope_id: str, event: dict[str, Any], *, team_id: str, bot_user_id: str
) -> dict[str, Any]:
    return {
        "token": _TOKEN,
        "team_id": team_id,
        "api_app_id": _APP_ID,
        "event": event,
        "type": "event_callback",
        "event_id": f"Ev{envelope_id}",
        "event_time": int(time.time()),
        "authorizations": [{"team_id": team_id, "user_id": bot_user_id, "is_bot": True}],
    }


def hello(connections: int) -> dict[str, Any]:
    """What Slack sends first on each Socket Mode connection."""
    return {
        "type": "hello",
        "num_connections": connections,
        "debug_info": {"host": "fake", "approximate_connection_time": 18060},
        "connection_info": {"app_id": _APP_ID},
    }
