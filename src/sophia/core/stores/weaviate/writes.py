"""Writing a data set: calls with their chunks in, stale chunks and old calls out.

Order matters for a write that stops half-way: chunks before the call records that carry the
content hashes, so an interrupted call looks unindexed and is processed again.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

import numpy as np
from weaviate.classes.data import DataObject
from weaviate.classes.query import Filter, FilterReturn

from sophia.core.errors import StoreError
from sophia.core.stores.base import IndexedCall
from sophia.core.stores.records import call_record, check_vectors, chunk_record, to_ms
from sophia.core.stores.weaviate.connection import WeaviateConnection
from sophia.core.stores.weaviate.datasets import DataSet
from sophia.core.stores.weaviate.reads import PAGE, chunk_ids
from sophia.core.stores.weaviate.schema import VECTOR, Collection, call_object_id

__all__ = ["delete_older_than", "insert", "upsert"]

# Objects per gRPC batch: 200 chunks with 1536-dim vectors stay near 2 MB, 20 calls with
# their transcripts near 4 MB, far below Weaviate's default message limit.
_BATCH = {True: 200, False: 20}


async def upsert(
    conn: WeaviateConnection,
    data: DataSet,
    calls: Sequence[IndexedCall],
    dim: int | None,
    now: datetime,
) -> None:
    """Store `calls` in `data`, replacing each one's previous chunks."""
    chunks: list[DataObject[Any, Any]] = []
    for indexed in calls:
        check_vectors(indexed)
        for chunk, vector in zip(indexed.chunks, indexed.vectors, strict=True):
            if vector.shape != (dim,):
                raise StoreError(f"vectors have the wrong dimension for this index ({dim})")
            chunks.append(
                DataObject(
                    properties=_present(chunk_record(indexed.call.details, chunk)),
                    uuid=chunk.chunk_id,
                    vector={VECTOR: vector.astype(np.float32).tolist()},
                )
            )
    stored_ms = to_ms(now)
    records = [
        DataObject(
            properties=_present(call_record(c, stored_ms)), uuid=call_object_id(c.call.call_id)
        )
        for c in calls
    ]
    # New chunks first (an existing id is overwritten), then the calls' chunks that are
    # gone, and the call records with their content hashes last.
    await insert(conn, data.chunks, chunks)
    kept = {chunk.chunk_id for indexed in calls for chunk in indexed.chunks}
    stale = [
        chunk_id
        for chunk_id in await chunk_ids(conn, data, [c.call.call_id for c in calls])
        if chunk_id not in kept
    ]
    for start in range(0, len(stale), PAGE):
        await _delete_where(
            conn, data.chunks, Filter.by_id().contains_any(stale[start : start + PAGE])
        )
    await insert(conn, data.calls, records)


async def delete_older_than(conn: WeaviateConnection, data: DataSet, cutoff: datetime) -> list[str]:
    """Remove the calls that started before `cutoff` with their chunks; their ids, sorted."""
    older = Filter.by_property("started_ms").less_than(to_ms(cutoff))
    deleted: list[str] = []
    while True:
        page = await conn.use(data.calls).query.fetch_objects(
            filters=older, limit=100, return_properties=["call_id"]
        )
        ids = [str(obj.properties["call_id"]) for obj in page.objects]
        if not ids:
            break
        if set(ids) & set(deleted):
            raise StoreError("Weaviate did not delete calls it reported as deleted")
        by_call = Filter.by_property("call_id").contains_any(ids)
        # Chunks before their call records: a purge that stops half-way is redone.
        await _delete_where(conn, data.chunks, by_call)
        await _delete_where(conn, data.calls, by_call)
        deleted.extend(ids)
    # Chunks whose call record is already gone (an interrupted earlier purge).
    await _delete_where(conn, data.chunks, older)
    return sorted(deleted)


async def insert(
    conn: WeaviateConnection, collection: Collection, objects: Sequence[DataObject[Any, Any]]
) -> None:
    """Insert (or overwrite by id) `objects`, in batches of a safe message size."""
    size = _BATCH[collection.indexed]
    for start in range(0, len(objects), size):
        result = await conn.use(collection).data.insert_many(objects[start : start + size])
        if result.has_errors:
            first = next(iter(result.errors.values()))
            raise StoreError(
                f"Weaviate refused {len(result.errors)} of {len(objects)} objects for "
                f"{collection.name}: {conn.scrub(first.message)}"
            )


async def _delete_where(
    conn: WeaviateConnection, collection: Collection, where: FilterReturn
) -> None:
    # One request deletes at most QUERY_MAXIMUM_RESULTS objects (a server setting): repeat
    # until nothing matches.
    for _ in range(1000):
        result = await conn.use(collection).data.delete_many(where=where)
        if result.failed:
            raise StoreError(f"Weaviate failed to delete {result.failed} objects")
        if result.successful == 0:
            return
    raise StoreError(f"deleting from {collection.name} did not finish")


def _present(record: dict[str, Any]) -> dict[str, Any]:
    # Weaviate keeps an absent property and a null one alike: send only what is there.
    return {key: value for key, value in record.items() if value is not None}
