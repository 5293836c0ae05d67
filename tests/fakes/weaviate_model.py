"""What the fake Weaviate keeps, and its rules for what may go in: classes made from the
schema JSON the client posts, property values, vectors and filters.

Whatever the fake does not implement is refused as such (UNIMPLEMENTED), never ignored.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import grpc
import numpy as np
from weaviate.proto.v1 import base_pb2

__all__ = [
    "STOPWORDS",
    "Prop",
    "Refused",
    "StoredClass",
    "StoredObject",
    "VectorSpec",
    "create_class",
    "decode_vector",
    "json_value",
    "matcher",
    "parse_property",
    "parse_uuid",
    "struct_value",
]

_F = base_pb2.Filters


_RANGE = {
    _F.OPERATOR_LESS_THAN: lambda a, b: a < b,
    _F.OPERATOR_LESS_THAN_EQUAL: lambda a, b: a <= b,
    _F.OPERATOR_GREATER_THAN: lambda a, b: a > b,
    _F.OPERATOR_GREATER_THAN_EQUAL: lambda a, b: a >= b,
}


_SCALAR_VALUE = {"text": "value_text", "int": "value_int", "boolean": "value_boolean"}


_ARRAY_VALUE = {"text": "value_text_array", "int": "value_int_array"}


_HNSW_DEFAULTS = {
    "cleanupIntervalSeconds": 300,
    "distance": "cosine",
    "dynamicEfMin": 100,
    "dynamicEfMax": 500,
    "dynamicEfFactor": 8,
    "ef": -1,
    "efConstruction": 128,
    "filterStrategy": "sweeping",
    "flatSearchCutoff": 40000,
    "maxConnections": 32,
    "skip": False,
    "vectorCacheMaxObjects": 1000000000000,
    "pq": {"enabled": False},
    "bq": {"enabled": False},
    "sq": {"enabled": False},
}


STOPWORDS = frozenset(
    "a an and are as at be but by for if in into is it no not of on or such that the their "
    "then there these they this to was will with".split()
)


class Refused(Exception):
    """A request the fake (like Weaviate) will not serve."""

    def __init__(self, message: str, *, unimplemented: bool = False) -> None:
        super().__init__(message)
        self.code = (
            grpc.StatusCode.UNIMPLEMENTED if unimplemented else grpc.StatusCode.INVALID_ARGUMENT
        )


@dataclass(frozen=True)
class Prop:
    data_type: str
    filterable: bool
    searchable: bool
    ranged: bool


@dataclass
class VectorSpec:
    indexed: bool
    dim: int | None = None


@dataclass
class StoredObject:
    properties: dict[str, Any]
    vectors: dict[str, np.ndarray]


@dataclass
class StoredClass:
    schema: dict[str, Any]
    props: dict[str, Prop]
    vectors: dict[str, VectorSpec]
    k1: float
    b: float
    stopwords: frozenset[str]
    objects: dict[str, StoredObject] = field(default_factory=dict)

    def prop(self, name: str) -> Prop:
        if name not in self.props:
            raise Refused(
                f"no such prop with name '{name}' found in class '{self.schema['class']}'"
            )
        return self.props[name]


def create_class(body: Any, existing: dict[str, StoredClass]) -> StoredClass:
    """A class from the JSON `collections.create` posts, with the defaults a server fills in."""
    name = body.get("class", "")
    if not re.fullmatch(r"[A-Z][_0-9A-Za-z]*", name):
        raise Refused(f"invalid class name {name!r}")
    if name in existing:
        raise Refused(f"class name {name!r} already exists")
    if body.get("multiTenancyConfig", {}).get("enabled"):
        raise Refused("multi-tenancy is not implemented by the fake", unimplemented=True)
    if not body.get("vectorConfig"):
        raise Refused("the fake implements named vectors (vectorConfig) only", unimplemented=True)
    vectors, vector_config = {}, {}
    for vname, config in body["vectorConfig"].items():
        if (
            list(config.get("vectorizer", {})) != ["none"]
            or config.get("vectorIndexType", "hnsw") != "hnsw"
        ):
            raise Refused(
                "the fake implements self-provided vectors in an hnsw index only",
                unimplemented=True,
            )
        index = {**_HNSW_DEFAULTS, **config.get("vectorIndexConfig", {})}
        if index["distance"] != "cosine":
            raise Refused("the fake implements the cosine distance only", unimplemented=True)
        vectors[vname] = VectorSpec(indexed=not index["skip"])
        vector_config[vname] = {
            "vectorizer": {"none": {}},
            "vectorIndexType": "hnsw",
            "vectorIndexConfig": index,
        }
    props: dict[str, Prop] = {}
    properties = []
    for given in body.get("properties", []):
        prop, described = parse_property(given, props)
        props[described["name"]] = prop
        properties.append(described)
    inverted = body.get("invertedIndexConfig", {})
    bm25 = {"b": 0.75, "k1": 1.2, **inverted.get("bm25", {})}
    stop = {"preset": "en", "additions": None, "removals": None, **inverted.get("stopwords", {})}
    if stop["preset"] not in ("en", "none"):
        raise Refused(f"unknown stopword preset {stop['preset']!r}")
    stopwords = (STOPWORDS if stop["preset"] == "en" else frozenset()) | set(
        stop["additions"] or ()
    )
    schema = {
        "class": name,
        "properties": properties,
        "vectorConfig": vector_config,
        "invertedIndexConfig": {"bm25": bm25, "stopwords": stop, "cleanupIntervalSeconds": 60},
        "multiTenancyConfig": {"enabled": False},
        "replicationConfig": {"factor": 1},
    }
    return StoredClass(
        schema,
        props,
        vectors,
        bm25["k1"],
        bm25["b"],
        frozenset(stopwords - set(stop["removals"] or ())),
    )


def parse_property(given: Any, props: dict[str, Prop]) -> tuple[Prop, dict[str, Any]]:
    """A property from the schema JSON the client posts (in a class, or added to one later),
    checked against the class's `props`; with its description as the server shows it."""
    pname, types = given.get("name", ""), given.get("dataType")
    if (
        not re.fullmatch(r"[_A-Za-z][_0-9A-Za-z]*", pname)
        or pname in ("id", "_id", "_additional")
        or pname in props
    ):
        raise Refused(f"invalid or duplicate property name {pname!r}")
    if types not in (["text"], ["int"], ["boolean"]):
        raise Refused(
            f"property {pname}: data type {types} is not implemented by the fake",
            unimplemented=True,
        )
    text = types == ["text"]
    tokenization = given.get("tokenization", "word" if text else None)
    if text and tokenization not in ("word", "field"):
        raise Refused(
            f"property {pname}: tokenization {tokenization!r} is not implemented by the fake",
            unimplemented=True,
        )
    if not text and (tokenization or given.get("indexSearchable")):
        raise Refused(f"property {pname}: only text can be tokenized or searchable")
    ranged = bool(given.get("indexRangeFilters", False))
    if ranged and types != ["int"]:
        raise Refused(f"property {pname}: range filters need a number type")
    prop = Prop(
        types[0],
        bool(given.get("indexFilterable", True)),
        bool(given.get("indexSearchable", text)),
        ranged,
    )
    return prop, {
        "name": pname,
        "dataType": types,
        "indexFilterable": prop.filterable,
        "indexSearchable": prop.searchable,
        "indexRangeFilters": ranged,
        "tokenization": tokenization,
    }


