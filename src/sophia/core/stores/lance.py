"""The embedded store: LanceDB on disk, with native BM25 full-text and exact vector search.

Hybrid ranking is Weaviate's relative score fusion (core/stores/fusion.py) over the two
candidate lists, so results mean the same on both stores. Filters go into the SQL `where`
of each sub-query with `prefilter=True`, so they act before ranking; every value in that
clause is a hash, a validated id or a number, never the user's text.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import re
import threading
import time
import uuid
from collections.abc import AsyncIterator, Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar

import lancedb
import numpy as np
import pyarrow as pa
from lancedb.index import FTS
from lancedb.query import MatchQuery
from tenacity import Retrying, retry_if_exception, stop_after_attempt, wait_exponential_jitter

from sophia.core.chunking import CHUNKER_VERSION
from sophia.core.clock import Clock, SystemClock
from sophia.core.embedders.base import Vectors
from sophia.core.errors import StoreError
from sophia.core.models import Call
from sophia.core.quarantine import Quarantined
from sophia.core.query import NO_FILTERS, SearchFilters, SearchMode
from sophia.core.stores.base import (
    IndexCounts,
    IndexedCall,
    IndexInfo,
    RedactionCounts,
    StoredChunk,
    StoreQuery,
    VectorStore,
)
from sophia.core.stores.fusion import relative_score_fusion
from sophia.core.stores.generations import GenerationGone, Generations
from sophia.core.stores.lance_indexes import ANN_MIN_ROWS, AnnProbe, ensure_indexes
from sophia.core.stores.lance_upkeep import (
    compact,
    fold_into_indexes,
    remove_old_versions,
    written_bytes,
)
from sophia.core.stores.lance_visible import Pin, Versions, holding, pinned_for, readable, writing
from sophia.core.stores.records import (
    HIT_FIELDS,
    SIDE_FIELD,
    call_from_record,
    call_record,
    calls_from_records,
    check_vectors,
    chunk_record,
    index_mismatch,
    stored_chunk,
    to_ms,
)

__all__ = ["LanceStore"]

log = logging.getLogger("sophia.stores")

_CHUNKS, _CALLS, _META = "chunks", "calls", "index.json"
_COMMIT_ATTEMPTS = 6
# ", /root/.cargo/registry/src/…/commit.rs:123:45": where in LanceDB, not what went wrong.
_RUST_LOCATION = re.compile(r",?\s*/\S+\.rs:\d+(?::\d+)?")
# Each sub-search of a hybrid query ranks this many candidates before fusion (Weaviate
# fuses max(limit, 100), so both stores normalise over the same lists).
_HYBRID_CANDIDATES = 100
# Where a hybrid search's keyword half runs while its own thread runs the vector half.
_KEYWORD_SEARCHES = ThreadPoolExecutor(max_workers=4, thread_name_prefix="lance-keyword")
# Table handles kept open at the versions of recent reads, per generation (a few kB each).
_VIEWS = 4


T = TypeVar("T")


@dataclass
class _Generation:
    """One generation's open database and tables."""

    name: str
    path: Path
    db: Any
    chunks: Any
    calls: Any
    uid: str
    embedder: str
    dim: int
    has_fts: bool
    # Handles at the versions recent reads used (core/stores/lance_visible.py), newest last.
    views: dict[Versions, tuple[Any, Any]] = field(default_factory=dict)

    def latest(self) -> Versions:
        return Versions(self.chunks.version, self.calls.version)

    def readable(self) -> Versions:
        """The versions a read uses now: never a write's first commit without its second."""
        return readable(self.path, self.latest)


