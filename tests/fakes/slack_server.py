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
import itertools
import json
import re
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl

from aiohttp import WSMsgType, web

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


@dataclass(frozen=True)
class Ack:
    envelope_id: str
    payload: dict[str, Any] | None
    at: float


@dataclass
class _Envelope:
    body: dict[str, Any]
    sent_at: float | None = None
    connection: int | None = None
    deliveries: int = 0


@dataclass
class _Connection:
    number: int
    ws: web.WebSocketResponse
    draining: bool = False
    envelopes: list[str] = field(default_factory=list)


class FakeSlack:
    """Slack for one test; `await start()`, point the bot at `api_url`, `await stop()`."""

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
        self.calls: list[ApiCall] = []
        self.responses: list[Posted] = []
        self.acks: dict[str, Ack] = {}
        self.invalid: list[str] = []
        self.connections_opened = 0
        # Channel ids to names; chat.postMessage accepts "#name" for these.
        self.channels: dict[str, str] = {"CGENERAL": "general", "CSALES": "sales-team"}
        # User group id -> member user ids (usergroups.users.list).
        self.usergroups: dict[str, set[str]] = {}
        self._messages: dict[str, dict[str, Any]] = {}  # ts -> message (with "channel")
        self._envelopes: dict[str, _Envelope] = {}
        self._pending: list[str] = []
        self._connections: list[_Connection] = []
        self._held: dict[str, asyncio.Event] = {}
        self._waiting: dict[str, int] = {}
        self._clock = itertools.count(1)
        self._ids = itertools.count(1)
        self._changed = asyncio.Condition()
        self._runner: web.AppRunner | None = None
        self._port = 0

    # --- lifecycle -------------------------------------------------------------------------

    async def start(self) -> FakeSlack:
        app = web.Application()
        app.router.add_route("*", "/api/{method}", self._api)
        app.router.add_get("/link/", self._socket)
        app.router.add_post("/respond/{key}", self._respond)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self._port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        return self

    async def stop(self) -> None:
        for event in self._held.values():
            event.set()
        for connection in self._connections:
            await connection.ws.close()
        if self._runner is not None:
            await self._runner.cleanup()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._port}"

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
        payload = {
            "token": "verification-token",
            "team_id": self.team_id,
            "team_domain": "fake",
            "channel_id": channel,
            "channel_name": channel_name or self.channels.get(channel, "directmessage"),
            "user_id": user,
            "user_name": user.lower(),
            "command": command,
            "text": text,
            "api_app_id": "AFAKE",
            "is_enterprise_install": "false",
            "response_url": f"{self.url}/respond/{envelope_id}",
            "trigger_id": f"trigger-{envelope_id}",
        }
        await self._send(envelope_id, "slash_commands", payload, accepts_response=True)
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
        payload = {
            "type": "block_actions",
            "user": {
                "id": user,
                "username": user.lower(),
                "name": user.lower(),
                "team_id": self.team_id,
            },
            "api_app_id": "AFAKE",
            "token": "verification-token",
            "container": {
                "type": "message",
                "message_ts": "1.000001",
                "channel_id": channel,
                "is_ephemeral": ephemeral,
            },
            "trigger_id": f"trigger-{envelope_id}",
            "team": {"id": self.team_id, "domain": "fake"},
            "channel": {"id": channel, "name": self.channels.get(channel, "directmessage")},
            "response_url": f"{self.url}/respond/{envelope_id}",
            "actions": [
                {
                    "action_id": action_id,
                    "block_id": block.get("block_id", "b"),
                    "text": button["text"],
                    "value": button.get("value", ""),
                    "type": "button",
                    "action_ts": f"{time.time():.6f}",
                }
            ],
        }
        await self._send(envelope_id, "interactive", payload)
        return envelope_id

    async def disconnect(self, reason: str = "refresh_requested") -> None:
        """Ask the connected client to reconnect, as Slack does every few hours."""
        connection = self._live()
        assert connection is not None, "no connection to refresh"
        connection.draining = True
        await connection.ws.send_json(
            {"type": "disconnect", "reason": reason, "debug_info": {"host": "fake"}}
        )

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
            lambda: self.connections_opened >= count and self._live() is not None,
            within,
            f"{count} socket connection(s)",
        )

    def responses_to(self, key: str) -> list[Posted]:
        return [r for r in self.responses if r.key == key]

    def calls_to(self, method: str) -> list[ApiCall]:
        return [c for c in self.calls if c.method == method]

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

    # --- internals: envelopes -----------------------------------------------------------------

    def _new_id(self, prefix: str) -> str:
        return f"{prefix}-{next(self._ids):05d}"

    async def _event(self, event: dict[str, Any]) -> str:
        envelope_id = self._new_id("evt")
        payload = {
            "token": "verification-token",
            "team_id": self.team_id,
            "api_app_id": "AFAKE",
            "event": event,
            "type": "event_callback",
            "event_id": f"Ev{envelope_id}",
            "event_time": int(time.time()),
            "authorizations": [
                {"team_id": self.team_id, "user_id": self.bot_user_id, "is_bot": True}
            ],
        }
        await self._send(envelope_id, "events_api", payload)
        return envelope_id

    async def _send(
        self,
        envelope_id: str,
        kind: str,
        payload: dict[str, Any],
        *,
        accepts_response: bool = False,
    ) -> None:
        body = {
            "envelope_id": envelope_id,
            "type": kind,
            "accepts_response_payload": accepts_response,
            "payload": payload,
        }
        if kind == "events_api":
            body.update({"retry_attempt": 0, "retry_reason": ""})
        self._envelopes[envelope_id] = _Envelope(body)
        self._pending.append(envelope_id)
        await self._flush()

    def _live(self) -> _Connection | None:
        """The connection envelopes go to: the newest open one (a draining one until replaced)."""
        open_ = [c for c in self._connections if not c.ws.closed]
        return open_[-1] if open_ else None

    async def _flush(self) -> None:
        connection = self._live()
        while connection is not None and self._pending:
            envelope_id = self._pending.pop(0)
            envelope = self._envelopes[envelope_id]
            if envelope_id in self.acks:
                continue
            envelope.deliveries += 1
            if envelope.deliveries > 1 and "retry_attempt" in envelope.body:
                envelope.body["retry_attempt"] = envelope.deliveries - 1
                envelope.body["retry_reason"] = "timeout"
            envelope.sent_at = envelope.sent_at or time.monotonic()
            envelope.connection = connection.number
            connection.envelopes.append(envelope_id)
            await connection.ws.send_json(envelope.body)

    async def _socket(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse(autoping=True)
        await ws.prepare(request)
        connection = _Connection(len(self._connections) + 1, ws)
        self._connections.append(connection)
        await ws.send_json(
            {
                "type": "hello",
                "num_connections": len([c for c in self._connections if not c.ws.closed]),
                "debug_info": {"host": "fake", "approximate_connection_time": 18060},
                "connection_info": {"app_id": "AFAKE"},
            }
        )
        async with self._changed:
            self.connections_opened += 1
            self._changed.notify_all()
        await self._flush()
        async for message in ws:
            if message.type != WSMsgType.TEXT:
                continue
            data = json.loads(message.data)
            envelope_id = data.get("envelope_id")
            if envelope_id and envelope_id not in self.acks:
                payload = data.get("payload")
                if payload is not None:
                    self._check("ack", payload)
                async with self._changed:
                    self.acks[envelope_id] = Ack(envelope_id, payload, time.monotonic())
                    self._changed.notify_all()
        # Slack delivers what was not acked on this connection again, on the next one.
        self._pending[:0] = [e for e in connection.envelopes if e not in self.acks]
        await self._flush()
        async with self._changed:
            self._changed.notify_all()
        return ws

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
        expected = self.app_token if method == "apps.connections.open" else self.bot_token
        if token != expected:
            return web.json_response({"ok": False, "error": "invalid_auth"})
        handler = getattr(self, "_api_" + method.replace(".", "_"), None)
        if handler is None:
            return web.json_response({"ok": False, "error": "unknown_method"})
        result: dict[str, Any] = handler(args)
        async with self._changed:
            self._changed.notify_all()
        return web.json_response(result)

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

    def _api_apps_connections_open(self, _args: dict[str, Any]) -> dict[str, Any]:
        ticket = next(self._ids)
        return {"ok": True, "url": f"ws://127.0.0.1:{self._port}/link/?ticket={ticket}"}

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


# --- Block Kit limits and escaping ---------------------------------------------------------------

_ENTITY = re.compile(r"&(?!amp;|lt;|gt;)")
_ANGLE = re.compile(r"<([^<>]*)>")
_ANGLE_TARGET = re.compile(r"^(?:https?://\S+|mailto:\S+|[@#!]\S+)(?:\|[^|]*)?$")


def _mrkdwn_problems(text: str) -> list[str]:
    """Markup Slack would misread: a bare `&`, or `<…>` that is neither a link nor a mention."""
    problems = []
    if _ENTITY.search(text):
        problems.append(f"unescaped & in {text[:80]!r}")
    # A ">" that opens a line is mrkdwn's block quote, not text.
    unquoted = re.sub(r"(?m)^>", "", text)
    stripped = _ANGLE.sub(lambda m: "" if _ANGLE_TARGET.match(m[1]) else "\0", unquoted)
    if "\0" in stripped or "<" in stripped or ">" in stripped:
        problems.append(f"unescaped < or > in {text[:80]!r}")
    return problems


def block_problems(blocks: list[dict[str, Any]], max_blocks: int = 50) -> list[str]:
    """What Slack would refuse (or show wrongly) in these blocks."""
    problems: list[str] = []
    if len(blocks) > max_blocks:
        problems.append(f"{len(blocks)} blocks (at most {max_blocks})")
    action_ids: set[str] = set()
    block_ids: set[str] = set()
    for block in blocks:
        kind = block.get("type")
        if "block_id" in block:
            if block["block_id"] in block_ids:
                problems.append(f"block_id {block['block_id']!r} repeated")
            block_ids.add(block["block_id"])
        if kind == "section":
            text = block.get("text")
            fields = block.get("fields") or []
            if text is None and not fields:
                problems.append("a section with neither text nor fields")
            if text is not None:
                problems += _text_problems(text, 3000, "section text")
            if len(fields) > 10:
                problems.append(f"{len(fields)} fields (at most 10)")
            for item in fields:
                problems += _text_problems(item, 2000, "field")
        elif kind == "header":
            text = block.get("text") or {}
            if text.get("type") != "plain_text":
                problems.append("a header must be plain_text")
            problems += _text_problems(text, 150, "header")
        elif kind == "context":
            elements = block.get("elements") or []
            if not 1 <= len(elements) <= 10:
                problems.append(f"context with {len(elements)} elements (1 to 10)")
            for element in elements:
                problems += _text_problems(element, 3000, "context")
        elif kind == "actions":
            elements = block.get("elements") or []
            if not 1 <= len(elements) <= 25:
                problems.append(f"actions with {len(elements)} elements (1 to 25)")
            for element in elements:
                action_id = element.get("action_id", "")
                if action_id in action_ids:
                    problems.append(f"action_id {action_id!r} repeated")
                action_ids.add(action_id)
                problems += _text_problems(element.get("text") or {}, 75, "button text")
                if len(element.get("value", "")) > 2000:
                    problems.append("button value over 2000 characters")
        elif kind != "divider":
            problems.append(f"unknown block type {kind!r}")
    return problems


def _text_problems(text: dict[str, Any], limit: int, what: str) -> list[str]:
    value = str(text.get("text", ""))
    problems = []
    if not value:
        problems.append(f"empty {what}")
    if len(value) > limit:
        problems.append(f"{what} of {len(value)} characters (at most {limit})")
    if text.get("type") == "mrkdwn":
        problems += _mrkdwn_problems(value)
    return problems


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
