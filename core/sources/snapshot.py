"""Stored calls written to a file and read back: the source behind `sophia reindex`."""

from __future__ import annotations

import gzip
from collections.abc import AsyncIterator, Sequence
from datetime import datetime
from pathlib import Path

from core.models import Call
from core.quarantine import Quarantined, describe_fault
from core.sources.base import SourceBatch

__all__ = ["SnapshotSource"]


class SnapshotSource:
    """Calls (already redacted) as JSON lines in a gzip file."""

    pending_count = 0

    def __init__(self, path: Path) -> None:
        self.path = path
        self.name = f"snapshot:{path.name}"

    def exists(self) -> bool:
        return self.path.exists()

    def write(self, calls: Sequence[Call]) -> None:
        """Write all calls, atomically: a half-written snapshot never replaces a whole one."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_name(self.path.name + ".tmp")
        with gzip.open(tmp, "wt", encoding="utf-8") as handle:
            for call in calls:
                handle.write(call.model_dump_json() + "\n")
        tmp.replace(self.path)

    def remove(self) -> None:
        self.path.unlink(missing_ok=True)

    async def batches(self, batch_size: int, since: datetime | None) -> AsyncIterator[SourceBatch]:
        calls: list[Call] = []
        refused: list[Quarantined] = []
        with gzip.open(self.path, "rt", encoding="utf-8") as handle:
            for number, line in enumerate(handle, 1):
                if not line.strip():
                    continue
                try:
                    calls.append(Call.model_validate_json(line))
                except ValueError as exc:
                    # Kept whole (it is an already redacted call): a later version may read it.
                    record_id = f"{self.path.name} line {number}"
                    refused.append(
                        Quarantined(record_id, "parse", describe_fault(exc), payload=line)
                    )
        for start in range(0, max(len(calls), 1), batch_size):
            yield SourceBatch(
                calls[start : start + batch_size],
                quarantined=tuple(refused) if start == 0 else (),
                seen=min(len(calls), start + batch_size),
                total=len(calls),
            )

    async def commit(self, batch: SourceBatch) -> None:
        return None
