"""What each call's row was computed from (core/export/fingerprint.py): a refresh analyses
only the calls whose fingerprint changed. Rows from before it have none: analysed once more.

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("call_insights", sa.Column("source_fingerprint", sa.String(64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("call_insights") as batch:
        batch.drop_column("source_fingerprint")
