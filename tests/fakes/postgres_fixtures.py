"""A real PostgreSQL server for the test session, on a free loopback port in a temporary
directory, and a fresh database per test; load with `pytest_plugins`.

initdb and postgres refuse to run as root: as root (a CI container) the server runs as the
`postgres` system user (setpriv), in a directory that user owns. When the binaries are
missing or the server does not start, a test that needs it fails under CI=true (`.ci/run`
installs postgresql, so that is a broken setup) and is skipped with the reason elsewhere.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import signal
import subprocess
import tempfile
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

from tests.fakes.loopback import free_port
from tests.fakes.servers import log_tail, server_env, stop_process, unavailable

__all__ = ["PostgresServer", "postgres_server", "postgres_url"]

_START_TIMEOUT_S = 30.0
_STOP_TIMEOUT_S = 15.0
_USER = "sophia"


class PostgresStartError(Exception):
    """The server did not come up."""


class PostgresServer:
    """One postgres process (fsync off: its data is thrown away) owned by this session."""

    def __init__(self, bin_dir: Path, root: Path, run_as: list[str]) -> None:
        self._bin = bin_dir
        self._root = root
        self._run_as = run_as
        self.port = 0
        self._process: subprocess.Popen[bytes] | None = None

    def url(self, database: str = "postgres") -> str:
        return f"postgresql+psycopg://{_USER}@127.0.0.1:{self.port}/{database}"

    def start(self) -> None:
        """initdb, then start the server and return once it accepts connections."""
        data = self._root / "data"
        log = self._root / "server.log"
        initdb = [str(self._bin / "initdb"), "-D", str(data), "-U", _USER, "-A", "trust"]
        done = subprocess.run(
            [*self._run_as, *initdb, "--no-sync", "-E", "UTF8", "--locale=C"],
            capture_output=True,
            env=_server_env(),
            check=False,
        )
        if done.returncode:
            raise PostgresStartError(f"initdb failed: {done.stderr.decode(errors='replace')}")
        self.port = free_port()
        server = [str(self._bin / "postgres"), "-D", str(data), "-h", "127.0.0.1"]
        options = ["-p", str(self.port), "-k", str(self._root), "-F", "-c", "full_page_writes=off"]
        with log.open("wb") as output:
            self._process = subprocess.Popen(
                [*self._run_as, *server, *options],
                stdout=output,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                env=_server_env(),
            )
        self._wait_ready(log)

    def create_database(self) -> str:
        """A new empty database; its name."""
        name = f"t_{uuid.uuid4().hex[:12]}"
        with psycopg.connect(self._dsn("postgres"), autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        return name

    def query(self, database: str, sql: str) -> list[tuple[object, ...]]:
        """Rows of one statement, through a connection of the test's own."""
        with psycopg.connect(self._dsn(database)) as conn:
            return conn.execute(sql).fetchall()

    def stop(self) -> None:
        """Fast shutdown by PID (SIGINT), then wait for the process to exit."""
        process, self._process = self._process, None
        stop_process(process, signal.SIGINT, _STOP_TIMEOUT_S)

    def _dsn(self, database: str) -> str:
        return f"host=127.0.0.1 port={self.port} user={_USER} dbname={database} connect_timeout=2"

    def _wait_ready(self, log: Path) -> None:
        assert self._process is not None
        deadline = time.monotonic() + _START_TIMEOUT_S
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                raise PostgresStartError(
                    f"postgres exited with {self._process.returncode}: {log_tail(log)}"
                )
            try:
                with psycopg.connect(self._dsn("postgres")):
                    return
            except psycopg.OperationalError:
                # Not accepting connections yet: the next try comes after a short pause.
                time.sleep(0.05)
        self.stop()
        raise PostgresStartError(
            f"postgres did not accept connections within {_START_TIMEOUT_S:g} s"
        )


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    """A started PostgreSQL on 127.0.0.1 and a free port, for the whole session."""
    bin_dir = _bin_dir()
    if bin_dir is None:
        unavailable("PostgreSQL is not installed (apt-get install -y postgresql)")
    assert bin_dir is not None
    root = Path(tempfile.mkdtemp(prefix="sophia-pg-"))
    run_as: list[str] = []
    if os.geteuid() == 0:
        try:
            user = pwd.getpwnam("postgres")
        except KeyError:
            shutil.rmtree(root, ignore_errors=True)
            unavailable("running as root and there is no `postgres` user to run the server as")
        os.chown(root, user.pw_uid, user.pw_gid)
        run_as = ["setpriv", f"--reuid={user.pw_uid}", f"--regid={user.pw_gid}", "--init-groups"]
    server = PostgresServer(bin_dir, root, run_as)
    try:
        server.start()
    except (PostgresStartError, OSError) as exc:
        shutil.rmtree(root, ignore_errors=True)
        unavailable(f"PostgreSQL would not start: {exc}")
    try:
        yield server
    finally:
        server.stop()
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture
def postgres_url(postgres_server: PostgresServer) -> str:
    """The URL of a fresh, empty database on the session's server."""
    return postgres_server.url(postgres_server.create_database())


def _bin_dir() -> Path | None:
    """Where initdb and postgres are: Debian keeps them out of PATH, by major version."""
    found = shutil.which("initdb")
    candidates = [Path(os.path.realpath(found)).parent] if found else []
    candidates += [Path(p) for p in sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True)]
    for candidate in candidates:
        if (candidate / "initdb").exists() and (candidate / "postgres").exists():
            return candidate
    return None


def _server_env() -> dict[str, str]:
    """The server runs on the machine's time and in C's locale."""
    return {**server_env(), "LC_ALL": "C", "LANG": "C"}
