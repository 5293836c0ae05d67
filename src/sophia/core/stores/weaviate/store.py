"""`WeaviateStore`: the `VectorStore` Protocol over three Weaviate collections."""

from __future__ import annotations

import asyncio
import contextlib
import copy
import io
import logging
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator, Mapping, Sequence
from datetime import datetime
from typing import Any, TypeVar
from urllib.parse import urlsplit

import numpy as np
import weaviate
from weaviate.classes.data import DataObject
from weaviate.classes.init import AdditionalConfig, Auth, Timeout
from weaviate.classes.query import Filter, FilterReturn, HybridFusion, MetadataQuery
from weaviate.exceptions import UnexpectedStatusCodeError, WeaviateBaseError

from sophia.core.chunking import CHUNKER_VERSION
from sophia.core.clock import Clock, SystemClock
from sophia.core.config import Settings
from sophia.core.embedders.base import Vectors
from sophia.core.errors import ConfigError, IndexMismatch, StoreError
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
from sophia.core.stores.records import (
    HIT_FIELDS,
    call_from_record,
    call_record,
    calls_from_records,
    check_vectors,
    chunk_record,
    index_mismatch,
    stored_chunk,
    to_ms,
)
from sophia.core.stores.weaviate.datasets import DataSet, built_sets
from sophia.core.stores.weaviate.schema import (
    META_FIELDS,
    VECTOR,
    Collection,
    search_filters,
)

__all__ = ["WeaviateStore"]

log = logging.getLogger("sophia.stores.weaviate")

# Ids of call and index-record objects; chunk ids come from core/chunking.py.
_NAMESPACE = uuid.UUID("2b7d0c6e-55a4-5f0e-9d1b-8c3a6f4e1d27")
_META_ID = uuid.uuid5(_NAMESPACE, "index-meta")
# Objects per gRPC batch: 200 chunks with 1536-dim vectors stay near 2 MB, 20 calls with
# their transcripts near 4 MB, far below Weaviate's default message limit.
_BATCH = {True: 200, False: 20}
# Weaviate returns (and deletes) at most QUERY_MAXIMUM_RESULTS, 10,000 by default, at once.
_MAX_RESULTS = 10_000
_PAGE = 1000
# The client retries an unavailable Weaviate for about a minute (1 + 2 + ... + 32 s) and that
# is not configurable; a person waiting on Slack or REST gets a clear error sooner.
SEARCH_DEADLINE_S = 10.0

T = TypeVar("T")


