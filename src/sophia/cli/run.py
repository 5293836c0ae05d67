"""`sophia run`: the Slack bot, the scheduler and the REST API in one process, until SIGTERM
or Ctrl-C; and `sophia brief --post`, which posts one brief to a channel now."""

from __future__ import annotations

import asyncio
import logging
import signal
import socket
from collections.abc import Awaitable, Coroutine
from typing import Any
from zoneinfo import ZoneInfo

from slack_sdk.errors import SlackApiError

from sophia.bot.messages import BOT_DISABLED
from sophia.bot.posting import post_answer
from sophia.bot.scheduler import Jobs, Scheduler
from sophia.bot.slack_bot import SlackBot, web_client
from sophia.core.errors import SophiaError
from sophia.core.logs import configure_logging
from sophia.core.services import Sophia
from sophia.core.session import Session

__all__ = ["post_brief", "serve"]

log = logging.getLogger("sophia.run")


async def serve(sophia: Sophia, *, bot: bool, api: bool, scheduler: bool) -> None:
    """Run the chosen components until SIGTERM or SIGINT, then stop each one cleanly."""
    settings = sophia.settings
    configure_logging(settings.log_level, settings.log_format)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    client = web_client(settings) if settings.slack_bot_token else None
    slack: SlackBot | None = None
    jobs: Scheduler | None = None
    tasks: list[asyncio.Task[Any]] = []
    try:
        # Load the embedding model before taking requests: the first question stays fast.
        if (bot or api) and not await _unless(stop, sophia.embedder.warm_up()):
            return
        if bot and client is not None and settings.slack_configured:
            slack = SlackBot(sophia, client)
            if not await _unless(stop, slack.start()):
                return
        elif bot:
            log.warning(BOT_DISABLED)
        if scheduler:
            jobs = Scheduler(Jobs(sophia, client))
            jobs.start()
        tasks = [asyncio.create_task(c) for c in _api_components(sophia, api)]
        log.info(
            "sophia run: ready",
            extra={
                "bot": slack is not None,
                "scheduler": jobs.job_ids if jobs else None,
                "api": bool(tasks),
            },
        )
        # A component that ends on its own (a server that could not bind) stops the process.
        tasks.append(asyncio.create_task(stop.wait()))
        done, _ = await asyncio.wait(tasks, return_when="FIRST_COMPLETED")
        for task in done:
            task.result()  # a component's failure is the process's failure
    finally:
        for signum in (signal.SIGTERM, signal.SIGINT):
            loop.remove_signal_handler(signum)
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        if slack is not None:
            await slack.stop()
        if jobs is not None:
            await jobs.stop()
        log.info("sophia run: stopped cleanly")


def _api_components(sophia: Sophia, enabled: bool) -> list[Coroutine[Any, Any, None]]:
    """The REST API's server on API_HOST:API_PORT (API_PORT=0 turns it off).

    The socket is bound here, before "ready" is logged, so a busy port is a clear error at
    start and "ready" means the API accepts connections.
    """
    settings = sophia.settings
    if not enabled or not settings.api_port:
        return []
    family = socket.AF_INET6 if ":" in settings.api_host else socket.AF_INET
    try:
        listener = socket.create_server((settings.api_host, settings.api_port), family=family)
    except OSError as exc:
        raise SophiaError(
            f"the REST API cannot listen on {settings.api_host}:{settings.api_port} "
            f"({exc.strerror}); set API_PORT, or API_PORT=0 to run without it"
        ) from None
    # Accepted connections inherit it; without it small responses wait on Nagle (~40 ms).
    listener.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    log.info("REST API on http://%s:%d/docs", settings.api_host, settings.api_port)
    return [_serve_api(sophia, listener)]


async def _serve_api(sophia: Sophia, listener: socket.socket) -> None:
    """Serve until cancelled, then let in-flight requests finish (uvicorn's graceful exit)."""
    from sophia.api.server import build_server  # FastAPI loads only when the API runs

    server = build_server(sophia)
    serving = asyncio.ensure_future(server.serve(sockets=[listener]))
    try:
        await asyncio.shield(serving)
    except asyncio.CancelledError:
        server.should_exit = True
        await asyncio.gather(serving, return_exceptions=True)
        raise
    finally:
        listener.close()


async def _unless(stop: asyncio.Event, work: Awaitable[None]) -> bool:
    """Run `work` unless `stop` is set first (a signal during a slow start); True if it ran."""
    task = asyncio.ensure_future(work)
    waiter = asyncio.create_task(stop.wait())
    await asyncio.wait([task, waiter], return_when="FIRST_COMPLETED")
    waiter.cancel()
    if not task.done():
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
        return False
    task.result()
    return True


async def post_brief(sophia: Sophia, session: Session, subject: str, channel: str) -> int:
    """Post a brief on `subject` to `channel` now; returns how many messages it took."""
    client = web_client(sophia.settings)  # no token: a clear error before any work
    answer = await session.brief(subject)
    try:
        posted = await post_answer(
            client, channel, answer, ZoneInfo(sophia.settings.sophia_timezone)
        )
    except SlackApiError as exc:
        problem = exc.response.get("error", "unknown error")
        raise SophiaError(f"Slack refused the post to {channel} ({problem})") from None
    return len(posted)
