"""Search: one query in, cited hits out, through the cache and the configured store."""

from __future__ import annotations

import asyncio
import hashlib
import logging
import time
from dataclasses import dataclass, replace
from datetime import datetime

from pydantic import BaseModel

from sophia.core.cache import Cache, Generation
from sophia.core.chunking import ChunkLine, render_lines
from sophia.core.embedders.base import Embedder, Vectors
from sophia.core.errors import EmbeddingError
from sophia.core.gong.links import moment_url
from sophia.core.metrics import CACHE_LOOKUPS
from sophia.core.models import Affiliation
from sophia.core.query import SearchMode, SearchRequest
from sophia.core.ranking import Ranker
from sophia.core.relevance import NO_FLOOR, RelevanceFloor
from sophia.core.snippets import best_line, query_terms, snippet_text
from sophia.core.stores.base import (
    ReadsAhead,
    StoredChunk,
    StoreGeneration,
    StoreQuery,
    StoreReader,
)

__all__ = ["CALL_POOL", "Candidates", "Hit", "SearchResult", "SearchService"]

log = logging.getLogger("sophia.search")
# Candidates fetched per requested hit, so that dropping overlapping chunks still fills it.
_OVERFETCH = 3
# A search confined to calls gives the ranker at most this many candidates, not the whole
# pool: within one call the fused top 50 already holds a right moment for every QMSum val
# query, and ranking half as many saves ~2 ms on a long call (benchmarks/README.md, "Scale").
CALL_POOL = 50


class Hit(BaseModel):
    """One moment of one call, with its citation."""

    call_id: str
    chunk_id: str
    title: str
    account: str | None
    started: datetime
    speaker: str
    affiliation: Affiliation
    start_ms: int  # the chunk's range: what relevance is judged on
    end_ms: int
    moment_ms: int  # where the quoted sentence starts: what the link opens
    score: float
    snippet: str
    text: str
    url: str
    call_url: str


class SearchResult(BaseModel):
    """Hits plus what was actually run (the mode may fall back to keyword)."""

    request: SearchRequest
    mode: SearchMode
    hits: list[Hit]
    took_ms: float
    cached: bool = False
    notice: str | None = None
    # Candidates left out because they did not clear the relevance floor.
    below_floor: int = 0


@dataclass(frozen=True)
class Candidates:
    """What the store returned for a request, in its order, before ranking and the floor."""

    mode: SearchMode  # what was run (keyword when the query could not be embedded)
    chunks: list[StoredChunk]
    notice: str | None = None


