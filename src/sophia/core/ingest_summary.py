"""What an ingest or sync run did, and how a caller follows it while it runs."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Protocol

__all__ = ["IngestProgress", "IngestSummary"]

# The sync metrics' label for each outcome a call can have, and the field that counts it.
_CALL_OUTCOMES = {
    "indexed": "indexed",
    "unchanged": "unchanged",
    "outside_retention": "too_old",
    "pending": "pending",
}


@dataclass
class IngestSummary:
    """What one ingest or sync run did."""

    source: str
    indexed: int = 0
    chunks: int = 0
    unchanged: int = 0
    too_old: int = 0
    pending: int = 0
    embedded: int = 0
    reused: int = 0
    redactions: Counter[str] = field(default_factory=Counter)
    # One line per record set aside this run ("<id>: <reason>"); see core/quarantine.py.
    quarantined: list[str] = field(default_factory=list)
    # Call ids the source held more than once (the last one was indexed).
    duplicates: list[str] = field(default_factory=list)
    # Indexed calls whose transcript holds no text: searchable by nothing.
    empty: list[str] = field(default_factory=list)
    seconds: float = 0.0
    # Where the time and the disk went: embedding, the store's writes, and its upkeep
    # afterwards (core/stores/lance_upkeep.py). Bytes are None where the store cannot tell.
    embed_seconds: float = 0.0
    write_seconds: float = 0.0
    write_bytes: int | None = None
    optimize_seconds: float = 0.0
    optimize_bytes: int | None = None
    upkeep: list[str] = field(default_factory=list)

    def line(self) -> str:
        """The one-line summary printed at the end of a run."""
        parts = [
            f"{_count(self.indexed, 'call')} indexed "
            f"({_count(self.chunks, 'chunk')}, {self.embedded} embedded)",
            f"{self.unchanged} unchanged",
            f"{self.too_old} outside retention",
            f"{self.pending} pending",
        ]
        if self.quarantined:
            parts.append(f"{len(self.quarantined)} quarantined")
        if self.duplicates:
            parts.append(f"{_count(len(self.duplicates), 'duplicate id')}")
        if self.empty:
            parts.append(f"{len(self.empty)} with an empty transcript")
        if self.redactions:
            parts.append(f"{sum(self.redactions.values())} PII redactions")
        line = f"{', '.join(parts)} in {self.seconds:.1f} s"
        if self.indexed:
            line += (
                f" (embedding {self.embed_seconds:.1f} s; store writes "
                f"{_work(self.write_seconds, self.write_bytes)}, optimize "
                f"{_work(self.optimize_seconds, self.optimize_bytes)})"
            )
        return line

    def add(self, other: IngestSummary) -> None:
        """Count `other`'s run into this one (a retry runs one per source)."""
        for name in (
            "indexed",
            "chunks",
            "unchanged",
            "too_old",
            "pending",
            "embedded",
            "reused",
            "embed_seconds",
            "write_seconds",
            "optimize_seconds",
        ):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        for name in ("write_bytes", "optimize_bytes"):
            mine, theirs = getattr(self, name), getattr(other, name)
            setattr(self, name, theirs if mine is None else mine + (theirs or 0))
        self.upkeep.extend(other.upkeep)
        self.redactions.update(other.redactions)
        self.quarantined.extend(other.quarantined)
        self.duplicates.extend(other.duplicates)
        self.empty.extend(other.empty)
        self.seconds += other.seconds

    def call_counts(self) -> dict[str, int]:
        """Calls by what happened to them, for the sync metrics."""
        counts = {label: getattr(self, name) for label, name in _CALL_OUTCOMES.items()}
        return counts | {"quarantined": len(self.quarantined)}

    def as_dict(self) -> dict[str, object]:
        return {
            "source": self.source,
            "calls_indexed": self.indexed,
            "chunks": self.chunks,
            "unchanged": self.unchanged,
            "outside_retention": self.too_old,
            "pending": self.pending,
            "embedded": self.embedded,
            "reused_vectors": self.reused,
            "redactions": dict(self.redactions),
            "quarantined": self.quarantined,
            "duplicates": self.duplicates,
            "empty_transcripts": self.empty,
            "seconds": round(self.seconds, 2),
            "embed_seconds": round(self.embed_seconds, 2),
            "store_write_seconds": round(self.write_seconds, 3),
            "store_write_bytes": self.write_bytes,
            "optimize_seconds": round(self.optimize_seconds, 3),
            "optimize_bytes": self.optimize_bytes,
            "optimize": self.upkeep,
        }


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def _work(seconds: float, written: int | None) -> str:
    return f"{seconds:.2f} s" + ("" if written is None else f" / {written / 1e6:.1f} MB")


class IngestProgress(Protocol):
    """Told after every stored batch; the CLI draws a progress bar with it."""

    def update(self, summary: IngestSummary, seen: int | None, total: int | None) -> None: ...
