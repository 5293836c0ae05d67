"""A long Gong backfill serves the polls (and webhook calls) that arrive while it runs,
between its batches, through its own client and throttle."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import pytest

from sophia.core.config import Settings
from sophia.core.ingest_summary import IngestSummary
from sophia.core.services import Sophia
from tests.conftest import NOW
from tests.fakes.gong_records import call_record, transcript_record
from tests.fakes.gong_server import EXTENSIVE, FakeGong

pytest_plugins = ["tests.fakes.gong_fixtures"]


def add(server: FakeGong, call_id: str, age: timedelta) -> None:
    server.add_call(call_record(call_id, NOW - age), transcript_record(call_id))


@pytest.fixture
async def sophia(settings: Settings, gong_server: FakeGong) -> AsyncIterator[Sophia]:
    gong_server.page_size = 100  # fewer requests at Gong's own pace (3 per second at most)
    configured = Settings(
        _env_file=None,
        sophia_data_dir=settings.sophia_data_dir,
        sophia_embedder="hashing",
        retention_days=0,
        gong_base_url=gong_server.url,
        gong_access_key=gong_server.access_key,
        gong_access_secret=gong_server.access_secret,
        gong_rate_limit=3,
        sync_batch_size=2,
        sync_window_days=10,
    )
    opened = await Sophia.open(configured)
    yield opened
    await opened.aclose()


class OnFirstBatch:
    """Progress that runs `then` once, after the backfill's first stored batch."""

    def __init__(self, then: Any) -> None:
        self.then = then
        self.task: asyncio.Task[Any] | None = None

    def update(self, summary: IngestSummary, seen: int | None, total: int | None) -> None:
        if self.task is None:
            self.task = asyncio.ensure_future(self.then())


async def test_a_poll_during_a_backfill_is_served_between_its_batches(
    sophia: Sophia, gong_server: FakeGong
) -> None:
    for n in range(12):  # five weeks of history: several windows to walk
        add(gong_server, f"old{n}", timedelta(days=3 + 3 * n))

    async def poll() -> IngestSummary | None:
        add(gong_server, "new", timedelta(minutes=20))
        return await sophia.poll(wait=0)

    progress = OnFirstBatch(poll)
    summary = await sophia.sync(since=NOW - timedelta(days=40), progress=progress)

    assert progress.task is not None
    assert await progress.task is None  # served by the backfill, not a sync of its own
    assert summary.indexed == 13
    recent = (NOW - timedelta(hours=6)).strftime("%Y-%m-%dT%H:%M:%SZ")
    starts = [r.filter.get("fromDateTime") for r in gong_server.requests_to(EXTENSIVE)]
    served_at = starts.index(recent)
    # The backfill had windows left when it served the poll: it did not wait for them.
    assert len([s for s in starts[served_at + 1 :] if s is not None and s < recent]) == 2
    assert [c.call_id for c in await sophia.store.list_calls(transcripts=False)].count("new") == 1


async def test_a_poll_with_no_sync_running_runs_its_own(
    sophia: Sophia, gong_server: FakeGong
) -> None:
    add(gong_server, "1", timedelta(hours=1))
    summary = await sophia.poll(wait=0)
    assert summary is not None and summary.indexed == 1


async def test_webhook_calls_queued_during_a_backfill_are_fetched_by_id_at_its_next_batch(
    sophia: Sophia, gong_server: FakeGong
) -> None:
    for n in range(12):
        add(gong_server, f"old{n}", timedelta(days=3 + 3 * n))
    # Started 60 days ago: outside every window the backfill reads, reachable only by id.
    add(gong_server, "hooked", timedelta(days=60))

    async def hook() -> None:
        sophia.urgent.add_calls(["hooked", "not-in-gong-yet"])

    summary = await sophia.sync(since=NOW - timedelta(days=40), progress=OnFirstBatch(hook))

    by_id = [
        r.filter["callIds"] for r in gong_server.requests_to(EXTENSIVE) if "callIds" in r.filter
    ]
    assert by_id == [["hooked", "not-in-gong-yet"]]
    assert summary.indexed == 13
    assert summary.pending == 1  # asked again by id on the next sync, never dropped
