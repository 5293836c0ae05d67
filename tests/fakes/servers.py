"""What the fixtures that start a real server (redis-server, PostgreSQL) share."""

from __future__ import annotations

import os
import signal
import subprocess
from pathlib import Path

import pytest

__all__ = ["log_tail", "server_env", "stop_process", "unavailable"]


def unavailable(reason: str) -> None:
    """Skip the test, or fail it under CI=true, where `.ci/run` installs every server."""
    if os.environ.get("CI") == "true":
        pytest.fail(f"{reason} (CI=true: .ci/run installs it, so the setup is broken)")
    pytest.skip(reason)


def log_tail(log: Path, lines: int = 5) -> str:
    """The last lines of a server's log, on one line."""
    try:
        return " | ".join(log.read_text(errors="replace").strip().splitlines()[-lines:])
    except OSError:
        return "(no log)"


def server_env() -> dict[str, str]:
    """The server runs on the machine's time: a suite run under libfaketime (to prove it
    passes on any date) would otherwise hand the server the fake clock, which stalls it."""
    return {k: v for k, v in os.environ.items() if k not in ("LD_PRELOAD", "FAKETIME")}


def stop_process(
    process: subprocess.Popen[bytes] | None, how: signal.Signals, timeout_s: float = 10.0
) -> None:
    """Stop a server by its PID with `how` (SIGKILL after `timeout_s`) and wait for it."""
    if process is None or process.poll() is not None:
        return
    os.kill(process.pid, how)
    try:
        process.wait(timeout=timeout_s)
    except subprocess.TimeoutExpired:
        os.kill(process.pid, signal.SIGKILL)
        process.wait(timeout=timeout_s)
