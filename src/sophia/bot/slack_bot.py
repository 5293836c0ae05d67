"""The Bolt app in Socket Mode, and `SlackBot` that connects it and closes it.

One `AsyncWebClient` is built with SLACK_API_URL as its base and handed to the app, so every
Web API call (apps.connections.open included) goes where the settings say: Slack, or a local
fake in the tests.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable

import aiohttp
from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler
from slack_bolt.app.async_app import AsyncApp
from slack_bolt.logger.messages import warning_client_prioritized_and_token_skipped
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient
from slack_sdk.web.async_slack_response import AsyncSlackResponse

from sophia.bot.listeners import register
from sophia.bot.surface import SlackSurface
from sophia.core.config import Settings
from sophia.core.errors import ConfigError
from sophia.core.services import Sophia

__all__ = ["SlackBot", "build_app", "web_client"]

log = logging.getLogger("sophia.slack")


def web_client(settings: Settings) -> AsyncWebClient:
    """The Web API client for the bot token (needs SLACK_BOT_TOKEN)."""
    if settings.slack_bot_token is None:
        raise ConfigError("SLACK_BOT_TOKEN is not set (see README, section “Slack”)")
    return AsyncWebClient(
        token=settings.slack_bot_token.get_secret_value(), base_url=settings.slack_api_url
    )


class _TokenFromEnvironment(logging.Filter):
    # Bolt reads SLACK_BOT_TOKEN from the environment itself and warns that the client we
    # pass wins: it does, on purpose (the client carries SLACK_API_URL).
    def filter(self, record: logging.LogRecord) -> bool:
        return record.getMessage() != warning_client_prioritized_and_token_skipped()


def build_app(surface: SlackSurface) -> AsyncApp:
    """The Bolt app with every listener registered."""
    logger = logging.getLogger("sophia.slack.bolt")
    logger.addFilter(_TokenFromEnvironment())
    app = AsyncApp(client=surface.client, logger=logger)
    register(app, surface)
    return app


class SlackBot:
    """The Slack surface of one process: `start()` connects, `stop()` disconnects."""

    def __init__(self, sophia: Sophia, client: AsyncWebClient) -> None:
        settings = sophia.settings
        if settings.slack_app_token is None:
            raise ConfigError("SLACK_APP_TOKEN is not set (see README, section “Slack”)")
        self._app_token = settings.slack_app_token.get_secret_value()
        self.surface = SlackSurface.build(sophia, client)
        self.app = build_app(self.surface)
        self._handler: AsyncSocketModeHandler | None = None

    async def start(self) -> None:
        """Check both tokens, then open the Socket Mode connection.

        A refused token is a `ConfigError` at once: the socket client itself would retry it
        forever.
        """
        client = self.surface.client
        identity = await _checked(client.auth_test(), "SLACK_BOT_TOKEN")
        self.surface.bot_user_id = str(identity["user_id"])
        opened = await _checked(
            client.apps_connections_open(app_token=self._app_token), "SLACK_APP_TOKEN"
        )
        # Built here, not in __init__: the handler needs the running event loop.
        self._handler = AsyncSocketModeHandler(self.app, self._app_token)
        self._handler.client.wss_uri = str(opened["url"])  # the URL just issued: use it
        await self._handler.connect_async()  # type: ignore[no-untyped-call]
        log.info(
            "slack bot connected as @%s to %s",
            identity.get("user"),
            identity.get("team"),
            extra={"bot_user_id": self.surface.bot_user_id},
        )

    async def stop(self) -> None:
        """Close the Socket Mode connection (Slack sends new requests to other replicas)."""
        if self._handler is not None:
            await self._handler.close_async()  # type: ignore[no-untyped-call]
            self._handler = None


async def _checked(call: Awaitable[AsyncSlackResponse], token: str) -> AsyncSlackResponse:
    try:
        return await call
    except SlackApiError as exc:
        problem = exc.response.get("error", "unknown error")
        raise ConfigError(
            f"Slack refused {token} ({problem}); see README, section “Slack”"
        ) from None
    except (aiohttp.ClientError, TimeoutError) as exc:
        raise ConfigError(f"cannot reach Slack at SLACK_API_URL: {exc}") from None
