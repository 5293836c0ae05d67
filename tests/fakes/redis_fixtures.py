"""A real redis-server per test on a free loopback port, and Sophia opened on it; load with
`pytest_plugins`.

When redis-server is missing or does not start, a test that needs it fails under CI=true
(`.ci/run` installs it, so that is a broken setup) and is skipped with the reason elsewhere.
"""

from __future__ import annotations

import shutil
import signal
import subprocess
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from pathlib import Path

import pytest
import redis

from sophia.core.config import Settings
from sophia.core.services import Sophia
from tests.fakes.loopback import free_port
from tests.fakes.servers import log_tail, server_env, stop_process, unavailable

__all__ = ["OpenReplica", "RedisServer", "open_replica", "redis_server", "redis_settings"]

_START_TIMEOUT_S = 10.0
_STOP_TIMEOUT_S = 10.0
_PORT_TRIES = 3


class RedisStartError(Exception):
    """redis-server did not come up."""


class RedisServer:
    """One redis-server process (no persistence) that a test may stop and start again on
    the same port."""

    def __init__(self, binary: str, log_dir: Path) -> None:
        self._binary = binary
        self._log_dir = log_dir
        self.port = 0
        self._process: subprocess.Popen[bytes] | None = None
        self._starts = 0

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    @property
    def pid(self) -> int | None:
        return None if self._process is None else self._process.pid

    def start(self, port: int | None = None) -> None:
        """Start on `port` (a free one by default) and return once it answers PING."""
        self.port = port or free_port()
        self._starts += 1
        log = self._log_dir / f"redis-{self.port}-{self._starts}.log"
        with log.open("wb") as output:
            self._process = subprocess.Popen(
                [
                    self._binary,
                    "--bind",
                    "127.0.0.1",
                    "--port",
                    str(self.port),
                    "--save",
                    "",
                    "--appendonly",
                    "no",
                ],
                stdout=output,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                env=server_env(),
            )
        self._wait_for_ping(log)

    def restart(self) -> None:
        """Start again on the same port (after `stop()`), empty: there is no persistence."""
        self.start(self.port)

    def stop(self) -> None:
        """Stop the process by its PID and wait for it to exit."""
        process, self._process = self._process, None
        stop_process(process, signal.SIGTERM, _STOP_TIMEOUT_S)

    def client(self) -> redis.Redis:
        """A synchronous client for a test's own reads (close it after)."""
        return redis.Redis(host="127.0.0.1", port=self.port, decode_responses=True)

    def _wait_for_ping(self, log: Path) -> None:
        assert self._process is not None
        deadline = time.monotonic() + _START_TIMEOUT_S
        probe = redis.Redis(
            host="127.0.0.1", port=self.port, socket_connect_timeout=0.2, socket_timeout=0.2
        )
        try:
            while time.monotonic() < deadline:
                if self._process.poll() is not None:
                    raise RedisStartError(
                        f"redis-server exited with {self._process.returncode} on port "
                        f"{self.port}: {log_tail(log)}"
                    )
                try:
                    if probe.ping():
                        return
                except redis.RedisError:
                    # Not listening yet: the next PING comes after a short pause.
                    time.sleep(0.01)
        finally:
            probe.close()
        self.stop()
        raise RedisStartError(f"redis-server did not answer PING within {_START_TIMEOUT_S:g} s")


@pytest.fixture
def redis_server(tmp_path: Path) -> Iterator[RedisServer]:
    """A started redis-server on 127.0.0.1 and a free port, stopped after the test."""
    binary = shutil.which("redis-server")
    if binary is None:
        unavailable("redis-server is not installed (apt-get install -y redis-server)")
        raise AssertionError("unreachable")  # pragma: no cover
    server = RedisServer(binary, tmp_path)
    problems = []
    # A free port can be taken between choosing it and binding it: try another.
    for _ in range(_PORT_TRIES):
        try:
            server.start()
            break
        except RedisStartError as exc:
            problems.append(str(exc))
    else:
        unavailable(f"redis-server would not start: {problems[-1]}")
    try:
        yield server
    finally:
        server.stop()


OpenReplica = Callable[..., Awaitable[Sophia]]


@pytest.fixture
def redis_settings(settings: Settings, redis_server: RedisServer) -> Settings:
    """The conftest settings (hashing embedder, fresh data dir) plus REDIS_URL."""
    return settings.model_copy(update={"redis_url": redis_server.url})


@pytest.fixture
async def open_replica(redis_settings: Settings) -> AsyncIterator[OpenReplica]:
    """Opens Sophia instances on the test's Redis (replicas share data dir and Redis);
    keyword arguments update their settings."""
    opened: list[Sophia] = []

    async def open_one(**updates: object) -> Sophia:
        opened.append(await Sophia.open(redis_settings.model_copy(update=updates)))
        return opened[-1]

    yield open_one
    for app in opened:
        await app.aclose()
