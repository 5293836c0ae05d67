"""The Redis cache when redis-server goes away: searches keep being answered, uncached, with
one warning; Redis is tried again once per interval, and what was written meanwhile retires
the cached answers when it returns."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from sophia.core.cache.redis import RedisCache, RedisGeneration, RedisLink
from sophia.core.config import Settings
from sophia.core.query import build_request
from sophia.core.services import Sophia
from tests.fakes.loopback import free_port
from tests.fakes.sophia_api import FakeClock
from tests.test_redis_cache import corpus

if TYPE_CHECKING:  # a plugin module: imported by pytest_plugins, not before
    from tests.fakes.redis_fixtures import OpenReplica, RedisServer

pytest_plugins = ["tests.fakes.redis_fixtures"]


async def test_redis_stopping_mid_test_degrades_to_uncached_with_one_warning_then_recovers(
    open_replica: OpenReplica,
    tmp_path: Path,
    redis_server: RedisServer,
    caplog: pytest.LogCaptureFixture,
) -> None:
    app: Sophia = await open_replica()
    clock = FakeClock()
    link = app.cache.link  # type: ignore[attr-defined]
    link.clock = clock
    await app.ingest_folder(corpus(tmp_path / "corpus"))
    request = build_request(query="renewal price")
    await app.search.search(request)
    assert (await app.search.search(request)).cached

    redis_server.stop()
    caplog.set_level(logging.INFO, logger="sophia.cache")
    during = []
    for _ in range(4):
        during.append(await app.search.search(request))
        clock.now += link.retry_interval_s + 1  # so every search tries Redis again
    stats = await app.stats()

    assert all(r.hits and not r.cached and r.notice is None for r in during)
    warnings = [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert len(warnings) == 1, [r.getMessage() for r in warnings]
    assert "unreachable" in warnings[0].getMessage()
    assert f"127.0.0.1:{redis_server.port}" in warnings[0].getMessage()
    assert stats.cache_hits is None and stats.total_chunks > 0

    redis_server.restart()  # same port, empty: no persistence
    clock.now += link.retry_interval_s + 1
    refilled = await app.search.search(request)
    resumed = await app.search.search(request)

    assert (refilled.cached, resumed.cached) == (False, True)
    assert any("answers again" in r.getMessage() for r in caplog.records)
    assert len([r for r in caplog.records if r.levelno >= logging.WARNING]) == 1


async def test_redis_down_from_the_start_still_serves_searches(
    settings: Settings, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    # A port nobody listens on: the one the fixture would give, taken and released.
    down = settings.model_copy(update={"redis_url": f"redis://127.0.0.1:{free_port()}/0"})
    app = await Sophia.open(down)
    try:
        await app.ingest_folder(corpus(tmp_path / "corpus"))
        results = [await app.search.search(build_request(query="renewal price")) for _ in "ab"]
        stats = await app.stats()
    finally:
        await app.aclose()

    assert all(r.hits and not r.cached for r in results)
    assert stats.cache_hits is None and stats.cache == "RedisCache"
    assert len([r for r in caplog.records if r.levelno >= logging.WARNING]) == 1


async def test_while_redis_is_down_it_is_tried_once_per_interval_not_per_search(
    redis_server: RedisServer,
) -> None:
    clock = FakeClock()
    link = RedisLink(redis_server.url, retry_interval_s=5.0, clock=clock)
    cache = RedisCache(link, "results", 60)
    try:
        await cache.set("k", "v")
        redis_server.stop()
        assert await cache.get("k") is None  # fails: Redis is marked down
        redis_server.restart()
        await cache.set("k", "again")
        # Back already, but not asked again before the interval is over.
        assert await cache.get("k") is None and not link.available
        clock.now += 5.0
        assert await cache.get("k") is None  # empty after the restart, but reachable
        assert link.available
        await cache.set("k", "again")
        assert await cache.get("k") == "again"
    finally:
        await link.aclose()


async def test_a_write_during_an_outage_retires_the_generation_when_redis_returns(
    redis_server: RedisServer,
) -> None:
    clock = FakeClock()
    link = RedisLink(redis_server.url, clock=clock)
    generation = RedisGeneration(link)
    try:
        before = await generation.current()
        redis_server.stop()
        offline = await generation.current()
        await generation.advance()  # an ingest batch Redis did not hear about
        # Data kept through the outage (here: the same token written back).
        redis_server.restart()
        raw = redis_server.client()
        raw.set(RedisGeneration.KEY, before)
        raw.close()
        clock.now += link.retry_interval_s + 1
        after = await generation.current()
    finally:
        await link.aclose()

    assert offline.startswith("offline-") and offline != before
    assert after not in (before, offline)
