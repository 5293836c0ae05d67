"""CRM enrichment after each sync (docs/crm.md): every new call with a Salesforce id gets
exactly one Task, and the Account/Opportunity it belongs to gets its insight fields.

New calls come from the call-insights table (its `restricted` flag is the access policy's),
their CRM ids and Gong's summary from the store. The local record (core/crm/ledger.py) says
what is written; before a Task is created, Salesforce is asked for one with the call's key,
so a lost record never makes a second. What fails stays due for the next sync.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sophia.core.clock import Clock
from sophia.core.config import Settings
from sophia.core.crm.ledger import DUE, CrmLedger
from sophia.core.crm.payload import field_map, record_fields, salesforce_ids, task_fields, task_key
from sophia.core.crm.salesforce_client import SalesforceClient
from sophia.core.errors import (
    ConfigError,
    CrmAuthFailed,
    CrmError,
    CrmRecordGone,
    CrmUnreachable,
    ExportError,
)
from sophia.core.export.table import InsightsTable
from sophia.core.models import CallDetails
from sophia.core.stores.base import StoreReader, calls_by_id

__all__ = ["CrmRun", "enrich_crm", "enrich_quietly"]

log = logging.getLogger("sophia.crm")


@dataclass
class CrmRun:
    """What one enrichment run did; `pending` calls are tried again at the next sync."""

    tasks_created: int = 0
    tasks_found: int = 0  # already in Salesforce: the local record had lost them
    records_updated: int = 0
    no_crm_id: int = 0
    restricted: int = 0
    gone: list[str] = field(default_factory=list)
    pending: int = 0
    # Why the run stopped early (credentials refused, Salesforce unreachable), if it did.
    stopped: str | None = None

    def line(self) -> str:
        return (
            f"Salesforce: {self.tasks_created} Tasks created, {self.tasks_found} already there, "
            f"{self.records_updated} records updated, {len(self.gone)} skipped (record gone), "
            f"{self.no_crm_id} without a Salesforce id, {self.restricted} restricted, "
            f"{self.pending} pending"
        )


async def enrich_crm(
    table: InsightsTable, store: StoreReader, settings: Settings, clock: Clock
) -> CrmRun:
    """Write what is new or still due to Salesforce (SALESFORCE_* settings)."""
    fields = {
        "Account": field_map(settings.salesforce_account_fields, "SALESFORCE_ACCOUNT_FIELDS"),
        "Opportunity": field_map(
            settings.salesforce_opportunity_fields, "SALESFORCE_OPPORTUNITY_FIELDS"
        ),
    }
    ledger = CrmLedger(table, clock)
    run = CrmRun()
    details = await _track_new(ledger, table, store, settings, clock, run)
    due = await asyncio.to_thread(ledger.due)
    if not due:
        return run
    zone = ZoneInfo(settings.sophia_timezone)
    # Calls tracked just now were read already; only those due from earlier syncs are not.
    details |= await _details(store, [e["call_id"] for e in due if e["call_id"] not in details])
    client = SalesforceClient(settings)
    try:
        for entry in due:
            row = entry["row"]
            if row is None or not _may_send(row, settings):
                # Purged, or its account restricted since: looked at afresh if it returns.
                await asyncio.to_thread(ledger.forget, [entry["call_id"]])
                run.restricted += row is not None
                entry["status"] = "forgotten"
            elif entry["status"] == "pending" and entry["call_id"] in details:
                args = (row, details[entry["call_id"]], entry["what_id"], zone)
                entry["status"] = await _write_task(client, ledger, settings, run, entry, args)
        await _write_fields(client, ledger, settings, run, due, fields, zone)
    except (CrmAuthFailed, CrmUnreachable) as exc:
        # Every other call would fail the same way: stop; what is not written stays due.
        run.stopped = str(exc)
    finally:
        client.close()
    counts = await asyncio.to_thread(ledger.counts)
    run.pending = sum(counts.get(status, 0) for status in DUE)
    return run


async def _track_new(
    ledger: CrmLedger,
    table: InsightsTable,
    store: StoreReader,
    settings: Settings,
    clock: Clock,
    run: CrmRun,
) -> dict[str, CallDetails]:
    """Record the table's recent calls that the record does not hold yet as pending;
    returns the details it read for them."""
    since = clock.now() - timedelta(days=settings.salesforce_max_age_days)
    rows, _ = await asyncio.to_thread(table.calls, since=since)
    tracked = await asyncio.to_thread(ledger.tracked)
    fresh = [r for r in rows if r["call_id"] not in tracked]
    allowed = [r for r in fresh if _may_send(r, settings)]
    run.restricted += len(fresh) - len(allowed)
    details = await _details(store, [r["call_id"] for r in allowed])
    entries = []
    for row in allowed:
        call = details.get(row["call_id"])
        account, opportunity = salesforce_ids(call) if call else (None, None)
        if account is None and opportunity is None:
            run.no_crm_id += 1
            continue
        what_id = opportunity or account
        entries.append(
            {
                "call_id": row["call_id"],
                "what_id": what_id,
                "account_id": account,
                "opportunity_id": opportunity,
            }
        )
    await asyncio.to_thread(ledger.track, entries)
    return details


async def _write_task(
    client: SalesforceClient,
    ledger: CrmLedger,
    settings: Settings,
    run: CrmRun,
    entry: dict[str, Any],
    args: tuple[dict[str, Any], CallDetails, str, ZoneInfo],
) -> str:
    """The call's Task, unless Salesforce has it already; returns the entry's new status."""
    call_id = entry["call_id"]
    key_field = settings.salesforce_task_key_field
    try:
        task_id = await client.find_task(key_field, task_key(call_id))
        if task_id is not None:
            run.tasks_found += 1
        else:
            row, details, what_id, zone = args
            task_id = await client.create(
                "Task", task_fields(row, details, what_id, key_field, zone)
            )
            run.tasks_created += 1
    except CrmRecordGone as exc:
        log.warning("call %s: no Task written: %s", call_id, exc)
        run.gone.append(call_id)
        await asyncio.to_thread(ledger.mark, [call_id], "skipped", error=str(exc))
        return "skipped"
    except (CrmAuthFailed, CrmUnreachable):
        raise
    except CrmError as exc:
        log.warning("call %s: Task not written, pending for the next sync: %s", call_id, exc)
        await asyncio.to_thread(ledger.mark, [call_id], "pending", error=str(exc), failed=True)
        return "pending"
    await asyncio.to_thread(ledger.mark, [call_id], "task", task_id=task_id)
    return "task"


async def _write_fields(
    client: SalesforceClient,
    ledger: CrmLedger,
    settings: Settings,
    run: CrmRun,
    due: list[dict[str, Any]],
    fields: dict[str, dict[str, str]],
    zone: ZoneInfo,
) -> None:
    """Each touched Account's and Opportunity's insight fields, from all its calls' rows;
    a call is done once every record it touches is written."""
    waiting = [e for e in due if e["status"] == "task"]
    unfinished: set[str] = set()
    for sobject, column, key in (
        ("Account", "account_id", "account_key"),
        ("Opportunity", "opportunity_id", "opportunity_id"),
    ):
        if not fields[sobject]:
            continue
        # An Account's calls are its account's rows; an Opportunity's, those linked to it.
        touched: dict[str, tuple[str, list[dict[str, Any]]]] = {}
        for entry in waiting:
            value = entry[column] if sobject == "Opportunity" else entry["row"][key]
            if entry[column] and value:
                touched.setdefault(entry[column], (value, []))[1].append(entry)
        for record_id, (value, entries) in touched.items():
            rows = await asyncio.to_thread(ledger.calls_of, key, value)
            allowed = [r for r in rows if _may_send(r, settings)]
            try:
                values = record_fields(allowed, fields[sobject], zone)
                await client.update(sobject, record_id, values)
                run.records_updated += 1
            except CrmRecordGone as exc:
                log.warning("%s %s: fields not written: %s", sobject, record_id, exc)
                run.gone.append(record_id)
            except (CrmAuthFailed, CrmUnreachable):
                raise
            except CrmError as exc:
                log.warning("%s %s: fields pending for the next sync: %s", sobject, record_id, exc)
                unfinished.update(e["call_id"] for e in entries)
    done = [e["call_id"] for e in waiting if e["call_id"] not in unfinished]
    await asyncio.to_thread(ledger.mark, done, "done")


def _may_send(row: dict[str, Any], settings: Settings) -> bool:
    """The access policy's say: a restricted account's rows go out only when allowed."""
    return settings.salesforce_restricted or not row["restricted"]


async def _details(store: StoreReader, call_ids: list[str]) -> dict[str, CallDetails]:
    calls = await calls_by_id(store, call_ids, transcripts=False)
    return {c.call_id: c.details for c in calls}


async def enrich_quietly(
    table: InsightsTable, store: StoreReader, settings: Settings, clock: Clock
) -> CrmRun | None:
    """`enrich_crm` after a sync: Salesforce or the record's database failing is logged
    (once, in one line), never fatal to the sync; what was not written stays due."""
    try:
        run = await enrich_crm(table, store, settings, clock)
    except (CrmError, ExportError, ConfigError) as exc:
        log.error("Salesforce not updated: %s", exc)
        return None
    if run.stopped:
        log.error("Salesforce not updated: %s (nothing retried until the next sync)", run.stopped)
    log.info("%s", run.line())
    return run
