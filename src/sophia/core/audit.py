"""The audit log: one JSON line per query, answer or feedback click, on every surface.

`Session` writes it (core/session.py), so no surface can skip it. Lines go to
`<data dir>/audit/audit.jsonl`, appended with one `write` each, and the file rotates by size
into `audit.jsonl.1` ... `audit.jsonl.N`. A line holds who asked, from where, what they asked
(PII redacted), which calls the answer cited and how it ended; never a secret, never
transcript text.
"""

from __future__ import annotations

import fcntl
import logging
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ValidationError

from sophia.core.errors import SophiaError

__all__ = ["AuditEntry", "AuditError", "AuditLog", "Outcome", "read_audit"]

log = logging.getLogger("sophia.audit")

Outcome = Literal["ok", "denied", "error"]
_NAME = "audit.jsonl"


class AuditError(SophiaError):
    """The audit log could not be written; the request is refused rather than unaudited."""


class AuditEntry(BaseModel):
    """One line of the audit log."""

    time: datetime
    surface: str
    user: str | None = None
    channel: str | None = None
    request_id: str
    # search, ask, brief, call, competitors, stalled, coaching, weekly_brief, stats, feedback
    kind: str
    query: str | None = None  # the user's own words, PII redacted; never transcript text
    filters: dict[str, Any] | None = None
    intent: str | None = None
    call_ids: list[str] | None = None
    latency_ms: float | None = None
    outcome: Outcome = "ok"
    error: str | None = None  # the exception's type, never its message
    # How many restricted accounts were hidden from this viewer (0: none).
    excluded_accounts: int = 0
    about: str | None = None  # feedback: the request id it is about
    vote: str | None = None  # feedback: up or down


class AuditLog:
    """Append-only JSON lines with size-based rotation; safe across tasks, threads, processes."""

    def __init__(self, directory: Path, *, max_bytes: int, backups: int) -> None:
        self.directory = directory
        self.path = directory / _NAME
        self._max_bytes = max_bytes
        self._backups = backups
        self._lock = threading.Lock()

    def write(self, entry: AuditEntry) -> None:
        """Append one line (rotating first if it would pass the size limit)."""
        line = (entry.model_dump_json(exclude_none=True) + "\n").encode()
        try:
            with self._lock, self._exclusive():
                self._rotate_for(len(line))
                fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
                try:
                    # One write per line: with O_APPEND the line lands whole at the end,
                    # whichever process writes next.
                    written = os.write(fd, line)
                    while written < len(line):
                        written += os.write(fd, line[written:])
                finally:
                    os.close(fd)
        except OSError as exc:
            log.error("cannot write the audit log %s: %s", self.path, exc.strerror)
            raise AuditError(
                f"The audit log {self.path} cannot be written ({exc.strerror}); "
                "requests are refused until it can."
            ) from None

    def files(self) -> list[Path]:
        """The log's files, oldest first (the highest rotation number first)."""
        return _files(self.directory)

    @contextmanager
    def _exclusive(self) -> Iterator[None]:
        # Another process may be rotating: hold the directory's lock file while we write.
        self.directory.mkdir(mode=0o700, parents=True, exist_ok=True)
        fd = os.open(self.directory / ".lock", os.O_WRONLY | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            yield
        finally:
            os.close(fd)  # closing releases the lock

    def _rotate_for(self, incoming: int) -> None:
        try:
            size = self.path.stat().st_size
        except FileNotFoundError:
            return
        if size == 0 or size + incoming <= self._max_bytes:
            return
        oldest = self._numbered(self._backups)
        oldest.unlink(missing_ok=True)
        for number in range(self._backups - 1, 0, -1):
            source = self._numbered(number)
            if source.exists():
                source.rename(self._numbered(number + 1))
        self.path.rename(self._numbered(1))

    def _numbered(self, number: int) -> Path:
        return self.directory / f"{_NAME}.{number}"


def read_audit(
    directory: Path, *, since: datetime | None = None, user: str | None = None
) -> tuple[list[AuditEntry], int]:
    """Entries of the current and rotated files in time order, and how many lines were
    unreadable. `since` keeps entries at or after it; `user` those of that user."""
    entries: list[AuditEntry] = []
    unreadable = 0
    for path in _files(directory):
        try:
            lines = path.read_bytes().splitlines()
        except FileNotFoundError:
            continue  # rotated away while we read
        for line in lines:
            if not line.strip():
                continue
            try:
                entry = AuditEntry.model_validate_json(line)
            except ValidationError:
                unreadable += 1
                continue
            if since is not None and entry.time < since:
                continue
            if user is not None and entry.user != user:
                continue
            entries.append(entry)
    entries.sort(key=lambda e: e.time)  # stable: equal times keep file order
    return entries, unreadable


def _files(directory: Path) -> list[Path]:
    numbered: list[tuple[int, Path]] = []
    for path in directory.glob(f"{_NAME}.*"):
        suffix = path.name.removeprefix(f"{_NAME}.")
        if suffix.isdigit():
            numbered.append((int(suffix), path))
    current = directory / _NAME
    ordered = [path for _, path in sorted(numbered, reverse=True)]
    return [*ordered, current] if current.exists() else ordered
