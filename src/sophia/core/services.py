"""`Sophia`: the configured backends and the core services, opened once per process.

Every surface (CLI, Slack bot, REST API) opens one of these and calls its services; none
of them builds a backend or a service itself.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from sophia.core.access import AccessPolicy
from sophia.core.audit import AuditLog
from sophia.core.backends import (
    build_cache,
    build_clock,
    build_embedder,
    build_generation,
    build_query_vector_cache,
    build_store,
    build_summarizer,
    chunk_plan,
)
from sophia.core.cache import Cache, Generation
from sophia.core.clock import Clock
from sophia.core.config import Settings
from sophia.core.embedders.base import Embedder, aclose_embedder
from sophia.core.embedders.cached import QueryVectorCache
from sophia.core.errors import ConfigError
from sophia.core.export.handle import TableHandle
from sophia.core.ingest import Ingestor, IngestProgress, IngestSummary
from sophia.core.insights.context import InsightContext
from sophia.core.insights.service import Insights
from sophia.core.metrics import SYNC_RUNS, observe_store_work, observe_sync
from sophia.core.pii import Redactor
from sophia.core.quarantine import Quarantined
from sophia.core.quarantine_retry import plan_retry
from sophia.core.ranking import load_ranker
from sophia.core.relevance import floor_for
from sophia.core.search import SearchService
from sophia.core.session import Session, SessionServices
from sophia.core.sources.base import CallSource
from sophia.core.sources.folder import FolderSource
from sophia.core.sources.gong_urgent import UrgentFetches
from sophia.core.sources.stored import StoredCallsSource
from sophia.core.state import StateDB
from sophia.core.stats import Stats, StatsReport
from sophia.core.stores.base import IndexInfo, VectorStore
from sophia.core.viewer import Viewer
from sophia.core.writer import WriterLock

if TYPE_CHECKING:
    from sophia.core.export.table import TableWrite

__all__ = ["Sophia"]

log = logging.getLogger("sophia")


@dataclass
class Sophia:
    """Backends plus services for one process."""

    settings: Settings
    embedder: Embedder
    store: VectorStore
    cache: Cache
    generation: Generation
    state: StateDB
    search: SearchService
    ingestor: Ingestor
    insights: Insights
    access: AccessPolicy
    audit: AuditLog
    redactor: Redactor
    clock: Clock
    writer: WriterLock
    sessions: SessionServices
    table: TableHandle
    # Webhook calls and polls that a Gong sync running in this process serves between batches.
    urgent: UrgentFetches = field(default_factory=UrgentFetches)

    @classmethod
    async def open(
        cls, settings: Settings, *, check_index: bool = True, clock: Clock | None = None
    ) -> Sophia:
        """Build the configured backends and check the index matches the embedder.

        `check_index=False` opens an index built by another embedder: only `reindex` wants it.
        `clock` (else the machine's, or SOPHIA_NOW's) is what every part reads as "now".
        A bad ACCESS_POLICY file stops it here, before anything is served.
        """
        clock = clock or build_clock(settings)
        if settings.sophia_now is not None:
            log.info("SOPHIA_NOW pins the clock to %s", settings.sophia_now.isoformat())
        access = AccessPolicy.load(settings.access_policy, settings.api_keys)
        if access.restricted:
            log.info(
                "access policy: %d restricted accounts from %s",
                len(access.accounts),
                settings.access_policy,
            )
        redactor = Redactor(settings.pii_extra_patterns)
        embedder = build_embedder(settings, clock)
        plan = chunk_plan(settings, embedder)
        store = build_store(settings, clock)
        await store.ensure_index(IndexInfo(embedder.name, embedder.dim), check=check_index)
        cache = build_cache(settings)
        generation = build_generation(settings, store, cache)
        if settings.cache_ttl_s:
            embedder = QueryVectorCache(embedder, build_query_vector_cache(settings, cache))
        state = StateDB(settings.sophia_data_dir / "state.db", clock=clock)
        floor = floor_for(embedder.name, settings.search_floor)
        ranker = load_ranker() if settings.search_rerank else None
        search = SearchService(
            store, embedder, cache, generation=generation, floor=floor, ranker=ranker
        )
        context = InsightContext(
            store, search, build_summarizer(settings), settings, clock, embedder=embedder
        )
        insights = Insights(context)
        ingestor = Ingestor(
            store,
            embedder,
            plan,
            retention_days=settings.retention_days,
            clock=clock,
            generation=generation,
            redactor=redactor,
            state=state,
        )
        audit = AuditLog(
            settings.sophia_data_dir / "audit",
            max_bytes=settings.audit_max_bytes,
            backups=settings.audit_backups,
        )
        # Opened (and migrated) at first use: a search never waits for the database.
        table = TableHandle(settings)
        report = StatsReport(
            settings,
            store,
            cache,
            state,
            embedder=embedder.name,
            summarizer=context.summarizer.name,
            restricted_accounts=len(access.accounts),
            table=table,
        )
        # What sessions work with: no session reaches into the rest of `Sophia`.
        sessions = SessionServices(
            access, search, insights, store, state, audit, redactor, clock, report, table
        )
        writer = WriterLock(settings.sophia_data_dir, clock)
        return cls(
            settings,
            embedder,
            store,
            cache,
            generation,
            state,
            search,
            ingestor,
            insights,
            access,
            audit,
            redactor,
            clock,
            writer,
            sessions,
            table,
        )

    def session(self, viewer: Viewer, request_id: str | None = None) -> Session:
        """One request from `viewer`: every surface asks through a session (policy, audit)."""
        return Session(self.sessions, viewer, request_id)

    def close(self) -> None:
        """Close the local state. Network clients (Redis, OpenAI) need `aclose()`."""
        self.table.dispose()
        self.state.close()

    async def aclose(self) -> None:
        """Close the network clients and the local state."""
        try:
            await self.cache.aclose()
            await self.store.aclose()
            await aclose_embedder(self.embedder)
            # Only the LLM summarizer holds a client; the extractive one has nothing to close.
            close_summarizer = getattr(self.insights.context.summarizer, "aclose", None)
            if close_summarizer is not None:
                await close_summarizer()
        finally:
            self.close()

    # Writers (ingest, sync, reindex, quarantine retries, purge) take the data dir's writer
    # lock (core/writer.py): a second one exits with "already running", or waits if asked.

    async def ingest_folder(
        self, folder: Path, progress: IngestProgress | None = None, *, wait: bool = False
    ) -> IngestSummary:
        """Index a Gong-shaped folder (see core/sources/folder.py)."""
        source = FolderSource(folder, clock=self.clock)
        async with self.writer.hold("ingest", wait=wait):
            return await self._ingest(source, None, progress)

    async def sync(
        self,
        since: datetime | None = None,
        progress: IngestProgress | None = None,
        *,
        wait: bool | float = False,
    ) -> IngestSummary:
        """Fetch new and changed calls from the Gong API and index them. `wait`: if another
        writer runs, True waits for it to end, a number of seconds waits at most that long."""
        if not self.settings.gong_configured:
            raise ConfigError(
                "Gong is not configured: set GONG_ACCESS_KEY and GONG_ACCESS_SECRET "
                "(or index a folder with `sophia ingest --from-dir DIR`)"
            )
        from sophia.core.gong.client import GongClient
        from sophia.core.sources.gong_api import GongApiSource

        async with (
            self.writer.hold(
                "sync", wait=bool(wait), wait_s=None if isinstance(wait, bool) else wait
            ),
            GongClient.from_settings(self.settings, clock=self.clock) as client,
        ):
            source = GongApiSource(
                client, self.state, settings=self.settings, clock=self.clock, urgent=self.urgent
            )
            self.urgent.serving = True
            try:
                return await self._ingest(source, since, progress)
            finally:
                source.give_back()
                self.urgent.stop_serving()

    def queue_calls(self, call_ids: list[str]) -> None:
        """Fetch these Gong calls now (a verified webhook named them), not at the next poll."""
        self.urgent.add_calls(call_ids)

    async def poll(self, *, wait: float) -> IngestSummary | None:
        """The scheduled poll: a sync, unless one runs in this process already: that one
        serves the poll between its batches (None then), so a backfill never starves it."""
        while self.urgent.serving:
            log.info("poll: the sync running now serves it between its batches")
            if await self.urgent.ask_poll():
                return None
        return await self.sync(wait=wait)

    async def reindex(
        self, progress: IngestProgress | None = None, *, wait: bool = False
    ) -> IngestSummary:
        """Rebuild every chunk and vector from the stored calls, with today's settings.

        The new index is built beside the live one, which keeps answering searches, and
        replaces it in one step when complete; a reindex that stops half-way leaves the old
        index serving (run it again). The same switch moves an index to a new embedder.
        """
        async with self.writer.hold("reindex", wait=wait):
            return await self._reindex(progress)

    async def _reindex(self, progress: IngestProgress | None) -> IngestSummary:
        # A stored call this version cannot read is quarantined; the others are rebuilt.
        unreadable: list[Quarantined] = []
        calls = await self.store.list_calls(unreadable=unreadable)
        staged = await self.store.rebuild(IndexInfo(self.embedder.name, self.embedder.dim))
        ingestor = Ingestor(
            staged,
            self.embedder,
            self.ingestor.plan,
            retention_days=self.settings.retention_days,
            clock=self.clock,
            redactor=self.redactor,
            state=self.state,
            live=False,
        )
        try:
            summary = await self._ingest(
                StoredCallsSource("reindex", calls, unreadable), None, progress, ingestor
            )
            # Built batch by batch: it goes live compacted, one segment per index.
            summary.upkeep.extend(await staged.optimize(full=True))
            await self.store.promote(staged)
        except BaseException:
            await self.store.discard(staged)
            raise
        log.info("reindex: the rebuilt index is live (%d calls)", summary.indexed)
        await self.generation.advance()
        await self.refresh_table()
        return summary

    async def retry_quarantined(
        self, progress: IngestProgress | None = None, *, wait: bool = False
    ) -> IngestSummary:
        """Try every quarantined record again (after an upgrade, or once its source is fixed).

        A record kept with its redacted call is retried from that; a Gong call is fetched
        again by id; a folder's records by reading the folder again. What still fails stays
        quarantined, with the new reason.
        """
        async with self.writer.hold("quarantine retry", wait=wait):
            return await self._retry_quarantined(progress)

    async def _retry_quarantined(self, progress: IngestProgress | None) -> IngestSummary:
        plan = plan_retry(
            self.state.quarantined(), gong=self.settings.gong_configured, clock=self.clock
        )
        summary = IngestSummary(source="quarantine")
        for source in plan.sources:
            summary.add(await self._ingest(source, None, progress))
        if plan.gong_ids:
            summary.add(await self._retry_from_gong(plan.gong_ids, progress))
        return summary

    async def _retry_from_gong(
        self, call_ids: list[str], progress: IngestProgress | None
    ) -> IngestSummary:
        from sophia.core.gong.client import GongClient
        from sophia.core.sources.gong_api import GongApiSource, GongCallsSource

        async with GongClient.from_settings(self.settings, clock=self.clock) as client:
            source = GongApiSource(client, self.state, settings=self.settings, clock=self.clock)
            return await self._ingest(GongCallsSource(source, call_ids), None, progress)

    async def purge_expired(self, *, wait: bool = False) -> list[str]:
        """The daily purge: remove calls older than RETENTION_DAYS (when set), then compact
        the store, so what was deleted leaves the disk. Returns the removed calls' ids."""
        async with self.writer.hold("purge", wait=wait):
            removed = await self._purge_expired() if self.settings.retention_days else []
            started = time.perf_counter()
            written = self.store.written_bytes()
            done = await self.store.optimize(full=True)
            observe_store_work("optimize", started, written, self.store.written_bytes())
            if done:
                log.info("store upkeep: %s", "; ".join(done))
            await self.refresh_table()
            return removed

    async def _purge_expired(self) -> list[str]:
        cutoff = self.clock.now() - timedelta(days=self.settings.retention_days)
        before = await self.store.counts()
        removed = await self.store.delete_older_than(cutoff)
        if removed:
            await self.generation.advance()
        chunks = before.chunks - (await self.store.counts()).chunks
        shown = ", ".join(removed[:20]) + (
            f" and {len(removed) - 20} more" if len(removed) > 20 else ""
        )
        log.info(
            "retention purge: removed %d calls (%d chunks) started before %s (RETENTION_DAYS=%d)%s",
            len(removed),
            max(chunks, 0),
            cutoff.isoformat(timespec="seconds"),
            self.settings.retention_days,
            f": {shown}" if removed else "",
            extra={"removed_calls": len(removed), "removed_call_ids": removed},
        )
        return removed

    async def stats(self) -> Stats:
        """Index size, query times and the last sync, unaudited (a `Session` audits it)."""
        return await self.sessions.stats.gather()

    async def _ingest(
        self,
        source: CallSource,
        since: datetime | None,
        progress: IngestProgress | None,
        ingestor: Ingestor | None = None,
    ) -> IngestSummary:
        try:
            summary = await (ingestor or self.ingestor).run(
                source, batch_size=self.settings.sync_batch_size, since=since, progress=progress
            )
        except BaseException:
            SYNC_RUNS.labels("error").inc()
            raise
        observe_sync(summary)
        self.state.record_sync(summary.as_dict())
        # A reindex's own ingest writes a staged index: the table follows the live one.
        if ingestor is None and await self.refresh_table() and self.settings.salesforce_configured:
            from sophia.core.crm.enrichment import enrich_quietly

            # New calls' Tasks and insight fields to Salesforce (core/crm/): logged, not fatal.
            await enrich_quietly(self.table.get(), self.store, self.settings, self.clock)
        return summary

    async def refresh_table(self) -> TableWrite | None:
        """Bring the call-insights table up to the store (core/export/); None: not written."""
        from sophia.core.export.refresh import refresh_quietly

        return await refresh_quietly(self.table.get, self.store, self.settings, self.access)
