"""What a Gong sync run keeps: the stored checkpoint, the run's working state and the
fetched halves of calls, plus how a span is cut into windows and batches."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TypedDict

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from sophia.core.errors import SourceError
from sophia.core.gong.parsing import call_id_of
from sophia.core.models import Call, CallDetails, Transcript
from sophia.core.quarantine import Quarantined

__all__ = ["Fetched", "GongCheckpoint", "Run", "SyncDays", "in_batches", "windows"]


class GongCheckpoint(BaseModel):
    """How far the Gong sync got; stored as JSON under `gong.checkpoint` in the state DB."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    # Every call started before this instant has been read (minus late data: see repoll).
    synced_until: AwareDatetime | None = None
    # Call id -> when a run first saw only one half of it (details or transcript).
    pending: dict[str, AwareDatetime] = Field(default_factory=dict)
    last_run: AwareDatetime | None = None
    # When a run last re-read the whole SYNC_REPOLL_DAYS; polls in between re-read less.
    repolled_at: AwareDatetime | None = None


@dataclass
class Run:
    """What one `batches()` run knows while it walks the windows."""

    started: datetime
    synced_until: datetime | None
    repolled_at: datetime | None
    # The end of the contiguous stretch already read; a window starting after it leaves a gap.
    frontier: datetime
    batch_size: int
    # Call id -> first seen, as it will be after the batch being built is committed.
    pending: dict[str, datetime]
    users: Mapping[str, str] = field(default_factory=dict)
    seen: set[str] = field(default_factory=set)
    yielded: set[str] = field(default_factory=set)
    reported_pending: set[str] = field(default_factory=set)
    # This run re-reads the whole repoll span: reaching now records `repolled_at`.
    full_repoll: bool = False


@dataclass
class Fetched:
    details: dict[str, CallDetails] = field(default_factory=dict)
    transcripts: dict[str, Transcript] = field(default_factory=dict)
    quarantined: dict[str, Quarantined] = field(default_factory=dict)

    def refuse(self, raw: object, position: str, error: SourceError) -> None:
        record_id = call_id_of(raw) or position
        self.quarantined[record_id] = Quarantined(record_id, "parse", str(error))


class SyncDays(TypedDict, total=False):
    """How a sync reads Gong: the listing window of one request, how far back it asks again
    for late changes (all of it every `repoll_every_hours`, else `poll_overlap_hours`), and
    how far back calls are kept (0: forever)."""

    window_days: int | None
    repoll_days: int | None
    retention_days: int | None
    poll_overlap_hours: float | None
    repoll_every_hours: float | None


def windows(start: datetime, end: datetime, width: timedelta) -> list[tuple[datetime, datetime]]:
    """[start, end) cut into consecutive windows of `width` (the last one shorter)."""
    windows = []
    while start < end:
        windows.append((start, min(start + width, end)))
        start += width
    return windows


def in_batches(calls: list[Call], size: int) -> list[list[Call]]:
    # At least one (maybe empty) batch: it carries the checkpoint and the pending ids.
    return [calls[i : i + size] for i in range(0, len(calls), size)] or [[]]