class SearchService:
    """Runs searches against one store with one embedder."""

    def __init__(
        self,
        store: StoreReader,
        embedder: Embedder,
        cache: Cache,
        *,
        generation: Generation | None = None,
        floor: RelevanceFloor = NO_FLOOR,
        ranker: Ranker | None = None,
    ) -> None:
        """`ranker`: the second stage that reorders hybrid candidates (None: the store's
        fused order is final)."""
        self._store = store
        self._embedder = embedder
        self._cache = cache
        self._generation = generation or StoreGeneration(store)
        self._floor = floor
        self._ranker = ranker

    async def search(self, request: SearchRequest) -> SearchResult:
        """The best `request.limit` non-overlapping hits, cited."""
        started = time.perf_counter()
        # One state of the index for the key and the reads behind it: a write landing
        # between them cannot file new results under the old generation. It also checks
        # the index's versions once per search, not once per read (~0.6 ms each at 1M).
        async with self._store.pinned():
            key = await self._cache_key(request)
            cached = await self._cache.get(key)
            CACHE_LOOKUPS.labels("miss" if cached is None else "hit").inc()
            if cached is not None:
                result = SearchResult.model_validate_json(cached)
                return result.model_copy(update={"cached": True, "took_ms": _since(started)})
            result = await self._run(request, started)
        # A degraded answer (keyword fallback) is not worth remembering.
        if result.mode is request.mode:
            await self._cache.set(key, result.model_dump_json())
        return result

    async def _run(self, request: SearchRequest, started: float) -> SearchResult:
        found = await self.candidates(request)
        shown, below_floor = self.shown(request, found)
        terms = query_terms(request.query)
        side = request.filters.side
        hits = [_hit(chunk, best_line(chunk.lines, terms, side)) for chunk in shown]
        notice = found.notice
        if below_floor and not shown:
            notice = notice or (
                f"Nothing in the calls matches “{request.query}” closely enough to show: the "
                "nearest moments were only loosely related."
            )
        return SearchResult(
            request=request,
            mode=found.mode,
            hits=hits,
            took_ms=_since(started),
            notice=notice,
            below_floor=below_floor,
        )

    async def candidates(self, request: SearchRequest) -> Candidates:
        """The store's candidates for `request` (as many as the ranker wants to see)."""
        query = self._store_query(request, request.mode)
        if query.mode is SearchMode.KEYWORD:
            return Candidates(query.mode, await self._store.search(query))
        try:
            vector = await self._query_vector(query)
        except EmbeddingError as exc:
            log.warning("query embedding failed, falling back to keyword search: %s", exc)
            keyword = self._store_query(request, SearchMode.KEYWORD)
            notice = "Semantic search is unavailable right now; these are keyword matches."
            return Candidates(keyword.mode, await self._store.search(keyword), notice)
        return Candidates(query.mode, await self._store.search(replace(query, vector=vector)))

    async def _query_vector(self, query: StoreQuery) -> Vectors:
        """The query's vector; a store that can starts the search's reads meanwhile."""
        embedding = self._embedder.embed_query(query.text)
        if not isinstance(self._store, ReadsAhead):
            return await embedding
        # The read's own failure is the search's to report, when it reads again.
        vector, _ = await asyncio.gather(
            embedding, self._store.read_ahead(query), return_exceptions=True
        )
        if isinstance(vector, BaseException):
            raise vector
        return vector

    def _store_query(self, request: SearchRequest, mode: SearchMode) -> StoreQuery:
        wanted = request.limit * _OVERFETCH
        ranker = self._ranker_for(mode)
        if ranker is not None:
            pool = min(ranker.pool, CALL_POOL) if request.filters.call_ids else ranker.pool
            wanted = max(wanted, pool)
        return StoreQuery(
            mode=mode,
            text=request.query,
            vector=None,
            alpha=request.alpha,
            limit=min(100, wanted),
            filters=request.filters,
        )

    def shown(self, request: SearchRequest, found: Candidates) -> tuple[list[StoredChunk], int]:
        """The chunks to show, best first, and how many candidates the floor left out."""
        chunks = found.chunks
        ranker = self._ranker_for(found.mode)
        if ranker is not None:
            chunks = ranker.rank(request.query, chunks)
        # As many as the store's order offers without a ranker: the floor and overlaps
        # thin them, and what is left beyond them was never going to be shown.
        chunks = chunks[: request.limit * _OVERFETCH]
        # Fewer, right hits beat `limit` hits: what lacks evidence is not shown at all.
        admitted = [chunk for chunk in chunks if self._floor.admits(chunk, request.query)]
        return _without_overlaps(admitted)[: request.limit], len(chunks) - len(admitted)

    def _ranker_for(self, mode: SearchMode) -> Ranker | None:
        # Fitted on hybrid candidates: keyword or vector scores alone are on other scales.
        return self._ranker if mode is SearchMode.HYBRID else None

    async def _cache_key(self, request: SearchRequest) -> str:
        generation = await self._generation.current()
        floor = repr(self._floor)
        ranker = self._ranker.name if self._ranker else "fused"
        material = (
            f"{generation}|{self._embedder.name}|{floor}|{ranker}|{request.model_dump_json()}"
        )
        return "search:" + hashlib.sha256(material.encode()).hexdigest()


def _without_overlaps(chunks: list[StoredChunk]) -> list[StoredChunk]:
    """Drop a chunk that overlaps a better one of the same call (overlap makes near-copies)."""
    kept: list[StoredChunk] = []
    for chunk in chunks:
        if not any(
            k.call_id == chunk.call_id and k.start_ms < chunk.end_ms and chunk.start_ms < k.end_ms
            for k in kept
        ):
            kept.append(chunk)
    return kept


def _hit(chunk: StoredChunk, line: ChunkLine) -> Hit:
    return Hit(
        call_id=chunk.call_id,
        chunk_id=chunk.chunk_id,
        title=chunk.title,
        account=chunk.account,
        started=chunk.started,
        speaker=line.speaker,
        affiliation=line.affiliation,
        start_ms=chunk.start_ms,
        end_ms=chunk.end_ms,
        moment_ms=line.start_ms,
        score=round(chunk.score, 6),
        snippet=snippet_text(chunk.lines, line),
        text=render_lines(chunk.lines),
        url=moment_url(chunk.call_url, line.start_ms, line.end_ms),
        call_url=chunk.call_url,
    )


def _since(started: float) -> float:
    return round((time.perf_counter() - started) * 1000, 2)
