"""The three Weaviate collections, how to create them, check them and filter them."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from weaviate.classes.config import (
    Configure,
    DataType,
    Property,
    Tokenization,
    VectorDistances,
    VectorIndexConfigCreate,
)
from weaviate.classes.query import Filter, FilterReturn
from weaviate.collections.classes.config import CollectionConfigSimple

from sophia.core.query import SearchFilters
from sophia.core.stores.records import SIDE_FIELD, to_ms

__all__ = [
    "CALL_FIELDS",
    "CHUNK_FIELDS",
    "META_FIELDS",
    "VECTOR",
    "Collection",
    "call_object_id",
    "object_id",
    "search_filters",
]

# The name of the one vector each collection declares (the chunk collection indexes it).
VECTOR = "default"
# Ids of call and index-record objects; chunk ids come from core/chunking.py.
_NAMESPACE = uuid.UUID("2b7d0c6e-55a4-5f0e-9d1b-8c3a6f4e1d27")

_TEXT, _INT, _BOOL = DataType.TEXT, DataType.INT, DataType.BOOL


@dataclass(frozen=True)
class Field:
    """A property: text that is filtered on is one whole token (so `equal` compares the exact
    value); only searchable text is split into words for BM25."""

    data_type: DataType
    filterable: bool = False
    searchable: bool = False
    ranged: bool = False

    def property(self, name: str) -> Property:
        text = self.data_type is DataType.TEXT
        return Property(
            name=name,
            data_type=self.data_type,
            tokenization=(Tokenization.WORD if self.searchable else Tokenization.FIELD)
            if text
            else None,
            index_filterable=self.filterable,
            index_searchable=self.searchable if text else None,
            index_range_filters=self.ranged,
        )


CHUNK_FIELDS = {
    "call_id": Field(_TEXT, filterable=True),
    "chunk_index": Field(_INT),
    "text": Field(_TEXT, searchable=True),
    "text_hash": Field(_TEXT),
    "lines": Field(_TEXT),
    "title": Field(_TEXT),
    "account": Field(_TEXT),
    "account_key": Field(_TEXT, filterable=True),
    "started_ms": Field(_INT, filterable=True, ranged=True),
    "call_url": Field(_TEXT),
    "start_ms": Field(_INT),
    "end_ms": Field(_INT),
    "has_internal": Field(_BOOL, filterable=True),
    "has_external": Field(_BOOL, filterable=True),
    "has_unknown": Field(_BOOL, filterable=True),
}
CALL_FIELDS = {
    "call_id": Field(_TEXT, filterable=True),
    "account": Field(_TEXT),
    "account_key": Field(_TEXT, filterable=True),
    "title": Field(_TEXT),
    "started_ms": Field(_INT, filterable=True, ranged=True),
    "content_hash": Field(_TEXT),
    "details": Field(_TEXT),
    "monologues": Field(_TEXT),
    "chunk_count": Field(_INT),
    "redactions": Field(_INT),
    "indexed_at_ms": Field(_INT),
}
META_FIELDS = {
    "embedder": Field(_TEXT),
    "dim": Field(_INT),
    "chunker": Field(_TEXT),
    "uid": Field(_TEXT),
    "generation": Field(_TEXT),
    "created": Field(_TEXT),
    # The live data set's chunk collection (core/stores/weaviate/datasets.py).
    "collection": Field(_TEXT),
}


@dataclass(frozen=True)
class Collection:
    """One of the store's collections: its name, fields, and whether its vector is indexed."""

    name: str
    fields: dict[str, Field]
    indexed: bool

    def create_arguments(self, ef_construction: int) -> dict[str, Any]:
        """Keyword arguments of `client.collections.create` for this collection."""
        index: VectorIndexConfigCreate = (
            Configure.VectorIndex.hnsw(
                distance_metric=VectorDistances.COSINE, ef_construction=ef_construction
            )
            if self.indexed
            # Calls and the index record carry no vector: build no index for them.
            else Configure.VectorIndex.none()
        )
        return {
            "name": self.name,
            "properties": [spec.property(name) for name, spec in self.fields.items()],
            "vector_config": Configure.Vectors.self_provided(
                name=VECTOR, vector_index_config=index
            ),
            "inverted_index_config": Configure.inverted_index(bm25_k1=1.2, bm25_b=0.75),
        }

    def problem(self, config: CollectionConfigSimple) -> str | None:
        """What makes an existing collection unusable as this one, or None."""
        found = {prop.name: prop for prop in config.properties}
        for name, spec in self.fields.items():
            prop = found.get(name)
            if prop is None:
                return f"property {name} is missing"
            if prop.data_type != spec.data_type:
                return f"property {name} is {prop.data_type.value}, not {spec.data_type.value}"
            if spec.filterable and not prop.index_filterable:
                return f"property {name} is not filterable"
            if spec.searchable and not prop.index_searchable:
                return f"property {name} has no BM25 index"
            exact = prop.tokenization is Tokenization.FIELD
            if spec.data_type is DataType.TEXT and spec.filterable and not exact:
                return f"property {name} is not tokenized as one field"
        named = (config.vector_config or {}).get(VECTOR)
        if named is None:
            return f"vector {VECTOR!r} is missing"
        if self.indexed:
            index = named.vector_index_config
            metric = getattr(index, "distance_metric", None)
            if getattr(index, "skip", False) or metric is not VectorDistances.COSINE:
                return f"vector {VECTOR!r} is not an indexed cosine vector"
        return None

    def ef_construction(self, config: CollectionConfigSimple) -> int | None:
        """The efConstruction an existing collection's vector index was built with."""
        named = (config.vector_config or {}).get(VECTOR)
        value = getattr(named.vector_index_config, "ef_construction", None) if named else None
        return value if self.indexed and isinstance(value, int) else None


def search_filters(filters: SearchFilters) -> FilterReturn | None:
    """The search filters as Weaviate filter values: no user text is ever parsed."""
    parts: list[FilterReturn] = []
    if filters.account_key:
        parts.append(Filter.by_property("account_key").equal(filters.account_key))
    if filters.call_ids:
        parts.append(Filter.by_property("call_id").contains_any(list(filters.call_ids)))
    if filters.started_from:
        parts.append(Filter.by_property("started_ms").greater_or_equal(to_ms(filters.started_from)))
    if filters.started_to:
        parts.append(Filter.by_property("started_ms").less_than(to_ms(filters.started_to)))
    if filters.side:
        parts.append(Filter.by_property(SIDE_FIELD[filters.side]).equal(True))
    # One `not_equal` per excluded account: Weaviate answers NotEqual from the inverted index
    # as "every object but the equal ones", so a call without an account stays visible.
    parts.extend(
        Filter.by_property("account_key").not_equal(key) for key in filters.exclude_accounts
    )
    return Filter.all_of(parts) if parts else None


def object_id(name: str) -> uuid.UUID:
    """The fixed id of one of our objects, the same in every process."""
    return uuid.uuid5(_NAMESPACE, name)


def call_object_id(call_id: str) -> uuid.UUID:
    """The id of a call's object in the calls collection."""
    return object_id(f"call:{call_id}")
