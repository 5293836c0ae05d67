"""The embedded store: LanceDB on disk, with native BM25 full-text and exact vector search.

`LanceStore` decides which generation and which table versions a call works on (leases,
pins and views); the work itself is in `lance_generation` (opening and creating one),
`lance_writes`, `lance_search` and `lance_schema` (tables, rows and SQL filters).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
import time
from collections.abc import AsyncIterator, Callable, Sequence
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from typing import Any, TypeVar, Unpack

import numpy as np

from sophia.core.clock import Clock, SystemClock
from sophia.core.embedders.base import Vectors
from sophia.core.errors import StoreError
from sophia.core.models import Call
from sophia.core.query import NO_FILTERS, SearchFilters
from sophia.core.stores import base, lance_writes
from sophia.core.stores.generations import GenerationGone, Generations
from sophia.core.stores.lance_ahead import StartedReads
from sophia.core.stores.lance_generation import (
    OpenGeneration,
    check_generation,
    create_generation,
    dataset_of,
    datasets_at,
    lance_message,
    open_generation,
    versions_on_disk,
)
from sophia.core.stores.lance_indexes import ANN_MIN_ROWS, AnnProbe
from sophia.core.stores.lance_process import prepare_process
from sophia.core.stores.lance_schema import in_list, literal, read_rows, where_for_calls
from sophia.core.stores.lance_search import read_ahead, search_chunks
from sophia.core.stores.lance_upkeep import written_bytes
from sophia.core.stores.lance_visible import Pin, Versions, holding, pinned_for, readable
from sophia.core.stores.lance_writes import retrying_conflicts
from sophia.core.stores.records import call_from_record, calls_from_records

__all__ = ["LanceStore"]

log = logging.getLogger("sophia.stores")

# Table handles kept open at the versions of recent reads, per generation (a few kB each).
_VIEWS = 4
T = TypeVar("T")


class LanceStore:
    """A `base.VectorStore` in a LanceDB directory of generations (core/stores/generations.py):
    tables `chunks` and `calls` plus index.json in the live one."""

    def __init__(
        self,
        path: Path,
        *,
        clock: Clock | None = None,
        retire_wait_s: float = 10.0,
        ann_min_rows: int = ANN_MIN_ROWS,
        _pinned: str | None = None,
    ) -> None:
        """`retire_wait_s`: how long a reindex waits for queries still reading the index it
        replaced before leaving its removal to a later run. `ann_min_rows`: chunks from which
        vector search uses an ANN index (core/stores/lance_indexes.py)."""
        prepare_process()
        self._path = path
        self._retire_wait_s = retire_wait_s
        self._ann_min_rows = ann_min_rows
        self._ann = AnnProbe()
        self._started = StartedReads()
        self._clock = clock or SystemClock()
        self._generations = Generations(path)
        # A store built by `rebuild` writes into one generation that is not live yet.
        self._pinned = _pinned
        self._held: int | None = None
        self._expected: base.IndexInfo | None = None
        self._current: OpenGeneration | None = None
        self._opening = threading.Lock()
        self._written = 0

    # --- lifecycle -----------------------------------------------------------------------

    async def ensure_index(self, info: base.IndexInfo, *, check: bool = True) -> None:
        await self._blocking(self._ensure_index, info, check)

    async def reset(self, info: base.IndexInfo) -> None:
        staged = await self.rebuild(info)
        await self.promote(staged)

    async def rebuild(self, info: base.IndexInfo) -> LanceStore:
        """A new, empty generation for `info` beside the live one; searches keep using the
        live one until `promote`."""
        name = await self._blocking(self._generations.create)
        staged = LanceStore(
            self._path, clock=self._clock, ann_min_rows=self._ann_min_rows, _pinned=name
        )
        staged._held = await self._blocking(self._generations.hold, name)
        await staged._blocking(staged._create, info)
        return staged

    async def promote(self, staged: base.VectorStore) -> None:
        """Make `staged` (from `rebuild`) the live generation in one step; the old one is
        removed once no process reads it."""
        if not isinstance(staged, LanceStore) or staged._pinned is None:
            raise StoreError("only an index built by rebuild() can be promoted")
        retired = await self._blocking(self._generations.live)
        await self._blocking(self._generations.point_to, staged._pinned)
        self._expected = None if self._expected is None else staged._info()
        Generations.release(staged._held)
        staged._held = None
        if retired is not None:
            await self._blocking(
                lambda: self._generations.retire(retired, wait_s=self._retire_wait_s)
            )
        await self._blocking(self._generations.remove_unused)

    async def discard(self, staged: base.VectorStore) -> None:
        """Drop an unfinished `rebuild` (the live generation is untouched)."""
        if isinstance(staged, LanceStore) and staged._pinned is not None:
            Generations.release(staged._held)
            staged._held = None
            await self._blocking(self._generations.remove_unused)

    def _ensure_index(self, info: base.IndexInfo, check: bool) -> None:
        if self._pinned is not None:
            self._create(info)
            return
        self._path.mkdir(parents=True, exist_ok=True)
        if self._generations.live() is None:
            name = self._generations.create()
            LanceStore(self._path, clock=self._clock, _pinned=name)._create(info)
            self._generations.point_to(name)
        self._expected = info if check else None
        # The record alone: the tables open at the first read, so commands that only count
        # never import LanceDB (see lance_generation).
        self._on_live(
            lambda name: check_generation(self._generations.path(name), self._expected, self._path)
        )

    def _create(self, info: base.IndexInfo) -> None:
        """Tables and record of a new generation (this store's pinned one)."""
        assert self._pinned is not None
        create_generation(self._generations.path(self._pinned), info, self._clock)
        self._expected = info
        self._current = self._open(self._pinned)

    def _info(self) -> base.IndexInfo | None:
        return (
            None
            if self._current is None
            else base.IndexInfo(self._current.embedder, self._current.dim)
        )

    def _open(self, name: str) -> OpenGeneration:
        """Open a generation's tables, checking it was built for the expected embedder."""
        return open_generation(self._generations.path(name), name, self._expected, self._path)

    def live_tables(self) -> tuple[Any, Any]:
        """The live generation's LanceDB `chunks` and `calls` tables, outside any lease: for
        benchmarks and checks of the indexes, not for serving."""
        return self._leased(lambda gen: (gen.chunks, gen.calls))

    def _generation(self, name: str) -> OpenGeneration:
        with self._opening:
            if self._current is None or self._current.name != name:
                self._current = self._open(name)
            return self._current

    def _leased(self, work: Callable[..., T], *args: Any) -> T:
        """`work(generation, *args)` on the live generation, leased for the duration."""
        if self._pinned is not None:
            return work(self._generation(self._pinned), *args)
        return self._on_live(lambda name: work(self._generation(name), *args))

    def _on_live(self, work: Callable[[str], T]) -> T:
        """`work(name)` on the live generation's name, leased for the duration."""
        for _ in range(5):
            name = self._generations.live()
            if name is None:
                raise StoreError(f"the index in {self._path} failed: there is no index there")
            try:
                with self._generations.lease(name):
                    return work(name)
            except GenerationGone:
                continue  # switched and removed just now: the pointer names the new one
        raise StoreError(f"the index in {self._path} failed: it kept changing under the read")

    def _datasets(self, work: Callable[[Any, Any], T]) -> T:
        """`work(chunks, calls)` on Lance datasets at the versions `_viewed` would read, without
        opening LanceDB: for counts."""
        pin = pinned_for(self._path) if self._pinned is None else None
        if pin is not None:  # its lease is held by `pinned`
            return work(*datasets_at(self._generations.path(pin.generation), pin.versions))

        def at_readable(name: str) -> T:
            path = self._generations.path(name)
            check_generation(path, self._expected, self._path)
            return work(*datasets_at(path, readable(path, lambda: versions_on_disk(path))))

        return at_readable(self._pinned) if self._pinned is not None else self._on_live(at_readable)

    def _viewed(self, work: Callable[..., T], *args: Any) -> T:
        """`work(view, *args)` on the tables as readers see them: at the versions pinned for
        this task, else at the live generation's readable ones."""
        pin = pinned_for(self._path) if self._pinned is None else None
        if pin is not None:  # its lease is held by `pinned`
            return work(self._view(self._generation(pin.generation), pin.versions), *args)
        return self._leased(lambda gen: work(self._view(gen), *args))

    def _view(self, gen: OpenGeneration, versions: Versions | None = None) -> OpenGeneration:
        """`gen` with both tables at `versions` (default: the readable ones)."""
        wanted = versions or gen.readable()
        tables = gen.views.get(wanted)
        if tables is None:
            try:
                tables = gen.tables_at(wanted)
            except (OSError, RuntimeError, ValueError) as exc:
                # Cleaned up under a pin held longer than LanceDB keeps old versions.
                log.warning("index versions %s unreadable (%s); reading the latest", wanted, exc)
                tables = gen.tables_at(gen.latest())
            with self._opening:
                gen.views[wanted] = tables
                while len(gen.views) > _VIEWS:
                    del gen.views[next(iter(gen.views))]
        return replace(gen, chunks=tables[0], calls=tables[1])

    @contextlib.asynccontextmanager
    async def pinned(self) -> AsyncIterator[None]:
        """Every read inside the block (in this task and those it starts) sees one state of
        one generation: an answer built from several reads never mixes two."""
        if self._pinned is not None or pinned_for(self._path) is not None:
            yield
            return
        pin, fd = await self._blocking(self._pin)
        try:
            with holding(self._path, pin):
                yield
        finally:
            Generations.release(fd)

    def _pin(self) -> tuple[Pin, int | None]:
        for _ in range(5):
            name = self._generations.live()
            if name is None:
                raise StoreError(f"the index in {self._path} failed: there is no index there")
            try:
                fd = self._generations.hold(name)
            except GenerationGone:
                continue
            try:
                return Pin(name, self._readable(name)), fd
            except GenerationGone:
                Generations.release(fd)
                continue  # switched and removed just now: the pointer names the new one
            except BaseException:
                Generations.release(fd)
                raise
        raise StoreError(f"the index in {self._path} failed: it kept changing under the read")

    def _readable(self, name: str) -> Versions:
        """Generation `name`'s readable versions, from its open tables when it is open, else
        from disk (so pinning a command that only counts never opens LanceDB)."""
        with self._opening:
            gen = self._current if self._current and self._current.name == name else None
        if gen is not None:
            return gen.readable()
        path = self._generations.path(name)
        check_generation(path, self._expected, self._path)
        return readable(path, lambda: versions_on_disk(path))

    # --- writes --------------------------------------------------------------------------

    async def upsert(self, calls: Sequence[base.IndexedCall]) -> None:
        if calls:
            await self._io(retrying_conflicts(self._upsert), calls)

    def _upsert(self, gen: OpenGeneration, calls: Sequence[base.IndexedCall]) -> None:
        with written_bytes(gen.path) as written:
            lance_writes.write_calls(gen, calls, self._clock.now())
        self._written += written[0]

    async def delete_older_than(self, cutoff: datetime) -> list[str]:
        return await self._io(retrying_conflicts(lance_writes.delete_older_than), cutoff)

    async def aclose(self) -> None:
        Generations.release(self._held)
        self._held = None

    async def optimize(self, *, full: bool = False) -> list[str]:
        done = await self._io(retrying_conflicts(self._optimize), full)
        if self._pinned is None:
            # Generations a reindex left behind (superseded, or killed half-way).
            await self._blocking(self._generations.remove_unused)
        return done

    def written_bytes(self) -> int:
        return self._written

    def _optimize(self, gen: OpenGeneration, full: bool) -> list[str]:
        with written_bytes(gen.path) as written:
            done = lance_writes.optimize(gen, full=full, ann_min_rows=self._ann_min_rows)
        self._written += written[0]
        return done

    # --- reads ---------------------------------------------------------------------------

    async def content_hashes(self, call_ids: Sequence[str]) -> dict[str, str]:
        if not call_ids:
            return {}
        clause = f"call_id IN ({in_list(call_ids)})"
        rows = await self._read(
            lambda gen: read_rows(gen.calls, clause, ["call_id", "content_hash"])
        )
        return {row["call_id"]: row["content_hash"] for row in rows}

    async def vectors_by_text(self, call_ids: Sequence[str]) -> dict[str, Vectors]:
        if not call_ids:
            return {}
        clause = f"call_id IN ({in_list(call_ids)})"
        rows = await self._read(lambda gen: read_rows(gen.chunks, clause, ["text_hash", "vector"]))
        return {row["text_hash"]: np.asarray(row["vector"], dtype=np.float32) for row in rows}

    async def get_call(self, call_id: str, filters: SearchFilters = NO_FILTERS) -> Call | None:
        clause = " AND ".join(
            [f"call_id = {literal(call_id)}", *filter(None, [where_for_calls(filters)])]
        )
        rows = await self._read(lambda gen: read_rows(gen.calls, clause, ["details", "monologues"]))
        return call_from_record(rows[0]) if rows else None

    async def list_calls(
        self, filters: SearchFilters = NO_FILTERS, **listing: Unpack[base.CallListing]
    ) -> list[Call]:
        transcripts = listing.get("transcripts", True)
        columns = ["call_id", "started_ms", "details", *(["monologues"] if transcripts else [])]
        clause = where_for_calls(filters)
        rows = await self._read(lambda gen: read_rows(gen.calls, clause, columns))
        return calls_from_records(rows, listing)

    async def counts(self) -> base.IndexCounts:
        return await self._blocking(
            self._datasets,
            lambda chunks, calls: base.IndexCounts(chunks.count_rows(), calls.count_rows()),
        )

    async def redaction_counts(self) -> base.RedactionCounts:
        column = await self._blocking(
            self._datasets,
            lambda _, calls: calls.to_table(columns=["redactions"]).column("redactions"),
        )
        return base.RedactionCounts.of(int(count or 0) for count in column.to_pylist())

    async def generation(self) -> str:
        # The versions of the tables read (a view's, fixed), from their Lance datasets.
        return await self._read(
            lambda gen: (
                f"{gen.uid}:{dataset_of(gen.chunks).version}:{dataset_of(gen.calls).version}"
            )
        )

    async def _io(self, work: Callable[..., T], *args: Any) -> T:
        """Run blocking LanceDB work on the live generation in a thread; its own failures
        become `StoreError`."""
        return await self._blocking(self._leased, work, *args)

    async def _read(self, work: Callable[..., T], *args: Any) -> T:
        """`_io` for reads: on the tables as readers see them (see `_viewed`)."""
        return await self._blocking(self._viewed, work, *args)

    async def _blocking(self, work: Callable[..., T], *args: Any) -> T:
        try:
            return await asyncio.to_thread(work, *args)
        except (OSError, RuntimeError, ValueError) as exc:
            # Files gone or damaged under an open index (a deleted data dir, a full disk).
            raise StoreError(f"the index in {self._path} failed: {lance_message(exc)}") from exc

    # --- search --------------------------------------------------------------------------

    async def read_ahead(self, query: base.StoreQuery) -> None:
        await self._read(read_ahead, query, self._started)

    async def search(self, query: base.StoreQuery) -> list[base.StoredChunk]:
        begun, ann, started = time.perf_counter(), self._ann, self._started
        try:
            return await asyncio.to_thread(self._viewed, search_chunks, query, ann, started)
        except (OSError, RuntimeError, ValueError) as exc:
            ms = (time.perf_counter() - begun) * 1000
            raise StoreError(f"search failed after {ms:.0f} ms: {lance_message(exc)}") from exc
