"""Retention: the purge removes calls older than RETENTION_DAYS from either store, logs what
it removed, and the next ingest or Gong sync does not bring them back."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from pydantic import SecretStr

from sophia.core.config import Settings
from sophia.core.query import build_request
from sophia.core.services import Sophia
from sophia.core.session import Viewer
from tests.conftest import NOW, raw_call, raw_transcript, write_folder
from tests.fakes.gong_server import FakeGong
from tests.fakes.loopback import clear_proxies

pytest_plugins = ["tests.fakes.weaviate_fixtures"]

OLD, OLDER, RECENT = "8400000000000000001", "8400000000000000002", "8400000000000000003"
AGES = {OLDER: 60, OLD: 40, RECENT: 2}


def iso(days_ago: int) -> str:
    return (NOW - timedelta(days=days_ago)).strftime("%Y-%m-%dT%H:%M:%SZ")


def raw_calls() -> tuple[list[dict], list[dict]]:
    calls = [raw_call(cid, account="Olympus", started=iso(age)) for cid, age in AGES.items()]
    transcripts = [
        raw_transcript(cid, [("2002", [f"Renewal pricing came up {age} days ago."])])
        for cid, age in AGES.items()
    ]
    return calls, transcripts


async def stored_ids(sophia: Sophia) -> list[str]:
    return sorted(c.call_id for c in await sophia.store.list_calls(transcripts=False))


async def searched_ids(sophia: Sophia) -> set[str]:
    result = await sophia.session(Viewer("cli", user="test")).search(
        build_request(query="renewal pricing", limit=10)
    )
    return {hit.call_id for hit in result.hits}


@pytest.fixture(params=["lance", "weaviate-fake"])
def store_settings(request: pytest.FixtureRequest, settings: Settings) -> Settings:
    if request.param == "lance":
        return settings
    fake = request.getfixturevalue("weaviate_server")
    return settings.model_copy(
        update={"weaviate_endpoint": fake.url, "weaviate_grpc_port": fake.grpc_port}
    )


async def test_the_purge_removes_old_calls_logs_them_and_ingest_does_not_restore_them(
    store_settings: Settings, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    folder = write_folder(tmp_path / "corpus", *raw_calls())
    keep_all = await Sophia.open(store_settings)  # RETENTION_DAYS=0 keeps everything
    try:
        assert (await keep_all.ingest_folder(folder)).indexed == 3
        assert await keep_all.purge_expired() == []  # 0 days: no purge at all
    finally:
        await keep_all.aclose()

    thirty = store_settings.model_copy(update={"retention_days": 30})
    sophia = await Sophia.open(thirty)
    try:
        before = await sophia.store.counts()
        with caplog.at_level(logging.INFO, logger="sophia"):
            removed = await sophia.purge_expired()
        assert removed == sorted([OLD, OLDER])
        [record] = [r for r in caplog.records if "retention purge" in r.getMessage()]
        message = record.getMessage()
        assert "removed 2 calls (2 chunks)" in message and "RETENTION_DAYS=30" in message
        assert OLD in message and OLDER in message and RECENT not in message
        assert record.removed_call_ids == sorted([OLD, OLDER])  # type: ignore[attr-defined]
        assert await stored_ids(sophia) == [RECENT]
        assert await searched_ids(sophia) == {RECENT}
        assert (await sophia.store.counts()).chunks == before.chunks - 2

        again = await sophia.ingest_folder(folder)
        assert (again.indexed, again.too_old, again.unchanged) == (0, 2, 1)
        assert await stored_ids(sophia) == [RECENT]
        assert await sophia.purge_expired() == []
    finally:
        await sophia.aclose()


@pytest.fixture
def gong_server(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeGong]:
    """A fake Gong serving whole pages: the sync's throttle (3 requests/s) sets this test's pace."""
    clear_proxies(monkeypatch)
    server = FakeGong(page_size=100).start()
    yield server
    server.stop()


async def test_purged_calls_are_not_synced_again_from_gong(
    gong_server: FakeGong, settings: Settings
) -> None:
    for call, transcript in zip(*raw_calls(), strict=True):
        gong_server.add_call(call, transcript)
    gong = settings.model_copy(
        update={
            "gong_base_url": gong_server.url,
            "gong_access_key": SecretStr(gong_server.access_key),
            "gong_access_secret": SecretStr(gong_server.access_secret),
            "gong_rate_limit": 3.0,
            "sync_window_days": 90,  # one window, so two requests a sync
        }
    )
    since = NOW - timedelta(days=65)
    sophia = await Sophia.open(gong)
    try:
        assert (await sophia.sync(since)).indexed == 3
    finally:
        await sophia.aclose()

    sophia = await Sophia.open(gong.model_copy(update={"retention_days": 30}))
    try:
        assert await sophia.purge_expired() == sorted([OLD, OLDER])
        fetched = len(gong_server.requests)
        resynced = await sophia.sync(since)
        assert len(gong_server.requests) > fetched  # Gong did send the old calls again
        assert (resynced.indexed, resynced.too_old) == (0, 2)
        assert await stored_ids(sophia) == [RECENT]
    finally:
        await sophia.aclose()
