"""The call-insights tables as typed SQLAlchemy models (docs/export.md, column by column).

Migrations (`migrations/versions/`) create and change them; these models must match the
latest one (tests/test_export_table.py checks it).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, ClassVar

from sqlalchemy import JSON, DateTime, Float, ForeignKey, Integer, String, Text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

__all__ = [
    "AccountWeekRow",
    "Base",
    "CallCompetitorRow",
    "CallObjectionRow",
    "CallRow",
    "CrmTaskRow",
]


class Base(DeclarativeBase):
    type_annotation_map: ClassVar[dict[Any, Any]] = {
        dict[str, Any]: JSON,
        list[str]: JSON,
        datetime: DateTime(timezone=True),
    }


class CallRow(Base):
    """One indexed call and what call analysis found in it."""

    __tablename__ = "call_insights"

    call_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    account: Mapped[str | None] = mapped_column(String(200))
    account_key: Mapped[str | None] = mapped_column(String(200), index=True)
    restricted: Mapped[bool]
    opportunity_id: Mapped[str | None] = mapped_column(String(64))
    opportunity_name: Mapped[str | None] = mapped_column(String(500))
    opportunity_stage: Mapped[str | None] = mapped_column(String(200))
    title: Mapped[str] = mapped_column(String(500))
    url: Mapped[str] = mapped_column(Text)
    started: Mapped[datetime] = mapped_column(index=True)
    week: Mapped[date] = mapped_column(index=True)
    duration_s: Mapped[int]
    talk_ratio_ours: Mapped[float | None] = mapped_column(Float)
    talk_ratio_customer: Mapped[float | None] = mapped_column(Float)
    objection_count: Mapped[int]
    objections_by_kind: Mapped[dict[str, Any]]
    competitors: Mapped[list[str]]
    competitor_mentions: Mapped[int]
    next_steps: Mapped[list[str]]
    customer_questions: Mapped[list[str]]
    our_question_count: Mapped[int]
    customer_sentiment: Mapped[float | None] = mapped_column(Float)
    fingerprint: Mapped[str] = mapped_column(String(64))
    source_fingerprint: Mapped[str | None] = mapped_column(String(64))


class CallObjectionRow(Base):
    """One objection the customer raised on a call (a row per objection, for GROUP BY)."""

    __tablename__ = "call_objections"

    call_id: Mapped[str] = mapped_column(
        ForeignKey("call_insights.call_id", ondelete="CASCADE"), primary_key=True
    )
    position: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(32), index=True)
    speaker: Mapped[str] = mapped_column(String(200))
    start_ms: Mapped[int]
    text: Mapped[str] = mapped_column(Text)


class CallCompetitorRow(Base):
    """How often one competitor was named on a call."""

    __tablename__ = "call_competitors"

    call_id: Mapped[str] = mapped_column(
        ForeignKey("call_insights.call_id", ondelete="CASCADE"), primary_key=True
    )
    competitor: Mapped[str] = mapped_column(String(200), primary_key=True)
    mentions: Mapped[int]


class AccountWeekRow(Base):
    """One account's calls in one week (Monday to Sunday, SOPHIA_TIMEZONE)."""

    __tablename__ = "account_weeks"

    account_key: Mapped[str] = mapped_column(String(200), primary_key=True)
    week: Mapped[date] = mapped_column(primary_key=True)
    account: Mapped[str] = mapped_column(String(200))
    restricted: Mapped[bool]
    calls: Mapped[int]
    duration_s: Mapped[int]
    talk_ratio_ours: Mapped[float | None] = mapped_column(Float)
    objection_count: Mapped[int]
    objections_by_kind: Mapped[dict[str, Any]]
    competitor_mentions: Mapped[dict[str, Any]]
    next_step_count: Mapped[int]
    last_call: Mapped[datetime]


class CrmTaskRow(Base):
    """CRM enrichment's local record of one call (core/crm/): its Salesforce Task and
    whether the Account/Opportunity fields it touches are written."""

    __tablename__ = "crm_tasks"

    call_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    what_id: Mapped[str] = mapped_column(String(18))
    account_id: Mapped[str | None] = mapped_column(String(18))
    opportunity_id: Mapped[str | None] = mapped_column(String(18))
    # pending (no Task yet), task (Task written, fields not yet), done, skipped.
    status: Mapped[str] = mapped_column(String(16), index=True)
    task_id: Mapped[str | None] = mapped_column(String(18))
    attempts: Mapped[int]
    error: Mapped[str | None] = mapped_column(Text)
    updated: Mapped[datetime]