class WeaviateStore:
    """A `VectorStore` in three Weaviate collections (see core/stores/weaviate/__init__.py)."""

    def __init__(
        self,
        endpoint: str,
        *,
        api_key: str | None = None,
        grpc_host: str | None = None,
        grpc_port: int = 50051,
        collection: str = "GongChunk",
        ef_construction: int = 128,
        search_deadline_s: float = SEARCH_DEADLINE_S,
        clock: Clock | None = None,
    ) -> None:
        parts = urlsplit(endpoint)
        if parts.scheme not in ("http", "https") or not parts.hostname or parts.path.strip("/"):
            raise ConfigError(
                f"WEAVIATE_ENDPOINT must look like http://host:8080, got {endpoint!r}"
            )
        if grpc_host is not None and ("/" in grpc_host or ":" in grpc_host):
            raise ConfigError(f"WEAVIATE_GRPC_HOST must be a bare host name, got {grpc_host!r}")
        self._secure = parts.scheme == "https"
        self._http = (parts.hostname, parts.port or (443 if self._secure else 80))
        self._grpc = (grpc_host or parts.hostname, grpc_port)
        self._where = (
            f"{parts.scheme}://{self._http[0]}:{self._http[1]} "
            f"(gRPC {self._grpc[0]}:{self._grpc[1]})"
        )
        self._api_key = api_key
        self._ef_construction = ef_construction
        self._search_deadline_s = search_deadline_s
        self._clock = clock or SystemClock()
        self._base = collection
        self._meta = Collection(f"{collection}Meta", META_FIELDS, indexed=False)
        self._client: weaviate.WeaviateAsyncClient | None = None
        self._closer: asyncio.Task[None] | None = None
        self._dim: int | None = None
        # What `ensure_index` checked the record against: a reindex by another process to
        # another embedder is then an `IndexMismatch` on the next read, as at start.
        self._expected: IndexInfo | None = None
        # A store from `rebuild` writes into its own data set, not the live one.
        self._staged: tuple[DataSet, IndexInfo] | None = None

    @classmethod
    def from_settings(cls, settings: Settings, *, clock: Clock | None = None) -> WeaviateStore:
        """The store that the WEAVIATE_* settings describe."""
        if not settings.weaviate_endpoint:
            raise ConfigError("WEAVIATE_ENDPOINT is not set")
        key = settings.weaviate_api_key
        return cls(
            settings.weaviate_endpoint,
            api_key=key.get_secret_value() if key else None,
            grpc_host=settings.weaviate_grpc_host,
            grpc_port=settings.weaviate_grpc_port,
            collection=settings.weaviate_collection,
            ef_construction=settings.weaviate_ef_construction,
            clock=clock,
        )

    # --- lifecycle -----------------------------------------------------------------------

    async def ensure_index(self, info: IndexInfo, *, check: bool = True) -> None:
        await self._connect()
        try:
            await self._open_index(info, check)
        except BaseException:
            # Whoever called us cannot use the store now: do not leave a connection behind.
            await self.aclose()
            raise

    async def _open_index(self, info: IndexInfo, check: bool) -> None:
        if self._staged is not None:
            return
        with self._translated("opening the index"):
            await self._create_missing_meta()
            meta = await self._read_meta()
            if meta is None:
                # The record is written last when an index is created: without it, creation
                # stopped half-way (the collections are empty) or the collections are not ours.
                first = DataSet.first(self._base)
                if check:
                    await self._refuse_foreign_data(first)
                await self._create_missing(first, check)
                await self._write_meta(info, first)
                self._expected = info if check else None
                return
            live = DataSet.live(self._base, meta)
            if check and (meta["embedder"], meta["dim"]) != (info.embedder, info.dim):
                raise index_mismatch(
                    f"the Weaviate collection {live.chunks.name}",
                    meta["embedder"],
                    meta["dim"],
                    info,
                )
            await self._create_missing(live, check)
            self._dim = int(meta["dim"])
            self._expected = info if check else None

    async def reset(self, info: IndexInfo) -> None:
        await self.promote(await self.rebuild(info))

    async def rebuild(self, info: IndexInfo) -> WeaviateStore:
        """A new, empty data set for `info` beside the live one, which keeps answering
        searches until `promote` (core/stores/weaviate/datasets.py)."""
        await self._connect()
        fresh = DataSet.fresh(self._base)
        with self._translated("creating the collections of a new index"):
            await self._create_missing(fresh, check=False)
        staged = copy.copy(self)
        staged._staged, staged._dim, staged._closer = (fresh, info), info.dim, None
        return staged

    async def promote(self, staged: VectorStore) -> None:
        """Make `staged` live in one step: one update of the index record names its data
        set (and embedder); then the sets no longer named are dropped."""
        if not isinstance(staged, WeaviateStore) or staged._staged is None:
            raise StoreError("only an index built by rebuild() can be promoted")
        fresh, info = staged._staged
        with self._translated("switching to the rebuilt index"):
            if await self._read_meta() is None:
                await self._create_missing_meta()
                await self._write_meta(info, fresh)
            else:
                await self._use(self._meta).data.update(
                    uuid=_META_ID, properties=self._record(info, fresh)
                )
                self._dim = info.dim
            self._expected = None if self._expected is None else info
            await self._drop_unused(fresh)

    async def discard(self, staged: VectorStore) -> None:
        """Drop an unfinished `rebuild`'s data set (the live one is untouched)."""
        if isinstance(staged, WeaviateStore) and staged._staged is not None:
            with self._translated("dropping an unfinished index"):
                await self._open().collections.delete(staged._staged[0].names)

    async def _drop_unused(self, live: DataSet) -> None:
        """Drop every data set but `live`: the one just replaced, and any that a reindex
        killed half-way left behind. A read that was still on a dropped set reads again."""
        client = self._open()
        existing = list(await client.collections.list_all(simple=True))
        sets = [DataSet.first(self._base), *built_sets(self._base, existing)]
        names = [n for s in sets if s != live for n in s.names if n in existing]
        if names:
            await client.collections.delete(names)
            log.info("dropped Weaviate collections no longer in use: %s", ", ".join(names))

    @contextlib.asynccontextmanager
    async def pinned(self) -> AsyncIterator[None]:
        # Weaviate keeps no versions to read at: each read sees what is there.
        yield

    async def aclose(self) -> None:
        closer, self._closer = self._closer, None
        if closer is not None:
            closer.cancel()
            await asyncio.wait({closer})

    async def _close_with_the_loop(self, client: weaviate.WeaviateAsyncClient) -> None:
        """Wait until cancelled (by `aclose`, or by the event loop shutting down), then close.

        The client's gRPC channel belongs to the loop that opened it, so the loop's end is the
        last moment it can be closed: a caller that never calls `aclose` leaks nothing.
        """
        try:
            await asyncio.Event().wait()
        finally:
            self._client = None
            await client.close()

    async def optimize(self, *, full: bool = False) -> list[str]:
        # Weaviate folds writes into its HNSW and inverted indexes as they arrive.
        return []

    def written_bytes(self) -> int | None:
        return None

    async def _connect(self) -> None:
        if self._client is not None:
            return
        client = weaviate.use_async_with_custom(
            http_host=self._http[0],
            http_port=self._http[1],
            http_secure=self._secure,
            grpc_host=self._grpc[0],
            grpc_port=self._grpc[1],
            grpc_secure=self._secure,
            auth_credentials=Auth.api_key(self._api_key) if self._api_key else None,
            additional_config=AdditionalConfig(timeout=Timeout(init=10, query=60, insert=120)),
            # The client's own start-up checks also ask the package index for its latest
            # version; `is_live` below checks REST and gRPC without leaving the network.
            skip_init_checks=True,
        )
        printed = io.StringIO()
        try:
            await client.connect()
            # The client prints why a liveness check failed instead of raising it: capture
            # the text for our own error message.
            with contextlib.redirect_stdout(printed):
                live = await client.is_live()
        except UnexpectedStatusCodeError as exc:
            await client.close()
            if exc.status_code in (401, 403):
                raise StoreError(
                    f"Weaviate at {self._where} refused the credentials (HTTP "
                    f"{exc.status_code}); check WEAVIATE_API_KEY"
                ) from None
            raise StoreError(f"Cannot use Weaviate at {self._where}: {self._scrub(exc)}") from None
        except WeaviateBaseError as exc:
            await client.close()
            raise StoreError(
                f"Cannot reach Weaviate at {self._where}: {self._scrub(exc)}"
            ) from None
        if not live:
            await client.close()
            # The client's explanation is a page long; its last line says what failed.
            lines = printed.getvalue().strip().splitlines() or ["no answer"]
            reason = self._scrub(lines[-1])
            raise StoreError(
                f"Weaviate at {self._where} does not answer on both REST and gRPC ({reason}); "
                "check WEAVIATE_ENDPOINT, WEAVIATE_GRPC_HOST and WEAVIATE_GRPC_PORT"
            )
        self._client = client
        self._closer = asyncio.get_running_loop().create_task(self._close_with_the_loop(client))

    def _open(self) -> weaviate.WeaviateAsyncClient:
        if self._client is None:
            raise StoreError("the store is not open: call ensure_index() first")
        return self._client

    def _use(self, collection: Collection) -> Any:
        return self._open().collections.use(collection.name)

    @contextlib.contextmanager
    def _translated(self, action: str) -> Iterator[None]:
        """Turn the client's errors into `StoreError`, without the API key in the text."""
        try:
            yield
        except WeaviateBaseError as exc:
            raise StoreError(f"Weaviate failed while {action}: {self._scrub(exc)}") from None

    def _scrub(self, error: object) -> str:
        """The error as one line, without the API key."""
        text = " ".join(str(error).split())
        return text.replace(self._api_key, "***") if self._api_key else text

    # --- index record and collections ----------------------------------------------------

    async def _read_meta(self, *, probe: bool = True) -> dict[str, Any] | None:
        """The index record, or None. `probe=False` skips asking whether its collection exists:
        one round trip less for `generation`, which runs before every search."""
        if probe and not await self._open().collections.exists(self._meta.name):
            return None
        found = await self._use(self._meta).query.fetch_objects(
            filters=Filter.by_id().equal(_META_ID), limit=1, return_properties=list(META_FIELDS)
        )
        if not found.objects:
            return None
        meta = dict(found.objects[0].properties)
        if not {"embedder", "dim", "uid", "generation"} <= meta.keys():
            raise IndexMismatch(
                f"The index record in {self._meta.name} is incomplete; run `sophia reindex`."
            )
        return meta

    def _record(self, info: IndexInfo, data: DataSet) -> dict[str, Any]:
        """The index record of a new index for `info` in `data`."""
        return {
            "embedder": info.embedder,
            "dim": info.dim,
            "chunker": CHUNKER_VERSION,
            "uid": uuid.uuid4().hex,
            "generation": uuid.uuid4().hex,
            "created": self._clock.now().isoformat(),
            "collection": data.chunks.name,
        }

    async def _write_meta(self, info: IndexInfo, data: DataSet) -> None:
        record = self._record(info, data)
        await self._insert(self._meta, [DataObject(properties=record, uuid=_META_ID)])
        self._dim = info.dim

    async def _live(self) -> DataSet:
        """The data set to read and write: this store's own if it is being rebuilt, else the
        one the index record names now (another process's reindex may have just moved it)."""
        if self._staged is not None:
            return self._staged[0]
        meta = await self._read_meta(probe=False)
        if meta is None:
            raise StoreError(f"the index record in {self._meta.name} is gone; run `sophia reindex`")
        expected = self._expected
        if expected is not None and (meta["embedder"], meta["dim"]) != (
            expected.embedder,
            expected.dim,
        ):
            raise index_mismatch(
                f"the Weaviate collection {meta.get('collection') or self._base}",
                meta["embedder"],
                meta["dim"],
                expected,
            )
        return DataSet.live(self._base, meta)

    async def _on_live(self, action: str, work: Callable[[DataSet], Awaitable[T]]) -> T:
        """`work` on the live data set; if it fails because a reindex switched sets (and
        dropped the one it was reading), once more on the new one."""
        with self._translated(action):
            data = await self._live()
        try:
            with self._translated(action):
                return await work(data)
        except StoreError:
            with self._translated(action):
                now = await self._live()
            if now == data:
                raise
        with self._translated(action):
            return await work(now)

    async def _bump_generation(self) -> None:
        # A partial update (REST PATCH) replaces only the token, so a concurrent reset's
        # embedder and uid are never overwritten with what this process remembers.
        token = uuid.uuid4().hex
        await self._use(self._meta).data.update(uuid=_META_ID, properties={"generation": token})

    async def _refuse_foreign_data(self, data: DataSet) -> None:
        for collection in (data.chunks, data.calls):
            if not await self._open().collections.exists(collection.name):
                continue
            total = (await self._use(collection).aggregate.over_all(total_count=True)).total_count
            if total:
                raise IndexMismatch(
                    f"The Weaviate collection {collection.name} holds {total} objects but no "
                    f"index record ({self._meta.name}); run `sophia reindex` to rebuild it, or "
                    "set WEAVIATE_COLLECTION to another name."
                )

    async def _create_missing_meta(self) -> None:
        """Create the record's collection, or add the properties it gained since it was made
        (`collection`, with data sets): a record object of an older version still reads."""
        client = self._open()
        if not await client.collections.exists(self._meta.name):
            await client.collections.create(**self._meta.create_arguments(self._ef_construction))
            return
        meta = self._use(self._meta)
        config = await meta.config.get(simple=True)
        present = {prop.name for prop in config.properties}
        for name, spec in self._meta.fields.items():
            if name not in present:
                await meta.config.add_property(spec.property(name))

    async def _create_missing(self, data: DataSet, check: bool) -> None:
        """Create the collections that are missing; if `check`, verify those that exist."""
        client = self._open()
        await self._create_missing_meta()
        # The record is written after these: it marks a finished index.
        for collection in (data.chunks, data.calls, self._meta):
            if not await client.collections.exists(collection.name):
                await client.collections.create(
                    **collection.create_arguments(self._ef_construction)
                )
                continue
            if not check:
                continue
            config = await self._use(collection).config.get(simple=True)
            problem = collection.problem(config)
            if problem:
                raise IndexMismatch(
                    f"The Weaviate collection {collection.name} does not match this version of "
                    f"Sophia ({problem}); run `sophia reindex` to rebuild it."
                )
            built = collection.ef_construction(config)
            if built is not None and built != self._ef_construction:
                # Weaviate cannot change it in place; results stay correct meanwhile.
                log.warning(
                    "%s was built with efConstruction %d; WEAVIATE_EF_CONSTRUCTION=%d applies "
                    "after `sophia reindex`",
                    collection.name,
                    built,
                    self._ef_construction,
                )

    # --- writes --------------------------------------------------------------------------

    async def upsert(self, calls: Sequence[IndexedCall]) -> None:
        self._open()
        if not calls:
            return
        chunks: list[DataObject[Any, Any]] = []
        for indexed in calls:
            check_vectors(indexed)
            for chunk, vector in zip(indexed.chunks, indexed.vectors, strict=True):
                if vector.shape != (self._dim,):
                    raise StoreError(
                        f"vectors have the wrong dimension for this index ({self._dim})"
                    )
                chunks.append(
                    DataObject(
                        properties=_present(chunk_record(indexed.call.details, chunk)),
                        uuid=chunk.chunk_id,
                        vector={VECTOR: vector.astype(np.float32).tolist()},
                    )
                )
        now = to_ms(self._clock.now())
        records = [
            DataObject(properties=_present(call_record(c, now)), uuid=_call_uuid(c.call.call_id))
            for c in calls
        ]
        with self._translated("storing calls"):
            data = await self._live()
            # New chunks first (an existing id is overwritten), then the calls' chunks that
            # are gone, and the call records with their content hashes last: if we stop in
            # between, the call looks unindexed and is simply processed again.
            await self._insert(data.chunks, chunks)
            kept = {chunk.chunk_id for indexed in calls for chunk in indexed.chunks}
            stale = [
                chunk_id
                for chunk_id in await self._chunk_ids(data, [c.call.call_id for c in calls])
                if chunk_id not in kept
            ]
            for start in range(0, len(stale), _PAGE):
                await self._delete_where(
                    data.chunks, Filter.by_id().contains_any(stale[start : start + _PAGE])
                )
            await self._insert(data.calls, records)
            if self._staged is None:  # a set being rebuilt is in no cache key yet
                await self._bump_generation()

    async def delete_older_than(self, cutoff: datetime) -> list[str]:
        older = Filter.by_property("started_ms").less_than(to_ms(cutoff))
        deleted: list[str] = []
        with self._translated("deleting old calls"):
            data = await self._live()
            while True:
                page = await self._use(data.calls).query.fetch_objects(
                    filters=older, limit=100, return_properties=["call_id"]
                )
                ids = [str(obj.properties["call_id"]) for obj in page.objects]
                if not ids:
                    break
                if set(ids) & set(deleted):
                    raise StoreError("Weaviate did not delete calls it reported as deleted")
                by_call = Filter.by_property("call_id").contains_any(ids)
                # Chunks before their call records: a purge that stops half-way is redone.
                await self._delete_where(data.chunks, by_call)
                await self._delete_where(data.calls, by_call)
                deleted.extend(ids)
            # Chunks whose call record is already gone (an interrupted earlier purge).
            await self._delete_where(data.chunks, older)
            if deleted:
                await self._bump_generation()
        return sorted(deleted)

    async def _insert(
        self, collection: Collection, objects: Sequence[DataObject[Any, Any]]
    ) -> None:
        size = _BATCH[collection.indexed]
        for start in range(0, len(objects), size):
            result = await self._use(collection).data.insert_many(objects[start : start + size])
            if result.has_errors:
                first = next(iter(result.errors.values()))
                raise StoreError(
                    f"Weaviate refused {len(result.errors)} of {len(objects)} objects for "
                    f"{collection.name}: {self._scrub(first.message)}"
                )

    async def _delete_where(self, collection: Collection, where: FilterReturn) -> None:
        # One request deletes at most QUERY_MAXIMUM_RESULTS objects (a server setting): repeat
        # until nothing matches.
        for _ in range(1000):
            result = await self._use(collection).data.delete_many(where=where)
            if result.failed:
                raise StoreError(f"Weaviate failed to delete {result.failed} objects")
            if result.successful == 0:
                return
        raise StoreError(f"deleting from {collection.name} did not finish")

    async def _chunk_ids(self, data: DataSet, call_ids: Sequence[str]) -> list[str]:
        """Ids of the stored chunks of these calls."""
        found = await self._per_call(data, call_ids, ["chunk_index"], with_vector=False)
        return [str(obj.uuid) for objects in found for obj in objects]

    async def _per_call(
        self, data: DataSet, call_ids: Sequence[str], properties: list[str], *, with_vector: bool
    ) -> list[list[Any]]:
        # One query per call: a call has at most a few hundred chunks, while one query over
        # many calls could pass Weaviate's 10,000-result cap.
        chunks = self._use(data.chunks)

        async def one(call_id: str) -> list[Any]:
            found = await chunks.query.fetch_objects(
                filters=Filter.by_property("call_id").equal(call_id),
                limit=_MAX_RESULTS,
                include_vector=[VECTOR] if with_vector else False,
                return_properties=properties,
            )
            return list(found.objects)

        return await asyncio.gather(*(one(call_id) for call_id in call_ids))

    # --- reads ---------------------------------------------------------------------------

    async def content_hashes(self, call_ids: Sequence[str]) -> dict[str, str]:
        return await self._on_live("reading content hashes", lambda d: self._hashes(d, call_ids))

    async def _hashes(self, data: DataSet, call_ids: Sequence[str]) -> dict[str, str]:
        calls = self._use(data.calls)
        hashes: dict[str, str] = {}
        for start in range(0, len(call_ids), _PAGE):
            wanted = list(call_ids[start : start + _PAGE])
            found = await calls.query.fetch_objects(
                filters=Filter.by_property("call_id").contains_any(wanted),
                limit=len(wanted),
                return_properties=["call_id", "content_hash"],
            )
            for obj in found.objects:
                hashes[str(obj.properties["call_id"])] = str(obj.properties["content_hash"])
        return hashes

    async def vectors_by_text(self, call_ids: Sequence[str]) -> dict[str, Vectors]:
        found = await self._on_live(
            "reading stored vectors",
            lambda d: self._per_call(d, call_ids, ["text_hash"], with_vector=True),
        )
        return {
            str(obj.properties["text_hash"]): np.asarray(obj.vector[VECTOR], dtype=np.float32)
            for objects in found
            for obj in objects
        }

    async def get_call(self, call_id: str, filters: SearchFilters = NO_FILTERS) -> Call | None:
        by_id = Filter.by_id().equal(_call_uuid(call_id))
        scope = search_filters(_for_calls(filters))
        found = await self._on_live(
            "reading a call",
            lambda d: self._use(d.calls).query.fetch_objects(
                filters=by_id if scope is None else Filter.all_of([by_id, scope]),
                limit=1,
                return_properties=["details", "monologues"],
            ),
        )
        return call_from_record(found.objects[0].properties) if found.objects else None

    async def list_calls(
        self,
        filters: SearchFilters = NO_FILTERS,
        *,
        transcripts: bool = True,
        newest: int | None = None,
        unreadable: list[Quarantined] | None = None,
    ) -> list[Call]:
        where = search_filters(_for_calls(filters))
        fields = ["call_id", "started_ms", "details", *(["monologues"] if transcripts else [])]
        # A call with its transcript is tens of kB: small pages keep gRPC messages small.
        size = 50 if transcripts else 500
        records = await self._on_live(
            "reading calls", lambda d: self._call_records(d, where, fields, size)
        )
        return calls_from_records(
            records, transcripts=transcripts, newest=newest, unreadable=unreadable
        )

    async def _call_records(
        self, data: DataSet, where: FilterReturn | None, fields: list[str], size: int
    ) -> list[Mapping[str, Any]]:
        records: list[Mapping[str, Any]] = []
        collection = self._use(data.calls)
        if where is None:
            # Cursor paging (by object id) has no 10,000-object cap, but takes no filter.
            after: uuid.UUID | None = None
            while page := (
                await collection.query.fetch_objects(
                    limit=size, after=after, return_properties=fields
                )
            ).objects:
                records.extend(obj.properties for obj in page)
                after = page[-1].uuid
        else:
            while True:
                if len(records) + size > _MAX_RESULTS:
                    raise StoreError(
                        f"more than {_MAX_RESULTS:,} calls match; narrow the period or account"
                    )
                page = (
                    await collection.query.fetch_objects(
                        filters=where, limit=size, offset=len(records), return_properties=fields
                    )
                ).objects
                records.extend(obj.properties for obj in page)
                if len(page) < size:
                    break
        return records

    async def counts(self) -> IndexCounts:
        return await self._on_live("counting", self._counts)

    async def _counts(self, data: DataSet) -> IndexCounts:
        chunks = await self._use(data.chunks).aggregate.over_all(total_count=True)
        calls = await self._use(data.calls).aggregate.over_all(total_count=True)
        return IndexCounts(chunks.total_count or 0, calls.total_count or 0)

    async def redaction_counts(self) -> RedactionCounts:
        return RedactionCounts.of(await self._on_live("counting redactions", self._redactions))

    async def _redactions(self, data: DataSet) -> list[int]:
        # Aggregations over a property need a filterable index it does not have: page
        # through the calls reading only that property (small objects, cursor paging).
        per_call: list[int] = []
        collection = self._use(data.calls)
        after: uuid.UUID | None = None
        while page := (
            await collection.query.fetch_objects(
                limit=_PAGE, after=after, return_properties=["redactions"]
            )
        ).objects:
            per_call.extend(int(obj.properties.get("redactions") or 0) for obj in page)
            after = page[-1].uuid
        return per_call

    async def generation(self) -> str:
        with self._translated("reading the index generation"):
            meta = await self._read_meta(probe=False)
        if meta is None:
            raise StoreError(f"the index record in {self._meta.name} is gone; run `sophia reindex`")
        return f"{meta['uid']}:{meta['generation']}"

    # --- search --------------------------------------------------------------------------

    async def search(self, query: StoreQuery) -> list[StoredChunk]:
        try:
            async with asyncio.timeout(self._search_deadline_s):
                return await self._on_live("searching", lambda d: self._search(d, query))
        except TimeoutError:
            raise StoreError(
                f"Weaviate at {self._where} did not answer a search within "
                f"{self._search_deadline_s:g} s"
            ) from None

    async def _search(self, data: DataSet, query: StoreQuery) -> list[StoredChunk]:
        chunks = self._use(data.chunks)
        common: dict[str, Any] = {
            "limit": query.limit,
            "filters": search_filters(query.filters),
            "return_properties": HIT_FIELDS,
        }
        started = time.perf_counter()
        try:
            if query.mode is SearchMode.KEYWORD:
                found = await chunks.query.bm25(
                    query=query.text,
                    query_properties=["text"],
                    return_metadata=MetadataQuery(score=True),
                    **common,
                )
                return [_hit(obj, obj.metadata.score) for obj in found.objects]
            if query.vector is None:
                raise StoreError(f"{query.mode} search needs a query vector")
            vector = query.vector.astype(np.float32).tolist()
            if query.mode is SearchMode.SEMANTIC:
                found = await chunks.query.near_vector(
                    near_vector=vector,
                    target_vector=VECTOR,
                    return_metadata=MetadataQuery(distance=True),
                    **common,
                )
                # Cosine distance is 1 - cosine similarity: report the similarity, as Lance.
                return [_hit(obj, _similarity(obj.metadata.distance)) for obj in found.objects]
            found = await chunks.query.hybrid(
                query=query.text,
                vector=vector,
                alpha=query.alpha,
                fusion_type=HybridFusion.RELATIVE_SCORE,
                query_properties=["text"],
                target_vector=VECTOR,
                return_metadata=MetadataQuery(score=True),
                **common,
            )
            return [_hit(obj, obj.metadata.score) for obj in found.objects]
        except WeaviateBaseError as exc:
            ms = (time.perf_counter() - started) * 1000
            raise StoreError(f"search failed after {ms:.0f} ms: {self._scrub(exc)}") from None


def _hit(obj: Any, score: float | None) -> StoredChunk:
    if score is None:
        raise StoreError("Weaviate returned a hit without a score")
    return stored_chunk(obj.properties, str(obj.uuid), score)


def _similarity(distance: float | None) -> float | None:
    return None if distance is None else 1.0 - distance


def _present(record: dict[str, Any]) -> dict[str, Any]:
    # Weaviate keeps an absent property and a null one alike: send only what is there.
    return {key: value for key, value in record.items() if value is not None}


def _for_calls(filters: SearchFilters) -> SearchFilters:
    # The side of the table is a property of chunks, not of whole calls.
    return filters.model_copy(update={"side": None})


def _call_uuid(call_id: str) -> uuid.UUID:
    return uuid.uuid5(_NAMESPACE, f"call:{call_id}")
