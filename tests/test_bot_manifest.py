"""manifest.yaml creates the app the bot expects: Socket Mode, /gong, the events it listens
to, interactivity, and a scope for every Web API method it calls."""

from __future__ import annotations

from pathlib import Path

import yaml

from sophia.bot.commands import COMMANDS

MANIFEST = Path(__file__).resolve().parent.parent / "manifest.yaml"
# Web API methods the bot calls, and the bot scope each needs (in any kind of conversation).
NEEDS = {
    "chat.postMessage": {"chat:write"},
    "chat.update": {"chat:write"},
    "conversations.replies": {
        "channels:history",
        "groups:history",
        "im:history",
        "mpim:history",
    },
    "conversations.info": {"channels:read", "groups:read"},
    "usergroups.users.list": {"usergroups:read"},
    "views.publish": set(),
}


def test_the_manifest_matches_what_the_bot_listens_to_and_calls() -> None:
    manifest = yaml.safe_load(MANIFEST.read_text())
    settings = manifest["settings"]
    assert settings["socket_mode_enabled"] is True
    assert settings["interactivity"]["is_enabled"] is True
    assert set(settings["event_subscriptions"]["bot_events"]) == {
        "app_mention",
        "message.im",
        "app_home_opened",
    }
    [command] = manifest["features"]["slash_commands"]
    assert command["command"] == "/gong"
    assert command["usage_hint"].startswith(COMMANDS[0].name)
    assert len(command["usage_hint"]) <= 100 and len(command["description"]) <= 100
    assert manifest["features"]["app_home"]["home_tab_enabled"] is True
    scopes = set(manifest["oauth_config"]["scopes"]["bot"])
    for method, needed in NEEDS.items():
        assert needed <= scopes, f"{method} needs {needed - scopes}"
    assert {"commands", "app_mentions:read", "im:history"} <= scopes
    # Minimum scopes: nothing beyond what a method above needs, and the basics.
    assert scopes == {"commands", "app_mentions:read", "chat:write.public"}.union(*NEEDS.values())
