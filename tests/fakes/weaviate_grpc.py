"""The fake Weaviate's gRPC side: weaviate.v1.Weaviate (Search, BatchObjects, BatchDelete,
Aggregate) and grpc.health.v1.Health/Check, on the protobuf modules weaviate-client ships."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable
from concurrent import futures
from typing import TYPE_CHECKING, Any

import grpc
import numpy as np
from weaviate.proto.v1 import (
    aggregate_pb2,
    base_pb2,
    batch_delete_pb2,
    batch_pb2,
    health_weaviate_pb2,
    properties_pb2,
    search_get_pb2,
    weaviate_pb2_grpc,
)

from tests.fakes.weaviate_model import (
    Prop,
    Refused,
    StoredClass,
    StoredObject,
    decode_vector,
    matcher,
    parse_uuid,
    struct_value,
)
from tests.fakes.weaviate_ranking import bm25_scores, hybrid_scores, nearest, query_vector

if TYPE_CHECKING:
    from tests.fakes.weaviate_server import FakeWeaviate

__all__ = ["aggregate", "batch_delete", "batch_objects", "grpc_server", "search"]

_MAX_RESULTS = 10_000  # QUERY_MAXIMUM_RESULTS
_DEFAULT_LIMIT = 10  # QUERY_DEFAULTS_LIMIT


def grpc_server(fake: FakeWeaviate) -> tuple[grpc.Server, int]:
    """A started gRPC server for `fake` on a free loopback port, and the port."""
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=8))
    weaviate_pb2_grpc.add_WeaviateServicer_to_server(_Servicer(fake), server)
    health = grpc.unary_unary_rpc_method_handler(
        lambda request, context: health_weaviate_pb2.WeaviateHealthCheckResponse(
            status=health_weaviate_pb2.WeaviateHealthCheckResponse.SERVING
        ),
        request_deserializer=health_weaviate_pb2.WeaviateHealthCheckRequest.FromString,
        response_serializer=health_weaviate_pb2.WeaviateHealthCheckResponse.SerializeToString,
    )
    server.add_generic_rpc_handlers(
        (grpc.method_handlers_generic_handler("grpc.health.v1.Health", {"Check": health}),)
    )
    port = server.add_insecure_port("127.0.0.1:0")
    server.start()
    return server, port


def search(cls: StoredClass, request: search_get_pb2.SearchRequest) -> search_get_pb2.SearchReply:
    """Serve weaviate.v1.Weaviate/Search on `cls`."""
    _refuse_unimplemented(
        request, ["tenant", "group_by", "sort_by", "autocut", "generative", "rerank", "boost"]
    )
    for mode in (
        "near_object",
        "near_text",
        "near_image",
        "near_audio",
        "near_video",
        "near_depth",
        "near_thermal",
        "near_imu",
    ):
        if request.HasField(mode):
            raise Refused(f"{mode} is not implemented by the fake", unimplemented=True)
    allowed = matcher(cls, request.filters) if request.HasField("filters") else None
    limit = request.limit or _DEFAULT_LIMIT
    if request.offset + limit > _MAX_RESULTS:
        raise Refused("query maximum results exceeded")
    candidates = {
        oid: obj for oid, obj in cls.objects.items() if allowed is None or allowed(oid, obj)
    }
    ranked: list[tuple[str, dict[str, float]]]
    if request.HasField("near_vector"):
        target, vector = query_vector(cls, request.near_vector)
        ranked = [(oid, {"distance": d}) for oid, d in nearest(candidates, target, vector)]
    elif request.HasField("bm25_search"):
        bm25 = request.bm25_search
        if bm25.HasField("search_operator"):
            raise Refused(
                "bm25 search operators are not implemented by the fake", unimplemented=True
            )
        ranked = [
            (oid, {"score": s})
            for oid, s in bm25_scores(cls, candidates, bm25.query, bm25.properties)
        ]
    elif request.HasField("hybrid_search"):
        ranked = [
            (oid, {"score": s})
            for oid, s in hybrid_scores(
                cls, candidates, request.hybrid_search, request.offset + limit
            )
        ]
    else:
        ranked = [(oid, {}) for oid in sorted(candidates)]
        if request.after:
            if allowed is not None:
                raise Refused("cursor api: where parameter cannot be set with after parameter")
            after = parse_uuid(request.after)
            ranked = [item for item in ranked if item[0] > after]
    page = ranked[request.offset : request.offset + limit]
    return search_get_pb2.SearchReply(
        results=[_result(cls, request, oid, cls.objects[oid], extra) for oid, extra in page]
    )


def batch_objects(
    find: Callable[[str], StoredClass],
    request: batch_pb2.BatchObjectsRequest,
    refuse: Callable[[str, Exception], None],
) -> batch_pb2.BatchObjectsReply:
    """Serve BatchObjects: each object stored or refused on its own, as Weaviate does."""
    errors = []
    for index, obj in enumerate(request.objects):
        try:
            _store(find(obj.collection), obj)
        except Refused as exc:
            refuse(f"gRPC BatchObjects object {index}", exc)
            errors.append(batch_pb2.BatchObjectsReply.BatchError(index=index, error=str(exc)))
    return batch_pb2.BatchObjectsReply(errors=errors)


def batch_delete(
    cls: StoredClass, request: batch_delete_pb2.BatchDeleteRequest
) -> batch_delete_pb2.BatchDeleteReply:
    """Serve BatchDelete on `cls` (at most QUERY_MAXIMUM_RESULTS objects per request)."""
    _refuse_unimplemented(request, ["tenant"])
    if not request.HasField("filters"):
        raise Refused("batch delete needs a where filter")
    allowed = matcher(cls, request.filters)
    matched = [oid for oid, obj in cls.objects.items() if allowed(oid, obj)][:_MAX_RESULTS]
    if not request.dry_run:
        for oid in matched:
            del cls.objects[oid]
    return batch_delete_pb2.BatchDeleteReply(
        matches=len(matched),
        successful=0 if request.dry_run else len(matched),
        objects=[
            batch_delete_pb2.BatchDeleteObject(uuid=uuid.UUID(oid).bytes, successful=True)
            for oid in matched
        ]
        if request.verbose
        else [],
    )


def aggregate(
    cls: StoredClass, request: aggregate_pb2.AggregateRequest
) -> aggregate_pb2.AggregateReply:
    """Serve Aggregate on `cls`, object counts only."""
    _refuse_unimplemented(
        request, ["tenant", "group_by", "hybrid", "near_vector", "near_object", "near_text"]
    )
    if request.aggregations or not request.objects_count:
        raise Refused(
            "only objects_count aggregations are implemented by the fake", unimplemented=True
        )
    allowed = matcher(cls, request.filters) if request.HasField("filters") else None
    count = sum(1 for oid, obj in cls.objects.items() if allowed is None or allowed(oid, obj))
    return aggregate_pb2.AggregateReply(
        single_result=aggregate_pb2.AggregateReply.Single(objects_count=count)
    )


def _store(cls: StoredClass, obj: batch_pb2.BatchObject) -> None:
    if obj.tenant:
        raise Refused("multi-tenancy is not implemented by the fake", unimplemented=True)
    if obj.vector or obj.vector_bytes:
        raise Refused("an unnamed vector: this collection declares named vectors")
    props = obj.properties
    for kind in (
        "single_target_ref_props",
        "multi_target_ref_props",
        "number_array_properties",
        "int_array_properties",
        "text_array_properties",
        "boolean_array_properties",
        "object_properties",
        "object_array_properties",
    ):
        if getattr(props, kind):
            raise Refused(f"{kind} are not implemented by the fake", unimplemented=True)
    values = {
        key: struct_value(cls.prop(key), key, value)
        for key, value in props.non_ref_properties.fields.items()
    }
    vectors: dict[str, np.ndarray] = {}
    for given in obj.vectors:
        spec = cls.vectors.get(given.name)
        if spec is None:
            raise Refused(f"no vector named {given.name!r} in class {obj.collection!r}")
        vectors[given.name] = decode_vector(given, spec)
    for name, spec in cls.vectors.items():
        if spec.indexed and name not in vectors:
            raise Refused(f"object {obj.uuid} has no vector {name!r} (the fake requires it)")
    cls.objects[parse_uuid(obj.uuid)] = StoredObject(
        {k: v for k, v in values.items() if v is not None}, vectors
    )


def _value(prop: Prop, value: Any) -> properties_pb2.Value:
    if prop.data_type == "text":
        return properties_pb2.Value(text_value=value)
    if prop.data_type == "boolean":
        return properties_pb2.Value(bool_value=value)
    return properties_pb2.Value(int_value=value)


def _result(
    cls: StoredClass, request: Any, oid: str, obj: StoredObject, extra: dict[str, float]
) -> search_get_pb2.SearchResult:
    asked = request.properties
    names = (
        list(cls.props) if asked.return_all_nonref_properties else list(asked.non_ref_properties)
    )
    if asked.ref_properties or asked.object_properties:
        raise Refused(
            "references and nested properties are not implemented by the fake", unimplemented=True
        )
    # Every property asked for must be in the schema (Weaviate refuses the search otherwise).
    props = {name: cls.prop(name) for name in names}
    fields = {
        name: _value(prop, obj.properties[name])
        for name, prop in props.items()
        if name in obj.properties
    }
    want = request.metadata
    if (
        want.certainty
        or want.creation_time_unix
        or want.last_update_time_unix
        or want.explain_score
        or want.vector
    ):
        raise Refused("that metadata is not implemented by the fake", unimplemented=True)
    meta = search_get_pb2.MetadataResult(id=oid, id_as_bytes=uuid.UUID(oid).bytes)
    if want.score and "score" in extra:
        meta.score, meta.score_present = extra["score"], True
    if want.distance and "distance" in extra:
        meta.distance, meta.distance_present = extra["distance"], True
    for name in want.vectors:
        if name in obj.vectors:
            meta.vectors.append(
                base_pb2.Vectors(
                    name=name,
                    vector_bytes=obj.vectors[name].astype("<f4").tobytes(),
                    type=base_pb2.Vectors.VECTOR_TYPE_SINGLE_FP32,
                )
            )
    return search_get_pb2.SearchResult(
        properties=search_get_pb2.PropertiesResult(
            non_ref_props=properties_pb2.Properties(fields=fields),
            target_collection=cls.schema["class"],
        ),
        metadata=meta,
    )


def _refuse_unimplemented(request: Any, names: Iterable[str]) -> None:
    for name in names:
        descriptor = request.DESCRIPTOR.fields_by_name[name]
        present = (
            request.HasField(name) if descriptor.has_presence else bool(getattr(request, name))
        )
        if present:
            raise Refused(f"{name} is not implemented by the fake", unimplemented=True)


class _Servicer(weaviate_pb2_grpc.WeaviateServicer):
    def __init__(self, fake: FakeWeaviate) -> None:
        self._fake = fake

    def _call(
        self, name: str, handler: Callable[[Any], Any], request: Any, context: grpc.ServicerContext
    ) -> Any:
        metadata = dict(context.invocation_metadata())
        if not self._fake.authorized(metadata.get("authorization")):
            self._fake.refuse(f"gRPC {name}", Refused("unauthorized"))
            context.abort(grpc.StatusCode.UNAUTHENTICATED, "anonymous access not enabled")
        try:
            with self._fake._lock:
                return handler(request)
        except Refused as exc:
            self._fake.refuse(f"gRPC {name} {getattr(request, 'collection', '')}", exc)
            context.abort(exc.code, str(exc))

    def Search(self, request: Any, context: grpc.ServicerContext) -> Any:
        return self._call("Search", self._fake.search, request, context)

    def BatchObjects(self, request: Any, context: grpc.ServicerContext) -> Any:
        return self._call("BatchObjects", self._fake.batch_objects, request, context)

    def BatchDelete(self, request: Any, context: grpc.ServicerContext) -> Any:
        return self._call("BatchDelete", self._fake.batch_delete, request, context)

    def Aggregate(self, request: Any, context: grpc.ServicerContext) -> Any:
        return self._call("Aggregate", self._fake.aggregate, request, context)
