"""`WeaviateStore`: the `VectorStore` Protocol over three Weaviate collections.

The store decides which data set a call works on (the live one, or its own while rebuilt)
and retries a read once when a reindex switched sets under it; the work itself is in
`connection`, `record` (the index record and collections), `writes`, `reads` and `search`.
"""

from __future__ import annotations

import asyncio
import contextlib
import copy
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from datetime import datetime
from typing import TypeVar, Unpack

from sophia.core.clock import Clock, SystemClock
from sophia.core.config import Settings
from sophia.core.embedders.base import Vectors
from sophia.core.errors import ConfigError, StoreError
from sophia.core.models import Call
from sophia.core.query import NO_FILTERS, SearchFilters
from sophia.core.stores import base
from sophia.core.stores.records import calls_from_records, index_mismatch
from sophia.core.stores.weaviate import reads, writes
from sophia.core.stores.weaviate.connection import WeaviateAccess, WeaviateConnection
from sophia.core.stores.weaviate.datasets import DataSet
from sophia.core.stores.weaviate.record import IndexRecord
from sophia.core.stores.weaviate.search import search_chunks

__all__ = ["SEARCH_DEADLINE_S", "WeaviateStore"]

# The client retries an unavailable Weaviate for about a minute (1 + 2 + ... + 32 s) and that
# is not configurable; a person waiting on Slack or REST gets a clear error sooner.
SEARCH_DEADLINE_S = 10.0

T = TypeVar("T")


