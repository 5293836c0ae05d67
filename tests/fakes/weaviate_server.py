"""A fake Weaviate on 127.0.0.1 that the real weaviate-client talks to over the real wire.

REST (http.server): GET /v1/meta, /v1/.well-known/{live,ready,openid-configuration},
GET/POST /v1/schema, GET/DELETE /v1/schema/{class}, POST /v1/schema/{class}/properties,
PATCH /v1/objects/{class}/{id}.
gRPC (grpcio, on the protobuf modules that weaviate-client ships in `weaviate.proto.v1`):
weaviate.v1.Weaviate/Search (fetch with cursor, near vector, bm25, hybrid; filters),
BatchObjects, BatchDelete, Aggregate (object count) and grpc.health.v1.Health/Check.

Scoring is exact (tests/fakes/weaviate_ranking.py). The fake refuses, as Weaviate does,
filters on unknown or unindexed properties, values of the wrong type, vectors of another
dimension, BM25 on unsearchable properties and cursors mixed with filters; and, stricter than
Weaviate, properties the schema lacks (Weaviate would extend the schema) and objects without
their indexed vector (Weaviate would store them unsearchable). Every refusal is appended to
`rejected`; the fixture fails a test that left one it did not expect.
"""

from __future__ import annotations

import json
import threading
import uuid
from collections.abc import Callable, Iterable
from concurrent import futures
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

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
    create_class,
    decode_vector,
    json_value,
    matcher,
    parse_property,
    parse_uuid,
    struct_value,
)
from tests.fakes.weaviate_ranking import bm25_scores, hybrid_scores, nearest, query_vector

__all__ = ["VERSION", "FakeWeaviate"]

VERSION = "1.40.3"


_MAX_RESULTS = 10_000  # QUERY_MAXIMUM_RESULTS


_DEFAULT_LIMIT = 10  # QUERY_DEFAULTS_LIMIT


