"""The in-process caches: a bounded TTL cache, and none at all."""

from __future__ import annotations

from cachetools import TTLCache

from sophia.core.cache.base import CacheCounts

__all__ = ["MemoryCache", "NoCache"]


class MemoryCache:
    """A bounded TTL cache living in this process."""

    def __init__(self, ttl_s: float, max_entries: int = 2048) -> None:
        # No lock: both methods run to completion without yielding to the event loop.
        self._entries: TTLCache[str, str] = TTLCache(maxsize=max_entries, ttl=ttl_s)

    async def get(self, key: str) -> str | None:
        return self._entries.get(key)

    async def set(self, key: str, value: str) -> None:
        self._entries[key] = value

    async def counts(self) -> CacheCounts | None:
        return None

    async def aclose(self) -> None:
        return None


class NoCache:
    """Used when CACHE_TTL_S is 0."""

    async def get(self, key: str) -> str | None:
        return None

    async def set(self, key: str, value: str) -> None:
        return None

    async def counts(self) -> CacheCounts | None:
        return None

    async def aclose(self) -> None:
        return None
