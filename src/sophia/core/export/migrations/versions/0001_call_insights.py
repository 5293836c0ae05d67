"""The call-insights tables: calls, their objections and competitors, account-weeks.

Revision ID: 0001
Revises:
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

_WHEN = sa.DateTime(timezone=True)


def _call_id() -> sa.Column[str]:
    """The key of a call's child rows: its call, removed with it."""
    return sa.Column(
        "call_id",
        sa.String(64),
        sa.ForeignKey("call_insights.call_id", ondelete="CASCADE"),
        primary_key=True,
    )


def upgrade() -> None:
    op.create_table(
        "call_insights",
        sa.Column("call_id", sa.String(64), primary_key=True),
        sa.Column("account", sa.String(200), nullable=True),
        sa.Column("account_key", sa.String(200), nullable=True),
        sa.Column("restricted", sa.Boolean(), nullable=False),
        sa.Column("opportunity_id", sa.String(64), nullable=True),
        sa.Column("opportunity_name", sa.String(500), nullable=True),
        sa.Column("opportunity_stage", sa.String(200), nullable=True),
        sa.Column("title", sa.String(500), nullable=False),
        sa.Column("url", sa.Text(), nullable=False),
        sa.Column("started", _WHEN, nullable=False),
        sa.Column("week", sa.Date(), nullable=False),
        sa.Column("duration_s", sa.Integer(), nullable=False),
        sa.Column("talk_ratio_ours", sa.Float(), nullable=True),
        sa.Column("talk_ratio_customer", sa.Float(), nullable=True),
        sa.Column("objection_count", sa.Integer(), nullable=False),
        sa.Column("objections_by_kind", sa.JSON(), nullable=False),
        sa.Column("competitors", sa.JSON(), nullable=False),
        sa.Column("competitor_mentions", sa.Integer(), nullable=False),
        sa.Column("next_steps", sa.JSON(), nullable=False),
        sa.Column("customer_questions", sa.JSON(), nullable=False),
        sa.Column("our_question_count", sa.Integer(), nullable=False),
        sa.Column("customer_sentiment", sa.Float(), nullable=True),
        sa.Column("fingerprint", sa.String(64), nullable=False),
    )
    op.create_index("ix_call_insights_account_key", "call_insights", ["account_key"])
    op.create_index("ix_call_insights_started", "call_insights", ["started"])
    op.create_index("ix_call_insights_week", "call_insights", ["week"])
    op.create_table(
        "call_objections",
        _call_id(),
        sa.Column("position", sa.Integer(), primary_key=True),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("speaker", sa.String(200), nullable=False),
        sa.Column("start_ms", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
    )
    op.create_index("ix_call_objections_kind", "call_objections", ["kind"])
    op.create_table(
        "call_competitors",
        _call_id(),
        sa.Column("competitor", sa.String(200), primary_key=True),
        sa.Column("mentions", sa.Integer(), nullable=False),
    )
    op.create_table(
        "account_weeks",
        sa.Column("account_key", sa.String(200), primary_key=True),
        sa.Column("week", sa.Date(), primary_key=True),
        sa.Column("account", sa.String(200), nullable=False),
        sa.Column("restricted", sa.Boolean(), nullable=False),
        sa.Column("calls", sa.Integer(), nullable=False),
        sa.Column("duration_s", sa.Integer(), nullable=False),
        sa.Column("talk_ratio_ours", sa.Float(), nullable=True),
        sa.Column("objection_count", sa.Integer(), nullable=False),
        sa.Column("objections_by_kind", sa.JSON(), nullable=False),
        sa.Column("competitor_mentions", sa.JSON(), nullable=False),
        sa.Column("next_step_count", sa.Integer(), nullable=False),
        sa.Column("last_call", _WHEN, nullable=False),
    )


def downgrade() -> None:
    for table in ("account_weeks", "call_competitors", "call_objections", "call_insights"):
        op.drop_table(table)
