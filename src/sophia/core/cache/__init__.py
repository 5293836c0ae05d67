"""Caches for search results and query vectors, and the index generation in their keys.

In-process by default; Redis when REDIS_URL is set (`core.cache.redis`, imported only then).
"""

from sophia.core.cache.base import Cache, CacheCounts, Generation
from sophia.core.cache.memory import MemoryCache, NoCache

__all__ = ["Cache", "CacheCounts", "Generation", "MemoryCache", "NoCache"]
