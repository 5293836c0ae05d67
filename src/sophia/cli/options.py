"""Options and values that several `sophia` commands take, written once."""

from __future__ import annotations

from datetime import date
from typing import Annotated

import typer

from sophia.core.errors import BadQuery
from sophia.core.limits import EARLIEST_DAY, LATEST_DAY, day_in_range

__all__ = ["AsJson", "Since", "Wait", "parse_day"]

AsJson = Annotated[bool, typer.Option("--json", help="Stable JSON output.")]
Since = Annotated[
    str | None, typer.Option(help="On or after this day (YYYY-MM-DD, in SOPHIA_TIMEZONE).")
]
# Sync, ingest, reindex and retries write the index: one at a time per data dir.
Wait = Annotated[
    bool,
    typer.Option("--wait", help="If another sync, ingest or reindex runs, wait for it to end."),
]


def parse_day(option: str, value: str) -> date:
    """A calendar day given to `option`; `BadQuery` (one line) for anything else."""
    try:
        day = date.fromisoformat(value)
    except ValueError:
        raise BadQuery(f"{option} must be a date like 2026-10-01, got {value!r}") from None
    if not day_in_range(day):
        raise BadQuery(f"{option} must be between {EARLIEST_DAY} and {LATEST_DAY}, got {value!r}")
    return day
