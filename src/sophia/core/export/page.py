"""A page of the call-insights table as the REST API and `sophia export` hand it out."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from pydantic import BaseModel, Field, field_validator

__all__ = ["MAX_PAGE", "CallExport", "ExportPage"]

# The largest page the API serves: ~1 MB of JSON at the samples' row sizes.
MAX_PAGE = 500


class CallExport(BaseModel):
    """One row of `call_insights` (docs/export.md, column by column)."""

    call_id: str
    account: str | None
    account_key: str | None
    restricted: bool
    opportunity_id: str | None
    opportunity_name: str | None
    opportunity_stage: str | None
    title: str
    url: str
    started: datetime
    week: date
    duration_s: int
    talk_ratio_ours: float | None
    talk_ratio_customer: float | None
    objection_count: int
    objections_by_kind: dict[str, int]
    competitors: list[str]
    competitor_mentions: int
    next_steps: list[str]
    customer_questions: list[str]
    our_question_count: int
    customer_sentiment: float | None

    @field_validator("started")
    @classmethod
    def _utc(cls, value: datetime) -> datetime:
        # SQLite hands back the UTC time it stored without its zone.
        return value if value.tzinfo else value.replace(tzinfo=UTC)


class ExportPage(BaseModel):
    """Rows in start order, oldest first; `next_offset` asks for the next page (None: last)."""

    rows: list[CallExport]
    total: int = Field(description="Rows the viewer may see that match, on every page.")
    offset: int
    next_offset: int | None

    @classmethod
    def of(
        cls, rows: list[dict[str, Any]], total: int, offset: int, restricted: frozenset[str]
    ) -> ExportPage:
        """A page of table rows starting at `offset`, out of `total`; `restricted` (the
        policy's account keys now) sets each row's flag, which the table holds as of its
        last refresh."""
        end = offset + len(rows)
        return cls(
            rows=[
                CallExport.model_validate({**r, "restricted": r["account_key"] in restricted})
                for r in rows
            ],
            total=total,
            offset=offset,
            next_offset=end if rows and end < total else None,
        )
