"""One writer at a time per data dir: sync, ingest, reindex, quarantine retries and the purge.

Two writers at once would race on the index's commits (LanceDB answers the loser with a
"commit conflict") and on the sync checkpoint. Each writer holds an exclusive `flock` on
`SOPHIA_DATA_DIR/writer.lock` for its whole run, across processes on the machine; the file
says who holds it, so a second writer can tell the person who started it what to wait for.
The kernel drops the lock with its process, so a killed writer never leaves it stuck.
A writer asked to wait polls the lock (for at most `wait_s`, if given); every wait and
refusal is logged and counted (`sophia_writer_waits_total`).
"""

from __future__ import annotations

import asyncio
import contextlib
import errno
import fcntl
import json
import logging
import os
import time
from collections.abc import AsyncIterator
from pathlib import Path

from sophia.core.clock import Clock
from sophia.core.errors import AlreadyRunning, StateError
from sophia.core.metrics import WRITER_WAITS

__all__ = ["WriterLock"]

log = logging.getLogger("sophia.writer")

_NAME = "writer.lock"
# How often a writer asked to wait tries the lock again (cancellable, unlike a blocking
# flock in a thread).
_POLL_S = 0.2


class WriterLock:
    """The data dir's writer lock."""

    def __init__(self, data_dir: Path, clock: Clock) -> None:
        self.path = data_dir / _NAME
        self._clock = clock

    @contextlib.asynccontextmanager
    async def hold(
        self, operation: str, *, wait: bool = False, wait_s: float | None = None
    ) -> AsyncIterator[None]:
        """Run the block as the only writer. When another one holds the lock:
        `AlreadyRunning`, or with `wait`, run as soon as it is done (`AlreadyRunning` after
        `wait_s` seconds of waiting, if given)."""
        fd = self._open()
        try:
            started = time.monotonic()
            waited: float | None = None
            while not _try_lock(fd):
                holder = self._holder()
                if not wait:
                    WRITER_WAITS.labels(operation, "refused").inc()
                    raise AlreadyRunning(
                        f"{holder}; this {operation} can wait for it (--wait), or run it "
                        "again when that one is done."
                    )
                first, waited = waited is None, time.monotonic() - started
                if wait_s is not None and waited >= wait_s:
                    WRITER_WAITS.labels(operation, "gave_up").inc()
                    raise AlreadyRunning(
                        f"{holder}; this {operation} waited {waited:.0f} s for it and gave up."
                    )
                if first:
                    log.info("%s waits: %s", operation, holder)
                await asyncio.sleep(_POLL_S)
            if waited is not None:
                WRITER_WAITS.labels(operation, "ran").inc()
                log.info(
                    "%s runs after waiting %.1f s for the writer lock",
                    operation,
                    time.monotonic() - started,
                )
            self._record(fd, operation)
            yield
        finally:
            # Closing the descriptor releases the lock (and the next writer rewrites the file).
            os.close(fd)

    def _open(self) -> int:
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            return os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        except OSError as exc:
            raise StateError(
                f"Cannot take the writer lock {self.path} ({exc.strerror}); make "
                "SOPHIA_DATA_DIR writable."
            ) from None

    def _record(self, fd: int, operation: str) -> None:
        started = self._clock.now().isoformat(timespec="seconds")
        holder = {"pid": os.getpid(), "since": started, "operation": operation}
        with contextlib.suppress(OSError):  # who holds it is for messages only
            os.ftruncate(fd, 0)
            os.pwrite(fd, json.dumps(holder).encode(), 0)

    def _holder(self) -> str:
        """Who holds the lock, as a sentence: "A sync is already running (pid N, since …)"."""
        try:
            holder = json.loads(self.path.read_text() or "{}")
            return (
                f"A {holder['operation']} is already running "
                f"(pid {holder['pid']}, since {holder['since']})"
            )
        except (OSError, ValueError, KeyError, TypeError):
            return "Another writer is already running (pid unknown)"


def _try_lock(fd: int) -> bool:
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError as exc:
        if exc.errno in (errno.EWOULDBLOCK, errno.EAGAIN):
            return False
        raise
    return True