class LanceStore:
    """A `VectorStore` in a LanceDB directory of generations (core/stores/generations.py):
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
        self._path = path
        self._retire_wait_s = retire_wait_s
        self._ann_min_rows = ann_min_rows
        self._ann = AnnProbe()
        self._clock = clock or SystemClock()
        self._generations = Generations(path)
        # A store built by `rebuild` writes into one generation that is not live yet.
        self._pinned = _pinned
        self._held: int | None = None
        self._expected: IndexInfo | None = None
        self._current: _Generation | None = None
        self._opening = threading.Lock()
        self._written = 0

    # --- lifecycle -----------------------------------------------------------------------

    async def ensure_index(self, info: IndexInfo, *, check: bool = True) -> None:
        await self._blocking(self._ensure_index, info, check)

    async def reset(self, info: IndexInfo) -> None:
        staged = await self.rebuild(info)
        await self.promote(staged)

    async def rebuild(self, info: IndexInfo) -> LanceStore:
        """A new, empty generation for `info` beside the live one; searches keep using the
        live one until `promote`."""
        name = await self._blocking(self._generations.create)
        staged = LanceStore(
            self._path, clock=self._clock, ann_min_rows=self._ann_min_rows, _pinned=name
        )
        staged._held = await self._blocking(self._generations.hold, name)
        await staged._blocking(staged._create, info)
        return staged

    async def promote(self, staged: VectorStore) -> None:
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

    async def discard(self, staged: VectorStore) -> None:
        """Drop an unfinished `rebuild` (the live generation is untouched)."""
        if isinstance(staged, LanceStore) and staged._pinned is not None:
            Generations.release(staged._held)
            staged._held = None
            await self._blocking(self._generations.remove_unused)

    def _ensure_index(self, info: IndexInfo, check: bool) -> None:
        if self._pinned is not None:
            self._create(info)
            return
        self._path.mkdir(parents=True, exist_ok=True)
        if self._generations.live() is None:
            name = self._generations.create()
            LanceStore(self._path, clock=self._clock, _pinned=name)._create(info)
            self._generations.point_to(name)
        self._expected = info if check else None
        self._leased(lambda gen: None)

    def _create(self, info: IndexInfo) -> None:
        """Tables and record of a new generation (this store's pinned one)."""
        assert self._pinned is not None
        path = self._generations.path(self._pinned)
        db = lancedb.connect(path, read_consistency_interval=timedelta(0))
        for name, schema in ((_CHUNKS, _chunk_schema(info.dim)), (_CALLS, _CALL_SCHEMA)):
            if name not in db.list_tables().tables:
                db.create_table(name, schema=schema)
        meta: dict[str, Any] = {
            "embedder": info.embedder,
            "dim": info.dim,
            "chunker": CHUNKER_VERSION,
            "uid": uuid.uuid4().hex,
            "created": self._clock.now().isoformat(),
        }
        tmp = path / f"{_META}.tmp"
        tmp.write_text(json.dumps(meta, indent=2))
        tmp.replace(path / _META)
        self._expected = info
        self._current = self._open(self._pinned)

    def _info(self) -> IndexInfo | None:
        return (
            None if self._current is None else IndexInfo(self._current.embedder, self._current.dim)
        )

    def _read_meta(self, path: Path) -> dict[str, Any]:
        try:
            meta: dict[str, Any] = json.loads((path / _META).read_text())
        except FileNotFoundError:
            raise GenerationGone(str(path)) from None
        except (OSError, json.JSONDecodeError) as exc:
            raise StoreError(
                f"{path / _META} is unreadable ({exc}); run `sophia reindex`"
            ) from None
        return meta

    def _open(self, name: str) -> _Generation:
        """Open a generation's tables, checking it was built for the expected embedder."""
        path = self._generations.path(name)
        meta = self._read_meta(path)
        expected = self._expected
        if expected is not None and (meta["embedder"], meta["dim"]) != (
            expected.embedder,
            expected.dim,
        ):
            raise index_mismatch(str(self._path), meta["embedder"], meta["dim"], expected)
        # Another process (a sync) may write while this one serves: always read the latest.
        db = lancedb.connect(path, read_consistency_interval=timedelta(0))
        existing = set(db.list_tables().tables)
        if not {_CHUNKS, _CALLS} <= existing:
            raise StoreError(f"the index in {path} is incomplete; run `sophia reindex`")
        chunks = db.open_table(_CHUNKS)
        return _Generation(
            name=name,
            path=path,
            db=db,
            chunks=chunks,
            calls=db.open_table(_CALLS),
            uid=str(meta["uid"]),
            embedder=str(meta["embedder"]),
            dim=int(meta["dim"]),
            has_fts=any(i.index_type == "FTS" for i in chunks.list_indices()),
        )

    def live_tables(self) -> tuple[Any, Any]:
        """The live generation's LanceDB `chunks` and `calls` tables, outside any lease: for
        benchmarks and checks of the indexes, not for serving."""
        return self._leased(lambda gen: (gen.chunks, gen.calls))

    def _generation(self, name: str) -> _Generation:
        with self._opening:
            if self._current is None or self._current.name != name:
                self._current = self._open(name)
            return self._current

    def _leased(self, work: Callable[..., T], *args: Any) -> T:
        """`work(generation, *args)` on the live generation, leased for the duration."""
        if self._pinned is not None:
            return work(self._generation(self._pinned), *args)
        for _ in range(5):
            name = self._generations.live()
            if name is None:
                raise StoreError(f"the index in {self._path} failed: there is no index there")
            try:
                with self._generations.lease(name):
                    return work(self._generation(name), *args)
            except GenerationGone:
                continue  # switched and removed just now: the pointer names the new one
        raise StoreError(f"the index in {self._path} failed: it kept changing under the read")

    def _viewed(self, work: Callable[..., T], *args: Any) -> T:
        """`work(view, *args)` on the tables as readers see them: at the versions pinned for
        this task, else at the live generation's readable ones."""
        pin = pinned_for(self._path) if self._pinned is None else None
        if pin is not None:  # its lease is held by `pinned`
            return work(self._view(self._generation(pin.generation), pin.versions), *args)
        return self._leased(lambda gen: work(self._view(gen), *args))

    def _view(self, gen: _Generation, versions: Versions | None = None) -> _Generation:
        """`gen` with both tables at `versions` (default: the readable ones)."""
        wanted = versions or gen.readable()
        tables = gen.views.get(wanted)
        if tables is None:
            try:
                tables = (
                    gen.db.open_table(_CHUNKS, version=wanted.chunks),
                    gen.db.open_table(_CALLS, version=wanted.calls),
                )
            except (OSError, RuntimeError, ValueError) as exc:
                # Cleaned up under a pin held longer than LanceDB keeps old versions.
                log.warning("index versions %s unreadable (%s); reading the latest", wanted, exc)
                latest = gen.latest()
                tables = (
                    gen.db.open_table(_CHUNKS, version=latest.chunks),
                    gen.db.open_table(_CALLS, version=latest.calls),
                )
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
                gen = self._generation(name)
                return Pin(name, gen.readable()), fd
            except GenerationGone:
                Generations.release(fd)
                continue  # switched and removed just now: the pointer names the new one
            except BaseException:
                Generations.release(fd)
                raise
        raise StoreError(f"the index in {self._path} failed: it kept changing under the read")

    # --- writes --------------------------------------------------------------------------

    async def upsert(self, calls: Sequence[IndexedCall]) -> None:
        if calls:
            await self._io(_retrying_conflicts(self._upsert), calls)

    def _upsert(self, gen: _Generation, calls: Sequence[IndexedCall]) -> None:
        with written_bytes(gen.path) as written:
            self._write(gen, calls)
        self._written += written[0]

    def _write(self, gen: _Generation, calls: Sequence[IndexedCall]) -> None:
        ids = [c.call.call_id for c in calls]
        where = f"call_id IN ({_in_list(ids)})"
        known = sorted({row["call_id"] for row in _rows(gen.calls, where, ["call_id"])})
        fresh = [c for c in calls if c.call.call_id not in known]
        changed = [c for c in calls if c.call.call_id in known]
        fresh_rows = _chunk_table(fresh, gen.chunks.schema)
        changed_rows = _chunk_table(changed, gen.chunks.schema)
        call_rows = _call_table(calls, self._clock.now())
        # Readers see neither commit until both are made (core/stores/lance_visible.py).
        with writing(gen.path, gen.latest()):
            # A call new to the index is appended: one new fragment, nothing rewritten, so
            # a sync's write costs what it adds however big the index is.
            if fresh_rows.num_rows:
                gen.chunks.add(fresh_rows)
            # One merge both inserts a changed call's chunks and deletes the ones that are
            # gone, so a re-ingested call never ends up with old and new chunks side by side.
            if changed_rows.num_rows:
                (
                    gen.chunks.merge_insert("id")
                    .when_matched_update_all()
                    .when_not_matched_insert_all()
                    .when_not_matched_by_source_delete(f"call_id IN ({_in_list(known)})")
                    .execute(changed_rows)
                )
            elif changed:
                gen.chunks.delete(f"call_id IN ({_in_list(known)})")
            # The call row (with its content hash) goes last: if we stop in between, the
            # call looks unindexed and is simply processed again.
            if known:
                (
                    gen.calls.merge_insert("call_id")
                    .when_matched_update_all()
                    .when_not_matched_insert_all()
                    .execute(call_rows)
                )
            else:
                gen.calls.add(call_rows)
        if not gen.has_fts and (fresh_rows.num_rows or changed_rows.num_rows):
            gen.chunks.create_index("text", config=FTS(), replace=True)
            gen.has_fts = True

    async def delete_older_than(self, cutoff: datetime) -> list[str]:
        return await self._io(_retrying_conflicts(self._delete_older_than), cutoff)

    def _delete_older_than(self, gen: _Generation, cutoff: datetime) -> list[str]:
        where = f"started_ms < {to_ms(cutoff)}"
        ids = sorted({row["call_id"] for row in _rows(gen.calls, where, ["call_id"])})
        # Chunks first, the call rows last: if we stop in between, the next purge finds the
        # calls again.
        with writing(gen.path, gen.latest()):
            gen.chunks.delete(where)
            gen.calls.delete(where)
        return ids

    async def aclose(self) -> None:
        Generations.release(self._held)
        self._held = None

    async def optimize(self, *, full: bool = False) -> list[str]:
        done = await self._io(_retrying_conflicts(self._optimize), full)
        if self._pinned is None:
            # Generations a reindex left behind (superseded, or killed half-way).
            await self._blocking(self._generations.remove_unused)
        return done

    def written_bytes(self) -> int:
        return self._written

    def _optimize(self, gen: _Generation, full: bool) -> list[str]:
        # core/stores/lance_upkeep.py says what runs when, and why.
        done: list[str] = []
        with written_bytes(gen.path) as written:
            if full:
                # Lance merges only files its index segments cover alike: one segment first.
                done.extend(fold_into_indexes(gen.chunks, merge_all=True))
            for table in (gen.chunks, gen.calls):
                compacted = compact(table, full=full)
                if compacted:
                    done.append(f"{table.name}: {compacted}")
            # New indexes start from compacted files; existing ones take the new rows.
            made = ensure_indexes(gen.chunks, ann_min_rows=self._ann_min_rows)
            if made:
                done.append(f"built indexes: {', '.join(made)}")
            done.extend(fold_into_indexes(gen.chunks))
            for table in (gen.chunks, gen.calls):
                remove_old_versions(table)
        self._written += written[0]
        return done

    # --- reads ---------------------------------------------------------------------------

    async def content_hashes(self, call_ids: Sequence[str]) -> dict[str, str]:
        if not call_ids:
            return {}
        where = f"call_id IN ({_in_list(call_ids)})"
        rows = await self._read(lambda gen: _rows(gen.calls, where, ["call_id", "content_hash"]))
        return {row["call_id"]: row["content_hash"] for row in rows}

    async def vectors_by_text(self, call_ids: Sequence[str]) -> dict[str, Vectors]:
        if not call_ids:
            return {}
        where = f"call_id IN ({_in_list(call_ids)})"
        rows = await self._read(lambda gen: _rows(gen.chunks, where, ["text_hash", "vector"]))
        return {row["text_hash"]: np.asarray(row["vector"], dtype=np.float32) for row in rows}

    async def get_call(self, call_id: str, filters: SearchFilters = NO_FILTERS) -> Call | None:
        where = " AND ".join(
            [f"call_id = {_literal(call_id)}", *filter(None, [_where(_for_calls(filters))])]
        )
        rows = await self._read(lambda gen: _rows(gen.calls, where, ["details", "monologues"]))
        return call_from_record(rows[0]) if rows else None

    async def list_calls(
        self,
        filters: SearchFilters = NO_FILTERS,
        *,
        transcripts: bool = True,
        newest: int | None = None,
        unreadable: list[Quarantined] | None = None,
    ) -> list[Call]:
        columns = ["call_id", "started_ms", "details", *(["monologues"] if transcripts else [])]
        where = _where(_for_calls(filters))
        rows = await self._read(lambda gen: _rows(gen.calls, where, columns))
        return calls_from_records(
            rows, transcripts=transcripts, newest=newest, unreadable=unreadable
        )

    async def counts(self) -> IndexCounts:
        return await self._read(
            lambda gen: IndexCounts(gen.chunks.count_rows(), gen.calls.count_rows())
        )

    async def redaction_counts(self) -> RedactionCounts:
        rows = await self._read(lambda gen: _rows(gen.calls, None, ["redactions"]))
        return RedactionCounts.of(int(row["redactions"] or 0) for row in rows)

    async def generation(self) -> str:
        return await self._read(lambda gen: f"{gen.uid}:{gen.chunks.version}:{gen.calls.version}")

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
            raise StoreError(f"the index in {self._path} failed: {_lance_message(exc)}") from exc

    # --- search --------------------------------------------------------------------------

    async def search(self, query: StoreQuery) -> list[StoredChunk]:
        started = time.perf_counter()
        try:
            return await asyncio.to_thread(self._viewed, self._search, query)
        except (OSError, RuntimeError, ValueError) as exc:
            ms = (time.perf_counter() - started) * 1000
            raise StoreError(f"search failed after {ms:.0f} ms: {_lance_message(exc)}") from exc

    def _search(self, gen: _Generation, query: StoreQuery) -> list[StoredChunk]:
        where = _where(query.filters)
        # Both sub-queries read one version of the table (a view's handles are fixed at
        # one): a write landing between them cannot show a call under two titles.
        chunks = gen.chunks
        if query.mode is SearchMode.KEYWORD:
            rows = self._keyword(gen, chunks, query.text, where, query.limit)
            return [_stored_chunk(row, row["_score"], keyword=row["_score"]) for row in rows]
        if query.vector is None:
            raise StoreError(f"{query.mode} search needs a query vector")
        if query.mode is SearchMode.SEMANTIC:
            rows = self._semantic(chunks, query, where, query.limit)
            return [
                _stored_chunk(row, 1.0 - row["_distance"], similarity=1.0 - row["_distance"])
                for row in rows
            ]
        pool = max(query.limit, _HYBRID_CANDIDATES)
        # The two sub-queries run side by side: LanceDB releases the GIL while it searches,
        # so a hybrid search waits for the slower one, not for both.
        keyword_rows = _KEYWORD_SEARCHES.submit(
            self._keyword, gen, chunks, query.text, where, pool, with_vectors=True
        )
        semantic = self._semantic(chunks, query, where, pool)
        keyword = keyword_rows.result()
        by_id = {row["id"]: row for row in (*semantic, *keyword)}
        similarity = {row["id"]: 1.0 - row["_distance"] for row in semantic}
        bm25 = {row["id"]: row["_score"] for row in keyword}
        fused = relative_score_fusion(
            list(similarity.items()), [(row["id"], row["_score"]) for row in keyword], query.alpha
        )
        chosen = fused[: query.limit]
        for key, _ in chosen:
            if key not in similarity:  # found by BM25 alone: its cosine, from its own vector
                similarity[key] = _cosine(query.vector, by_id[key]["vector"])
        return [
            _stored_chunk(by_id[key], score, similarity=similarity[key], keyword=bm25.get(key))
            for key, score in chosen
        ]

    def _semantic(
        self, chunks: Any, query: StoreQuery, where: str | None, limit: int
    ) -> list[dict[str, Any]]:
        search = chunks.search(query.vector, vector_column_name="vector").distance_type("cosine")
        search = self._ann.tune(chunks, search, query.filters, limit)
        if where:
            search = search.where(where, prefilter=True)
        columns = ["id", *HIT_FIELDS, "_distance"]
        rows: list[dict[str, Any]] = search.select(columns).limit(limit).to_list()
        return rows

    def _keyword(
        self,
        gen: _Generation,
        chunks: Any,
        text: str,
        where: str | None,
        limit: int,
        *,
        with_vectors: bool = False,
    ) -> list[dict[str, Any]]:
        if not gen.has_fts:
            # Built by the first write, perhaps in another process since we opened it.
            gen.has_fts = any(i.index_type == "FTS" for i in gen.chunks.list_indices())
            if not gen.has_fts:
                return []
        # A match query takes the text as words, not as query syntax: quotes, AND, colons
        # and parentheses in a user's question are just characters.
        match = MatchQuery(text, "text")  # type: ignore[call-arg]  # defaults exist at run time
        search = chunks.search(match, query_type="fts")
        if where:
            search = search.where(where, prefilter=True)
        columns = ["id", *HIT_FIELDS, *(["vector"] if with_vectors else []), "_score"]
        rows: list[dict[str, Any]] = search.select(columns).limit(limit).to_list()
        return rows


def _cosine(query: Vectors, vector: Any) -> float:
    a, b = np.asarray(query, dtype=np.float32).ravel(), np.asarray(vector, dtype=np.float32)
    norm = float(np.linalg.norm(a) * np.linalg.norm(b))
    return float(a @ b) / norm if norm else 0.0


def _retrying_conflicts(work: Callable[..., T]) -> Callable[..., T]:
    """`work`, retried when LanceDB refuses its commit because another commit landed first.

    The writer lock (core/writer.py) keeps our own writers apart; this covers anything else
    writing the same table (a second machine on shared storage, a first start creating it).
    """

    def run(*args: Any) -> T:
        retrying = Retrying(
            retry=retry_if_exception(_is_conflict),
            stop=stop_after_attempt(_COMMIT_ATTEMPTS),
            wait=wait_exponential_jitter(multiplier=0.05, max=2.0, jitter=0.05),
            reraise=True,
        )
        try:
            return retrying(work, *args)
        except (OSError, RuntimeError, ValueError) as exc:
            if _is_conflict(exc):
                raise StoreError(
                    "the index kept changing under this write (another process writing it "
                    f"at the same time, {_COMMIT_ATTEMPTS} tries); run it again"
                ) from exc
            raise

    return run


def _is_conflict(exc: BaseException) -> bool:
    return isinstance(exc, OSError | RuntimeError | ValueError) and "conflict" in str(exc).lower()


def _lance_message(exc: BaseException) -> str:
    """LanceDB's error as one line, without the Rust source locations it appends."""
    text = " ".join(str(exc).split())
    return _RUST_LOCATION.sub("", text) or type(exc).__name__


def _rows(table: Any, where: str | None, columns: list[str]) -> list[dict[str, Any]]:
    query = table.search()
    if where:
        query = query.where(where)
    rows: list[dict[str, Any]] = query.select(columns).limit(None).to_list()
    return rows


# --- schema and rows -------------------------------------------------------------------


def _chunk_schema(dim: int) -> pa.Schema:
    return pa.schema(
        [
            pa.field("id", pa.string(), nullable=False),
            pa.field("call_id", pa.string(), nullable=False),
            pa.field("chunk_index", pa.int32()),
            pa.field("text", pa.string()),
            pa.field("text_hash", pa.string()),
            pa.field("lines", pa.string()),
            pa.field("vector", pa.list_(pa.float32(), dim)),
            pa.field("title", pa.string()),
            pa.field("account", pa.string()),
            pa.field("account_key", pa.string()),
            pa.field("started_ms", pa.int64()),
            pa.field("call_url", pa.string()),
            pa.field("start_ms", pa.int64()),
            pa.field("end_ms", pa.int64()),
            pa.field("has_internal", pa.bool_()),
            pa.field("has_external", pa.bool_()),
            pa.field("has_unknown", pa.bool_()),
        ]
    )


_CALL_SCHEMA = pa.schema(
    [
        pa.field("call_id", pa.string(), nullable=False),
        pa.field("account", pa.string()),
        pa.field("account_key", pa.string()),
        pa.field("title", pa.string()),
        pa.field("started_ms", pa.int64()),
        pa.field("content_hash", pa.string()),
        pa.field("details", pa.string()),
        pa.field("monologues", pa.string()),
        pa.field("chunk_count", pa.int32()),
        pa.field("redactions", pa.int32()),
        pa.field("indexed_at_ms", pa.int64()),
    ]
)


def _chunk_table(calls: Sequence[IndexedCall], schema: pa.Schema) -> pa.Table:
    rows: list[dict[str, Any]] = []
    vectors: list[Vectors] = []
    for indexed in calls:
        check_vectors(indexed)
        for chunk, vector in zip(indexed.chunks, indexed.vectors, strict=True):
            rows.append({"id": chunk.chunk_id, **chunk_record(indexed.call.details, chunk)})
            vectors.append(vector)
    dim = schema.field("vector").type.list_size
    columns = {name: [row[name] for row in rows] for name in schema.names if name != "vector"}
    flat = np.concatenate(vectors).astype(np.float32) if vectors else np.zeros(0, np.float32)
    if flat.size != len(rows) * dim:
        raise StoreError(f"vectors have the wrong dimension for this index ({dim})")
    columns["vector"] = pa.FixedSizeListArray.from_arrays(pa.array(flat), dim)
    return pa.table(columns, schema=schema)


def _call_table(calls: Sequence[IndexedCall], now: datetime) -> pa.Table:
    records = [call_record(c, to_ms(now)) for c in calls]
    return pa.Table.from_pylist(records, schema=_CALL_SCHEMA)


def _stored_chunk(
    row: dict[str, Any],
    score: float,
    *,
    similarity: float | None = None,
    keyword: float | None = None,
) -> StoredChunk:
    chunk = stored_chunk(row, row["id"], score)
    return replace(chunk, similarity=similarity, keyword=keyword)


# --- filters ---------------------------------------------------------------------------


def _where(filters: SearchFilters) -> str | None:
    clauses = []
    if filters.account_key:
        clauses.append(f"account_key = {_literal(filters.account_key)}")
    if filters.call_ids:
        clauses.append(f"call_id IN ({_in_list(filters.call_ids)})")
    if filters.started_from:
        clauses.append(f"started_ms >= {to_ms(filters.started_from)}")
    if filters.started_to:
        clauses.append(f"started_ms < {to_ms(filters.started_to)}")
    if filters.side:
        clauses.append(f"{SIDE_FIELD[filters.side]} = true")
    if filters.exclude_accounts:
        # A call without an account has a NULL key, and `NULL NOT IN (...)` is not true in
        # SQL: say explicitly that such calls stay visible.
        keys = _in_list(filters.exclude_accounts)
        clauses.append(f"(account_key IS NULL OR account_key NOT IN ({keys}))")
    return " AND ".join(clauses) or None


def _for_calls(filters: SearchFilters) -> SearchFilters:
    # The side of the table is a property of chunks, not of whole calls.
    return filters.model_copy(update={"side": None})


def _literal(value: str) -> str:
    # Values reaching here are hashes or validated ids; quoting is the second line of defence.
    return "'" + value.replace("'", "''") + "'"


def _in_list(values: Any) -> str:
    return ", ".join(_literal(str(v)) for v in values)
