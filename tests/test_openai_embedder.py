"""OpenAI embeddings through the real openai client, against a local fake of the API."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pytest

from sophia.core.backends import build_embedder, chunk_plan
from sophia.core.cache import NoCache
from sophia.core.config import Settings, load_settings
from sophia.core.embedders.openai import OpenAIEmbedder
from sophia.core.errors import ConfigError, EmbeddingError, IndexMismatch
from sophia.core.query import SearchMode, build_request
from sophia.core.search import SearchService
from sophia.core.services import Sophia
from sophia.core.stores.base import IndexInfo
from sophia.core.stores.lance import LanceStore
from tests.conftest import raw_call, raw_transcript, write_folder
from tests.fakes.openai_server import FakeOpenAI

if TYPE_CHECKING:
    from tests.fakes.openai_fixtures import MakeEmbedder, RecordedSleep

pytest_plugins = ["tests.fakes.openai_fixtures"]


def openai_settings(tmp_path: Path, server: FakeOpenAI, **overrides: object) -> Settings:
    options: dict[str, object] = {
        "sophia_data_dir": tmp_path / "data",
        "retention_days": 0,
        "openai_api_key": server.api_key,
        "openai_base_url": server.url,
        **overrides,
    }
    return Settings(_env_file=None, **options)  # type: ignore[arg-type]


def corpus(folder: Path) -> Path:
    return write_folder(
        folder,
        [raw_call("7000000000000000001", account="Olympus")],
        [
            raw_transcript(
                "7000000000000000001",
                [
                    ("1001", ["Thanks for joining, let us talk about the rollout."]),
                    ("2002", ["Our security review needs SSO and data residency in the EU."]),
                    ("1001", ["We support SAML single sign-on and EU hosting."]),
                    ("2002", ["Pricing is above our budget for this year."]),
                ],
            )
        ],
    )


# --- the embedder --------------------------------------------------------------------------


async def test_vectors_come_back_in_order_unit_length_with_the_configured_size(
    make_openai_embedder: MakeEmbedder, openai_server: FakeOpenAI
) -> None:
    embedder = make_openai_embedder()
    texts = ["pricing objections", "security review", "pricing objections again"]

    vectors = await embedder.embed_documents(texts)

    assert embedder.name == "openai:text-embedding-3-small:1536"
    assert vectors.shape == (3, 1536) and vectors.dtype == np.float32
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    assert float(vectors[0] @ vectors[2]) > float(vectors[0] @ vectors[1])
    (request,) = openai_server.embedding_requests()
    assert request.path == "/v1/embeddings"
    assert request.body["model"] == "text-embedding-3-small"
    assert request.body["dimensions"] == 1536
    assert request.inputs == texts
    query = await embedder.embed_query("pricing objections")
    assert query.shape == (1536,) and np.allclose(query, vectors[0], atol=1e-6)


async def test_model_and_dims_are_configurable_and_name_the_embedding_space(
    make_openai_embedder: MakeEmbedder, openai_server: FakeOpenAI
) -> None:
    embedder = make_openai_embedder(model="text-embedding-3-large", dims=256)

    vector = await embedder.embed_query("renewal")

    assert embedder.name == "openai:text-embedding-3-large:256"
    assert vector.shape == (256,)
    assert openai_server.embedding_requests()[0].body["dimensions"] == 256


async def test_other_models_get_no_dimensions_and_a_size_mismatch_names_embedding_dims(
    make_openai_embedder: MakeEmbedder, openai_server: FakeOpenAI
) -> None:
    # A compatible server's model: `dimensions` would be refused, so it is not sent.
    native = make_openai_embedder(model="nomic-embed-text", dims=768)
    assert (await native.embed_query("renewal")).shape == (768,)
    assert "dimensions" not in openai_server.embedding_requests()[0].body

    wrong = make_openai_embedder(model="nomic-embed-text", dims=1024)
    with pytest.raises(EmbeddingError, match="EMBEDDING_DIMS is 1024"):
        await wrong.embed_query("renewal")


def test_tokens_are_counted_in_cl100k_offline(make_openai_embedder: MakeEmbedder) -> None:
    embedder = make_openai_embedder()
    assert embedder.count_tokens("hello world") == 2  # cl100k ids 15339, 1917
    assert embedder.count_tokens("") == 0
    # Special-token text is ordinary text to the embeddings API; counting must not raise.
    assert embedder.count_tokens("<|endoftext|>") > 1
    assert embedder.default_plan.max_tokens == 700
    assert embedder.default_plan.overlap_tokens == 100
    assert embedder.max_tokens == 8191


async def test_requests_are_sized_by_tokens_and_inputs(
    make_openai_embedder: MakeEmbedder, openai_server: FakeOpenAI
) -> None:
    texts = [f"call {i}: the customer asked about pricing and the renewal date" for i in range(9)]
    per_text = make_openai_embedder().count_tokens(texts[0])
    budget = 2 * per_text + 1  # two texts fit in a request, three do not
    by_tokens = make_openai_embedder(max_batch_tokens=budget)

    vectors = await by_tokens.embed_documents(texts)

    requests = openai_server.embedding_requests()
    assert [len(r.inputs) for r in requests] == [2, 2, 2, 2, 1]
    assert [t for r in requests for t in r.inputs] == texts  # order kept across requests
    assert all(sum(by_tokens.count_tokens(t) for t in r.inputs) <= budget for r in requests)
    # Each row is its own text's vector, wherever the batch boundaries fell.
    singles = [await by_tokens.embed_query(t) for t in (texts[0], texts[8])]
    assert np.allclose(vectors[[0, 8]], np.stack(singles), atol=1e-6)

    openai_server.requests.clear()
    await make_openai_embedder(max_batch_inputs=4).embed_documents(texts)
    assert [len(r.inputs) for r in openai_server.embedding_requests()] == [4, 4, 1]


async def test_an_empty_list_sends_nothing_and_a_blank_text_still_embeds(
    make_openai_embedder: MakeEmbedder, openai_server: FakeOpenAI
) -> None:
    embedder = make_openai_embedder()
    assert (await embedder.embed_documents([])).shape == (0, 1536)
    assert openai_server.embedding_requests() == []
    assert (await embedder.embed_documents(["", "text"])).shape == (2, 1536)


async def test_a_text_longer_than_the_window_is_refused_before_sending(
    make_openai_embedder: MakeEmbedder, openai_server: FakeOpenAI
) -> None:
    embedder = make_openai_embedder()
    with pytest.raises(EmbeddingError, match="input window"):
        await embedder.embed_query("word " * 9000)
    assert openai_server.embedding_requests() == []


# --- retries -------------------------------------------------------------------------------


async def test_429_with_retry_after_waits_that_long_then_succeeds(
    make_openai_embedder: MakeEmbedder, openai_server: FakeOpenAI, openai_sleeps: RecordedSleep
) -> None:
    openai_server.fail_next(429, headers={"Retry-After": "3"}, code="rate_limit_exceeded")
    embedder = make_openai_embedder()

    vectors = await embedder.embed_documents(["pricing", "renewal"])

    assert vectors.shape == (2, 1536)
    assert len(openai_server.embedding_requests()) == 2
    assert openai_sleeps.waits == [3.0]


async def test_retry_after_ms_is_preferred_and_5xx_backs_off_with_jitter(
    make_openai_embedder: MakeEmbedder, openai_server: FakeOpenAI, openai_sleeps: RecordedSleep
) -> None:
    openai_server.fail_next(429, headers={"retry-after-ms": "250", "Retry-After": "9"})
    openai_server.fail_next(503, times=2)
    embedder = make_openai_embedder(backoff_s=0.5, max_backoff_s=30)

    await embedder.embed_documents(["pricing"])

    assert len(openai_server.embedding_requests()) == 4
    first, second, third = openai_sleeps.waits
    assert first == pytest.approx(0.25)
    # Exponential from 0.5 s plus up to 0.5 s of jitter.
    assert 0.5 <= second <= 1.5 and 1.0 <= third <= 2.5


async def test_retries_exhausted_raise_embedding_error_naming_the_failure(
    make_openai_embedder: MakeEmbedder, openai_server: FakeOpenAI, openai_sleeps: RecordedSleep
) -> None:
    openai_server.fail_always(500)
    embedder = make_openai_embedder(max_attempts=4)

    with pytest.raises(EmbeddingError, match=r"failed after 4 attempts: server error 500"):
        await embedder.embed_documents(["pricing"])

    assert len(openai_server.embedding_requests()) == 4
    assert len(openai_sleeps.waits) == 3


async def test_a_query_gives_up_sooner_than_an_ingest(
    make_openai_embedder: MakeEmbedder, openai_server: FakeOpenAI
) -> None:
    openai_server.fail_always(502)
    embedder = make_openai_embedder(max_attempts=6, query_attempts=2)

    with pytest.raises(EmbeddingError, match="after 2 attempts"):
        await embedder.embed_query("pricing")
    assert len(openai_server.embedding_requests()) == 2


async def test_no_retry_for_quota_exhaustion_or_a_retry_after_beyond_the_limit(
    make_openai_embedder: MakeEmbedder, openai_server: FakeOpenAI, openai_sleeps: RecordedSleep
) -> None:
    embedder = make_openai_embedder(max_retry_after_s=60)
    openai_server.fail_next(429, code="insufficient_quota", message="You exceeded your quota")
    with pytest.raises(EmbeddingError, match="no quota left"):
        await embedder.embed_query("pricing")
    openai_server.fail_next(429, headers={"Retry-After": "3600"})
    with pytest.raises(EmbeddingError, match="wait 3600 s"):
        await embedder.embed_query("pricing")
    assert len(openai_server.embedding_requests()) == 2
    assert openai_sleeps.waits == []


async def test_an_unreachable_server_is_retried_then_reported(
    make_openai_embedder: MakeEmbedder, openai_server: FakeOpenAI, openai_sleeps: RecordedSleep
) -> None:
    embedder = make_openai_embedder(max_attempts=3)
    openai_server.stop()

    with pytest.raises(EmbeddingError, match=r"after 3 attempts: cannot connect"):
        await embedder.embed_documents(["pricing"])
    assert len(openai_sleeps.waits) == 2


async def test_client_errors_are_not_retried_and_say_what_to_fix(
    make_openai_embedder: MakeEmbedder, openai_server: FakeOpenAI
) -> None:
    with pytest.raises(EmbeddingError, match="EMBEDDING_MODEL"):
        await make_openai_embedder(base_url=openai_server.root + "/nowhere/v1").embed_query("x")
    openai_server.fail_next(400, message="Invalid 'input': bad things")
    with pytest.raises(EmbeddingError, match=r"refused the request \(400\): Invalid 'input'"):
        await make_openai_embedder().embed_query("pricing")
    assert len(openai_server.embedding_requests()) == 1


# --- secrets -------------------------------------------------------------------------------


async def test_the_key_never_appears_in_errors_or_logs(
    make_openai_embedder: MakeEmbedder,
    openai_server: FakeOpenAI,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)  # every logger, the SDK's and its HTTP client's included
    wrong_key = f"sk-wrong-{openai_server.api_key[-20:]}"
    messages = []

    with pytest.raises(EmbeddingError) as rejected:
        await make_openai_embedder(api_key=wrong_key).embed_query("pricing")
    messages.append(str(rejected.value))
    assert "OPENAI_API_KEY" in str(rejected.value) and "401" in str(rejected.value)

    openai_server.fail_next(429, headers={"Retry-After": "1"})
    openai_server.fail_next(400, message=f"echoing {openai_server.api_key} back")
    with pytest.raises(EmbeddingError) as echoed:
        await make_openai_embedder().embed_documents(["pricing"])
    messages.append(str(echoed.value))

    openai_server.fail_always(500)
    with pytest.raises(EmbeddingError) as exhausted:
        await make_openai_embedder(max_attempts=2).embed_query("pricing")
    messages.append(str(exhausted.value))

    assert caplog.records, "the retries were logged"
    for secret in (openai_server.api_key, wrong_key, wrong_key[:12], openai_server.api_key[-8:]):
        assert secret not in caplog.text
        assert all(secret not in message for message in messages), messages


# --- configuration -------------------------------------------------------------------------


def test_openai_without_a_key_fails_at_start_naming_the_variable(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("SOPHIA_EMBEDDER", "openai")
    with pytest.raises(ConfigError, match="OPENAI_API_KEY"):
        load_settings()


async def test_auto_picks_openai_when_a_key_is_set_and_honours_openai_base_url(
    monkeypatch: pytest.MonkeyPatch, openai_server: FakeOpenAI, tmp_path: Path
) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", openai_server.api_key)
    monkeypatch.setenv("OPENAI_BASE_URL", openai_server.root + "/openai/v1/")
    monkeypatch.setenv("EMBEDDING_DIMS", "512")
    settings = load_settings(sophia_data_dir=tmp_path / "data")

    embedder = build_embedder(settings)
    try:
        assert isinstance(embedder, OpenAIEmbedder)
        assert embedder.name == "openai:text-embedding-3-small:512"
        assert (await embedder.embed_query("pricing")).shape == (512,)
    finally:
        await embedder.aclose()
    # Azure-style and proxy base URLs keep their path.
    assert openai_server.embedding_requests()[0].path == "/openai/v1/embeddings"
    plan = chunk_plan(settings, embedder)
    assert (plan.max_tokens, plan.overlap_tokens) == (700, 100)

    monkeypatch.delenv("OPENAI_API_KEY")
    assert build_embedder(load_settings(sophia_data_dir=tmp_path / "data")).name.startswith(
        "local:"
    )


# --- through search ------------------------------------------------------------------------


async def test_a_failing_query_embedding_falls_back_to_keyword_search_and_says_so(
    openai_server: FakeOpenAI, tmp_path: Path
) -> None:
    settings = openai_settings(tmp_path, openai_server, cache_ttl_s=0)
    app = await Sophia.open(settings)
    try:
        summary = await app.ingest_folder(corpus(tmp_path / "corpus"))
        assert summary.chunks >= 1 and summary.embedded == summary.chunks
        healthy = await app.search.search(build_request(query="SSO data residency"))
        assert healthy.mode is SearchMode.HYBRID and healthy.notice is None and healthy.hits

        openai_server.fail_always(503)
        # A fresh service over the same LanceDB directory, as another process would open it.
        store = LanceStore(settings.sophia_data_dir / "index")
        await store.ensure_index(IndexInfo(app.embedder.name, app.embedder.dim))
        embedder = OpenAIEmbedder.from_settings(settings, query_attempts=1)
        service = SearchService(store, embedder, NoCache())
        try:
            degraded = await service.search(build_request(query="SSO data residency"))
        finally:
            await embedder.aclose()
    finally:
        await app.aclose()

    assert degraded.mode is SearchMode.KEYWORD
    assert degraded.notice and "keyword" in degraded.notice
    assert degraded.hits and "SSO" in degraded.hits[0].text


async def test_an_index_of_another_model_or_size_is_never_mixed(
    openai_server: FakeOpenAI, tmp_path: Path
) -> None:
    settings = openai_settings(tmp_path, openai_server)
    app = await Sophia.open(settings)
    await app.aclose()

    for change in ({"embedding_dims": 256}, {"embedding_model": "text-embedding-3-large"}):
        with pytest.raises(IndexMismatch, match="sophia reindex"):
            await Sophia.open(settings.model_copy(update=change))
