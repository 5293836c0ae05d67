"""A fake Gong v2 API on 127.0.0.1, following docs/gong-api.md.

It serves POST /v2/calls/extensive, POST /v2/calls/transcript and GET /v2/users with Basic
auth, 100-record pages (configurable) behind opaque cursors, date and callIds filters, and the
documented 404 for empty results. Tests script faults (429 with Retry-After, 5xx, expired
cursors, dropped connections, stalls) and hide call details to recreate Gong's propagation
race. Every request is recorded with its arrival time so tests assert on what Gong would see.
"""

from __future__ import annotations

import base64
import json
import secrets
import threading
import time
from collections import deque
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from urllib.parse import parse_qs, urlsplit

from tests.fakes.loopback import LoopbackFake, LoopbackHandler

__all__ = ["EXTENSIVE", "NO_CALLS", "TRANSCRIPT", "USERS", "FakeGong", "Recorded"]

NO_CALLS = "No calls found corresponding to the provided filters"
EXTENSIVE = "/v2/calls/extensive"
TRANSCRIPT = "/v2/calls/transcript"
USERS = "/v2/users"
MAX_CALL_IDS = 100


@dataclass(frozen=True)
class Recorded:
    """One request as the server received it."""

    method: str
    path: str
    query: dict[str, str]
    body: Any
    headers: dict[str, str]
    at: float  # time.monotonic() on arrival

    @property
    def cursor(self) -> str | None:
        """The cursor the request carried, in the body (POST) or the query (GET)."""
        if isinstance(self.body, dict) and "cursor" in self.body:
            return str(self.body["cursor"])
        return self.query.get("cursor")

    @property
    def filter(self) -> dict[str, Any]:
        """The body's `filter` (empty for GET)."""
        return dict(self.body.get("filter") or {}) if isinstance(self.body, dict) else {}


@dataclass
class _Fault:
    status: int  # 0 drops the connection; -1 stalls until released
    errors: list[str]
    headers: dict[str, str] = field(default_factory=dict)
    with_cursor_only: bool = False


@dataclass
class _Reply:
    status: int
    payload: Any = None
    headers: dict[str, str] = field(default_factory=dict)
    raw: bytes | None = None


class _Handler(LoopbackHandler):
    def do_GET(self) -> None:
        self._serve()

    def do_POST(self) -> None:
        self._serve()

    def _serve(self) -> None:
        fake: FakeGong = self.fake
        reply = fake.handle(self.command, self.path, dict(self.headers.items()), self.read_body())
        if reply.status == 0:
            self.close_connection = True
            return
        data = reply.raw if reply.raw is not None else json.dumps(reply.payload).encode()
        self.send_body(
            reply.status, data, {"Content-Type": "application/json; charset=utf-8", **reply.headers}
        )


