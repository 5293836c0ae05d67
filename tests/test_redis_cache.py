"""The Redis cache against a real redis-server: TTL, generation, replicas, outages, stats."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from pydantic import SecretStr

from sophia.core.backends import build_cache
from sophia.core.cache import NoCache
from sophia.core.cache.redis import RedisCache, RedisGeneration, RedisLink
from sophia.core.config import Settings, load_settings
from sophia.core.embedders.hashing import HashingEmbedder
from sophia.core.errors import ConfigError
from sophia.core.query import build_request
from sophia.core.search import SearchService
from sophia.core.services import Sophia
from sophia.core.stores.base import IndexInfo
from sophia.core.stores.lance import LanceStore
from tests.conftest import raw_call, raw_transcript, write_folder

if TYPE_CHECKING:  # plugin modules: imported by pytest_plugins, not before
    from tests.fakes.openai_server import FakeOpenAI
    from tests.fakes.redis_fixtures import OpenReplica, RedisServer

pytest_plugins = ["tests.fakes.redis_fixtures", "tests.fakes.openai_fixtures"]

CALL = "6000000000000000001"


NEW_PRICE = "The renewal price is fine now."


def corpus(folder: Path, price_line: str = "The renewal price went up again.") -> Path:
    return write_folder(
        folder,
        [raw_call(CALL, account="Moss & Co")],
        [
            raw_transcript(
                CALL,
                [
                    ("1001", ["Let us go over the renewal."]),
                    ("2002", [price_line, "Security wants SSO before signing."]),
                ],
            )
        ],
    )


async def reprice(app: Sophia, folder: Path) -> None:
    """Change the price line and sync the corpus again: a write that retires cached answers."""
    corpus(folder, price_line=NEW_PRICE)
    await app.ingest_folder(folder)


# --- the cache -----------------------------------------------------------------------------


async def test_values_expire_after_cache_ttl_s_and_lookups_are_counted(
    settings: Settings, redis_server: RedisServer
) -> None:
    cache = build_cache(settings.model_copy(update={"redis_url": redis_server.url}))
    assert isinstance(cache, RedisCache)
    short = build_cache(
        settings.model_copy(update={"redis_url": redis_server.url, "cache_ttl_s": 120})
    )
    raw = redis_server.client()
    try:
        assert await cache.get("k") is None
        await cache.set("k", "value")
        await short.set("short", "value")  # type: ignore[union-attr]
        assert await cache.get("k") == "value"
        assert 3590 <= raw.ttl("sophia:results:k") <= 3600
        assert 110 <= raw.ttl("sophia:results:short") <= 120
        counts = await cache.counts()
        assert counts is not None and (counts.hits, counts.misses) == (1, 1)
        raw.delete("sophia:results:k")  # as Redis does when the TTL lapses
        assert await cache.get("k") is None
    finally:
        raw.close()
        await cache.aclose()
        await short.aclose()  # type: ignore[union-attr]


async def test_keys_include_the_generation_kept_in_redis(
    settings: Settings, redis_server: RedisServer, tmp_path: Path
) -> None:
    app = await Sophia.open(settings)  # builds the index with the hashing embedder
    await app.ingest_folder(corpus(tmp_path / "corpus"))
    await app.aclose()
    store = LanceStore(settings.sophia_data_dir / "index")
    embedder = HashingEmbedder()
    await store.ensure_index(IndexInfo(embedder.name, embedder.dim))
    link = RedisLink(redis_server.url)
    generation = RedisGeneration(link)
    service = SearchService(store, embedder, RedisCache(link, "results", 60), generation=generation)
    raw = redis_server.client()
    try:
        request = build_request(query="renewal price")
        first = await service.search(request)
        again = await service.search(request)
        token = raw.get(RedisGeneration.KEY)
        assert (first.cached, again.cached) == (False, True) and token

        await generation.advance()

        assert raw.get(RedisGeneration.KEY) != token
        after = await service.search(request)
        assert not after.cached
        assert len(raw.keys("sophia:results:search:*")) == 2  # one per generation
    finally:
        raw.close()
        await link.aclose()


# --- through Sophia ------------------------------------------------------------------------


async def test_a_repeated_search_is_served_from_redis_until_an_ingest(
    open_replica: OpenReplica, tmp_path: Path, redis_server: RedisServer
) -> None:
    app: Sophia = await open_replica()
    folder = corpus(tmp_path / "corpus")
    await app.ingest_folder(folder)
    request = build_request(query="renewal price")

    first, second = [await app.search.search(request) for _ in "12"]

    assert (first.cached, second.cached) == (False, True)
    assert second.hits == first.hits
    stats = await app.stats()
    assert stats.cache == "RedisCache"
    assert (stats.cache_hits, stats.cache_misses, stats.cache_hit_rate) == (1, 1, 0.5)

    await reprice(app, folder)
    third = await app.search.search(request)

    assert not third.cached
    assert "price is fine now" in third.hits[0].snippet, "served from the new data"
    stats = await app.stats()
    assert (stats.cache_hits, stats.cache_misses) == (1, 2)


async def test_two_replicas_share_answers_and_one_sync_retires_them_for_both(
    open_replica: OpenReplica, tmp_path: Path
) -> None:
    one: Sophia = await open_replica()
    two: Sophia = await open_replica()
    folder = corpus(tmp_path / "corpus")
    await one.ingest_folder(folder)
    request = build_request(query="renewal price")

    computed = await one.search.search(request)
    shared = await two.search.search(request)
    assert (computed.cached, shared.cached) == (False, True)
    assert shared.hits == computed.hits

    await reprice(one, folder)  # the sync runs on replica one only
    fresh = await two.search.search(request)

    assert not fresh.cached
    assert "price is fine now" in fresh.hits[0].snippet
    counts = [await app.stats() for app in (one, two)]
    assert {(s.cache_hits, s.cache_misses) for s in counts} == {(1, 2)}


async def test_a_repeated_query_skips_the_embedder_even_after_a_sync(
    open_replica: OpenReplica, openai_server: FakeOpenAI, tmp_path: Path
) -> None:
    # The OpenAI embedder against the fake API, which records every text it was sent.
    app: Sophia = await open_replica(
        sophia_embedder="openai",
        openai_api_key=SecretStr(openai_server.api_key),
        openai_base_url=openai_server.url,
    )
    folder = corpus(tmp_path / "corpus")
    await app.ingest_folder(folder)
    await app.search.search(build_request(query="renewal price"))
    await app.search.search(build_request(query="renewal price", limit=2))
    await reprice(app, folder)
    after_sync = await app.search.search(build_request(query="renewal price"))

    assert not after_sync.cached  # the answer was recomputed ...
    embedded = [text for r in openai_server.embedding_requests() for text in r.inputs]
    assert NEW_PRICE in " ".join(embedded)  # (the sync did embed)
    assert embedded.count("renewal price") == 1  # ... with the query vector from Redis


# --- the command line ----------------------------------------------------------------------


async def test_sophia_stats_json_reports_the_redis_hit_rate(
    redis_settings: Settings, redis_server: RedisServer, tmp_path: Path
) -> None:
    app = await Sophia.open(redis_settings)
    await app.ingest_folder(corpus(tmp_path / "corpus"))
    assert not (await app.search.search(build_request(query="renewal price"))).cached
    await app.aclose()
    settings_names = {name.upper() for name in Settings.model_fields}
    env = {
        **{k: v for k, v in os.environ.items() if k not in settings_names},
        "SOPHIA_DATA_DIR": str(redis_settings.sophia_data_dir),
        "SOPHIA_EMBEDDER": "hashing",
        "RETENTION_DAYS": "0",
        "REDIS_URL": redis_server.url,
    }
    sophia = str(Path(sys.executable).with_name("sophia"))

    def run(*args: str) -> str:
        # Another process, as a shell or a replica runs it: only Redis can carry the hit.
        done = subprocess.run(
            [sophia, *args], env=env, cwd=tmp_path, capture_output=True, text=True, timeout=120
        )
        assert done.returncode == 0, done.stderr
        return done.stdout

    answer = json.loads(run("search", "renewal price", "--json"))
    stats = json.loads(run("stats", "--json"))

    assert stats["cache"] == "RedisCache"
    assert (stats["cache_hits"], stats["cache_misses"]) == (1, 1)
    assert stats["cache_hit_rate"] == 0.5
    assert answer["cached"] and answer["hits"]


# --- configuration -------------------------------------------------------------------------


def test_a_redis_url_of_another_scheme_is_refused_without_echoing_it() -> None:
    with pytest.raises(ConfigError, match="REDIS_URL") as refused:
        load_settings(redis_url="http://:hunter2@cache:6379")
    assert "hunter2" not in str(refused.value)


def test_cache_ttl_s_zero_means_no_cache_even_with_redis() -> None:
    settings = Settings(_env_file=None, redis_url="redis://127.0.0.1:1/0", cache_ttl_s=0)
    assert isinstance(build_cache(settings), NoCache)


def test_the_password_of_a_redis_url_never_reaches_a_message() -> None:
    link = RedisLink("redis://:hunter2@127.0.0.1:6390/2")
    assert link.where == "redis://127.0.0.1:6390/2"
