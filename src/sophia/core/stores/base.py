"""The store Protocols (`StoreReader` for reads, `VectorStore` for the whole store) and the
records that cross them."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from datetime import datetime
from typing import NamedTuple, Protocol, TypedDict, Unpack, runtime_checkable

from sophia.core.chunking import Chunk, ChunkLine
from sophia.core.embedders.base import Vectors
from sophia.core.models import Call
from sophia.core.quarantine import Quarantined
from sophia.core.query import NO_FILTERS, SearchFilters, SearchMode

__all__ = [
    "CallListing",
    "IndexCounts",
    "IndexInfo",
    "IndexedCall",
    "ReadsAhead",
    "RedactionCounts",
    "StoreGeneration",
    "StoreQuery",
    "StoreReader",
    "StoredChunk",
    "VectorStore",
    "calls_by_id",
]


@dataclass(frozen=True)
class IndexInfo:
    """The embedding space an index was built in."""

    embedder: str
    dim: int


@dataclass(frozen=True)
class IndexedCall:
    """A call ready to store: redacted, chunked and embedded (one vector per chunk)."""

    call: Call
    content_hash: str
    chunks: Sequence[Chunk]
    vectors: Vectors
    redactions: int = 0


@dataclass(frozen=True)
class StoreQuery:
    """A search as the store runs it. `vector` is None in keyword mode."""

    mode: SearchMode
    text: str
    vector: Vectors | None
    alpha: float
    limit: int
    filters: SearchFilters


@dataclass(frozen=True)
class StoredChunk:
    """A chunk as search returns it, with everything a citation needs: the call it is in,
    the moment, and how well it matched."""

    call_id: str
    title: str
    account: str | None
    started: datetime
    call_url: str
    chunk_id: str
    chunk_index: int
    lines: tuple[ChunkLine, ...]
    start_ms: int
    end_ms: int
    score: float
    # The raw evidence behind `score`, before any per-query normalisation: cosine
    # similarity to the query vector and the BM25 score (None where the store did not
    # compute it). What a relevance floor can be calibrated on, across queries.
    similarity: float | None = None
    keyword: float | None = None


class IndexCounts(NamedTuple):
    """How much the index holds: chunks, and the calls they came from."""

    chunks: int
    calls: int


@dataclass(frozen=True)
class RedactionCounts:
    """PII redactions in the stored calls: in total, and how many calls had any."""

    redactions: int
    calls: int

    @classmethod
    def of(cls, per_call: Iterable[int]) -> RedactionCounts:
        """The totals of each stored call's count."""
        counts = list(per_call)
        return cls(sum(counts), sum(1 for n in counts if n))


class CallListing(TypedDict, total=False):
    """How `list_calls` reads: with `transcripts` (the default) or only the details (much
    cheaper); only the `newest` N; a stored call that cannot be read (written by another
    version) goes to `unreadable` when given, so a reindex rebuilds the others, else it
    raises `StoreError`."""

    transcripts: bool
    newest: int | None
    unreadable: list[Quarantined] | None


class StoreReader(Protocol):
    """What reading the index needs: search, stored calls, counts and the generation.

    Insights and search read through this; a viewer's scoped view is one (`core.scoped`).
    """

    async def search(self, query: StoreQuery) -> list[StoredChunk]:
        """Best chunks first; filters (exclusions too) are applied inside the query, before
        ranking."""
        ...

    async def get_call(self, call_id: str, filters: SearchFilters = NO_FILTERS) -> Call | None:
        """The stored (redacted) call, or None (also when `filters` exclude it: the access
        policy's exclusions apply inside this query too)."""
        ...

    async def list_calls(
        self, filters: SearchFilters = NO_FILTERS, **listing: Unpack[CallListing]
    ) -> list[Call]:
        """Stored calls matching the account, call-id, date and exclusion filters, oldest
        first, as `listing` asks. The side filter does not apply to whole calls."""
        ...

    async def counts(self) -> IndexCounts: ...

    async def redaction_counts(self) -> RedactionCounts:
        """PII redactions recorded with the stored calls."""
        ...

    async def generation(self) -> str:
        """Changes whenever the index content changes; part of every cache key."""
        ...

    def pinned(self) -> AbstractAsyncContextManager[None]:
        """Within the block, every read of the task sees one state of the index, so an answer
        built from several reads never mixes two (LanceDB; Weaviate has no versions to
        read at, and each read sees what is there)."""
        ...


