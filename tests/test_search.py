"""Search on the samples with the real model: the right calls, cited to the right moments."""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path
from urllib.parse import unquote

import pytest

from sophia.core.cache import MemoryCache, NoCache
from sophia.core.config import Settings
from sophia.core.embedders.base import Vectors
from sophia.core.embedders.local import LocalEmbedder
from sophia.core.errors import EmbeddingError
from sophia.core.models import Affiliation
from sophia.core.query import SearchMode, build_request
from sophia.core.search import SearchService
from sophia.core.services import Sophia
from sophia.core.stores.base import IndexInfo
from sophia.core.stores.lance import LanceStore
from sophia.core.viewer import Viewer
from tests.conftest import raw_call, raw_transcript, write_folder

pytestmark = pytest.mark.model


@pytest.fixture
async def service(samples_index: Path, local_embedder: LocalEmbedder) -> SearchService:
    store = LanceStore(samples_index / "index")
    await store.ensure_index(IndexInfo(local_embedder.name, local_embedder.dim))
    return SearchService(store, local_embedder, NoCache())


def calls_of(expected: dict, account: str) -> set[str]:
    return {c["call_id"] for c in expected["calls"] if c["account"] == account}


async def test_pricing_objections_at_moss_cite_moss_calls_and_planted_moments(
    service: SearchService, expected: dict
) -> None:
    request = build_request(query="pricing objections", limit=5, filters={"account": "Moss & Co"})
    hits = (await service.search(request)).hits
    assert len(hits) == 5
    assert {h.call_id for h in hits} <= calls_of(expected, "Moss & Co")
    planted = [o for o in expected["pricing_objections"] if o["account"] == "Moss & Co"]
    covering = [
        h
        for h in hits
        if any(
            o["call_id"] == h.call_id and h.start_ms <= o["start_ms"] < h.end_ms for o in planted
        )
    ]
    assert len(covering) >= 2, "planted Moss & Co objections are among the top hits"
    for hit in hits:
        assert hit.account == "Moss & Co"
        assert hit.start_ms <= hit.moment_ms < hit.end_ms
        assert hit.snippet and hit.snippet.split()[0] in hit.text
        link = unquote(hit.url)
        assert link.startswith(f"https://app.gong.io/call?id={hit.call_id}&highlights=")
        assert re.search(rf'"from":{hit.moment_ms // 1000},', link)


async def test_meaning_finds_the_security_reviews(service: SearchService, expected: dict) -> None:
    security = {c["call_id"] for c in expected["calls"] if c["type"] == "security"}
    request = build_request(query="how do you handle single sign-on and where is our data stored")
    hits = (await service.search(request)).hits
    assert hits[0].call_id in security
    assert sum(h.call_id in security for h in hits) >= 3


async def test_keyword_search_finds_competitor_mentions(
    service: SearchService, expected: dict
) -> None:
    planted = {
        m["call_id"] for m in expected["competitor_mentions"] if m["competitor"] == "Ledgerly"
    }
    request = build_request(query="Ledgerly", mode=SearchMode.KEYWORD, limit=50)
    hits = (await service.search(request)).hits
    assert hits and all("Ledgerly" in h.text for h in hits)
    assert {h.call_id for h in hits} == planted


async def test_side_filter_quotes_the_customer(service: SearchService) -> None:
    request = build_request(
        query="budget concerns", limit=5, filters={"side": Affiliation.EXTERNAL}
    )
    hits = (await service.search(request)).hits
    assert hits and all(h.affiliation is Affiliation.EXTERNAL for h in hits)


async def test_hits_never_overlap_within_a_call(service: SearchService) -> None:
    hits = (await service.search(build_request(query="implementation timeline", limit=20))).hits
    for i, a in enumerate(hits):
        for b in hits[i + 1 :]:
            assert a.call_id != b.call_id or a.end_ms <= b.start_ms or b.end_ms <= a.start_ms


class BrokenEmbedder:
    """An embedder whose backend is down (the network boundary of a remote embedder)."""

    def __init__(self, inner: LocalEmbedder) -> None:
        self.name, self.dim = inner.name, inner.dim
        self.max_tokens, self.default_plan = inner.max_tokens, inner.default_plan
        self.count_tokens = inner.count_tokens

    async def warm_up(self) -> None:
        return None

    async def embed_documents(self, texts: Sequence[str]) -> Vectors:
        raise EmbeddingError("embedding service unavailable")

    async def embed_query(self, text: str) -> Vectors:
        raise EmbeddingError("embedding service unavailable")


async def test_a_failing_embedder_falls_back_to_keyword_and_says_so(
    samples_index: Path, local_embedder: LocalEmbedder
) -> None:
    store = LanceStore(samples_index / "index")
    await store.ensure_index(IndexInfo(local_embedder.name, local_embedder.dim))
    cache = MemoryCache(60)
    service = SearchService(store, BrokenEmbedder(local_embedder), cache)
    request = build_request(query="DealForge pricing")
    result = await service.search(request)
    assert result.mode is SearchMode.KEYWORD
    assert result.notice and "keyword" in result.notice
    assert result.hits and all(
        "DealForge" in h.text or "pric" in h.text.lower() for h in result.hits
    )
    again = await service.search(request)
    assert not again.cached, "degraded answers are not cached"


async def test_repeated_search_is_cached_until_the_index_changes(
    settings: Settings, tmp_path: Path
) -> None:
    folder = write_folder(
        tmp_path / "corpus",
        [raw_call("5000000000000000001")],
        [raw_transcript("5000000000000000001", [("2002", ["The renewal price went up again."])])],
    )
    app = await Sophia.open(settings)
    try:
        await app.ingest_folder(folder)
        request = build_request(query="renewal price")
        # Through sessions, as every surface asks: they time each request.
        first = await app.session(Viewer("cli")).search(request)
        second = await app.session(Viewer("cli")).search(request)
        assert (first.cached, second.cached) == (False, True)
        assert second.hits == first.hits
        write_folder(
            folder,
            [raw_call("5000000000000000001")],
            [raw_transcript("5000000000000000001", [("2002", ["The renewal price is fine now."])])],
        )
        await app.ingest_folder(folder)
        third = await app.session(Viewer("cli")).search(request)
        assert not third.cached
        assert third.hits[0].snippet == "The renewal price is fine now."
        stats = await app.session(Viewer("cli")).stats()
        assert stats.queries_measured == 3 and stats.cache_hit_rate == pytest.approx(
            1 / 3, abs=0.001
        )
    finally:
        app.close()
