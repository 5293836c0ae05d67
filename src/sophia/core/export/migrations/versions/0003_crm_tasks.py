"""CRM enrichment's local record: one row per call sent (or being sent) to Salesforce.

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "crm_tasks",
        sa.Column("call_id", sa.String(64), primary_key=True),
        sa.Column("what_id", sa.String(18), nullable=False),
        sa.Column("account_id", sa.String(18), nullable=True),
        sa.Column("opportunity_id", sa.String(18), nullable=True),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("task_id", sa.String(18), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("updated", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_crm_tasks_status", "crm_tasks", ["status"])


def downgrade() -> None:
    op.drop_table("crm_tasks")