def parse_uuid(text: str) -> str:
    """The canonical form of an object id; anything else is refused."""
    try:
        return str(uuid.UUID(text))
    except ValueError:
        raise Refused(f"{text!r} is not a uuid") from None


def struct_value(prop: Prop, key: str, value: Any) -> Any:
    """A property value from a gRPC batch object, checked against the property's type."""
    kind = value.WhichOneof("kind")
    if kind == "null_value":
        return None
    if prop.data_type == "text" and kind == "string_value":
        return value.string_value
    if prop.data_type == "boolean" and kind == "bool_value":
        return value.bool_value
    if (
        prop.data_type == "int"
        and kind == "number_value"
        and float(value.number_value).is_integer()
    ):
        return int(value.number_value)
    raise Refused(f"property {key!r} is {prop.data_type}; got a {kind}")


def json_value(prop: Prop, key: str, value: Any) -> Any:
    """A property value from a REST body, checked against the property's type."""
    expected = {"text": str, "int": int, "boolean": bool}[prop.data_type]
    if type(value) is not expected:  # bool is an int in Python: compare exact types
        raise Refused(f"property {key!r} is {prop.data_type}; got {value!r}")
    return value


def decode_vector(given: base_pb2.Vectors, spec: VectorSpec) -> np.ndarray:
    """A float32 vector; the first one a vector index sees fixes its dimension."""
    if given.type not in (
        base_pb2.Vectors.VECTOR_TYPE_UNSPECIFIED,
        base_pb2.Vectors.VECTOR_TYPE_SINGLE_FP32,
    ):
        raise Refused("multi-vectors are not implemented by the fake", unimplemented=True)
    vector = np.frombuffer(given.vector_bytes, dtype="<f4").astype(np.float64)
    if spec.dim is None:
        spec.dim = len(vector)  # Weaviate learns the dimension from the first vector
    if len(vector) != spec.dim or not len(vector):
        raise Refused(f"vector lengths don't match: {len(vector)} vs {spec.dim}")
    return vector


