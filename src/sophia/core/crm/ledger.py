"""CRM enrichment's local record (`crm_tasks`, beside the call-insights table): which calls
have their Salesforce Task, which still wait for it or for their records' fields, and the
table rows enrichment reads. Blocking (the database driver): call it off the event loop."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import delete, insert, select, update
from sqlalchemy.exc import SQLAlchemyError

from sophia.core.clock import Clock
from sophia.core.errors import ExportError
from sophia.core.export.schema import CallRow, CrmTaskRow
from sophia.core.export.table import InsightsTable

__all__ = ["DUE", "CrmLedger", "status_counts"]

# A call is due while its Task (pending) or its records' fields (task) are not written.
DUE = ("pending", "task")


class CrmLedger:
    """The `crm_tasks` rows, in the database of `table`."""

    def __init__(self, table: InsightsTable, clock: Clock) -> None:
        self._table = table
        self._clock = clock

    def tracked(self) -> set[str]:
        """Every call id the record holds, whatever its status."""
        return {r["call_id"] for r in self._read(select(CrmTaskRow.call_id))}

    def track(self, entries: Sequence[dict[str, Any]]) -> None:
        """Record new calls as pending (`call_id`, `what_id`, `account_id`, `opportunity_id`)."""
        if entries:
            now = self._clock.now()
            rows = [{**e, "status": "pending", "attempts": 0, "updated": now} for e in entries]
            self._write(lambda db: db.execute(insert(CrmTaskRow), rows))

    def due(self) -> list[dict[str, Any]]:
        """Due entries, oldest call first, each with its call's table row under `row` (None:
        the call left the table, purged)."""
        query = (
            select(CrmTaskRow.__table__, CallRow.__table__)
            .outerjoin(CallRow, CallRow.call_id == CrmTaskRow.call_id)
            .where(CrmTaskRow.status.in_(DUE))
            .order_by(CallRow.started, CrmTaskRow.call_id)
        )
        entries = []
        for r in self._read(query):
            entry = {c.key: r[c] for c in CrmTaskRow.__table__.columns}
            in_table = r[CallRow.__table__.c.call_id] is not None
            entry["row"] = {c.key: r[c] for c in CallRow.__table__.columns} if in_table else None
            entries.append(entry)
        return entries

    def mark(
        self,
        call_ids: Iterable[str],
        status: str,
        *,
        task_id: str | None = None,
        error: str | None = None,
        failed: bool = False,
    ) -> None:
        """Set these calls' status (and Task id, last error; `failed` counts an attempt)."""
        ids = list(call_ids)
        if not ids:
            return
        values: dict[str, Any] = {"status": status, "error": error, "updated": self._clock.now()}
        if task_id is not None:
            values["task_id"] = task_id
        if failed:
            values["attempts"] = CrmTaskRow.attempts + 1
        statement = update(CrmTaskRow).where(CrmTaskRow.call_id.in_(ids)).values(**values)
        self._write(lambda db: db.execute(statement))

    def forget(self, call_ids: Iterable[str]) -> None:
        """Drop these calls from the record: they are looked at afresh next time."""
        ids = list(call_ids)
        if ids:
            self._write(
                lambda db: db.execute(delete(CrmTaskRow).where(CrmTaskRow.call_id.in_(ids)))
            )

    def calls_of(self, column: str, value: str) -> list[dict[str, Any]]:
        """The table's call rows whose `column` (account_key, opportunity_id) is `value`."""
        query = select(CallRow.__table__).where(CallRow.__table__.c[column] == value)
        return [dict(r) for r in self._read(query)]

    def counts(self) -> dict[str, int]:
        """How many calls the record holds in each status."""
        return status_counts(self._table)

    def _read(self, query: Any) -> list[Any]:
        return _read(self._table, query)

    def _write(self, work: Any) -> None:
        try:
            with self._table.engine().begin() as db:
                work(db)
        except SQLAlchemyError as exc:
            raise ExportError(
                f"{self._table.where}: cannot write the CRM record ({_reason(exc)})"
            ) from exc


def status_counts(table: InsightsTable) -> dict[str, int]:
    """How many calls the CRM record in `table`'s database holds in each status."""
    return dict(Counter(r["status"] for r in _read(table, select(CrmTaskRow.status))))


def _read(table: InsightsTable, query: Any) -> list[Any]:
    try:
        with table.engine().connect() as db:
            return list(db.execute(query).mappings().all())
    except SQLAlchemyError as exc:
        raise ExportError(f"{table.where}: cannot read the CRM record ({_reason(exc)})") from exc


def _reason(exc: SQLAlchemyError) -> str:
    # The driver's first line: never the statement or its parameters.
    return (str(getattr(exc, "orig", None) or exc).strip().splitlines() or [type(exc).__name__])[0]
