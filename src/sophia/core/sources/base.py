"""The `CallSource` Protocol: what the ingest pipeline needs from any source of calls."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from sophia.core.models import Call
from sophia.core.quarantine import Quarantined

__all__ = ["CallSource", "SourceBatch", "is_complete_listing"]


@dataclass(frozen=True)
class SourceBatch:
    """Up to `batch_size` calls, and what the source could not deliver yet.

    `pending` are call ids whose transcript or details have not arrived (the source retries
    them on its next run); `quarantined` are the items it could not parse, with reasons (the
    pipeline records them; the batch goes on without them). `duplicates` are call ids the
    source held more than once (the last one counts). `checkpoint` is opaque: the pipeline
    hands it back to `commit()` once every call of the batch is stored or quarantined.
    """

    calls: list[Call]
    pending: tuple[str, ...] = ()
    quarantined: tuple[Quarantined, ...] = ()
    checkpoint: Any = None
    # Calls the source has seen so far in this run, for progress display; None if unknown.
    seen: int | None = None
    total: int | None = None
    duplicates: tuple[str, ...] = ()

    @property
    def rejected(self) -> tuple[str, ...]:
        """Why each quarantined item was refused, one line each."""
        return tuple(q.line() for q in self.quarantined)


class CallSource(Protocol):
    """Yields calls in batches and remembers how far a run got."""

    name: str

    def batches(self, batch_size: int, since: datetime | None) -> AsyncIterator[SourceBatch]:
        """Calls started at or after `since` (None: the source's own default), in batches."""
        ...

    async def commit(self, batch: SourceBatch) -> None:
        """Record that every call of `batch` is stored, so a rerun continues after it."""
        ...

    @property
    def pending_count(self) -> int:
        """Calls still waiting for data after this run (never dropped)."""
        ...


def is_complete_listing(source: CallSource) -> bool:
    """True for a source that reads all of its records on every run (a folder, a snapshot):
    any of its quarantined records that a run did not meet again is gone or fixed."""
    return bool(getattr(source, "complete_listing", False))
