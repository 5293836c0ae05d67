"""The fake Slack's Socket Mode: connections, the envelopes pushed over them and the acks
that come back. Like Slack, an envelope still unacked when its connection closes is
delivered again on the next one."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import WSMsgType, web

from tests.fakes import slack_payloads as payloads

__all__ = ["Ack", "SocketMode"]

Check = Callable[[str, dict[str, Any]], list[str]]


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


class SocketMode:
    """Envelopes to deliver and the connections they go over; `changed` is notified of
    every connection and ack (the fake's waits watch it)."""

    def __init__(self, changed: asyncio.Condition, check: Check) -> None:
        self.acks: dict[str, Ack] = {}
        self.connections_opened = 0
        self._changed = changed
        self._check = check
        self._envelopes: dict[str, _Envelope] = {}
        self._pending: list[str] = []
        self._connections: list[_Connection] = []

    async def close(self) -> None:
        for connection in self._connections:
            await connection.ws.close()

    async def disconnect(self, reason: str = "refresh_requested") -> None:
        """Ask the connected client to reconnect, as Slack does every few hours."""
        connection = self.live()
        assert connection is not None, "no connection to refresh"
        connection.draining = True
        await connection.ws.send_json(
            {"type": "disconnect", "reason": reason, "debug_info": {"host": "fake"}}
        )

    async def send(
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

    def live(self) -> _Connection | None:
        """The connection envelopes go to: the newest open one (a draining one until replaced)."""
        open_ = [c for c in self._connections if not c.ws.closed]
        return open_[-1] if open_ else None

    async def _flush(self) -> None:
        connection = self.live()
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

    async def serve(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse(autoping=True)
        await ws.prepare(request)
        connection = _Connection(len(self._connections) + 1, ws)
        self._connections.append(connection)
        live = len([c for c in self._connections if not c.ws.closed])
        await ws.send_json(payloads.hello(live))
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
