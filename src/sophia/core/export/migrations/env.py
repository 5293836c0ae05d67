"""Alembic's environment: Sophia runs migrations itself (core/export/table.py), on the
connection it passes in `config.attributes`; there is no alembic.ini and no CLI step."""

from __future__ import annotations

from alembic import context

from sophia.core.export.schema import Base

connection = context.config.attributes["connection"]
context.configure(connection=connection, target_metadata=Base.metadata)
with context.begin_transaction():
    context.run_migrations()