class WeaviateStore:
    """A `base.VectorStore` in three Weaviate collections (see core/stores/weaviate/__init__.py)."""

    def __init__(
        self,
        endpoint: str,
        *,
        collection: str = "GongChunk",
        ef_construction: int = 128,
        search_deadline_s: float = SEARCH_DEADLINE_S,
        clock: Clock | None = None,
        **access: Unpack[WeaviateAccess],
    ) -> None:
        self._conn = WeaviateConnection(endpoint, **access)
        self._clock = clock or SystemClock()
        self._record = IndexRecord(
            self._conn, collection, ef_construction=ef_construction, clock=self._clock
        )
        self._search_deadline_s = search_deadline_s
        self._base = collection
        self._dim: int | None = None
        # What `ensure_index` checked the record against: a reindex by another process to
        # another embedder is then an `IndexMismatch` on the next read, as at start.
        self._expected: base.IndexInfo | None = None
        # A store from `rebuild` writes into its own data set, not the live one, and shares
        # the connection of the store it came from (which closes it).
        self._staged: tuple[DataSet, base.IndexInfo] | None = None

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

    async def ensure_index(self, info: base.IndexInfo, *, check: bool = True) -> None:
        await self._conn.connect()
        try:
            await self._open_index(info, check)
        except BaseException:
            # Whoever called us cannot use the store now: do not leave a connection behind.
            await self.aclose()
            raise

    async def _open_index(self, info: base.IndexInfo, check: bool) -> None:
        if self._staged is not None:
            return
        with self._conn.translated("opening the index"):
            await self._record.create_missing_meta()
            meta = await self._record.read()
            if meta is None:
                # The record is written last when an index is created: without it, creation
                # stopped half-way (the collections are empty) or the collections are not ours.
                first = DataSet.first(self._base)
                if check:
                    await self._record.refuse_foreign_data(first)
                await self._record.create_missing(first, check)
                await self._record.write(info, first)
                self._dim = info.dim
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
            await self._record.create_missing(live, check)
            self._dim = int(meta["dim"])
            self._expected = info if check else None

    async def reset(self, info: base.IndexInfo) -> None:
        await self.promote(await self.rebuild(info))

    async def rebuild(self, info: base.IndexInfo) -> WeaviateStore:
        """A new, empty data set for `info` beside the live one, which keeps answering
        searches until `promote` (core/stores/weaviate/datasets.py)."""
        await self._conn.connect()
        fresh = DataSet.fresh(self._base)
        with self._conn.translated("creating the collections of a new index"):
            await self._record.create_missing(fresh, check=False)
        staged = copy.copy(self)
        staged._staged, staged._dim = (fresh, info), info.dim
        return staged

    async def promote(self, staged: base.VectorStore) -> None:
        """Make `staged` live in one step: one update of the index record names its data
        set (and embedder); then the sets no longer named are dropped."""
        if not isinstance(staged, WeaviateStore) or staged._staged is None:
            raise StoreError("only an index built by rebuild() can be promoted")
        fresh, info = staged._staged
        with self._conn.translated("switching to the rebuilt index"):
            if await self._record.read() is None:
                await self._record.create_missing_meta()
                await self._record.write(info, fresh)
            else:
                await self._record.replace(info, fresh)
            self._dim = info.dim
            self._expected = None if self._expected is None else info
            await self._record.drop_unused(fresh)

    async def discard(self, staged: base.VectorStore) -> None:
        """Drop an unfinished `rebuild`'s data set (the live one is untouched)."""
        if isinstance(staged, WeaviateStore) and staged._staged is not None:
            with self._conn.translated("dropping an unfinished index"):
                await self._conn.client().collections.delete(staged._staged[0].names)

    @contextlib.asynccontextmanager
    async def pinned(self) -> AsyncIterator[None]:
        # Weaviate keeps no versions to read at: each read sees what is there.
        yield

    async def aclose(self) -> None:
        if self._staged is None:
            await self._conn.aclose()

    async def optimize(self, *, full: bool = False) -> list[str]:
        # Weaviate folds writes into its HNSW and inverted indexes as they arrive.
        return []

    def written_bytes(self) -> int | None:
        return None

    # --- which data set ------------------------------------------------------------------

    async def _live(self) -> DataSet:
        """The data set to read and write: this store's own if it is being rebuilt, else the
        one the index record names now (another process's reindex may have just moved it)."""
        if self._staged is not None:
            return self._staged[0]
        meta = await self._record.current()
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
        translated = self._conn.translated
        with translated(action):
            data = await self._live()
        try:
            with translated(action):
                return await work(data)
        except StoreError:
            with translated(action):
                now = await self._live()
            if now == data:
                raise
        with translated(action):
            return await work(now)

    # --- writes --------------------------------------------------------------------------

    async def upsert(self, calls: Sequence[base.IndexedCall]) -> None:
        self._conn.client()
        if not calls:
            return
        with self._conn.translated("storing calls"):
            data = await self._live()
            await writes.upsert(self._conn, data, calls, self._dim, self._clock.now())
            if self._staged is None:  # a set being rebuilt is in no cache key yet
                await self._record.bump_generation()

    async def delete_older_than(self, cutoff: datetime) -> list[str]:
        with self._conn.translated("deleting old calls"):
            deleted = await writes.delete_older_than(self._conn, await self._live(), cutoff)
            if deleted:
                await self._record.bump_generation()
        return deleted

    # --- reads ---------------------------------------------------------------------------

    async def content_hashes(self, call_ids: Sequence[str]) -> dict[str, str]:
        return await self._on_live(
            "reading content hashes", lambda d: reads.content_hashes(self._conn, d, call_ids)
        )

    async def vectors_by_text(self, call_ids: Sequence[str]) -> dict[str, Vectors]:
        return await self._on_live(
            "reading stored vectors", lambda d: reads.vectors_by_text(self._conn, d, call_ids)
        )

    async def get_call(self, call_id: str, filters: SearchFilters = NO_FILTERS) -> Call | None:
        return await self._on_live(
            "reading a call", lambda d: reads.get_call(self._conn, d, call_id, filters)
        )

    async def list_calls(
        self, filters: SearchFilters = NO_FILTERS, **listing: Unpack[base.CallListing]
    ) -> list[Call]:
        transcripts = listing.get("transcripts", True)
        records = await self._on_live(
            "reading calls",
            lambda d: reads.call_records(self._conn, d, filters, transcripts=transcripts),
        )
        return calls_from_records(records, listing)

    async def counts(self) -> base.IndexCounts:
        return await self._on_live("counting", lambda d: reads.counts(self._conn, d))

    async def redaction_counts(self) -> base.RedactionCounts:
        per_call = await self._on_live(
            "counting redactions", lambda d: reads.redactions(self._conn, d)
        )
        return base.RedactionCounts.of(per_call)

    async def generation(self) -> str:
        with self._conn.translated("reading the index generation"):
            meta = await self._record.current()
        return f"{meta['uid']}:{meta['generation']}"

    async def search(self, query: base.StoreQuery) -> list[base.StoredChunk]:
        try:
            async with asyncio.timeout(self._search_deadline_s):
                return await self._on_live(
                    "searching", lambda d: search_chunks(self._conn, d, query)
                )
        except TimeoutError:
            raise StoreError(
                f"Weaviate at {self._conn.where} did not answer a search within "
                f"{self._search_deadline_s:g} s"
            ) from None
