"""The cache Protocols: `Cache` for values, `Generation` for the index generation in keys."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

__all__ = ["Cache", "CacheCounts", "Generation"]


@dataclass(frozen=True)
class CacheCounts:
    """Lookups of one cache that found a value (hits) and that did not (misses)."""

    hits: int
    misses: int

    @property
    def hit_rate(self) -> float | None:
        lookups = self.hits + self.misses
        return self.hits / lookups if lookups else None


class Cache(Protocol):
    """String values under string keys, each expiring after the cache's TTL.

    A cache never fails a search: when its backend is unreachable it reads as empty and
    forgets what it is given.
    """

    async def get(self, key: str) -> str | None: ...

    async def set(self, key: str, value: str) -> None: ...

    async def counts(self) -> CacheCounts | None:
        """Hits and misses as every process sharing this cache sees them; None for a cache
        that keeps no shared counts (the local query log measures those)."""
        ...

    async def aclose(self) -> None:
        """Release connections; the cache is not used afterwards."""
        ...


class Generation(Protocol):
    """Names the current content of the index; part of every cache key, so a write to the
    index retires every answer cached before it."""

    async def current(self) -> str: ...

    async def advance(self) -> None:
        """Called after each write to the index."""
        ...
