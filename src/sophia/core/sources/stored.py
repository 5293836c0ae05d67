"""Calls already in hand (quarantined ones being retried) as a call source."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from datetime import datetime

from sophia.core.models import Call
from sophia.core.quarantine import Quarantined
from sophia.core.sources.base import SourceBatch

__all__ = ["StoredCallsSource"]


class StoredCallsSource:
    """Yields the given calls under the name of the source they first came from."""

    pending_count = 0

    def __init__(
        self, name: str, calls: Sequence[Call], refused: Sequence[Quarantined] = ()
    ) -> None:
        self.name = name
        self._calls = list(calls)
        self._refused = tuple(refused)

    async def batches(self, batch_size: int, since: datetime | None) -> AsyncIterator[SourceBatch]:
        for start in range(0, max(len(self._calls), 1), batch_size):
            yield SourceBatch(
                self._calls[start : start + batch_size],
                quarantined=self._refused if start == 0 else (),
                seen=min(len(self._calls), start + batch_size),
                total=len(self._calls),
            )

    async def commit(self, batch: SourceBatch) -> None:
        return None
