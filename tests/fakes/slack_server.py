"""A fake Slack on 127.0.0.1: the Web API methods the bot uses, Socket Mode and response_urls.

One aiohttp server (random port) plays three parts of Slack:

- **Web API** (`/api/<method>`, form, query or JSON arguments, bearer tokens): auth.test,
  apps.connections.open (returns this server's WebSocket URL), chat.postMessage,
  chat.update, chat.postEphemeral, reactions.add/remove, conversations.replies (threads are
  kept from what was posted), conversations.info and views.publish. Every call is recorded.
- **Socket Mode** (`/link/`): sends `hello` on each connection, pushes envelopes
  (slash_commands, events_api, interactive) and records the ack of each envelope id, from
  whichever connection it arrives. `disconnect()` sends Slack's `refresh_requested` and keeps
  the old connection until the client replaces it; like Slack, an envelope still unacked
  when its connection closes is delivered again on the next one.
- **response_url** (`/respond/<id>`): records each post.

Messages are checked against Block Kit's limits and our escaping rules; a message that
breaks one is refused (`invalid_blocks`, as Slack does) and listed in `invalid`. Tests wait
on what the fake saw with `wait_*` helpers (a condition and a timeout, never a sleep).
"""

from __future__ import annotations

import asyncio
import json
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl

from aiohttp import web

from tests.fakes import slack_payloads as payloads
from tests.fakes.loopback import LoopbackApp
from tests.fakes.slack_blocks import block_problems
from tests.fakes.slack_socket import Ack, SocketMode
from tests.fakes.slack_workspace import SlackWorkspace

__all__ = ["Ack", "ApiCall", "FakeSlack", "Posted", "block_problems", "running_in_thread"]

DEFAULT_TIMEOUT = 5.0


@dataclass(frozen=True)
class ApiCall:
    method: str
    args: dict[str, Any]
    token: str | None
    at: float  # time.monotonic()


@dataclass(frozen=True)
class Posted:
    """One post to a response_url."""

    key: str  # the envelope id it belongs to
    body: dict[str, Any]
    at: float

    @property
    def text(self) -> str:
        """Everything a person would read in it (text and every block), for assertions."""
        return json.dumps(self.body, ensure_ascii=False)


