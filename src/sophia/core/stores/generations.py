"""Index generations on disk: a pointer file names the live one, readers lease what they read.

`sophia reindex` builds a new generation beside the live one and switches the pointer in one
step (write a temporary file, then `os.replace`), so searches keep answering from the old
generation meanwhile, and a reindex killed at any point leaves the old one serving. A
generation no longer live is removed once no reader holds a lease on it: each read takes a
shared `flock` on the generation's lease file; removal needs the exclusive lock, so it never
pulls files from under a query in any process.

Layout under the index directory (`SOPHIA_DATA_DIR/index`):

    CURRENT          {"generation": "gen-…"}: the live one
    gen-<id>/        one LanceDB database (tables `chunks`, `calls`) plus index.json
    gen-<id>/.lease  the lease file
    gen-<id>/writing.json  a write in progress (core/stores/lance_visible.py)

An index written before generations existed keeps its tables in the directory itself; it
is the live generation (named ".") until the first reindex moves past it.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import json
import logging
import os
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

from tenacity import Retrying, retry_if_result, stop_after_delay, wait_fixed

from sophia.core.stores.lance_visible import WRITING

__all__ = ["LEGACY", "GenerationGone", "Generations"]

log = logging.getLogger("sophia.stores")

POINTER = "CURRENT"
LEGACY = "."
_LEASE = ".lease"
_META = "index.json"
_PREFIX = "gen-"


class GenerationGone(Exception):
    """The generation was removed between reading the pointer and leasing it: read again."""


class Generations:
    """The generations under one index directory."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def live(self) -> str | None:
        """The live generation's name; None when there is no index here yet."""
        try:
            raw = json.loads((self.root / POINTER).read_text())
        except FileNotFoundError:
            return LEGACY if (self.root / _META).exists() else None
        except (OSError, ValueError) as exc:
            raise OSError(f"{self.root / POINTER} is unreadable: {exc}") from None
        name = raw.get("generation") if isinstance(raw, dict) else None
        if not isinstance(name, str) or not name.startswith(_PREFIX) or "/" in name:
            raise OSError(f"{self.root / POINTER} names no generation")
        return name

    def path(self, name: str) -> Path:
        return self.root if name == LEGACY else self.root / name

    def create(self) -> str:
        """A new, empty generation directory (not live until `point_to`)."""
        name = f"{_PREFIX}{uuid.uuid4().hex[:16]}"
        path = self.root / name
        path.mkdir(parents=True)
        (path / _LEASE).touch()
        return name

    def point_to(self, name: str) -> None:
        """Make `name` the live generation, atomically (readers see the old or the new)."""
        tmp = self.root / f"{POINTER}.tmp"
        with tmp.open("w") as handle:
            json.dump({"generation": name}, handle)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, self.root / POINTER)
        _fsync_dir(self.root)

    @contextlib.contextmanager
    def lease(self, name: str) -> Iterator[None]:
        """Hold a shared lease on `name` while reading it; `GenerationGone` if it was removed."""
        fd = self._open_lease(name)
        try:
            if fd is not None:
                fcntl.flock(fd, fcntl.LOCK_SH)
            # Removed between opening the lease file and locking it: the caller reads again.
            if not (self.path(name) / _META).exists():
                raise GenerationGone(name)
            yield
        finally:
            if fd is not None:
                os.close(fd)

    def hold(self, name: str) -> int | None:
        """A shared lease kept until `release` (a generation being built is never removed)."""
        fd = self._open_lease(name)
        if fd is not None:
            fcntl.flock(fd, fcntl.LOCK_SH)
        return fd

    @staticmethod
    def release(fd: int | None) -> None:
        if fd is not None:
            os.close(fd)

    def remove_unused(self) -> list[str]:
        """Remove every generation that is not live and that no process is reading or
        building; returns their names. Busy ones stay for a later call."""
        try:
            live = self.live()
        except OSError:
            return []  # without a readable pointer, nothing is known to be unused
        removed = []
        candidates = [p.name for p in self.root.glob(f"{_PREFIX}*") if p.is_dir()]
        if live != LEGACY and (self.root / _META).exists():
            candidates.append(LEGACY)
        for name in candidates:
            if name == live:
                continue
            if self._remove_if_free(name):
                removed.append(name)
        if removed:
            log.info("removed index generations no longer in use: %s", ", ".join(removed))
        return removed

    def retire(self, name: str, *, wait_s: float = 10.0) -> bool:
        """Remove `name` (just replaced as live) once the queries still reading it finish:
        they take milliseconds, and new ones read the new generation. False if it stayed
        busy for `wait_s` (a later `remove_unused` takes it)."""
        retrying = Retrying(
            stop=stop_after_delay(wait_s),
            wait=wait_fixed(0.02),
            retry=retry_if_result(lambda removed: not removed),
            retry_error_callback=lambda state: False,
        )
        removed: bool = retrying(self._remove_if_free, name)
        if removed:
            log.info("removed the index generation %s, replaced by a reindex", name)
        return removed

    def _remove_if_free(self, name: str) -> bool:
        try:
            fd = self._open_lease(name)
        except GenerationGone:
            return True
        try:
            if fd is not None:
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                except BlockingIOError:
                    return False  # a reader or a builder is on it
            if name == LEGACY:
                # Only the old tables and record go: the directory holds the generations.
                for path in self.root.glob("*.lance"):
                    shutil.rmtree(path, ignore_errors=True)
                (self.root / _META).unlink(missing_ok=True)
                (self.root / WRITING).unlink(missing_ok=True)
            else:
                shutil.rmtree(self.root / name, ignore_errors=True)
            return True
        finally:
            if fd is not None:
                os.close(fd)

    def _open_lease(self, name: str) -> int | None:
        """The lease file's descriptor; None where none can exist (an old index in a
        read-only directory: nothing can remove it there either)."""
        path = self.path(name) / _LEASE
        try:
            return os.open(path, os.O_RDONLY)
        except FileNotFoundError:
            if not self.path(name).is_dir():
                raise GenerationGone(name) from None
        try:
            return os.open(path, os.O_RDONLY | os.O_CREAT, 0o600)
        except OSError as exc:
            if exc.errno in (errno.EROFS, errno.EACCES, errno.EPERM):
                return None
            raise


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
