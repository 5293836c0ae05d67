"""Keeping the call-insights table current: after every sync, ingest and purge, from the
calls in the store (so a purged or deleted call leaves the table with it)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from zoneinfo import ZoneInfo

from sophia.core.access import AccessPolicy
from sophia.core.config import Settings
from sophia.core.errors import ConfigError, ExportError
from sophia.core.export.rows import call_insight
from sophia.core.export.table import InsightsTable, TableWrite
from sophia.core.insights.competitor_catalog import competitor_catalog
from sophia.core.stores.base import StoreReader

__all__ = ["refresh_quietly", "refresh_table"]

log = logging.getLogger("sophia.export")


async def refresh_table(
    table: InsightsTable, store: StoreReader, settings: Settings, access: AccessPolicy
) -> TableWrite:
    """Recompute every stored call's row; write only what changed."""
    calls = await store.list_calls()
    catalog = competitor_catalog(settings.competitors, calls)
    restricted = frozenset(a.key for a in access.accounts)
    zone = ZoneInfo(settings.sophia_timezone)

    def compute_and_write() -> TableWrite:
        # Call analysis is CPU work and the database driver blocks: both off the event loop.
        return table.write([call_insight(c, catalog, restricted, zone) for c in calls])

    return await asyncio.to_thread(compute_and_write)


async def refresh_quietly(
    table: Callable[[], InsightsTable],
    store: StoreReader,
    settings: Settings,
    access: AccessPolicy,
) -> TableWrite | None:
    """`refresh_table` after a sync (`table` opens it: a bad EXPORT_DATABASE_URL is
    reported here too): a database that is down is logged, not fatal (the index
    is written; the next sync brings the table up to date, as it recomputes every row)."""
    try:
        done = await refresh_table(table(), store, settings, access)
    except (ExportError, ConfigError) as exc:
        log.warning("call-insights table not updated: %s", exc)
        return None
    log.info("%s (%s)", done.line(), table().where)
    return done
