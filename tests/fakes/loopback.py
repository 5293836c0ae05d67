"""What every fake server shares: one lifecycle on 127.0.0.1, the request handler's reading
and writing, no proxy between a client and loopback, and a retry sleep that records its
waits instead of waiting.

A fake binds 127.0.0.1 on a port the OS picks when it starts; the socket listens before
`start()` returns, so a client may connect at once (no wait for readiness, no sleep).
"""

from __future__ import annotations

import asyncio
import json
import socket
import threading
from collections.abc import AsyncIterator, Awaitable, Callable, Generator, Mapping
from contextlib import asynccontextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any, ClassVar, Protocol, Self, TypeVar

import pytest
from aiohttp import web

__all__ = [
    "LoopbackApp",
    "LoopbackFake",
    "LoopbackHandler",
    "RecordedSleep",
    "clear_proxies",
    "closed_after",
    "free_port",
    "serving",
]

HOST = "127.0.0.1"

# httpx, aiohttp and grpc honour these; a proxy must never see loopback test traffic.
PROXY_VARIABLES = (
    "HTTP_PROXY",
    "HTTPS_PROXY",
    "ALL_PROXY",
    "http_proxy",
    "https_proxy",
    "all_proxy",
    "GRPC_PROXY",
    "grpc_proxy",
)


def clear_proxies(monkeypatch: pytest.MonkeyPatch, *also: str) -> None:
    """Unset the proxy variables (and `also`) for this test."""
    for name in (*PROXY_VARIABLES, *also):
        monkeypatch.delenv(name, raising=False)


def free_port() -> int:
    """A loopback port nobody listened on a moment ago (for a server in another process)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        port: int = sock.getsockname()[1]
        return port


class LoopbackHandler(BaseHTTPRequestHandler):
    """Base of the fakes' request handlers: keep-alive, answers without delay, no access log."""

    protocol_version = "HTTP/1.1"
    # Headers and body go out in separate writes: without this, Nagle's algorithm and delayed
    # ACKs hold each answer about 40 ms.
    disable_nagle_algorithm = True

    @property
    def fake(self) -> Any:
        """The fake this server belongs to."""
        return self.server.fake  # type: ignore[attr-defined]

    def read_body(self) -> bytes:
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    def send_body(self, status: int, data: bytes, headers: Mapping[str, str]) -> None:
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def send_json(self, status: int, payload: Any, headers: Mapping[str, str] = {}) -> None:
        """`payload` as JSON (an empty body for None), with these extra headers."""
        data = b"" if payload is None else json.dumps(payload).encode()
        self.send_body(status, data, {"Content-Type": "application/json", **headers})

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: tests assert on what the fake recorded, not on stderr."""


class LoopbackFake:
    """Base of the thread-served fakes: `start()` ... `stop()`, or `with Fake() as fake:`.

    A subclass names its request handler; it may extend `start`/`stop` (another listener,
    requests to release) and calls the base's.
    """

    handler: ClassVar[type[LoopbackHandler]]
    _http: ThreadingHTTPServer | None = None
    _thread: threading.Thread | None = None

    def start(self) -> Self:
        """Listen on a free loopback port and serve from a background thread."""
        self._http = ThreadingHTTPServer((HOST, 0), self.handler)
        self._http.fake = self  # type: ignore[attr-defined]
        # A short poll keeps shutdown() (once per test) from waiting the default 0.5 s.
        self._thread = threading.Thread(
            target=self._http.serve_forever, kwargs={"poll_interval": 0.01}, daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving; connections are refused afterwards."""
        if self._http is not None:
            self._http.shutdown()
            self._http.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    @property
    def root(self) -> str:
        """http://127.0.0.1:PORT, without a path."""
        assert self._http is not None, "start() the fake first"
        return f"http://{HOST}:{self._http.server_port}"

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.stop()


class LoopbackApp:
    """The same lifecycle for a fake served by aiohttp on the test's event loop (for a fake
    that speaks WebSocket as well as HTTP)."""

    def __init__(self, app: web.Application) -> None:
        self._runner = web.AppRunner(app, access_log=None)
        self.port = 0

    async def start(self) -> None:
        await self._runner.setup()
        site = web.TCPSite(self._runner, HOST, 0)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]

    async def stop(self) -> None:
        await self._runner.cleanup()

    @property
    def root(self) -> str:
        return f"http://{HOST}:{self.port}"


Fake = TypeVar("Fake", bound=LoopbackFake)


def serving(
    fake: Fake, monkeypatch: pytest.MonkeyPatch, *unset: str
) -> Generator[Fake, None, Fake]:
    """The body of a fixture: `fake` started with no proxy (and `unset` variables) in the
    way, stopped after the test. Use as `yield from serving(Fake(), monkeypatch)`; it
    returns the stopped fake, for checks after the test."""
    clear_proxies(monkeypatch, *unset)
    with fake:
        yield fake
    return fake


class Closable(Protocol):
    def aclose(self) -> Awaitable[None]: ...


Client = TypeVar("Client", bound=Closable)


@asynccontextmanager
async def closed_after(
    build: Callable[..., Client], **defaults: Any
) -> AsyncIterator[Callable[..., Client]]:
    """A factory of clients (`build(**defaults, **overrides)`), each closed when the block
    ends."""
    made: list[Client] = []

    def make(**overrides: Any) -> Client:
        made.append(build(**{**defaults, **overrides}))
        return made[-1]

    yield make
    for client in made:
        await client.aclose()


class RecordedSleep:
    """An injectable sleep that records the waits asked for and returns at once."""

    def __init__(self) -> None:
        self.waits: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.waits.append(seconds)
        await asyncio.sleep(0)
