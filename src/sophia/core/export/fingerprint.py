"""What a call's row of the call-insights table is made from, as one hash: the refresh
analyses a call again only when this changes (docs/export.md)."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass

from sophia.core.insights.competitor_catalog import Competitor

__all__ = ["ANALYSIS_VERSION", "RowBasis", "source_fingerprint"]

# Bump whenever call analysis (core/insights/call_analysis.py, objection kinds, sentiment)
# or the row built from it (core/export/rows.py) changes: every row is then recomputed.
ANALYSIS_VERSION = "4"


@dataclass(frozen=True)
class RowBasis:
    """What every call's row depends on besides the call: the competitor catalog (its
    names and the words that name them) and the time zone its week is counted in."""

    digest: str

    @classmethod
    def of(cls, catalog: Sequence[Competitor], zone: str) -> RowBasis:
        """The basis of rows analysed with `catalog`, weeks in `zone`."""
        words = "\n".join(f"{c.name}\t{c.pattern.pattern}" for c in catalog)
        return cls(_sha256(ANALYSIS_VERSION, zone, words))


def source_fingerprint(content_hash: str, restricted: bool, basis: RowBasis) -> str:
    """A call's fingerprint: the store's content hash of the call (its details, transcript,
    redaction and chunking), whether the access policy restricts its account, and `basis`."""
    return _sha256(content_hash, "restricted" if restricted else "open", basis.digest)


def _sha256(*parts: str) -> str:
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()
