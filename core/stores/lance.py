"""The embedded store: LanceDB on disk, with native BM25 full-text and exact vector search.

Hybrid ranking is Weaviate's relative score fusion (core/stores/fusion.py) over the two
candidate lists, so results mean the same on both stores. Filters go into the SQL `where`
of each sub-query with `prefilter=True`, so they act before ranking; every value in that
clause is a hash, a validated id or a number, never the user's text.
"""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar

import lancedb
import numpy as np
import pyarrow as pa
from lancedb.index import FTS
from lancedb.query import MatchQuery

from core.chunking import CHUNKER_VERSION
from core.clock import Clock, SystemClock
from core.embedders.base import Vectors
from core.errors import StoreError
from core.models import Call
from core.query import NO_FILTERS, SearchFilters, SearchMode
from core.stores.base import (
    IndexCounts,
    IndexedCall,
    IndexInfo,
    RedactionCounts,
    StoredChunk,
    StoreQuery,
)
from core.stores.fusion import relative_score_fusion
from core.stores.records import (
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

_CHUNKS, _CALLS, _META = "chunks", "calls", "index.json"
# Each sub-search of a hybrid query ranks this many candidates before fusion (Weaviate
# fuses max(limit, 100), so both stores normalise over the same lists).
_HYBRID_CANDIDATES = 100


T = TypeVar("T")


class LanceStore:
    """A `VectorStore` in a LanceDB directory: tables `chunks` and `calls`, plus index.json."""

    def __init__(self, path: Path, *, clock: Clock | None = None) -> None:
        self._path = path
        self._clock = clock or SystemClock()
        path.mkdir(parents=True, exist_ok=True)
        # Another process (a sync) may write while this one serves: always read the latest.
        self._db = lancedb.connect(path, read_consistency_interval=timedelta(0))
        self._tables: dict[str, Any] = {}
        self._uid: str | None = None
        self._has_fts = False

    # --- lifecycle -----------------------------------------------------------------------

    async def ensure_index(self, info: IndexInfo, *, check: bool = True) -> None:
        await self._io(self._ensure_index, info, check)

    async def reset(self, info: IndexInfo) -> None:
        await self._io(self._reset, info)

    def _ensure_index(self, info: IndexInfo, check: bool) -> None:
        meta = self._read_meta()
        if meta is None:
            self._reset(info)
            return
        if check and (meta["embedder"], meta["dim"]) != (info.embedder, info.dim):
            raise index_mismatch(str(self._path), meta["embedder"], meta["dim"], info)
        self._open(int(meta["dim"]))
        self._uid = meta["uid"]

    def _reset(self, info: IndexInfo) -> None:
        for name in (_CHUNKS, _CALLS):
            if name in self._db.list_tables().tables:
                self._db.drop_table(name)
        self._tables.clear()
        meta: dict[str, Any] = {
            "embedder": info.embedder,
            "dim": info.dim,
            "chunker": CHUNKER_VERSION,
            "uid": uuid.uuid4().hex,
            "created": self._clock.now().isoformat(),
        }
        self._open(info.dim)
        tmp = self._path / f"{_META}.tmp"
        tmp.write_text(json.dumps(meta, indent=2))
        tmp.replace(self._path / _META)
        self._uid = meta["uid"]

    def _read_meta(self) -> dict[str, Any] | None:
        try:
            meta: dict[str, Any] = json.loads((self._path / _META).read_text())
        except FileNotFoundError:
            return None
        except (OSError, json.JSONDecodeError) as exc:
            raise StoreError(
                f"{self._path / _META} is unreadable ({exc}); run `sophia reindex`"
            ) from None
        return meta

    def _open(self, dim: int) -> None:
        existing = set(self._db.list_tables().tables)
        for name, schema in ((_CHUNKS, _chunk_schema(dim)), (_CALLS, _CALL_SCHEMA)):
            if name in existing:
                self._tables[name] = self._db.open_table(name)
            else:
                self._tables[name] = self._db.create_table(name, schema=schema)
        self._has_fts = any(i.index_type == "FTS" for i in self._chunks.list_indices())

    @property
    def _chunks(self) -> Any:
        return self._table(_CHUNKS)

    @property
    def _calls(self) -> Any:
        return self._table(_CALLS)

    def _table(self, name: str) -> Any:
        if name not in self._tables:
            raise StoreError("the store is not open: call ensure_index() first")
        return self._tables[name]

    # --- writes --------------------------------------------------------------------------

    async def upsert(self, calls: Sequence[IndexedCall]) -> None:
        if calls:
            await self._io(self._upsert, calls)

    def _upsert(self, calls: Sequence[IndexedCall]) -> None:
        chunk_rows = _chunk_table(calls, self._chunks.schema)
        ids = _in_list(c.call.call_id for c in calls)
        # One merge both inserts the new chunks and deletes the call's chunks that are gone,
        # so a re-ingested call never ends up with old and new chunks side by side.
        if chunk_rows.num_rows:
            (
                self._chunks.merge_insert("id")
                .when_matched_update_all()
                .when_not_matched_insert_all()
                .when_not_matched_by_source_delete(f"call_id IN ({ids})")
                .execute(chunk_rows)
            )
        else:
            self._chunks.delete(f"call_id IN ({ids})")
        # The call row (with its content hash) goes last: if we stop in between, the call
        # looks unindexed and is simply processed again.
        (
            self._calls.merge_insert("call_id")
            .when_matched_update_all()
            .when_not_matched_insert_all()
            .execute(_call_table(calls, self._clock.now()))
        )
        if not self._has_fts and chunk_rows.num_rows:
            self._chunks.create_index("text", config=FTS(), replace=True)
            self._has_fts = True

    async def delete_older_than(self, cutoff: datetime) -> list[str]:
        return await self._io(self._delete_older_than, cutoff)

    def _delete_older_than(self, cutoff: datetime) -> list[str]:
        where = f"started_ms < {to_ms(cutoff)}"
        ids = sorted({row["call_id"] for row in self._rows(self._calls, where, ["call_id"])})
        # Chunks first, the call rows last: if we stop in between, the next purge finds the
        # calls again.
        self._chunks.delete(where)
        self._calls.delete(where)
        return ids

    async def aclose(self) -> None:
        return None

    async def optimize(self) -> None:
        await self._io(self._optimize)

    def _optimize(self) -> None:
        # Old versions are kept briefly for readers that are mid-query, then removed so that
        # deleted or re-redacted text does not linger on disk.
        for table in (self._chunks, self._calls):
            table.optimize(cleanup_older_than=timedelta(minutes=10))

    # --- reads ---------------------------------------------------------------------------

    async def content_hashes(self, call_ids: Sequence[str]) -> dict[str, str]:
        if not call_ids:
            return {}
        rows = await self._io(
            self._rows,
            self._calls,
            f"call_id IN ({_in_list(call_ids)})",
            ["call_id", "content_hash"],
        )
        return {row["call_id"]: row["content_hash"] for row in rows}

    async def vectors_by_text(self, call_ids: Sequence[str]) -> dict[str, Vectors]:
        if not call_ids:
            return {}
        rows = await self._io(
            self._rows, self._chunks, f"call_id IN ({_in_list(call_ids)})", ["text_hash", "vector"]
        )
        return {row["text_hash"]: np.asarray(row["vector"], dtype=np.float32) for row in rows}

    async def get_call(self, call_id: str, filters: SearchFilters = NO_FILTERS) -> Call | None:
        where = " AND ".join(
            [f"call_id = {_literal(call_id)}", *filter(None, [_where(_for_calls(filters))])]
        )
        rows = await self._io(self._rows, self._calls, where, ["details", "monologues"])
        return call_from_record(rows[0]) if rows else None

    async def list_calls(
        self,
        filters: SearchFilters = NO_FILTERS,
        *,
        transcripts: bool = True,
        newest: int | None = None,
    ) -> list[Call]:
        columns = ["call_id", "started_ms", "details", *(["monologues"] if transcripts else [])]
        where = _where(_for_calls(filters))
        rows = await self._io(self._rows, self._calls, where, columns)
        return calls_from_records(rows, transcripts=transcripts, newest=newest)

    async def counts(self) -> IndexCounts:
        return await self._io(
            lambda: IndexCounts(self._chunks.count_rows(), self._calls.count_rows())
        )

    async def redaction_counts(self) -> RedactionCounts:
        rows = await self._io(self._rows, self._calls, None, ["redactions"])
        return RedactionCounts.of(int(row["redactions"] or 0) for row in rows)

    async def generation(self) -> str:
        return await self._io(lambda: f"{self._uid}:{self._chunks.version}:{self._calls.version}")

    def _rows(self, table: Any, where: str | None, columns: list[str]) -> list[dict[str, Any]]:
        query = table.search()
        if where:
            query = query.where(where)
        rows: list[dict[str, Any]] = query.select(columns).limit(None).to_list()
        return rows

    async def _io(self, work: Callable[..., T], *args: Any) -> T:
        """Run blocking LanceDB work in a thread; its own failures become `StoreError`."""
        try:
            return await asyncio.to_thread(work, *args)
        except (OSError, RuntimeError, ValueError) as exc:
            # Files gone or damaged under an open index (a deleted data dir, a full disk).
            raise StoreError(f"the index in {self._path} failed: {exc}") from exc

    # --- search --------------------------------------------------------------------------

    async def search(self, query: StoreQuery) -> list[StoredChunk]:
        started = time.perf_counter()
        try:
            return await asyncio.to_thread(self._search, query)
        except (OSError, RuntimeError, ValueError) as exc:
            ms = (time.perf_counter() - started) * 1000
            raise StoreError(f"search failed after {ms:.0f} ms: {exc}") from exc

    def _search(self, query: StoreQuery) -> list[StoredChunk]:
        where = _where(query.filters)
        if query.mode is SearchMode.KEYWORD:
            rows = self._keyword(query.text, where, query.limit)
            return [_stored_chunk(row, row["_score"], keyword=row["_score"]) for row in rows]
        if query.vector is None:
            raise StoreError(f"{query.mode} search needs a query vector")
        if query.mode is SearchMode.SEMANTIC:
            rows = self._semantic(query.vector, where, query.limit)
            return [
                _stored_chunk(row, 1.0 - row["_distance"], similarity=1.0 - row["_distance"])
                for row in rows
            ]
        pool = max(query.limit, _HYBRID_CANDIDATES)
        semantic = self._semantic(query.vector, where, pool)
        keyword = self._keyword(query.text, where, pool, with_vectors=True)
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

    def _semantic(self, vector: Vectors, where: str | None, limit: int) -> list[dict[str, Any]]:
        search = self._chunks.search(vector, vector_column_name="vector").distance_type("cosine")
        if where:
            search = search.where(where, prefilter=True)
        columns = ["id", *HIT_FIELDS, "_distance"]
        rows: list[dict[str, Any]] = search.select(columns).limit(limit).to_list()
        return rows

    def _keyword(
        self, text: str, where: str | None, limit: int, *, with_vectors: bool = False
    ) -> list[dict[str, Any]]:
        if not self._has_fts:
            return []
        # A match query takes the text as words, not as query syntax: quotes, AND, colons
        # and parentheses in a user's question are just characters.
        match = MatchQuery(text, "text")  # type: ignore[call-arg]  # defaults exist at run time
        search = self._chunks.search(match, query_type="fts")
        if where:
            search = search.where(where, prefilter=True)
        columns = ["id", *HIT_FIELDS, *(["vector"] if with_vectors else []), "_score"]
        rows: list[dict[str, Any]] = search.select(columns).limit(limit).to_list()
        return rows


def _cosine(query: Vectors, vector: Any) -> float:
    a, b = np.asarray(query, dtype=np.float32).ravel(), np.asarray(vector, dtype=np.float32)
    norm = float(np.linalg.norm(a) * np.linalg.norm(b))
    return float(a @ b) / norm if norm else 0.0


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
