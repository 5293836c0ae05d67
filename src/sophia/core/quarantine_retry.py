"""Where quarantined records are read again: the redacted call kept with a record, the folder
it came from, or (for Gong calls kept without their call) the Gong API, by id."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path

from sophia.core.clock import Clock
from sophia.core.errors import SourceError
from sophia.core.models import Call
from sophia.core.quarantine import Quarantined, QuarantineEntry, describe_fault
from sophia.core.sources.base import CallSource
from sophia.core.sources.folder import FolderSource
from sophia.core.sources.stored import StoredCallsSource

__all__ = ["RetryPlan", "plan_retry"]

log = logging.getLogger("sophia")


@dataclass
class RetryPlan:
    """Sources to ingest again, and the Gong call ids to fetch again."""

    sources: list[CallSource] = field(default_factory=list)
    gong_ids: list[str] = field(default_factory=list)


def plan_retry(entries: list[QuarantineEntry], *, gong: bool, clock: Clock) -> RetryPlan:
    """How to try `entries` again; `gong`: whether the Gong API is configured."""
    plan = RetryPlan()
    by_source: dict[str, list[QuarantineEntry]] = {}
    for entry in entries:
        by_source.setdefault(entry.source, []).append(entry)
    for source_name, group in sorted(by_source.items()):
        kept = [e for e in group if e.payload is not None]
        if kept:
            plan.sources.append(_stored_calls(source_name, kept))
        fetch = [e.record_id for e in group if e.payload is None]
        if not fetch:
            continue
        folder = _folder(source_name, clock)
        if source_name == "gong" and gong:
            plan.gong_ids.extend(fetch)
        elif folder is not None:
            plan.sources.append(folder)
        else:
            log.warning(
                "cannot retry %d quarantined records of %s: that source is not available",
                len(fetch),
                source_name,
            )
    return plan


def _folder(source: str, clock: Clock) -> FolderSource | None:
    """The folder a `folder:<path>` source name points to, if it is still there."""
    if not source.startswith("folder:"):
        return None
    try:
        return FolderSource(Path(source.removeprefix("folder:")), clock=clock)
    except SourceError:
        return None


def _stored_calls(source: str, entries: list[QuarantineEntry]) -> StoredCallsSource:
    """The quarantined calls kept with their (redacted) JSON; unreadable ones stay put."""
    calls: list[Call] = []
    refused: list[Quarantined] = []
    for entry in entries:
        try:
            calls.append(Call.model_validate_json(entry.payload or ""))
        except ValueError as exc:
            refused.append(
                Quarantined(entry.record_id, "parse", describe_fault(exc), source, entry.payload)
            )
    return StoredCallsSource(source, calls, refused)
