"""Reading one data set: content hashes and vectors for ingest, stored calls, counts.

Weaviate returns at most QUERY_MAXIMUM_RESULTS (10,000 by default) objects at once: reads
that may pass it page by cursor (no cap, no filter) or ask per call.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
from weaviate.classes.query import Filter

from sophia.core.embedders.base import Vectors
from sophia.core.errors import StoreError
from sophia.core.models import Call
from sophia.core.query import SearchFilters
from sophia.core.stores.base import IndexCounts
from sophia.core.stores.records import call_from_record
from sophia.core.stores.weaviate.connection import WeaviateConnection
from sophia.core.stores.weaviate.datasets import DataSet
from sophia.core.stores.weaviate.schema import VECTOR, call_object_id, search_filters

__all__ = [
    "PAGE",
    "call_records",
    "chunk_ids",
    "content_hashes",
    "counts",
    "get_call",
    "redactions",
    "vectors_by_text",
]

_MAX_RESULTS = 10_000
PAGE = 1000


async def content_hashes(
    conn: WeaviateConnection, data: DataSet, call_ids: Sequence[str]
) -> dict[str, str]:
    """The stored content hash of each of these calls that is indexed."""
    calls = conn.use(data.calls)
    hashes: dict[str, str] = {}
    for start in range(0, len(call_ids), PAGE):
        wanted = list(call_ids[start : start + PAGE])
        found = await calls.query.fetch_objects(
            filters=Filter.by_property("call_id").contains_any(wanted),
            limit=len(wanted),
            return_properties=["call_id", "content_hash"],
        )
        for obj in found.objects:
            hashes[str(obj.properties["call_id"])] = str(obj.properties["content_hash"])
    return hashes


async def chunk_ids(conn: WeaviateConnection, data: DataSet, call_ids: Sequence[str]) -> list[str]:
    """Ids of the stored chunks of these calls."""
    found = await _per_call(conn, data, call_ids, ["chunk_index"], with_vector=False)
    return [str(obj.uuid) for objects in found for obj in objects]


async def vectors_by_text(
    conn: WeaviateConnection, data: DataSet, call_ids: Sequence[str]
) -> dict[str, Vectors]:
    """Stored vectors of these calls' chunks, keyed by chunk text hash."""
    found = await _per_call(conn, data, call_ids, ["text_hash"], with_vector=True)
    return {
        str(obj.properties["text_hash"]): np.asarray(obj.vector[VECTOR], dtype=np.float32)
        for objects in found
        for obj in objects
    }


async def _per_call(
    conn: WeaviateConnection,
    data: DataSet,
    call_ids: Sequence[str],
    properties: list[str],
    *,
    with_vector: bool,
) -> list[list[Any]]:
    # One query per call: a call has at most a few hundred chunks, while one query over
    # many calls could pass Weaviate's 10,000-result cap.
    chunks = conn.use(data.chunks)

    async def one(call_id: str) -> list[Any]:
        found = await chunks.query.fetch_objects(
            filters=Filter.by_property("call_id").equal(call_id),
            limit=_MAX_RESULTS,
            include_vector=[VECTOR] if with_vector else False,
            return_properties=properties,
        )
        return list(found.objects)

    return await asyncio.gather(*(one(call_id) for call_id in call_ids))


async def get_call(
    conn: WeaviateConnection, data: DataSet, call_id: str, filters: SearchFilters
) -> Call | None:
    """The stored call, if it is there and within `filters`."""
    by_id = Filter.by_id().equal(call_object_id(call_id))
    scope = search_filters(_for_calls(filters))
    found = await conn.use(data.calls).query.fetch_objects(
        filters=by_id if scope is None else Filter.all_of([by_id, scope]),
        limit=1,
        return_properties=["details", "monologues"],
    )
    return call_from_record(found.objects[0].properties) if found.objects else None


async def call_records(
    conn: WeaviateConnection, data: DataSet, filters: SearchFilters, *, transcripts: bool
) -> list[Mapping[str, Any]]:
    """The stored call records within `filters` (with their transcripts, or without)."""
    where = search_filters(_for_calls(filters))
    fields = ["call_id", "started_ms", "details", *(["monologues"] if transcripts else [])]
    # A call with its transcript is tens of kB: small pages keep gRPC messages small.
    size = 50 if transcripts else 500
    records: list[Mapping[str, Any]] = []
    collection = conn.use(data.calls)
    if where is None:
        # Cursor paging (by object id) has no 10,000-object cap, but takes no filter.
        after: uuid.UUID | None = None
        while page := (
            await collection.query.fetch_objects(limit=size, after=after, return_properties=fields)
        ).objects:
            records.extend(obj.properties for obj in page)
            after = page[-1].uuid
        return records
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
            return records


async def counts(conn: WeaviateConnection, data: DataSet) -> IndexCounts:
    """Chunks and calls stored."""
    chunks = await conn.use(data.chunks).aggregate.over_all(total_count=True)
    calls = await conn.use(data.calls).aggregate.over_all(total_count=True)
    return IndexCounts(chunks.total_count or 0, calls.total_count or 0)


async def redactions(conn: WeaviateConnection, data: DataSet) -> list[int]:
    """Each stored call's count of PII redactions."""
    # Aggregations over a property need a filterable index it does not have: page
    # through the calls reading only that property (small objects, cursor paging).
    per_call: list[int] = []
    collection = conn.use(data.calls)
    after: uuid.UUID | None = None
    while page := (
        await collection.query.fetch_objects(
            limit=PAGE, after=after, return_properties=["redactions"]
        )
    ).objects:
        per_call.extend(int(obj.properties.get("redactions") or 0) for obj in page)
        after = page[-1].uuid
    return per_call


def _for_calls(filters: SearchFilters) -> SearchFilters:
    # The side of the table is a property of chunks, not of whole calls.
    return filters.model_copy(update={"side": None})