class FakeWeaviate:
    """A started fake keeps its collections in memory until `stop()`."""

    def __init__(self, *, api_key: str | None = None) -> None:
        self.api_key = api_key
        self.rejected: list[str] = []
        self._classes: dict[str, StoredClass] = {}
        self._lock = threading.RLock()
        self._http: ThreadingHTTPServer | None = None
        self._grpc: grpc.Server | None = None
        self.grpc_port = 0

    @property
    def url(self) -> str:
        assert self._http is not None, "start() the fake first"
        return f"http://127.0.0.1:{self._http.server_port}"

    def start(self) -> FakeWeaviate:
        """Listen on two free loopback ports (REST and gRPC)."""
        self._http = ThreadingHTTPServer(("127.0.0.1", 0), _RestHandler)
        self._http.daemon_threads = True
        self._http.fake = self  # type: ignore[attr-defined]
        threading.Thread(
            target=self._http.serve_forever, kwargs={"poll_interval": 0.01}, daemon=True
        ).start()
        self._grpc = grpc.server(futures.ThreadPoolExecutor(max_workers=8))
        weaviate_pb2_grpc.add_WeaviateServicer_to_server(_Servicer(self), self._grpc)
        health = grpc.unary_unary_rpc_method_handler(
            lambda request, context: health_weaviate_pb2.WeaviateHealthCheckResponse(
                status=health_weaviate_pb2.WeaviateHealthCheckResponse.SERVING
            ),
            request_deserializer=health_weaviate_pb2.WeaviateHealthCheckRequest.FromString,
            response_serializer=health_weaviate_pb2.WeaviateHealthCheckResponse.SerializeToString,
        )
        self._grpc.add_generic_rpc_handlers(
            (grpc.method_handlers_generic_handler("grpc.health.v1.Health", {"Check": health}),)
        )
        self.grpc_port = self._grpc.add_insecure_port("127.0.0.1:0")
        self._grpc.start()
        return self

    def stop(self) -> None:
        """Stop both servers."""
        if self._grpc is not None:
            self._grpc.stop(grace=None).wait()
        if self._http is not None:
            self._http.shutdown()
            self._http.server_close()

    def collections(self) -> dict[str, list[dict[str, Any]]]:
        """What a test may look at: each class's objects' properties, by class name."""
        with self._lock:
            return {
                name: [dict(obj.properties) for obj in cls.objects.values()]
                for name, cls in sorted(self._classes.items())
            }

    def refuse(self, where: str, error: Exception) -> None:
        """Record a refused request."""
        self.rejected.append(f"{where}: {error}")

    # --- authentication -------------------------------------------------------------------

    def authorized(self, header: str | None) -> bool:
        """Whether an Authorization header carries the API key (if the fake has one)."""
        return self.api_key is None or header == f"Bearer {self.api_key}"

    # --- REST -----------------------------------------------------------------------------

    def rest(self, method: str, path: str, body: Any) -> tuple[int, Any]:
        """Serve one REST request: (status, JSON body)."""
        parts = [p for p in path.split("/") if p]
        with self._lock:
            if method == "GET" and parts == ["v1", "meta"]:
                return 200, {"version": VERSION, "hostname": "http://[::]:8080", "modules": {}}
            if method == "GET" and parts[:2] == ["v1", ".well-known"]:
                return (404, {}) if parts[2:] == ["openid-configuration"] else (200, {})
            if parts[:2] == ["v1", "schema"] and len(parts) <= 3:
                name = parts[2] if len(parts) == 3 else None
                if method == "GET" and name is None:
                    return 200, {"classes": [c.schema for c in self._classes.values()]}
                if method == "GET" and name is not None:
                    found = self._classes.get(name)
                    return (200, found.schema) if found else (404, {"error": []})
                if method == "POST" and name is None:
                    created = create_class(body, self._classes)
                    self._classes[created.schema["class"]] = created
                    return 200, created.schema
                if method == "DELETE" and name is not None:
                    self._classes.pop(name, None)
                    return 200, {}
            if method == "POST" and parts[:2] == ["v1", "schema"] and parts[3:] == ["properties"]:
                return self._add_property(parts[2], body)
            if method == "PATCH" and parts[:2] == ["v1", "objects"] and len(parts) == 4:
                return self._patch(parts[2], parts[3], body)
        raise Refused(f"{method} {path} is not implemented by the fake", unimplemented=True)

    def _add_property(self, name: str, body: Any) -> tuple[int, Any]:
        # Weaviate adds a property to a class that has objects: they simply lack it.
        cls = self._class(name)
        prop, described = parse_property(body, cls.props)
        cls.props[described["name"]] = prop
        cls.schema["properties"].append(described)
        return 200, described

    def _patch(self, name: str, object_id: str, body: Any) -> tuple[int, Any]:
        cls = self._class(name)
        obj = cls.objects.get(parse_uuid(object_id))
        if obj is None:
            return 404, {"error": []}
        if set(body) - {"class", "properties"}:
            raise Refused(
                f"PATCH with {sorted(set(body) - {'class', 'properties'})}", unimplemented=True
            )
        updates = {
            key: json_value(cls.prop(key), key, value) for key, value in body["properties"].items()
        }
        obj.properties.update(updates)
        return 204, None

    # --- gRPC -----------------------------------------------------------------------------

    def search(self, request: search_get_pb2.SearchRequest) -> search_get_pb2.SearchReply:
        """Serve weaviate.v1.Weaviate/Search."""
        cls = self._class(request.collection)
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

    def batch_objects(self, request: batch_pb2.BatchObjectsRequest) -> batch_pb2.BatchObjectsReply:
        """Serve BatchObjects: each object stored or refused on its own, as Weaviate does."""
        errors = []
        for index, obj in enumerate(request.objects):
            try:
                self._store(obj)
            except Refused as exc:
                self.refuse(f"gRPC BatchObjects object {index}", exc)
                errors.append(batch_pb2.BatchObjectsReply.BatchError(index=index, error=str(exc)))
        return batch_pb2.BatchObjectsReply(errors=errors)

    def batch_delete(
        self, request: batch_delete_pb2.BatchDeleteRequest
    ) -> batch_delete_pb2.BatchDeleteReply:
        """Serve BatchDelete (at most QUERY_MAXIMUM_RESULTS objects per request)."""
        cls = self._class(request.collection)
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

    def aggregate(self, request: aggregate_pb2.AggregateRequest) -> aggregate_pb2.AggregateReply:
        """Serve Aggregate, object counts only."""
        cls = self._class(request.collection)
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

    def _class(self, name: str) -> StoredClass:
        if name not in self._classes:
            raise Refused(f"class {name!r} not found")
        return self._classes[name]

    def _store(self, obj: batch_pb2.BatchObject) -> None:
        cls = self._class(obj.collection)
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


class _RestHandler(BaseHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        return None

    def do_GET(self) -> None:
        self._handle("GET")

    def do_POST(self) -> None:
        self._handle("POST")

    def do_DELETE(self) -> None:
        self._handle("DELETE")

    def do_PATCH(self) -> None:
        self._handle("PATCH")

    def _handle(self, method: str) -> None:
        fake: FakeWeaviate = self.server.fake  # type: ignore[attr-defined]
        path = self.path.split("?", 1)[0]
        length = int(self.headers.get("Content-Length") or 0)
        try:
            body = json.loads(self.rfile.read(length)) if length else None
            if not path.startswith("/v1/.well-known/") and not fake.authorized(
                self.headers.get("Authorization")
            ):
                status, payload = 401, {"error": [{"message": "anonymous access not enabled"}]}
                fake.refuse(f"REST {method} {path}", Refused("unauthorized"))
            else:
                status, payload = fake.rest(method, path, body)
        except (Refused, ValueError, KeyError, TypeError, AttributeError) as exc:
            fake.refuse(f"REST {method} {path}", exc)
            status, payload = 422, {"error": [{"message": str(exc)}]}
        data = b"" if payload is None else json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


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
