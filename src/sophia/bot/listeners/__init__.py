"""Bolt listeners, one module per Slack surface; `register` attaches them to an app."""

from __future__ import annotations

import re
from typing import Any

from slack_bolt.app.async_app import AsyncApp
from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.context.respond.async_respond import AsyncRespond

from sophia.bot.blocks import SHARE, VOTE_DOWN, VOTE_UP
from sophia.bot.listeners.buttons import on_share, on_vote
from sophia.bot.listeners.conversation import on_direct_message, on_mention
from sophia.bot.listeners.home import on_home_opened
from sophia.bot.listeners.slash import on_gong
from sophia.bot.surface import SlackSurface

__all__ = ["register"]


def register(app: AsyncApp, surface: SlackSurface, command: str = "/gong") -> None:
    """Attach every listener. Bolt passes arguments by parameter name, so each is a closure."""

    @app.command(command)
    async def gong(ack: AsyncAck, command: dict[str, Any], respond: AsyncRespond) -> None:
        await on_gong(ack, command, respond, surface)

    @app.event("app_mention")
    async def mention(event: dict[str, Any]) -> None:
        await on_mention(event, surface)

    @app.event("message")
    async def message(event: dict[str, Any]) -> None:
        await on_direct_message(event, surface)

    @app.event("app_home_opened")
    async def home(event: dict[str, Any]) -> None:
        await on_home_opened(event, surface)

    @app.action(SHARE)
    async def share(ack: AsyncAck, body: dict[str, Any], respond: AsyncRespond) -> None:
        await on_share(ack, body, respond, surface)

    @app.action(re.compile(f"^(?:{VOTE_UP}|{VOTE_DOWN})$"))
    async def vote(ack: AsyncAck, body: dict[str, Any], respond: AsyncRespond) -> None:
        await on_vote(ack, body, respond, surface)
