"""The index record (one object in `NMeta`) and the collections of the data sets it names:
creating what is missing, checking what exists, dropping sets no longer in use."""

from __future__ import annotations

import logging
import uuid
from typing import Any

from weaviate.classes.data import DataObject
from weaviate.classes.query import Filter

from sophia.core.chunking import CHUNKER_VERSION
from sophia.core.clock import Clock
from sophia.core.errors import IndexMismatch, StoreError
from sophia.core.stores.base import IndexInfo
from sophia.core.stores.weaviate.connection import WeaviateConnection
from sophia.core.stores.weaviate.datasets import DataSet, built_sets
from sophia.core.stores.weaviate.schema import META_FIELDS, Collection, object_id
from sophia.core.stores.weaviate.writes import insert

__all__ = ["IndexRecord"]

log = logging.getLogger("sophia.stores.weaviate")

_RECORD_ID = object_id("index-meta")


class IndexRecord:
    """The record of the index named `base`: embedder, dimension, live data set, generation."""

    def __init__(
        self, conn: WeaviateConnection, base: str, *, ef_construction: int, clock: Clock
    ) -> None:
        self._conn = conn
        self._base = base
        self._ef_construction = ef_construction
        self._clock = clock
        self.collection = Collection(f"{base}Meta", META_FIELDS, indexed=False)

    async def read(self, *, probe: bool = True) -> dict[str, Any] | None:
        """The index record, or None. `probe=False` skips asking whether its collection exists:
        one round trip less for `generation`, which runs before every search."""
        if probe and not await self._conn.client().collections.exists(self.collection.name):
            return None
        found = await self._conn.use(self.collection).query.fetch_objects(
            filters=Filter.by_id().equal(_RECORD_ID),
            limit=1,
            return_properties=list(META_FIELDS),
        )
        if not found.objects:
            return None
        meta = dict(found.objects[0].properties)
        if not {"embedder", "dim", "uid", "generation"} <= meta.keys():
            raise IndexMismatch(
                f"The index record in {self.collection.name} is incomplete; run `sophia reindex`."
            )
        return meta

    async def current(self) -> dict[str, Any]:
        """The index record, which must be there once the index is open."""
        meta = await self.read(probe=False)
        if meta is None:
            raise StoreError(
                f"the index record in {self.collection.name} is gone; run `sophia reindex`"
            )
        return meta

    async def write(self, info: IndexInfo, data: DataSet) -> None:
        """The record of a new index for `info` whose data set is `data`."""
        record = DataObject(properties=self._new(info, data), uuid=_RECORD_ID)
        await insert(self._conn, self.collection, [record])

    async def replace(self, info: IndexInfo, data: DataSet) -> None:
        """Name another data set (and embedder) in one update: a reindex's switch."""
        await self._conn.use(self.collection).data.update(
            uuid=_RECORD_ID, properties=self._new(info, data)
        )

    async def bump_generation(self) -> None:
        """A new generation token after a write, retiring every cache key made before it."""
        # A partial update (REST PATCH) replaces only the token, so a concurrent reset's
        # embedder and uid are never overwritten with what this process remembers.
        token = uuid.uuid4().hex
        await self._conn.use(self.collection).data.update(
            uuid=_RECORD_ID, properties={"generation": token}
        )

    def _new(self, info: IndexInfo, data: DataSet) -> dict[str, Any]:
        return {
            "embedder": info.embedder,
            "dim": info.dim,
            "chunker": CHUNKER_VERSION,
            "uid": uuid.uuid4().hex,
            "generation": uuid.uuid4().hex,
            "created": self._clock.now().isoformat(),
            "collection": data.chunks.name,
        }

    # --- the collections -----------------------------------------------------------------

    async def create_missing_meta(self) -> None:
        """Create the record's collection, or add the properties it gained since it was made
        (`collection`, with data sets): a record object of an older version still reads."""
        client = self._conn.client()
        if not await client.collections.exists(self.collection.name):
            await client.collections.create(
                **self.collection.create_arguments(self._ef_construction)
            )
            return
        meta = self._conn.use(self.collection)
        config = await meta.config.get(simple=True)
        present = {prop.name for prop in config.properties}
        for name, spec in self.collection.fields.items():
            if name not in present:
                await meta.config.add_property(spec.property(name))

    async def create_missing(self, data: DataSet, check: bool) -> None:
        """Create the collections that are missing; if `check`, verify those that exist."""
        client = self._conn.client()
        await self.create_missing_meta()
        # The record is written after these: it marks a finished index.
        for collection in (data.chunks, data.calls, self.collection):
            if not await client.collections.exists(collection.name):
                await client.collections.create(
                    **collection.create_arguments(self._ef_construction)
                )
                continue
            if check:
                await self._check(collection)

    async def _check(self, collection: Collection) -> None:
        config = await self._conn.use(collection).config.get(simple=True)
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

    async def refuse_foreign_data(self, data: DataSet) -> None:
        """`IndexMismatch` if `data`'s collections hold objects but no record names them."""
        for collection in (data.chunks, data.calls):
            if not await self._conn.client().collections.exists(collection.name):
                continue
            aggregate = self._conn.use(collection).aggregate
            total = (await aggregate.over_all(total_count=True)).total_count
            if total:
                raise IndexMismatch(
                    f"The Weaviate collection {collection.name} holds {total} objects but no "
                    f"index record ({self.collection.name}); run `sophia reindex` to rebuild "
                    "it, or set WEAVIATE_COLLECTION to another name."
                )

    async def drop_unused(self, live: DataSet) -> None:
        """Drop every data set but `live`: the one just replaced, and any that a reindex
        killed half-way left behind. A read that was still on a dropped set reads again."""
        client = self._conn.client()
        existing = list(await client.collections.list_all(simple=True))
        sets = [DataSet.first(self._base), *built_sets(self._base, existing)]
        names = [n for s in sets if s != live for n in s.names if n in existing]
        if names:
            await client.collections.delete(names)
            log.info("dropped Weaviate collections no longer in use: %s", ", ".join(names))