class FakeGong(LoopbackFake):
    """The fake's state and its HTTP server; `start()` it, then point a client at `url`."""

    handler = _Handler

    def __init__(
        self,
        *,
        access_key: str = "fake-key",
        access_secret: str = "fake-secret",
        page_size: int = 100,
    ) -> None:
        self.access_key = access_key
        self.access_secret = access_secret
        self.page_size = page_size
        self.requests: list[Recorded] = []
        self._calls: dict[str, dict[str, Any]] = {}
        self._transcripts: dict[str, dict[str, Any]] = {}
        self._hidden: set[str] = set()
        self._users: list[dict[str, Any]] = []
        self._faults: dict[str, deque[_Fault]] = {}
        self._cursors: dict[str, tuple[str, int]] = {}
        self._lock = threading.Lock()
        self._unstall = threading.Event()

    # --- lifecycle -----------------------------------------------------------------------

    def stop(self) -> None:
        """Stop serving and release any stalled request."""
        self._unstall.set()
        super().stop()

    @property
    def url(self) -> str:
        """Base URL to give the client, e.g. http://127.0.0.1:54321 (no trailing slash)."""
        return self.root

    def env(self) -> dict[str, str]:
        """The settings that point a `sophia` command at this fake."""
        return {
            "GONG_BASE_URL": self.url,
            "GONG_ACCESS_KEY": self.access_key,
            "GONG_ACCESS_SECRET": self.access_secret,
        }

    # --- data ----------------------------------------------------------------------------

    def add_call(
        self,
        call: dict[str, Any],
        transcript: dict[str, Any] | None = None,
        *,
        hidden: bool = False,
    ) -> None:
        """Serve a `calls[]` item and, if given, its transcript; `hidden` delays the details."""
        call_id = str(call["metaData"]["id"])
        with self._lock:
            self._calls[call_id] = call
            if transcript is not None:
                self._transcripts[call_id] = transcript
            if hidden:
                self._hidden.add(call_id)

    def add_transcript(self, transcript: dict[str, Any]) -> None:
        """Serve a transcript for a call added earlier (it arrives late)."""
        with self._lock:
            self._transcripts[str(transcript["callId"])] = transcript

    def release(self, call_id: str) -> None:
        """Let /v2/calls/extensive return a call whose details were hidden."""
        with self._lock:
            self._hidden.discard(call_id)

    def add_user(self, user_id: str, first: str | None, last: str | None, **extra: Any) -> None:
        """Serve a /v2/users entry."""
        with self._lock:
            self._users.append({"id": user_id, "firstName": first, "lastName": last, **extra})

    # --- faults --------------------------------------------------------------------------

    def fail_next(
        self,
        path: str,
        status: int,
        *,
        times: int = 1,
        retry_after: str | int | None = None,
        errors: Sequence[str] = (),
        with_cursor_only: bool = False,
    ) -> None:
        """Answer the next `times` requests to `path` with `status` (and Retry-After)."""
        headers = {} if retry_after is None else {"Retry-After": str(retry_after)}
        fault = _Fault(status, list(errors) or [f"fake fault {status}"], headers, with_cursor_only)
        with self._lock:
            self._faults.setdefault(path, deque()).extend(fault for _ in range(times))

    def expire_cursor_next(self, path: str, *, times: int = 1, status: int = 400) -> None:
        """The next `times` requests to `path` that carry a cursor get Gong's expiry error."""
        self.fail_next(
            path, status, times=times, errors=["cursor has expired"], with_cursor_only=True
        )

    def drop_next(self, path: str, *, times: int = 1) -> None:
        """Close the connection without answering the next `times` requests to `path`."""
        self.fail_next(path, 0, times=times)

    def stall_next(self, path: str, *, times: int = 1) -> None:
        """Hold the next `times` requests to `path` unanswered until the fake stops."""
        self.fail_next(path, -1, times=times)

    # --- what the fake saw ---------------------------------------------------------------

    def requests_to(self, path: str) -> list[Recorded]:
        """The recorded requests to one path, in arrival order."""
        with self._lock:
            return [r for r in self.requests if r.path == path]

    # --- request handling ----------------------------------------------------------------

    def handle(self, method: str, target: str, headers: dict[str, str], body: bytes) -> _Reply:
        """Answer one request (called from the server's threads)."""
        split = urlsplit(target)
        query = {key: values[-1] for key, values in parse_qs(split.query).items()}
        parsed = _json_or_none(body)
        with self._lock:
            recorded = Recorded(method, split.path, query, parsed, headers, time.monotonic())
            self.requests.append(recorded)
            if not self._authorised(headers.get("Authorization", "")):
                return _error(401, "Access denied: invalid credentials")
            fault = self._take_fault(recorded)
            if fault is None:
                return self._route(recorded)
        if fault.status == -1:
            self._unstall.wait(timeout=10)
            return _Reply(0)
        if fault.status == 0:
            return _Reply(0)
        return _error(fault.status, *fault.errors, headers=fault.headers)

    def _authorised(self, header: str) -> bool:
        expected = base64.b64encode(f"{self.access_key}:{self.access_secret}".encode()).decode()
        return secrets.compare_digest(header, f"Basic {expected}")

    def _take_fault(self, request: Recorded) -> _Fault | None:
        queue = self._faults.get(request.path)
        if not queue:
            return None
        if queue[0].with_cursor_only and request.cursor is None:
            return None
        return queue.popleft()

    def _route(self, request: Recorded) -> _Reply:
        if (request.method, request.path) == ("POST", EXTENSIVE):
            return self._list_calls(request, "calls", self._extensive_items)
        if (request.method, request.path) == ("POST", TRANSCRIPT):
            return self._list_calls(request, "callTranscripts", self._transcript_items)
        if (request.method, request.path) == ("GET", USERS):
            return self._page(request, "users", self._users, empty_is_404=False)
        # What a wrong base URL gets: not Gong's JSON error shape.
        return _Reply(404, raw=b"<html><body>Not Found</body></html>", headers=_HTML)

    def _list_calls(self, request: Recorded, key: str, select: Any) -> _Reply:
        if not isinstance(request.body, dict) or not isinstance(request.body.get("filter"), dict):
            return _error(400, "filter: must not be null")
        try:
            wanted = self._matching_ids(request.filter)
        except ValueError as exc:
            return _error(400, str(exc))
        return self._page(request, key, select(wanted, request.body), empty_is_404=True)

    def _matching_ids(self, call_filter: dict[str, Any]) -> list[str]:
        start = _parse_time(call_filter.get("fromDateTime"), "filter.fromDateTime")
        end = _parse_time(call_filter.get("toDateTime"), "filter.toDateTime")
        if start and end and start >= end:
            raise ValueError("filter.fromDateTime: must be before toDateTime")
        ids = call_filter.get("callIds")
        if ids is not None and len(ids) > MAX_CALL_IDS:
            raise ValueError(f"filter.callIds: size must be at most {MAX_CALL_IDS}")
        matching = []
        for call_id, call in self._calls.items():
            started = _parse_time(call["metaData"]["started"], "started")
            assert started is not None
            if (start and started < start) or (end and started >= end):
                continue
            if ids is not None and call_id not in ids:
                continue
            matching.append((started, call_id))
        return [call_id for _, call_id in sorted(matching)]

    def _extensive_items(self, ids: Iterable[str], body: dict[str, Any]) -> list[dict[str, Any]]:
        selector = body.get("contentSelector") or {}
        return [_select(self._calls[i], selector) for i in ids if i not in self._hidden]

    def _transcript_items(self, ids: Iterable[str], _body: dict[str, Any]) -> list[dict[str, Any]]:
        return [self._transcripts[i] for i in ids if i in self._transcripts]

    def _page(
        self, request: Recorded, key: str, items: list[dict[str, Any]], *, empty_is_404: bool
    ) -> _Reply:
        """One page of `items`, following the cursor the request carried."""
        identity = _identity(request)
        offset = 0
        if request.cursor is not None:
            known = self._cursors.get(request.cursor)
            if known is None or known[0] != identity:
                return _error(400, "cursor: invalid cursor for this request")
            offset = known[1]
        if not items and empty_is_404:
            return _error(404, NO_CALLS)
        page = items[offset : offset + self.page_size]
        records: dict[str, Any] = {
            "totalRecords": len(items),
            "currentPageSize": len(page),
            "currentPageNumber": offset // self.page_size,
        }
        if offset + self.page_size < len(items):
            cursor = secrets.token_urlsafe(24)
            self._cursors[cursor] = (identity, offset + self.page_size)
            records["cursor"] = cursor
        return _Reply(200, {"requestId": _request_id(), "records": records, key: page})