@runtime_checkable
class ReadsAhead(Protocol):
    """A store that can start a search's reads before its query vector exists (LanceDB: a
    hybrid search's keyword half, a call scope's rows): the search service embeds the query
    meanwhile."""

    async def read_ahead(self, query: StoreQuery) -> None:
        """Start reading for `query` (its vector not set yet); a `search` for the same query
        soon after uses what was read, or reads again."""
        ...


class VectorStore(StoreReader, Protocol):
    """Chunks with vectors and full text, plus the calls they came from.

    Calls are stored redacted, with their transcript, so that `sophia reindex` can rebuild
    every chunk without asking Gong again.
    """

    async def ensure_index(self, info: IndexInfo, *, check: bool = True) -> None:
        """Create the index for `info`, or open it and (if `check`) verify it was built for
        `info`, raising `IndexMismatch` otherwise."""
        ...

    async def upsert(self, calls: Sequence[IndexedCall]) -> None:
        """Store calls; each call's previous chunks are replaced, never duplicated."""
        ...

    async def content_hashes(self, call_ids: Sequence[str]) -> dict[str, str]:
        """The content hash stored for each of these calls that is indexed."""
        ...

    async def vectors_by_text(self, call_ids: Sequence[str]) -> dict[str, Vectors]:
        """Stored vectors of these calls' chunks, keyed by chunk text hash (for reuse)."""
        ...

    async def delete_older_than(self, cutoff: datetime) -> list[str]:
        """Remove every call that started before `cutoff`, with its chunks (retention).

        Returns the ids of the removed calls, sorted.
        """
        ...

    async def optimize(self, *, full: bool = False) -> list[str]:
        """Fold recent writes into the indexes (after every ingest run); `full` also
        compacts files and merges index segments (the daily upkeep). Returns what it did."""
        ...

    def written_bytes(self) -> int | None:
        """Bytes this store object has written to disk so far; None where the store cannot
        tell (a server)."""
        ...

    async def reset(self, info: IndexInfo) -> None:
        """Drop everything and start an empty index for `info`."""
        ...

    async def rebuild(self, info: IndexInfo) -> VectorStore:
        """A new, empty index for `info` to fill (`sophia reindex`). Where the store can,
        it is built beside the live one, which keeps answering until `promote`."""
        ...

    async def promote(self, staged: VectorStore) -> None:
        """Make `staged` (from `rebuild`) the live index, in one step."""
        ...

    async def discard(self, staged: VectorStore) -> None:
        """Give up an unfinished `rebuild`; the live index is untouched where it was kept."""
        ...

    async def aclose(self) -> None:
        """Release connections (a no-op for the embedded store)."""
        ...


class StoreGeneration:
    """The store's own generation as a cache `Generation`: right for a cache that lives in
    this process only."""

    def __init__(self, store: StoreReader) -> None:
        self._store = store

    async def current(self) -> str:
        return await self._store.generation()

    async def advance(self) -> None:
        # The store's generation moves with every write by itself.
        return None


# How many call ids one `list_calls` asks for: a long id list makes a long filter.
_IDS_PER_READ = 200


async def calls_by_id(
    store: StoreReader, call_ids: Sequence[str], *, transcripts: bool = True
) -> list[Call]:
    """The stored calls among `call_ids`, read a few hundred ids at a time."""
    calls: list[Call] = []
    for start in range(0, len(call_ids), _IDS_PER_READ):
        part = SearchFilters(call_ids=tuple(call_ids[start : start + _IDS_PER_READ]))
        calls.extend(await store.list_calls(part, transcripts=transcripts))
    return calls
