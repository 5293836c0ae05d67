"""The call-insights table in SQL: SQLite under the data dir, or EXPORT_DATABASE_URL
(PostgreSQL, what Looker reads). Migrated by Sophia itself before its first use."""

from __future__ import annotations

import logging
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, RowMapping, Select, create_engine, delete, func, insert, select
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.sql import ColumnElement

from sophia.core.config import Settings
from sophia.core.errors import ConfigError, ExportError
from sophia.core.export.rows import CallInsight, account_weeks
from sophia.core.export.schema import AccountWeekRow, CallCompetitorRow, CallObjectionRow, CallRow

__all__ = ["InsightsTable", "TableWrite"]

log = logging.getLogger("sophia.export")

_MIGRATIONS = Path(__file__).resolve().parent / "migrations"
# Columns of the call row that are the table's own bookkeeping, not an insight.
_INTERNAL = frozenset({"fingerprint"})


@dataclass(frozen=True)
class TableWrite:
    """What one refresh changed."""

    written: int
    removed: int
    unchanged: int

    def line(self) -> str:
        return (
            f"call-insights table: {self.written} written, {self.removed} removed, "
            f"{self.unchanged} unchanged"
        )


class InsightsTable:
    """The tables of core/export/schema.py in one database, migrated at first use."""

    def __init__(self, url: str, *, external: bool, keep_restricted: bool) -> None:
        try:
            parsed = make_url(url)
        except Exception:  # SQLAlchemy raises ArgumentError and ValueError alike here
            raise ConfigError("EXPORT_DATABASE_URL is not a database URL") from None
        if parsed.drivername in ("postgresql", "postgres"):
            # The driver Sophia installs (psycopg 3); SQLAlchemy's default would be psycopg2.
            parsed = parsed.set(drivername="postgresql+psycopg")
        self.url = parsed
        # An external database (what BI tools read) gets restricted accounts' rows only
        # when EXPORT_RESTRICTED says so; the local file always holds them (docs/export.md).
        self.external = external
        self.keep_restricted = keep_restricted or not external
        self._engine: Engine | None = None
        self._lock = threading.Lock()

    @classmethod
    def from_settings(cls, settings: Settings) -> InsightsTable:
        """EXPORT_DATABASE_URL when set, else SOPHIA_DATA_DIR/insights.sqlite."""
        if settings.export_database_url is not None:
            return cls(
                settings.export_database_url.get_secret_value(),
                external=True,
                keep_restricted=settings.export_restricted,
            )
        path = settings.sophia_data_dir / "insights.sqlite"
        return cls(f"sqlite:///{path}", external=False, keep_restricted=True)

    @property
    def where(self) -> str:
        """The database, as a log line may name it (no password)."""
        return self.url.render_as_string(hide_password=True)

    def engine(self) -> Engine:
        """The engine, with the schema migrated to the latest revision (once per process)."""
        with self._lock:
            if self._engine is None:
                if self.url.get_backend_name() == "sqlite" and self.url.database:
                    Path(self.url.database).parent.mkdir(parents=True, exist_ok=True)
                engine = create_engine(self.url, pool_pre_ping=True)
                try:
                    self._migrate(engine)
                except SQLAlchemyError as exc:
                    engine.dispose()
                    raise ExportError(f"{self.where}: cannot migrate ({_reason(exc)})") from exc
                self._engine = engine
            return self._engine

    def _migrate(self, engine: Engine) -> None:
        # Alembic loads only here: commands that never touch the table do not pay for it.
        from alembic import command
        from alembic.config import Config

        config = Config()
        config.set_main_option("script_location", str(_MIGRATIONS))
        with engine.begin() as connection:
            config.attributes["connection"] = connection
            command.upgrade(config, "head")

    def write(self, insights: Sequence[CallInsight]) -> TableWrite:
        """Make the table hold exactly these calls (and their account-weeks): changed calls
        are replaced, unchanged ones left alone, calls no longer given are removed."""
        kept = [i for i in insights if self.keep_restricted or not i.call["restricted"]]
        wanted = {i.call_id: i for i in kept}
        try:
            with self.engine().begin() as db:
                stored = dict(db.execute(select(CallRow.call_id, CallRow.fingerprint)).all())
                gone = [c for c in stored if c not in wanted]
                changed = [i for c, i in wanted.items() if stored.get(c) != i.call["fingerprint"]]
                stale = gone + [i.call_id for i in changed if i.call_id in stored]
                for start in range(0, len(stale), 500):
                    ids = stale[start : start + 500]
                    for child in (CallObjectionRow, CallCompetitorRow):
                        db.execute(delete(child).where(child.call_id.in_(ids)))
                    db.execute(delete(CallRow).where(CallRow.call_id.in_(ids)))
                if changed:
                    db.execute(insert(CallRow), [i.call for i in changed])
                    _insert(db, CallObjectionRow, changed, "objections")
                    _insert(db, CallCompetitorRow, changed, "competitors")
                if changed or gone:
                    db.execute(delete(AccountWeekRow))
                    weeks = account_weeks(kept)
                    if weeks:
                        db.execute(insert(AccountWeekRow), weeks)
        except SQLAlchemyError as exc:
            raise ExportError(f"{self.where}: cannot write ({_reason(exc)})") from exc
        return TableWrite(len(changed), len(gone), len(kept) - len(changed))

    def calls(
        self,
        *,
        exclude: frozenset[str] = frozenset(),
        since: datetime | None = None,
        offset: int = 0,
        limit: int | None = None,
    ) -> tuple[list[dict[str, Any]], int]:
        """Call rows oldest first (and how many match), leaving out the accounts whose keys
        are in `exclude` and calls that started before `since`."""
        where: list[ColumnElement[bool]] = []
        if exclude:
            where.append(
                CallRow.account_key.not_in(sorted(exclude)) | CallRow.account_key.is_(None)
            )
        if since is not None:
            where.append(CallRow.started >= since)
        query = select(CallRow.__table__).where(*where).order_by(CallRow.started, CallRow.call_id)
        [count] = self._read(select(func.count().label("n")).select_from(CallRow).where(*where))
        rows = self._read(query.offset(offset).limit(limit))
        total = int(count["n"])
        return [{k: v for k, v in r.items() if k not in _INTERNAL} for r in rows], total

    def account_weeks(self, *, exclude: frozenset[str] = frozenset()) -> list[dict[str, Any]]:
        """Account-week rows by week, then account, leaving out the accounts in `exclude`."""
        query = select(AccountWeekRow.__table__).order_by(
            AccountWeekRow.week, AccountWeekRow.account
        )
        if exclude:
            query = query.where(AccountWeekRow.account_key.not_in(sorted(exclude)))
        return [dict(r) for r in self._read(query)]

    def _read(self, query: Select[Any]) -> Sequence[RowMapping]:
        try:
            with self.engine().connect() as db:
                return db.execute(query).mappings().all()
        except SQLAlchemyError as exc:
            raise ExportError(f"{self.where}: cannot read ({_reason(exc)})") from exc

    def dispose(self) -> None:
        """Close the pooled connections."""
        if self._engine is not None:
            self._engine.dispose()
            self._engine = None


def _insert(db: Any, table: type[Any], insights: Sequence[CallInsight], part: str) -> None:
    rows = [{"call_id": i.call_id, **child} for i in insights for child in getattr(i, part)]
    if rows:
        db.execute(insert(table), rows)


def _reason(exc: SQLAlchemyError) -> str:
    # The driver's first line: enough to act on, never the statement or its parameters.
    original = getattr(exc, "orig", None) or exc
    return str(original).strip().splitlines()[0] if str(original).strip() else type(exc).__name__