_HTML = {"Content-Type": "text/html"}


def _error(status: int, *errors: str, headers: dict[str, str] | None = None) -> _Reply:
    return _Reply(status, {"requestId": _request_id(), "errors": list(errors)}, headers or {})


def _request_id() -> str:
    return secrets.token_hex(10)


def _json_or_none(body: bytes) -> Any:
    try:
        return json.loads(body) if body else None
    except ValueError:
        return None


def _identity(request: Recorded) -> str:
    """The request without its cursor: a cursor is only valid for an identical request."""
    body = {k: v for k, v in request.body.items() if k != "cursor"} if request.body else None
    query = {k: v for k, v in request.query.items() if k != "cursor"}
    return json.dumps([request.method, request.path, body, query], sort_keys=True)


def _parse_time(value: Any, what: str) -> datetime | None:
    if value is None:
        return None
    try:
        parsed = datetime.fromisoformat(str(value))
    except ValueError:
        raise ValueError(f"{what}: invalid date-time {value!r}") from None
    if parsed.tzinfo is None:
        raise ValueError(f"{what}: date-time needs an offset or Z")
    return parsed


def _select(call: dict[str, Any], selector: dict[str, Any]) -> dict[str, Any]:
    """The call as a contentSelector exposes it: unrequested blocks are absent."""
    exposed = selector.get("exposedFields") or {}
    item = {"metaData": call["metaData"]}
    if exposed.get("parties") and "parties" in call:
        item["parties"] = call["parties"]
    for block in ("content", "interaction"):
        if exposed.get(block) and block in call:
            item[block] = call[block]
    context = selector.get("context", "None")
    if context == "Extended" and "context" in call:
        item["context"] = call["context"]
    elif context == "Basic" and "context" in call:
        item["context"] = [
            {**system, "objects": [_basic(obj) for obj in system.get("objects", [])]}
            for system in call["context"]
        ]
    return item


def _basic(obj: dict[str, Any]) -> dict[str, Any]:
    return {"objectType": obj.get("objectType"), "objectId": obj.get("objectId")}
