"""The one place where configuration picks the backends."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sophia.core.cache import Cache, Generation, MemoryCache, NoCache
from sophia.core.chunking import ChunkPlan
from sophia.core.clock import Clock, FixedClock, SystemClock
from sophia.core.config import Settings
from sophia.core.embedders.base import Embedder
from sophia.core.errors import ConfigError
from sophia.core.stores.base import StoreGeneration, VectorStore

if TYPE_CHECKING:
    from sophia.core.insights.summarizer import Summarizer

__all__ = [
    "build_cache",
    "build_clock",
    "build_embedder",
    "build_generation",
    "build_query_vector_cache",
    "build_store",
    "build_summarizer",
    "chunk_plan",
]


def build_clock(settings: Settings) -> Clock:
    """The machine's clock, or the instant SOPHIA_NOW pins."""
    if settings.sophia_now is not None:
        return FixedClock(settings.sophia_now)
    return SystemClock()


def build_embedder(settings: Settings, clock: Clock | None = None) -> Embedder:
    """The embedder SOPHIA_EMBEDDER asks for; `auto` is OpenAI when OPENAI_API_KEY is set,
    else the local model (the `sophia[local]` extra; `ExtraNotInstalled` without it). None
    loads a model here: the local one loads on its first embedding."""
    choice = settings.sophia_embedder
    if choice == "auto":
        choice = "openai" if settings.openai_api_key is not None else "local"
    if choice == "openai":
        from sophia.core.embedders.openai import OpenAIEmbedder

        return OpenAIEmbedder.from_settings(settings, clock=clock or build_clock(settings))
    if choice == "hashing":
        from sophia.core.embedders.hashing import HashingEmbedder

        return HashingEmbedder()
    from sophia.core.embedders.local import LocalEmbedder

    return LocalEmbedder(
        cache_dir=settings.sophia_model_cache, query_weights=settings.local_query_weights
    )


def chunk_plan(settings: Settings, embedder: Embedder) -> ChunkPlan:
    """The embedder's default chunk sizes, overridden by CHUNK_TOKENS / CHUNK_OVERLAP."""
    default = embedder.default_plan
    tokens = settings.chunk_tokens or default.max_tokens
    overlap = default.overlap_tokens if settings.chunk_overlap is None else settings.chunk_overlap
    if tokens > embedder.max_tokens:
        raise ConfigError(
            f"CHUNK_TOKENS={tokens} exceeds the input window of {embedder.name} "
            f"({embedder.max_tokens} tokens); longer chunks would be silently truncated"
        )
    if overlap >= tokens:
        raise ConfigError(f"CHUNK_OVERLAP={overlap} must be smaller than the chunk size ({tokens})")
    return ChunkPlan(max_tokens=tokens, overlap_tokens=overlap)


def build_store(settings: Settings, clock: Clock | None = None) -> VectorStore:
    """Weaviate when WEAVIATE_ENDPOINT is set, else LanceDB under SOPHIA_DATA_DIR."""
    clock = clock or build_clock(settings)
    if settings.weaviate_endpoint:
        from sophia.core.stores.weaviate import WeaviateStore

        return WeaviateStore.from_settings(settings, clock=clock)
    from sophia.core.stores.lance import LanceStore

    return LanceStore(settings.sophia_data_dir / "index", clock=clock)


def build_cache(settings: Settings) -> Cache:
    """The search result cache: Redis when REDIS_URL is set, else in-process; none when
    CACHE_TTL_S is 0."""
    if not settings.cache_ttl_s:
        return NoCache()
    if settings.redis_url:
        from sophia.core.cache.redis import RedisCache, RedisLink

        try:
            link = RedisLink(settings.redis_url)
        except ValueError as exc:
            raise ConfigError(f"REDIS_URL is not a usable Redis URL ({exc})") from None
        return RedisCache(link, "results", settings.cache_ttl_s)
    return MemoryCache(settings.cache_ttl_s)


def build_generation(settings: Settings, store: VectorStore, cache: Cache) -> Generation:
    """The index generation in cache keys: in Redis beside a Redis cache, so that every
    replica agrees on it and a sync anywhere retires stale answers; else the store's own."""
    if settings.redis_url:
        from sophia.core.cache.redis import RedisCache, RedisGeneration

        if isinstance(cache, RedisCache):
            return RedisGeneration(cache.link)
    return StoreGeneration(store)


def build_query_vector_cache(settings: Settings, cache: Cache) -> Cache:
    """Where query vectors are remembered: next to the result cache, in their own space."""
    if settings.redis_url:
        from sophia.core.cache.redis import RedisCache

        if isinstance(cache, RedisCache):
            return cache.sibling("query-vectors")
    if isinstance(cache, MemoryCache):
        return MemoryCache(settings.cache_ttl_s)
    return NoCache()


def build_summarizer(settings: Settings) -> Summarizer:
    """The LLM summarizer when SOPHIA_SUMMARIZER asks for it (or `auto` and a key is set);
    else the extractive one."""
    from sophia.core.insights.summarizer import ExtractiveSummarizer

    wanted = settings.sophia_summarizer
    if wanted == "llm" or (wanted == "auto" and settings.openai_api_key is not None):
        if settings.openai_api_key is None:
            raise ConfigError("SOPHIA_SUMMARIZER=llm needs OPENAI_API_KEY")
        from sophia.core.insights.llm import LLMSummarizer

        return LLMSummarizer.from_settings(settings, fallback=ExtractiveSummarizer())
    return ExtractiveSummarizer()
