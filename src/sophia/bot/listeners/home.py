"""The App Home tab: what Sophia does and its commands."""

from __future__ import annotations

import logging
from typing import Any

from slack_sdk.errors import SlackApiError

from sophia.bot.blocks import home_view
from sophia.bot.surface import SlackSurface

__all__ = ["on_home_opened"]

log = logging.getLogger("sophia.slack")


async def on_home_opened(event: dict[str, Any], surface: SlackSurface) -> None:
    """Publish the Home tab when someone opens it (the Messages tab needs nothing)."""
    if event.get("tab") != "home":
        return
    try:
        await surface.client.views_publish(user_id=str(event.get("user", "")), view=home_view())
    except SlackApiError as exc:
        log.warning("could not publish the Home tab: %s", exc)
