"""The call-insights table in SQL: SQLite under the data dir, or EXPORT_DATABASE_URL
(PostgreSQL, what Looker reads). Migrated by Sophia itself before its first use."""

from __future__ import annotations

import logging
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import (
    Engine,
    RowMapping,
    Select,
    bindparam,
    create_engine,
    delete,
    func,
    insert,
    select,
    update,
)
from sqlalchemy.engine import Connection, make_url
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
_INTERNAL = frozenset({"fingerprint", "source_fingerprint"})


@dataclass(frozen=True)
class TableWrite:
    """What one refresh changed."""

    written: int
    removed: int
    unchanged: int
    # Calls whose fingerprint changed (new, edited, policy, catalog): analysed again.
    analysed: int = 0

    def line(self) -> str:
        return (
            f"call-insights table: {self.written} written, {self.removed} removed, "
            f"{self.unchanged} unchanged ({self.analysed} calls analysed)"
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

    def fingerprints(self) -> dict[str, str | None]:
        """Each stored call's source fingerprint (None: written before there were any)."""
        rows = self._read(select(CallRow.call_id, CallRow.source_fingerprint))
        return {r["call_id"]: r["source_fingerprint"] for r in rows}

    def write(self, insights: Sequence[CallInsight], keep: Mapping[str, str]) -> TableWrite:
        """Make the table hold exactly the calls in `keep` (id -> source fingerprint): the
        `insights` analysed afresh replace their rows where these changed, calls not in
        `keep` are removed, and the account-weeks of every call moved are summed again."""
        fresh = {i.call_id: i for i in insights if i.call_id in keep}
        try:
            with self.engine().begin() as db:
                stored = {
                    r.call_id: r
                    for r in db.execute(
                        select(
                            CallRow.call_id, CallRow.fingerprint, CallRow.account_key, CallRow.week
                        )
                    )
                }
                gone = [c for c in stored if c not in keep]
                changed = [
                    i
                    for c, i in fresh.items()
                    if c not in stored or stored[c].fingerprint != i.call["fingerprint"]
                ]
                changed_ids = {i.call_id for i in changed}
                stale = gone + [c for c in changed_ids if c in stored]
                weeks = {(stored[c].account_key, stored[c].week) for c in stale}
                weeks |= {(i.call["account_key"], i.call["week"]) for i in changed}
                for start in range(0, len(stale), 500):
                    ids = stale[start : start + 500]
                    for child in (CallObjectionRow, CallCompetitorRow):
                        db.execute(delete(child).where(child.call_id.in_(ids)))
                    db.execute(delete(CallRow).where(CallRow.call_id.in_(ids)))
                if changed:
                    rows = [{**i.call, "source_fingerprint": keep[i.call_id]} for i in changed]
                    db.execute(insert(CallRow), rows)
                    _insert(db, CallObjectionRow, changed, "objections")
                    _insert(db, CallCompetitorRow, changed, "competitors")
                # Analysed again to the same row (a new catalog that it does not name):
                # only what it was computed from is recorded.
                settled = [
                    {"id": c, "source": keep[c]}
                    for c in fresh
                    if c in stored and c not in changed_ids
                ]
                if settled:
                    db.execute(
                        update(CallRow)
                        .where(CallRow.call_id == bindparam("id"))
                        .values(source_fingerprint=bindparam("source")),
                        settled,
                    )
                _resum_weeks(db, {w for w in weeks if w[0] is not None})
        except SQLAlchemyError as exc:
            raise ExportError(f"{self.where}: cannot write ({_reason(exc)})") from exc
        return TableWrite(len(changed), len(gone), len(keep) - len(changed), len(fresh))

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

    def _read(self, query: Select[*tuple[Any, ...]]) -> Sequence[RowMapping]:
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


def _resum_weeks(db: Connection, weeks: set[tuple[str, date]]) -> None:
    """Sum the account-weeks in `weeks` again from the call rows the table holds now."""
    keys = sorted({key for key, _ in weeks})
    for start in range(0, len(keys), 500):
        part = keys[start : start + 500]
        calls = db.execute(select(CallRow.__table__).where(CallRow.account_key.in_(part)))
        members = {
            r["call_id"]: CallInsight(dict(r))
            for r in calls.mappings()
            if (r["account_key"], r["week"]) in weeks
        }
        for kind_row in db.execute(
            select(CallObjectionRow.call_id, CallObjectionRow.kind).where(
                CallObjectionRow.call_id.in_(list(members))
            )
        ):
            members[kind_row.call_id].objections.append({"kind": kind_row.kind})
        for named in db.execute(
            select(
                CallCompetitorRow.call_id, CallCompetitorRow.competitor, CallCompetitorRow.mentions
            ).where(CallCompetitorRow.call_id.in_(list(members)))
        ):
            members[named.call_id].competitors.append(
                {"competitor": named.competitor, "mentions": named.mentions}
            )
        for key, week in (w for w in weeks if w[0] in part):
            db.execute(
                delete(AccountWeekRow).where(
                    AccountWeekRow.account_key == key, AccountWeekRow.week == week
                )
            )
        rows = account_weeks(members.values())
        if rows:
            db.execute(insert(AccountWeekRow), rows)


def _reason(exc: SQLAlchemyError) -> str:
    # The driver's first line: enough to act on, never the statement or its parameters.
    original = getattr(exc, "orig", None) or exc
    return str(original).strip().splitlines()[0] if str(original).strip() else type(exc).__name__
