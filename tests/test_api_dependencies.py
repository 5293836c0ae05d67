"""Readiness and dependency failures with real backends taken away: Redis stopped, the
Weaviate (fake) server stopped, the OpenAI (fake) API refusing."""

from __future__ import annotations

import time
from pathlib import Path
from typing import TYPE_CHECKING

from sophia.core.config import Settings
from tests.conftest import raw_call, raw_transcript, write_folder
from tests.fakes.openai_server import FakeOpenAI
from tests.fakes.sophia_api import (
    FakeClock,
    api_client,
    assert_error,
    make_settings,
    metric,
    open_sophia,
)
from tests.fakes.weaviate_server import FakeWeaviate

if TYPE_CHECKING:  # a plugin module: imported by pytest_plugins, not before
    from tests.fakes.redis_fixtures import RedisServer

pytest_plugins = [
    "tests.fakes.api_fixtures",
    "tests.fakes.redis_fixtures",
    "tests.fakes.weaviate_fixtures",
    "tests.fakes.openai_fixtures",
]

READY_REUSE_S = 2.0  # api/readiness.py: probes within this reuse one round of checks


def small_folder(tmp_path: Path) -> Path:
    turns = [
        ("1001", ["Thanks for joining, let's talk about the renewal."]),
        ("2002", ["The price is too high for our budget this year."]),
    ]
    return write_folder(tmp_path / "calls", [raw_call("1111")], [raw_transcript("1111", turns)])


async def test_ready_when_every_dependency_answers(
    api_data_dir: Path, redis_server: RedisServer
) -> None:
    settings = make_settings(api_data_dir, redis_url=redis_server.url)
    async with open_sophia(settings) as sophia, api_client(sophia) as http:
        response = await http.get("/api/gong/ready")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ready"
    assert {name: check["status"] for name, check in body["checks"].items()} == {
        "store": "up",
        "cache": "up",
        "embedder": "up",
    }
    assert body["checks"]["cache"]["detail"] == "redis"


async def test_redis_down_keeps_the_replica_ready_but_degraded_and_searches_answer(
    api_data_dir: Path, redis_server: RedisServer
) -> None:
    clock = FakeClock()
    settings = make_settings(api_data_dir, redis_url=redis_server.url)
    async with open_sophia(settings) as sophia, api_client(sophia, clock=clock) as http:
        assert (await http.get("/api/gong/ready")).status_code == 200
        redis_server.stop()
        reused = await http.get("/api/gong/ready")
        clock.advance(READY_REUSE_S)
        down = await http.get("/api/gong/ready")
        search = await http.post("/api/gong/search", json={"query": "pricing objections"})
        stats = await http.get("/api/gong/stats")
        scraped = (await http.get("/metrics")).text
    assert reused.status_code == 200, "a probe within the reuse window gets the last result"
    # A cache outage is not an outage: with the k8s readiness probe here, every pod would
    # otherwise leave the Service while Redis is away.
    assert down.status_code == 200
    body = down.json()
    assert body["status"] == "degraded"
    assert body["checks"]["cache"] == {
        "status": "degraded",
        "detail": "unreachable",
        "ms": body["checks"]["cache"]["ms"],
    }
    assert body["checks"]["store"]["status"] == "up"
    assert body["checks"]["embedder"]["status"] == "up"
    assert str(redis_server.port) not in down.text, "probes are unauthenticated: no hosts"
    assert metric(scraped, "sophia_dependency_up", dependency="cache") == 0
    assert metric(scraped, "sophia_dependency_up", dependency="store") == 1
    # The cache never fails a query: it reads as empty while Redis is away.
    assert search.status_code == 200 and search.json()["hits"]
    assert stats.status_code == 200


def weaviate_settings(server: FakeWeaviate, data_dir: Path) -> Settings:
    return make_settings(
        data_dir,
        weaviate_endpoint=server.url,
        weaviate_grpc_host="127.0.0.1",
        weaviate_grpc_port=server.grpc_port,
    )


async def test_weaviate_refusing_is_a_503_without_details(
    weaviate_server: FakeWeaviate, tmp_path: Path
) -> None:
    settings = weaviate_settings(weaviate_server, tmp_path / "data")
    async with open_sophia(settings) as sophia, api_client(sophia) as http:
        await sophia.ingest_folder(small_folder(tmp_path))
        found = await http.post("/api/gong/search", json={"query": "price budget"})
        weaviate_server.api_key = "rotated-elsewhere"  # Sophia's access is revoked
        search = await http.post("/api/gong/search", json={"query": "renewal budget"})
        analyze = await http.post("/api/gong/analyze/call", json={"call_id": "1111"})
        ready = await http.get("/api/gong/ready")
    assert weaviate_server.rejected, "the fake refused Sophia's requests"
    weaviate_server.rejected.clear()
    assert found.status_code == 200 and found.json()["hits"][0]["call_id"] == "1111"
    for response in (search, analyze):
        error = assert_error(response, 503, "unavailable")
        assert error["message"] == "The call index is unavailable right now; try again shortly."
        assert "127.0.0.1" not in response.text and "anonymous" not in response.text
    assert ready.status_code == 503
    assert ready.json()["checks"]["store"] == {
        "status": "down",
        "detail": "unreachable",
        "ms": ready.json()["checks"]["store"]["ms"],
    }
    assert ready.json()["checks"]["embedder"]["status"] == "up"


async def test_a_store_that_does_not_answer_fails_readiness_within_its_timeout(
    weaviate_server: FakeWeaviate, tmp_path: Path
) -> None:
    settings = weaviate_settings(weaviate_server, tmp_path / "data")
    async with open_sophia(settings) as sophia, api_client(sophia, ready_timeout_s=0.3) as http:
        weaviate_server.stop()  # the client retries for a minute; the probe must not
        started = time.perf_counter()
        ready = await http.get("/api/gong/ready")
        took = time.perf_counter() - started
    assert ready.status_code == 503
    assert ready.json()["checks"]["store"]["detail"] == "no answer within 0.3 s"
    assert took < 2, took


async def test_an_embedder_that_refuses_makes_the_replica_unready(
    openai_server: FakeOpenAI, tmp_path: Path
) -> None:
    clock = FakeClock()
    settings = make_settings(
        tmp_path / "data",
        sophia_embedder="openai",
        openai_api_key=openai_server.api_key,
        openai_base_url=openai_server.url,
        sophia_summarizer="extractive",
    )
    async with open_sophia(settings) as sophia, api_client(sophia, clock=clock) as http:
        up = await http.get("/api/gong/ready")
        openai_server.fail_always(401, message="Incorrect API key provided")
        clock.advance(READY_REUSE_S)
        down = await http.get("/api/gong/ready")
        openai_server.recover()
        clock.advance(READY_REUSE_S)
        back = await http.get("/api/gong/ready")
    assert up.status_code == 200 and back.status_code == 200
    assert down.status_code == 503
    assert down.json()["checks"]["embedder"]["status"] == "down"
    assert openai_server.api_key not in down.text