class FakeSlack(SlackWorkspace):
    """Slack for one test; `await start()`, point the bot at `api_url`, `await stop()`."""

    def __init__(self, **workspace: str) -> None:
        super().__init__(**workspace)
        self.calls: list[ApiCall] = []
        self.responses: list[Posted] = []
        self._held: dict[str, asyncio.Event] = {}
        self._waiting: dict[str, int] = {}
        self._changed = asyncio.Condition()
        self.socket_mode = SocketMode(self._changed, self._check)
        app = web.Application()
        app.router.add_route("*", "/api/{method}", self._api)
        app.router.add_get("/link/", self.socket_mode.serve)
        app.router.add_post("/respond/{key}", self._respond)
        self._server = LoopbackApp(app)

    # --- lifecycle -------------------------------------------------------------------------

    async def start(self) -> FakeSlack:
        await self._server.start()
        return self

    async def stop(self) -> None:
        for event in self._held.values():
            event.set()
        await self.socket_mode.close()
        await self._server.stop()

    async def __aenter__(self) -> FakeSlack:
        return await self.start()

    async def __aexit__(self, *_: object) -> None:
        await self.stop()

    @property
    def acks(self) -> dict[str, Ack]:
        """Each envelope's ack, by envelope id."""
        return self.socket_mode.acks

    @property
    def connections_opened(self) -> int:
        return self.socket_mode.connections_opened

    async def disconnect(self, reason: str = "refresh_requested") -> None:
        """Ask the connected client to reconnect, as Slack does every few hours."""
        await self.socket_mode.disconnect(reason)

    @property
    def url(self) -> str:
        return self._server.root

    @property
    def api_url(self) -> str:
        """SLACK_API_URL for the bot (with the trailing slash the SDK needs)."""
        return f"{self.url}/api/"

    def env(self) -> dict[str, str]:
        """The settings that point a `sophia run` at this fake."""
        return {
            "SLACK_BOT_TOKEN": self.bot_token,
            "SLACK_APP_TOKEN": self.app_token,
            "SLACK_API_URL": self.api_url,
        }

    # --- what the bot sees: envelopes ---------------------------------------------------------

    async def command(
        self,
        text: str,
        *,
        user: str = "UALICE",
        channel: str = "CGENERAL",
        channel_name: str | None = None,
        command: str = "/gong",
    ) -> str:
        """Send a slash command; returns its envelope id (its response_url is keyed by it)."""
        envelope_id = self._new_id("cmd")
        payload = payloads.slash_command(
            envelope_id,
            text,
            team_id=self.team_id,
            user=user,
            channel=channel,
            channel_name=channel_name or self.channels.get(channel, "directmessage"),
            command=command,
            response_url=f"{self.url}/respond/{envelope_id}",
        )
        await self.socket_mode.send(envelope_id, "slash_commands", payload, accepts_response=True)
        return envelope_id

    async def mention(
        self,
        text: str,
        *,
        user: str = "UALICE",
        channel: str = "CGENERAL",
        thread_ts: str | None = None,
    ) -> tuple[str, str]:
        """Post `@Sophia text` as `user` (kept in the thread) and send its app_mention event.

        Returns (envelope id, the message's ts).
        """
        full = f"<@{self.bot_user_id}> {text}"
        return await self._user_message("app_mention", full, user, channel, thread_ts)

    async def direct_message(
        self,
        text: str,
        *,
        user: str = "UALICE",
        channel: str = "DALICE",
        thread_ts: str | None = None,
        **extra: Any,
    ) -> tuple[str, str]:
        """A message from `user` in their DM with the bot (`extra`: subtype, bot_id, ...)."""
        return await self._user_message(
            "message", text, user, channel, thread_ts, channel_type="im", **extra
        )

    async def _user_message(
        self,
        kind: str,
        text: str,
        user: str,
        channel: str,
        thread_ts: str | None,
        **fields: Any,
    ) -> tuple[str, str]:
        """Keep a person's message (for conversations.replies) and send its event."""
        ts = self._store({"user": user, "text": text, "channel": channel, "thread_ts": thread_ts})
        event = {"type": kind, "user": user, "text": text, "ts": ts, "channel": channel}
        event.update(event_ts=ts, **fields)
        if thread_ts:
            event["thread_ts"] = thread_ts
        return await self._event(event), ts

    async def home_opened(self, user: str = "UALICE") -> str:
        event = {"type": "app_home_opened", "user": user, "channel": "DALICE", "tab": "home"}
        return await self._event(event)

    async def click(
        self,
        block: dict[str, Any],
        action_id: str,
        *,
        user: str = "UALICE",
        channel: str = "CGENERAL",
        ephemeral: bool = True,
    ) -> str:
        """Click the button `action_id` of an actions block the bot sent; returns the envelope
        id (the action's response_url is keyed by it)."""
        [button] = [e for e in block["elements"] if e["action_id"] == action_id]
        envelope_id = self._new_id("act")
        payload = payloads.block_actions(
            envelope_id,
            block,
            button,
            team_id=self.team_id,
            user=user,
            channel=channel,
            channel_name=self.channels.get(channel, "directmessage"),
            ephemeral=ephemeral,
            response_url=f"{self.url}/respond/{envelope_id}",
        )
        await self.socket_mode.send(envelope_id, "interactive", payload)
        return envelope_id

    # --- holding a method (to keep a job in flight) -------------------------------------------

    def hold(self, method: str) -> None:
        """Keep calls to `method` unanswered until `release(method)`."""
        self._held[method] = asyncio.Event()

    def release(self, method: str) -> None:
        self._held.pop(method).set()

    # --- waiting on what the fake saw ---------------------------------------------------------

    async def wait_for(
        self, predicate: Callable[[], bool], within: float = DEFAULT_TIMEOUT, what: str = ""
    ) -> None:
        async with self._changed:
            try:
                await asyncio.wait_for(self._changed.wait_for(predicate), within)
            except TimeoutError:
                raise AssertionError(
                    f"fake Slack: timed out waiting for {what or predicate}"
                ) from None

    async def wait_ack(self, envelope_id: str, within: float = DEFAULT_TIMEOUT) -> Ack:
        await self.wait_for(lambda: envelope_id in self.acks, within, f"the ack of {envelope_id}")
        return self.acks[envelope_id]

    async def wait_responses(
        self, key: str, count: int = 1, within: float = DEFAULT_TIMEOUT
    ) -> list[Posted]:
        await self.wait_for(
            lambda: len(self.responses_to(key)) >= count, within, f"{count} response(s) to {key}"
        )
        return self.responses_to(key)

    async def wait_calls(
        self, method: str, count: int = 1, within: float = DEFAULT_TIMEOUT
    ) -> list[ApiCall]:
        await self.wait_for(
            lambda: len(self.calls_to(method)) >= count, within, f"{count} call(s) to {method}"
        )
        return self.calls_to(method)

    async def wait_held(self, method: str, within: float = DEFAULT_TIMEOUT) -> None:
        """Until a call to a held `method` is waiting."""
        await self.wait_for(lambda: self._waiting.get(method, 0) > 0, within, f"a held {method}")

    async def wait_connections(self, count: int, within: float = DEFAULT_TIMEOUT) -> None:
        await self.wait_for(
            lambda: self.connections_opened >= count and self.socket_mode.live() is not None,
            within,
            f"{count} socket connection(s)",
        )

    def responses_to(self, key: str) -> list[Posted]:
        return [r for r in self.responses if r.key == key]

    def calls_to(self, method: str) -> list[ApiCall]:
        return [c for c in self.calls if c.method == method]

    # --- internals: envelopes -----------------------------------------------------------------

    def _new_id(self, prefix: str) -> str:
        return f"{prefix}-{next(self._ids):05d}"

    async def _event(self, event: dict[str, Any]) -> str:
        envelope_id = self._new_id("evt")
        payload = payloads.event_callback(
            envelope_id, event, team_id=self.team_id, bot_user_id=self.bot_user_id
        )
        await self.socket_mode.send(envelope_id, "events_api", payload)
        return envelope_id

    # --- internals: Web API and response_url ----------------------------------------------------

    async def _respond(self, request: web.Request) -> web.Response:
        body = await request.json()
        problems = self._check(f"response_url {request.match_info['key']}", body)
        async with self._changed:
            self.responses.append(Posted(request.match_info["key"], body, time.monotonic()))
            self._changed.notify_all()
        if problems:
            return web.Response(status=400, text="invalid_blocks")
        return web.Response(text="ok")

    async def _api(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        args: dict[str, Any] = dict(request.query)
        raw = await request.read()
        if raw:
            if request.content_type == "application/json":
                args.update(json.loads(raw))
            else:
                args.update(parse_qsl(raw.decode()))
        for key in ("blocks", "view"):
            if isinstance(args.get(key), str):
                args[key] = json.loads(args[key])
        token = request.headers.get("Authorization", "").removeprefix("Bearer ") or args.get(
            "token"
        )
        async with self._changed:
            self.calls.append(ApiCall(method, args, token, time.monotonic()))
            self._changed.notify_all()
        if method in self._held:
            self._waiting[method] = self._waiting.get(method, 0) + 1
            async with self._changed:
                self._changed.notify_all()
            await self._held[method].wait()
            self._waiting[method] -= 1
        result = self.web_api(method, args, token)
        async with self._changed:
            self._changed.notify_all()
        return web.json_response(result)

    def _api_apps_connections_open(self, _args: dict[str, Any]) -> dict[str, Any]:
        ticket = next(self._ids)
        return {"ok": True, "url": f"ws{self.url.removeprefix('http')}/link/?ticket={ticket}"}


@contextmanager
def running_in_thread(fake: FakeSlack) -> Iterator[FakeSlack]:
    """Serve `fake` from a background event loop (for code that runs its own `asyncio.run`)."""
    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()
    asyncio.run_coroutine_threadsafe(fake.start(), loop).result(DEFAULT_TIMEOUT)
    try:
        yield fake
    finally:
        asyncio.run_coroutine_threadsafe(fake.stop(), loop).result(DEFAULT_TIMEOUT)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(DEFAULT_TIMEOUT)
        loop.close()
