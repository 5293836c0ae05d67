"""`Stats`: what `sophia stats`, `/gong stats` and GET /api/gong/stats report, in one schema.

Query times are server-side (from the request reaching core to its answer) and kept apart
by surface: a CLI command that loaded the embedding model first is not averaged into the
REST API's warm answers.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Literal

from pydantic import BaseModel, Field

from sophia.core.cache import Cache
from sophia.core.config import Settings
from sophia.core.state import StateDB
from sophia.core.stores.base import VectorStore
from sophia.core.viewer import SURFACES, Surface

__all__ = ["QueryTimes", "Stats", "StatsReport"]


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

        def rank(share: float) -> float:
            return round(fastest_first[min(count - 1, round(share * (count - 1)))], 1)

        return cls(
            queries=count,
            p50_ms=rank(0.5),
            p95_ms=rank(0.95),
            avg_ms=round(sum(fastest_first) / count, 1),
        )

    def line(self) -> str:
        """The times as one line of a report: "p50 12 ms · p95 48 ms · avg 20 ms (14 queries)"."""
        counted = f"{self.queries:,} {'query' if self.queries == 1 else 'queries'}"
        return (
            f"p50 {self.p50_ms:,.0f} ms · p95 {self.p95_ms:,.0f} ms · "
            f"avg {self.avg_ms:,.0f} ms ({counted})"
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
        )


def _rounded(value: float | None) -> float | None:
    return None if value is None else round(value, 3)
