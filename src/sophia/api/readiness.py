"""Readiness: can this replica answer a query? The store, the cache and the embedder are
each asked for real, concurrently, with a time limit.

The store and the embedder are needed to answer; the cache is not (searches run uncached
while Redis is away), so a cache outage makes the replica `degraded`, still ready (200):
with the readiness probe on this endpoint, a Redis outage must not take every pod out of
the Service. `sophia_dependency_up` on /metrics says the same per dependency.

Probes are unauthenticated (Kubernetes sends no key), so a result is reused for a moment to
keep a flood of probes from becoming a flood of dependency calls, and a failed check says
only what is down; its details go to the log.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import KW_ONLY, dataclass, field

from redis.asyncio import Redis

from sophia.api.schemas import CheckOut, ReadyChecks, ReadyOut, ReadyStatus
from sophia.core.cache.redis import RedisCache
from sophia.core.metrics import DEPENDENCY_UP
from sophia.core.services import Sophia

__all__ = ["Readiness"]

log = logging.getLogger("sophia.api")


@dataclass
class Readiness:
    """Checks the dependencies of one `Sophia`; each check gets `timeout_s`, and a result is
    reused for `reuse_s` (as `clock` counts seconds)."""

    sophia: Sophia
    _: KW_ONLY
    timeout_s: float = 2.0
    reuse_s: float = 2.0
    clock: Callable[[], float] = time.monotonic
    # The last result and when it was taken; the lock makes concurrent probes share it.
    _last: tuple[float, ReadyOut] | None = field(default=None, init=False)
    _lock: asyncio.Lock = field(default_factory=asyncio.Lock, init=False)

    async def check(self) -> ReadyOut:
        """Every dependency's status: `ready` when all are up, `degraded` (still ready) when
        only the cache is down, else `unavailable`."""
        async with self._lock:  # concurrent probes share one round of checks
            if self._last is not None and self.clock() - self._last[0] < self.reuse_s:
                return self._last[1]
            store, cache, embedder = await asyncio.gather(
                self._timed("store", self._store),
                self._timed("cache", self._cache),
                self._timed("embedder", self._embedder),
            )
            if cache.status == "down":
                cache = cache.model_copy(update={"status": "degraded"})
            checks = ReadyChecks(store=store, cache=cache, embedder=embedder)
            for name, check in checks:
                DEPENDENCY_UP.labels(name).set(1 if check.status == "up" else 0)
            if store.status == "down" or embedder.status == "down":
                status: ReadyStatus = "unavailable"
            else:
                status = "degraded" if cache.status == "degraded" else "ready"
            result = ReadyOut(status=status, checks=checks)
            self._last = (self.clock(), result)
            return result

    async def _store(self) -> str:
        await self.sophia.store.counts()
        return "ok"

    async def _cache(self) -> str:
        cache = self.sophia.cache
        if not isinstance(cache, RedisCache):
            return f"in-process ({type(cache).__name__})"

        async def ping(client: Redis) -> bool:
            return bool(await client.ping())

        # The link answers False while it waits out an outage, without trying again.
        if not await cache.link.run(ping, False):
            raise ConnectionError(f"Redis at {cache.link.where} does not answer")
        return "redis"

    async def _embedder(self) -> str:
        # embed_documents bypasses the query-vector cache, so the embedder itself answers.
        await self.sophia.embedder.embed_documents(["readiness probe"])
        return "ok"

    async def _timed(self, name: str, check: Callable[[], Awaitable[str]]) -> CheckOut:
        started = time.perf_counter()
        try:
            detail = await asyncio.wait_for(check(), self.timeout_s)
            status = "up"
        except TimeoutError:
            log.warning("readiness: %s did not answer within %g s", name, self.timeout_s)
            status, detail = "down", f"no answer within {self.timeout_s:g} s"
        except Exception as exc:
            log.warning("readiness: %s is down: %s: %s", name, type(exc).__name__, exc)
            status, detail = "down", "unreachable"
        ms = round((time.perf_counter() - started) * 1000, 1)
        return CheckOut(status=status, detail=detail, ms=ms)
