"""Redis behind the cache Protocols: shared by every replica, and never a reason to fail.

One `RedisLink` per process holds the client. While Redis is unreachable the link logs one
warning, the caches read as empty and forget what they are given, and searches run
uncached; every `retry_interval_s` one operation tries Redis again, so caching resumes by
itself when it returns.

Keys (all under `sophia:`):

- `sophia:<namespace>:<key>`: cached values, with the cache's TTL;
- `sophia:stats:<namespace>:lookups` and `...:misses`: counters (hits = lookups - misses);
- `sophia:generation`: a random token, replaced after every write to the index. A token
  rather than a counter: if Redis restarts empty or evicts it, the next one is new, never
  an earlier value whose cached answers might still be around.
"""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Awaitable, Callable
from typing import TypeVar
from urllib.parse import urlsplit

from redis.asyncio import Redis
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import RedisError

from sophia.core.cache.base import CacheCounts

__all__ = ["RedisCache", "RedisGeneration", "RedisLink"]

log = logging.getLogger("sophia.cache")
T = TypeVar("T")

PREFIX = "sophia:"
# A cache that answers slower than the search it saves is worse than none.
_TIMEOUT_S = 0.5
_RETRY_INTERVAL_S = 2.0


class RedisLink:
    """The process's Redis client, and whether Redis is answering."""

    def __init__(
        self,
        url: str,
        *,
        timeout_s: float = _TIMEOUT_S,
        retry_interval_s: float = _RETRY_INTERVAL_S,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.where = _without_secrets(url)
        self.retry_interval_s = retry_interval_s
        self.clock = clock  # injectable: tests move time instead of waiting
        self._client = Redis.from_url(
            url,
            decode_responses=True,
            socket_timeout=timeout_s,
            socket_connect_timeout=timeout_s,
            # One immediate retry replaces a pooled connection that died with a restarted
            # Redis. Not on timeouts: an unreachable host would cost every try twice; and
            # redis-py's default (10 retries with backoff) would stall searches for seconds.
            retry=Retry(NoBackoff(), retries=1, supported_errors=(RedisConnectionError,)),
        )
        self._down_until: float | None = None

    @property
    def available(self) -> bool:
        """False while an outage is being waited out."""
        return self._down_until is None

    async def run(self, operation: Callable[[Redis], Awaitable[T]], fallback: T) -> T:
        """`operation`'s result, or `fallback` when Redis fails or is known to be down."""
        if self._down_until is not None and self.clock() < self._down_until:
            return fallback
        try:
            result = await operation(self._client)
        except (RedisError, OSError) as exc:
            if self._down_until is None:
                log.warning(
                    "Redis at %s is unreachable (%s); caching is off until it answers again",
                    self.where,
                    _describe(exc),
                )
            self._down_until = self.clock() + self.retry_interval_s
            return fallback
        if self._down_until is not None:
            log.info("Redis at %s answers again; caching resumed", self.where)
            self._down_until = None
        return result

    async def aclose(self) -> None:
        """Close the client's connections (idempotent)."""
        await self._client.aclose()


class RedisCache:
    """A `Cache` in Redis under one namespace, counting its hits and misses in Redis."""

    def __init__(self, link: RedisLink, namespace: str, ttl_s: int) -> None:
        if ttl_s <= 0:
            raise ValueError("a Redis cache needs a positive TTL")
        self.link = link
        self._prefix = f"{PREFIX}{namespace}:"
        self._lookups = f"{PREFIX}stats:{namespace}:lookups"
        self._misses = f"{PREFIX}stats:{namespace}:misses"
        self._ttl_s = ttl_s

    def sibling(self, namespace: str) -> RedisCache:
        """Another namespace with the same TTL on the same connection (and the same
        outage state, so an outage is still reported once)."""
        return RedisCache(self.link, namespace, self._ttl_s)

    async def get(self, key: str) -> str | None:
        async def lookup(client: Redis) -> str | None:
            # Counting lookups in the same round trip keeps a hit at one round trip;
            # a miss pays a second one, next to the search it is about to run anyway.
            async with client.pipeline(transaction=False) as pipe:
                pipe.get(self._prefix + key)
                pipe.incr(self._lookups)
                value, _ = await pipe.execute()
            if value is None:
                await client.incr(self._misses)
            return str(value) if value is not None else None

        return await self.link.run(lookup, None)

    async def set(self, key: str, value: str) -> None:
        async def store(client: Redis) -> None:
            await client.set(self._prefix + key, value, ex=self._ttl_s)

        await self.link.run(store, None)

    async def counts(self) -> CacheCounts | None:
        async def read(client: Redis) -> CacheCounts:
            lookups, misses = await client.mget([self._lookups, self._misses])
            missed = int(misses or 0)
            return CacheCounts(hits=max(0, int(lookups or 0) - missed), misses=missed)

        return await self.link.run(read, None)

    async def aclose(self) -> None:
        await self.link.aclose()


class RedisGeneration:
    """The index generation kept in Redis, so every replica agrees on it and a sync
    anywhere retires cached answers everywhere at once."""

    KEY = f"{PREFIX}generation"

    def __init__(self, link: RedisLink) -> None:
        self._link = link
        self._advance_pending = False

    async def current(self) -> str:
        if self._advance_pending:
            await self.advance()

        async def read(client: Redis) -> str | None:
            token = await client.get(self.KEY)
            if token is None:
                # First use, or Redis came back empty: start a new generation.
                await client.set(self.KEY, _token(), nx=True)
                token = await client.get(self.KEY)
            return None if token is None else str(token)

        token = await self._link.run(read, None)
        # Unreachable: a key of its own that no later search will look up, so nothing
        # cached in the meantime can be served for the wrong content.
        return token if token is not None else f"offline-{_token()}"

    async def advance(self) -> None:
        async def replace(client: Redis) -> bool:
            await client.set(self.KEY, _token())
            return True

        # A write Redis did not hear about is announced the next time it answers.
        self._advance_pending = not await self._link.run(replace, False)


def _token() -> str:
    return uuid.uuid4().hex


def _without_secrets(url: str) -> str:
    """scheme://host:port/db, without the user name and password a Redis URL may carry."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    port = f":{parts.port}" if parts.port else ""
    return f"{parts.scheme}://{host}{port}{parts.path}"


def _describe(exc: BaseException) -> str:
    # redis-py's messages name host and port, never the password; keep them to one line.
    message = " ".join(str(exc).split())
    return f"{type(exc).__name__}: {message}" if message else type(exc).__name__
