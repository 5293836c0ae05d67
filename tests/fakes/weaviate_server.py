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
from typing import Any

import grpc
from weaviate.proto.v1 import aggregate_pb2, batch_delete_pb2, batch_pb2, search_get_pb2

from tests.fakes import weaviate_grpc as grpc_api
from tests.fakes.loopback import LoopbackFake, LoopbackHandler
from tests.fakes.weaviate_model import (
    Refused,
    StoredClass,
    create_class,
    json_value,
    parse_property,
    parse_uuid,
)

__all__ = ["VERSION", "FakeWeaviate"]

VERSION = "1.40.3"


class _RestHandler(LoopbackHandler):
    def do_GET(self) -> None:
        self._handle("GET")

    def do_POST(self) -> None:
        self._handle("POST")

    def do_DELETE(self) -> None:
        self._handle("DELETE")

    def do_PATCH(self) -> None:
        self._handle("PATCH")

    def _handle(self, method: str) -> None:
        fake: FakeWeaviate = self.fake
        path = self.path.split("?", 1)[0]
        try:
            raw = self.read_body()
            body = json.loads(raw) if raw else None
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
        self.send_json(status, payload)


class FakeWeaviate(LoopbackFake):
    """A started fake keeps its collections in memory until `stop()`."""

    handler = _RestHandler

    def __init__(self, *, api_key: str | None = None) -> None:
        self.api_key = api_key
        self.rejected: list[str] = []
        self._classes: dict[str, StoredClass] = {}
        self._lock = threading.RLock()
        self._grpc: grpc.Server | None = None
        self.grpc_port = 0

    @property
    def url(self) -> str:
        return self.root

    def start(self) -> FakeWeaviate:
        """Listen on two free loopback ports (REST and gRPC)."""
        super().start()
        self._grpc, self.grpc_port = grpc_api.grpc_server(self)
        return self

    def stop(self) -> None:
        """Stop both servers."""
        if self._grpc is not None:
            self._grpc.stop(grace=None).wait()
        super().stop()

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
        return grpc_api.search(self._class(request.collection), request)

    def batch_objects(self, request: batch_pb2.BatchObjectsRequest) -> batch_pb2.BatchObjectsReply:
        return grpc_api.batch_objects(self._class, request, self.refuse)

    def batch_delete(
        self, request: batch_delete_pb2.BatchDeleteRequest
    ) -> batch_delete_pb2.BatchDeleteReply:
        return grpc_api.batch_delete(self._class(request.collection), request)

    def aggregate(self, request: aggregate_pb2.AggregateRequest) -> aggregate_pb2.AggregateReply:
        return grpc_api.aggregate(self._class(request.collection), request)

    def _class(self, name: str) -> StoredClass:
        if name not in self._classes:
            raise Refused(f"class {name!r} not found")
        return self._classes[name]
