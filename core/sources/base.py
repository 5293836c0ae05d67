"""The `CallSource` Protocol: what the ingest pipeline needs from any source of calls."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from core.models import Call

__all__ = ["CallSource", "SourceBatch"]


@dataclass(frozen=True)
class SourceBatch:
    """Up to `batch_size` calls, and what the source could not deliver yet.

    `pending` are call ids whose transcript or details have not arrived (the source retries
    them on its next run); `rejected` are human-readable reasons for items it could not
    parse. `checkpoint` is opaque: the pipeline hands it back to `commit()` once every call
    of the batch is stored.
    """

    calls: list[Call]
    pending: tuple[str, ...] = ()
    rejected: tuple[str, ...] = ()
    checkpoint: Any = None
    # Calls the source has seen so far in this run, for progress display; None if unknown.
    seen: int | None = None
    total: int | None = None


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
