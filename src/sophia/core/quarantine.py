"""Quarantine: records that could not be indexed, kept aside with their id and reason.

One malformed call must never stop a sync: whatever cannot be parsed, validated, redacted,
chunked, embedded or stored is recorded here (in the state DB), the rest of its batch is
indexed and the checkpoint moves on. `sophia quarantine` lists the records and
`sophia quarantine --retry` tries them again (after an upgrade, or once Gong fixed them).

Telling a bad record from a broken dependency decides between the two: a record fault is
quarantined, an outage (disk, network, a service down) stops the run so nothing is skipped.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Literal

from sophia.core.errors import EmbeddingRefused, SophiaError
from sophia.core.limits import clean_text

__all__ = ["QuarantineEntry", "Quarantined", "Stage", "describe_fault", "is_record_fault"]

Stage = Literal["parse", "validate", "redact", "chunk", "embed", "store"]

# Exceptions that mean "this data cannot be handled", wherever they are raised.
_RECORD_ERRORS = (ValueError, TypeError, KeyError, IndexError, ArithmeticError, UnicodeError)
# Exceptions that mean "something we depend on is unwell": never the record's fault.
_OUTAGES = (OSError, ConnectionError, asyncio.TimeoutError, MemoryError)
_MAX_REASON = 500


@dataclass(frozen=True)
class Quarantined:
    """A record set aside by one run: its id, the stage that failed, and why.

    `payload` is the call as JSON when it was already redacted (a retry then needs nothing
    from the source); raw records are never kept, as they may hold PII.
    """

    record_id: str
    stage: Stage
    reason: str
    source: str = ""
    payload: str | None = None

    def from_source(self, source: str) -> Quarantined:
        """This record, naming `source` unless it already names one."""
        return self if self.source else replace(self, source=source)

    def line(self) -> str:
        """One line for a run's summary."""
        return f"{self.record_id}: {self.reason}"


@dataclass(frozen=True)
class QuarantineEntry:
    """A quarantined record as the state DB keeps it, with its history."""

    record_id: str
    source: str
    stage: str
    reason: str
    first_at: datetime
    last_at: datetime
    attempts: int
    payload: str | None = None


def is_record_fault(exc: BaseException) -> bool:
    """True when `exc` is about the data being handled, not about a dependency.

    Our own wrappers (a `StoreError` around a LanceDB error) are looked through: what
    counts is the first cause, unless an OS or network error sits anywhere in the chain.
    """
    chain: list[BaseException] = []
    current: BaseException | None = exc
    while current is not None and len(chain) < 10:
        chain.append(current)
        current = current.__cause__ or current.__context__
    if any(isinstance(e, _OUTAGES) for e in chain):
        return False
    if isinstance(exc, EmbeddingRefused):
        return True
    for error in chain:
        if isinstance(error, SophiaError):
            continue
        return isinstance(error, _RECORD_ERRORS)
    return False


def describe_fault(exc: BaseException) -> str:
    """The fault as one bounded line: the exception's type and first line."""
    text = clean_text(exc).strip().splitlines()
    first = text[0] if text else ""
    described = f"{type(exc).__name__}: {first}" if first else type(exc).__name__
    return clean_text(described, _MAX_REASON)
