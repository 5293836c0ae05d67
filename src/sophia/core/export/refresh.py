"""Keeping the call-insights table current: after every sync, ingest and purge, from the
calls in the store (so a purged or deleted call leaves the table with it). Only the calls
whose fingerprint (core/export/fingerprint.py) changed are read and analysed again."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Sequence
from zoneinfo import ZoneInfo

from sophia.core.access import AccessPolicy
from sophia.core.config import Settings
from sophia.core.errors import ConfigError, ExportError
from sophia.core.export.fingerprint import RowBasis, source_fingerprint
from sophia.core.export.rows import call_insight
from sophia.core.export.table import InsightsTable, TableWrite
from sophia.core.insights.competitor_catalog import competitor_catalog
from sophia.core.models import Call
from sophia.core.query import account_key
from sophia.core.stores.base import VectorStore, calls_by_id

__all__ = ["refresh_quietly", "refresh_table"]

log = logging.getLogger("sophia.export")

# Content hashes asked for per store query.
_READ_BATCH = 200


async def refresh_table(
    table: InsightsTable, store: VectorStore, settings: Settings, access: AccessPolicy
) -> TableWrite:
    """Analyse the stored calls whose fingerprint changed (or that are new); remove the
    calls the store no longer holds; write only the rows that changed."""
    listed = await store.list_calls(transcripts=False)
    catalog = competitor_catalog(settings.competitors, listed)
    basis = RowBasis.of(catalog, settings.sophia_timezone)
    restricted = frozenset(a.key for a in access.accounts)
    hashes = await _content_hashes(store, [c.call_id for c in listed])

    def is_restricted(call: Call) -> bool:
        return bool(call.details.account) and account_key(call.details.account or "") in restricted

    keep = {
        c.call_id: source_fingerprint(hashes.get(c.call_id, ""), is_restricted(c), basis)
        for c in listed
        if table.keep_restricted or not is_restricted(c)
    }
    stored = await asyncio.to_thread(table.fingerprints)
    # A call without a stored content hash cannot be told unchanged: always analysed.
    due = [c for c, f in keep.items() if stored.get(c) != f or c not in hashes]
    calls = await calls_by_id(store, due)
    zone = ZoneInfo(settings.sophia_timezone)

    def compute_and_write() -> TableWrite:
        # Call analysis is CPU work and the database driver blocks: both off the event loop.
        return table.write([call_insight(c, catalog, restricted, zone) for c in calls], keep)

    return await asyncio.to_thread(compute_and_write)


async def _content_hashes(store: VectorStore, call_ids: Sequence[str]) -> dict[str, str]:
    hashes: dict[str, str] = {}
    for start in range(0, len(call_ids), _READ_BATCH):
        hashes.update(await store.content_hashes(call_ids[start : start + _READ_BATCH]))
    return hashes


async def refresh_quietly(
    table: Callable[[], InsightsTable],
    store: VectorStore,
    settings: Settings,
    access: AccessPolicy,
) -> TableWrite | None:
    """`refresh_table` after a sync (`table` opens it: a bad EXPORT_DATABASE_URL is
    reported here too): a database that is down is logged, not fatal (the index is
    written; the next sync brings the table up to date, as fingerprints tell it what)."""
    try:
        done = await refresh_table(table(), store, settings, access)
    except (ExportError, ConfigError) as exc:
        log.warning("call-insights table not updated: %s", exc)
        return None
    log.info("%s (%s)", done.line(), table().where)
    return done
