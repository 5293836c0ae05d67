"""What readers of a LanceDB generation see: both tables at versions that belong together.

A call's chunks and its call row live in two tables, so an upsert is two commits. Around
them the writer sets `writing.json` to the versions from before it (with its pid and a
sequence number) and clears it after. Readers open both tables at one pair of versions:
the pair from before a write in progress, else the latest, read between two looks at the
file that found it unchanged (a sequence lock: no reader waits, and no writer waits for
readers). A writer that died between its commits leaves the file set; its pid is gone, so
readers read the latest again, and the next run redoes the call (its row kept the old
content hash).

Inside `holding` (see `LanceStore.pinned`), every read of the task and of the tasks it
starts sees one pair, so an answer built from several reads (a search, then the
transcripts of the calls it found) comes from one moment of the index.
"""

from __future__ import annotations

import contextlib
import contextvars
import json
import os
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NamedTuple

__all__ = ["WRITING", "Pin", "Versions", "holding", "pinned_for", "readable", "writing"]

WRITING = "writing.json"
# A reader that keeps finding a new write under it reads the latest after this many looks.
_LOOKS = 20


class Versions(NamedTuple):
    """A version of each table, readable together (a key of the views kept open)."""

    chunks: int
    calls: int


@dataclass(frozen=True)
class Pin:
    """What one request reads: a generation and a pair of its versions."""

    generation: str
    versions: Versions


# Per index directory: a process may hold several stores (tests, benchmarks).
_PINS: contextvars.ContextVar[dict[Path, Pin]] = contextvars.ContextVar("lance_pins")


@contextlib.contextmanager
def writing(generation_path: Path, before: Versions) -> Iterator[None]:
    """Around a write's commits: readers keep reading `before` until it ends."""
    sequence = int(_look(generation_path).get("sequence", 0)) + 1
    state = {"chunks": before.chunks, "calls": before.calls, "pid": os.getpid()}
    _set(generation_path, {"sequence": sequence, **state})
    try:
        yield
    finally:
        _set(generation_path, {"sequence": sequence + 1})


def readable(generation_path: Path, latest: Callable[[], Versions]) -> Versions:
    """The versions to read: those from before a write in progress, else the latest."""
    for _ in range(_LOOKS):
        first = _look(generation_path)
        pid = first.get("pid")
        if isinstance(pid, int) and _alive(pid):
            return Versions(int(first["chunks"]), int(first["calls"]))
        versions = latest()
        if _look(generation_path) == first:
            return versions
    return latest()


def pinned_for(index: Path) -> Pin | None:
    """The pin the current task holds on `index`, if any."""
    return _PINS.get({}).get(index)


@contextlib.contextmanager
def holding(index: Path, pin: Pin) -> Iterator[None]:
    """Pin `index` for the reads of the current task and the tasks it starts."""
    token = _PINS.set({**_PINS.get({}), index: pin})
    try:
        yield
    finally:
        _PINS.reset(token)


def _look(generation_path: Path) -> dict[str, Any]:
    try:
        raw = json.loads((generation_path / WRITING).read_text())
    except (OSError, ValueError):
        return {}  # never written (an index from before), or unreadable: no write known
    return raw if isinstance(raw, dict) else {}


def _set(generation_path: Path, state: dict[str, Any]) -> None:
    # Atomic for readers (old or new content); the name is the writer's own.
    tmp = generation_path / f"{WRITING}.{os.getpid()}.{threading.get_ident()}.tmp"
    tmp.write_text(json.dumps(state))
    tmp.replace(generation_path / WRITING)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # another user's process: alive
    return True
