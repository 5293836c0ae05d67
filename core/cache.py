"""The query cache: a Protocol and the in-process TTL implementation."""

from __future__ import annotations

from typing import Protocol

from cachetools import TTLCache

__all__ = ["Cache", "MemoryCache", "NoCache"]


class Cache(Protocol):
    """String values under string keys, each expiring after the cache's TTL."""

    async def get(self, key: str) -> str | None: ...

    async def set(self, key: str, value: str) -> None: ...


class MemoryCache:
    """A bounded TTL cache living in this process."""

    def __init__(self, ttl_s: float, max_entries: int = 2048) -> None:
        # No lock: both methods run to completion without yielding to the event loop.
        self._entries: TTLCache[str, str] = TTLCache(maxsize=max_entries, ttl=ttl_s)

    async def get(self, key: str) -> str | None:
        return self._entries.get(key)

    async def set(self, key: str, value: str) -> None:
        self._entries[key] = value


class NoCache:
    """Used when CACHE_TTL_S is 0."""

    async def get(self, key: str) -> str | None:
        return None

    async def set(self, key: str, value: str) -> None:
        return None