def matcher(cls: StoredClass, f: base_pb2.Filters) -> Callable[[str, StoredObject], bool]:
    """A predicate for a gRPC filter, refused unless Weaviate would run it on this class."""
    if f.operator in (_F.OPERATOR_AND, _F.OPERATOR_OR):
        if not f.filters:
            raise Refused("an and/or filter without operands")
        parts = [matcher(cls, sub) for sub in f.filters]
        join = all if f.operator == _F.OPERATOR_AND else any
        return lambda oid, obj: join(part(oid, obj) for part in parts)
    if f.on or f.target.WhichOneof("target") != "property":
        raise Refused(
            "filters on paths, references or counts are not implemented by the fake",
            unimplemented=True,
        )
    name, kind = f.target.property, f.WhichOneof("test_value")
    if name == "_id":
        return _id_matcher(f, kind)
    prop = cls.prop(name)
    op = f.operator
    if op in _RANGE:
        if not (prop.filterable or prop.ranged) or prop.data_type != "int":
            raise Refused(f"range filter on '{name}', which has no range or filterable index")
    elif op in (_F.OPERATOR_EQUAL, _F.OPERATOR_NOT_EQUAL, _F.OPERATOR_CONTAINS_ANY):
        if not prop.filterable:
            raise Refused(f"filter on '{name}', which is not indexed as filterable")
    else:
        raise Refused(
            f"filter operator {_F.Operator.Name(op)} is not implemented by the fake",
            unimplemented=True,
        )
    wanted = (_ARRAY_VALUE if op == _F.OPERATOR_CONTAINS_ANY else _SCALAR_VALUE).get(prop.data_type)
    if kind != wanted:
        raise Refused(f"filter on '{name}' ({prop.data_type}) carries a {kind}")
    value = getattr(f, kind)
    if op == _F.OPERATOR_CONTAINS_ANY:
        options = set(value.values)
        return lambda oid, obj: obj.properties.get(name) in options
    if op == _F.OPERATOR_EQUAL:
        return lambda oid, obj: obj.properties.get(name) == value
    if op == _F.OPERATOR_NOT_EQUAL:
        return lambda oid, obj: obj.properties.get(name) != value
    compare = _RANGE[op]
    return lambda oid, obj: name in obj.properties and compare(obj.properties[name], value)


def _id_matcher(f: base_pb2.Filters, kind: str | None) -> Callable[[str, StoredObject], bool]:
    if f.operator in (_F.OPERATOR_EQUAL, _F.OPERATOR_NOT_EQUAL) and kind == "value_text":
        wanted = parse_uuid(f.value_text)
        equal = f.operator == _F.OPERATOR_EQUAL
        return lambda oid, obj: (oid == wanted) == equal
    if f.operator == _F.OPERATOR_CONTAINS_ANY and kind == "value_text_array":
        options = {parse_uuid(v) for v in f.value_text_array.values}
        return lambda oid, obj: oid in options
    raise Refused(f"id filter {_F.Operator.Name(f.operator)} with {kind} is not supported")
