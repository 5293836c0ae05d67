"""`Stats`: what `sophia stats`, `/gong stats` and GET /api/gong/stats report, in one schema.

Query times are server-side (from the request reaching core to its answer) and kept apart
by surface: a CLI command that loaded the embedding model first is not averaged into the
REST API's warm answers.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Literal

from pydantic import BaseModel, Field

from sophia.core.cache import Cache
from sophia.core.config import Settings
from sophia.core.errors import SophiaError
from sophia.core.export.handle import TableHandle
from sophia.core.state import StateDB
from sophia.core.stores.base import VectorStore
from sophia.core.viewer import SURFACES, Surface

__all__ = ["Freshness", "QueryTimes", "Stats", "StatsReport", "nearest_rank"]


class QueryTimes(BaseModel):
    """Server-side times of one surface's recent requests, in milliseconds."""

    queries: int
    p50_ms: float
    p95_ms: float
    avg_ms: float

    @classmethod
    def of(cls, fastest_first: list[float]) -> QueryTimes:
        """The times of `fastest_first` (sorted, not empty)."""
        count = len(fastest_first)
        return cls(
            queries=count,
            p50_ms=round(nearest_rank(fastest_first, 0.5), 1),
            p95_ms=round(nearest_rank(fastest_first, 0.95), 1),
            avg_ms=round(sum(fastest_first) / count, 1),
        )

    def line(self) -> str:
        """The times as one line of a report: "p50 12 ms · p95 48 ms · avg 20 ms (14 queries)"."""
        counted = f"{self.queries:,} {'query' if self.queries == 1 else 'queries'}"
        return (
            f"p50 {self.p50_ms:,.0f} ms · p95 {self.p95_ms:,.0f} ms · "
            f"avg {self.avg_ms:,.0f} ms ({counted})"
        )


class Freshness(BaseModel):
    """How long new calls take from Gong having them (the call's end) to searchable."""

    calls: int = Field(description="Recent calls indexed live (not backfilled) measured.")
    p50_lag_s: float | None
    p95_lag_s: float | None
    newest_call_id: str | None
    newest_call_started: datetime | None
    newest_call_indexed: datetime | None

    @classmethod
    def read(cls, state: StateDB) -> Freshness:
        """The lags and the newest call as the state DB has them now."""
        lags = state.lags()
        newest = state.newest_indexed()
        call_id, started, indexed = newest if newest else (None, None, None)
        return cls(
            calls=len(lags),
            p50_lag_s=round(nearest_rank(lags, 0.5), 1) if lags else None,
            p95_lag_s=round(nearest_rank(lags, 0.95), 1) if lags else None,
            newest_call_id=call_id,
            newest_call_started=started,
            newest_call_indexed=indexed,
        )

    def line(self) -> str:
        """ "p50 3 min · p95 9 min (40 calls)", or that nothing was measured yet."""
        if self.p50_lag_s is None or self.p95_lag_s is None:
            return "not measured yet (no call indexed live)"
        return (
            f"p50 {_span(self.p50_lag_s)} · p95 {_span(self.p95_lag_s)} "
            f"({self.calls:,} {'call' if self.calls == 1 else 'calls'})"
        )


class Stats(BaseModel):
    """Index size, query times by surface, the cache, the last sync and the backends."""

    total_chunks: int
    calls_indexed: int
    query_times: dict[Surface, QueryTimes] = Field(
        description="Recent requests by surface (slack, api, cli, scheduler), server-side."
    )
    queries_measured: int
    cache_hit_rate: float | None = Field(
        description="Across replicas with Redis; else this machine's recent searches."
    )
    cache_hits: int | None = Field(None, description="Across replicas (Redis only).")
    cache_misses: int | None = Field(None, description="Across replicas (Redis only).")
    last_sync: datetime | None
    last_sync_summary: dict[str, object] | None
    # Where calls come from: the Gong API when its credentials are set, else a folder.
    source: Literal["gong", "folder"]
    embedder: str
    store: str
    cache: str
    summarizer: str
    data_dir: str
    # PII placeholders in the stored calls, how many calls hold any; restricted accounts.
    pii_redactions: int = 0
    calls_with_redactions: int = 0
    restricted_accounts: int = 0
    quarantined: int = Field(0, description="Records ingest set aside (`sophia quarantine`).")
    freshness: Freshness | None = Field(
        None, description="Lag from a call's end to searchable, and the newest indexed call."
    )
    crm_pending: int | None = Field(
        None, description="Calls still to be written to Salesforce (null: enrichment is off)."
    )


@dataclass(frozen=True)
class StatsReport:
    """Where each number of `Stats` comes from; `gather()` reads them now."""

    settings: Settings
    store: VectorStore
    cache: Cache
    state: StateDB
    embedder: str
    summarizer: str
    restricted_accounts: int
    table: TableHandle | None = None

    async def gather(self) -> Stats:
        """The numbers as they are now."""
        counts = await self.store.counts()
        redactions = await self.store.redaction_counts()
        timings = self.state.query_timings()
        shared = await self.cache.counts()
        local_rate = timings.cached_searches / timings.searches if timings.searches else None
        last = self.state.last_sync()
        settings = self.settings
        store = type(self.store).__name__
        return Stats(
            total_chunks=counts.chunks,
            calls_indexed=counts.calls,
            query_times={
                surface: QueryTimes.of(timings.ms_by_surface[surface])
                for surface in SURFACES
                if timings.ms_by_surface.get(surface)
            },
            queries_measured=sum(map(len, timings.ms_by_surface.values())),
            cache_hit_rate=_rounded(local_rate if shared is None else shared.hit_rate),
            cache_hits=None if shared is None else shared.hits,
            cache_misses=None if shared is None else shared.misses,
            last_sync=datetime.fromtimestamp(last.pop("at"), UTC) if last else None,
            last_sync_summary=last,
            source="gong" if settings.gong_configured else "folder",
            embedder=self.embedder,
            store=f"{store} at {settings.weaviate_endpoint}"
            if settings.weaviate_endpoint
            else f"{store} in {settings.sophia_data_dir / 'index'}",
            cache=type(self.cache).__name__,
            summarizer=self.summarizer,
            data_dir=str(settings.sophia_data_dir),
            pii_redactions=redactions.redactions,
            calls_with_redactions=redactions.calls,
            restricted_accounts=self.restricted_accounts,
            quarantined=self.state.quarantine_count(),
            freshness=Freshness.read(self.state),
            crm_pending=await self._crm_pending(),
        )

    async def _crm_pending(self) -> int | None:
        if self.table is None or not self.settings.salesforce_configured:
            return None
        try:
            return await asyncio.to_thread(self.table.crm_pending)
        except SophiaError:  # its database is down: the sync's log says so
            return None


def nearest_rank(ascending: list[float], share: float) -> float:
    """The value at `share` (0..1) of a sorted, non-empty list (nearest rank)."""
    return ascending[min(len(ascending) - 1, round(share * (len(ascending) - 1)))]


def _span(seconds: float) -> str:
    if seconds < 90:
        return f"{seconds:.0f} s"
    if seconds < 5400:
        return f"{seconds / 60:.0f} min"
    return f"{seconds / 3600:.1f} h"


def _rounded(value: float | None) -> float | None:
    return None if value is None else round(value, 3)
