"""The one place where configuration picks the backends."""

from __future__ import annotations

from core.cache import Cache, MemoryCache, NoCache
from core.chunking import ChunkPlan
from core.config import Settings
from core.embedders.base import Embedder
from core.errors import ConfigError
from core.stores.base import VectorStore

__all__ = ["build_cache", "build_embedder", "build_store", "chunk_plan"]


def build_embedder(settings: Settings) -> Embedder:
    """The embedder SOPHIA_EMBEDDER asks for (`auto` is the local model for now)."""
    if settings.sophia_embedder == "hashing":
        from core.embedders.hashing import HashingEmbedder

        return HashingEmbedder()
    from core.embedders.local import LocalEmbedder

    return LocalEmbedder()


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


def build_store(settings: Settings) -> VectorStore:
    """LanceDB under SOPHIA_DATA_DIR."""
    if settings.weaviate_endpoint:
        raise ConfigError(
            "WEAVIATE_ENDPOINT is set, but this build has only the embedded store; "
            "unset it to use LanceDB under SOPHIA_DATA_DIR"
        )
    from core.stores.lance import LanceStore

    return LanceStore(settings.sophia_data_dir / "index")


def build_cache(settings: Settings) -> Cache:
    """An in-process TTL cache, or none when CACHE_TTL_S is 0."""
    if settings.redis_url:
        raise ConfigError(
            "REDIS_URL is set, but this build has only the in-process cache; unset it"
        )
    return MemoryCache(settings.cache_ttl_s) if settings.cache_ttl_s else NoCache()
