"""The store and search as one viewer may see them: the access policy's exclusions ride along
inside every read, so no capability built on these views can forget them.

`Session` builds the views for a viewer who may not see some accounts; one who may see
everything gets the plain store and search.
"""

from __future__ import annotations

from contextlib import AbstractAsyncContextManager
from dataclasses import replace
from typing import Protocol, Unpack

from sophia.core.errors import AccessDenied
from sophia.core.models import Call
from sophia.core.query import NO_FILTERS, SearchFilters, SearchRequest
from sophia.core.search import SearchResult
from sophia.core.stores.base import (
    CallListing,
    IndexCounts,
    RedactionCounts,
    StoredChunk,
    StoreQuery,
    StoreReader,
)

__all__ = ["ScopedSearch", "ScopedStore", "Searcher"]


class Searcher(Protocol):
    """What insights search through: `SearchService`, or a viewer's `ScopedSearch`."""

    async def search(self, request: SearchRequest) -> SearchResult: ...


class ScopedStore:
    """A `StoreReader` that adds `exclude` (account keys) to every read; a viewer only
    reads (ingest, retention and reindex use the store itself)."""

    def __init__(self, store: StoreReader, exclude: frozenset[str]) -> None:
        self._store = store
        self._exclude = exclude

    async def search(self, query: StoreQuery) -> list[StoredChunk]:
        return await self._store.search(
            replace(query, filters=query.filters.excluding(self._exclude))
        )

    async def get_call(self, call_id: str, filters: SearchFilters = NO_FILTERS) -> Call | None:
        """The call if the viewer may see it; `AccessDenied` if it exists but may not."""
        call = await self._store.get_call(call_id, filters.excluding(self._exclude))
        # Only a miss costs a second read, to tell "restricted" (denied, and audited as such)
        # from "not indexed"; the viewer is told the same in both cases (see Session).
        if call is None and await self._store.get_call(call_id, filters) is not None:
            raise AccessDenied()
        return call

    async def list_calls(
        self, filters: SearchFilters = NO_FILTERS, **listing: Unpack[CallListing]
    ) -> list[Call]:
        return await self._store.list_calls(filters.excluding(self._exclude), **listing)

    async def counts(self) -> IndexCounts:
        return await self._store.counts()

    async def redaction_counts(self) -> RedactionCounts:
        return await self._store.redaction_counts()

    async def generation(self) -> str:
        return await self._store.generation()

    def pinned(self) -> AbstractAsyncContextManager[None]:
        return self._store.pinned()


class ScopedSearch:
    """`SearchService.search` with `exclude` added to every request's filters.

    The result carries the request as it was asked, so what the viewer sees never lists the
    (hashed) keys of the accounts hidden from them.
    """

    def __init__(self, search: Searcher, exclude: frozenset[str]) -> None:
        self._search = search
        self._exclude = exclude

    async def search(self, request: SearchRequest) -> SearchResult:
        """The best hits among the accounts the viewer may see."""
        scoped = request.model_copy(update={"filters": request.filters.excluding(self._exclude)})
        result = await self._search.search(scoped)
        return result.model_copy(update={"request": request})
