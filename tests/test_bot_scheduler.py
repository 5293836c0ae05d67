"""Scheduled jobs, triggered directly (no waiting on the clock): the weekly brief is posted to
its channels, a job never overlaps itself, a failure is one log line and the job stays on."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Callable, Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from apscheduler.events import (
    EVENT_JOB_EXECUTED,
    EVENT_JOB_MAX_INSTANCES,
    EVENT_JOB_SUBMITTED,
    JobEvent,
)
from prometheus_client import REGISTRY

from sophia.bot.scheduler import CATCH_UP, PURGE, SYNC, WEEKLY_BRIEF, Jobs, Scheduler
from sophia.bot.slack_bot import web_client
from sophia.core.clock import FixedClock, machine_time
from sophia.core.config import Settings
from sophia.core.services import Sophia
from sophia.core.writer import WriterLock
from tests.conftest import NOW
from tests.fakes.gong_records import call_record, transcript_record
from tests.fakes.gong_server import FakeGong
from tests.fakes.slack_server import FakeSlack

pytest_plugins = ["tests.fakes.slack_fixtures", "tests.fakes.gong_fixtures"]

Open = Callable[..., Any]


@pytest.fixture
async def open_scheduler(sophia_dir: Path, slack: FakeSlack) -> AsyncIterator[Callable[..., Any]]:
    """Open Sophia on the hashed samples with these settings, and a started scheduler."""
    from tests.fakes.slack_fixtures import BRIEF_MONDAY, bot_settings

    opened: list[tuple[Sophia, Scheduler]] = []

    async def make(*, token: bool = True, **overrides: Any) -> tuple[Sophia, Scheduler]:
        settings = bot_settings(sophia_dir, slack, **overrides)
        if not token:
            settings = settings.model_copy(update={"slack_bot_token": None})
        # The brief's Monday, 09:00: the clock every test here reads (SOPHIA_NOW).
        assert settings.sophia_now == BRIEF_MONDAY
        sophia = await Sophia.open(settings)
        client = web_client(settings) if token else None
        scheduler = Scheduler(Jobs(sophia, client))
        scheduler.start()
        opened.append((sophia, scheduler))
        return sophia, scheduler

    yield make
    for sophia, scheduler in opened:
        await scheduler.stop()
        await sophia.aclose()


def on(scheduler: Scheduler, event_code: int, job_id: str) -> asyncio.Event:
    """An event set when APScheduler reports `event_code` for `job_id`."""
    happened = asyncio.Event()

    def listener(event: JobEvent) -> None:
        if event.job_id == job_id:
            happened.set()

    scheduler.apscheduler.add_listener(listener, event_code)
    return happened


async def test_the_weekly_brief_is_posted_to_each_brief_channel_when_triggered(
    open_scheduler: Open, slack: FakeSlack
) -> None:
    _, scheduler = await open_scheduler(brief_channels="#sales-team, CGENERAL")
    assert sorted(scheduler.job_ids) == [PURGE, WEEKLY_BRIEF]  # no Gong credentials
    scheduler.run_now(WEEKLY_BRIEF)
    posts = await slack.wait_calls("chat.postMessage", 2)
    assert [p.args["channel"] for p in posts] == ["#sales-team", "CGENERAL"]
    # The seven days before the Monday and the Monday so far; a week that crosses New Year
    # adds the years (tests/test_periods.py), which this Monday's does not.
    title = "Weekly brief, Nov 16 – Nov 23"
    for post in posts:
        blocks = post.args["blocks"]
        assert blocks[0]["text"]["text"] == title
        shown = "\n".join(b["text"]["text"] for b in blocks if b["type"] == "section")
        assert "*Top topics*" in shown and "*Objections*" in shown and "*Sources*" in shown
        assert "|[1]>" in shown  # cited
    assert slack.invalid == []
    job = scheduler.apscheduler.get_job(WEEKLY_BRIEF)
    assert job.next_run_time > machine_time(scheduler.zone)  # back on its cron


async def test_a_channel_that_refuses_the_brief_is_skipped_and_logged(
    open_scheduler: Open, slack: FakeSlack, caplog: pytest.LogCaptureFixture
) -> None:
    sophia, _ = await open_scheduler(brief_channels="#nowhere, #sales-team")
    posted = await Jobs(sophia, web_client(sophia.settings)).weekly_brief()
    assert posted == ["#sales-team"]
    [error] = [r for r in caplog.records if r.levelno == logging.ERROR]
    assert error.getMessage() == "weekly brief not posted to #nowhere: channel_not_found"


async def test_a_job_never_overlaps_itself(open_scheduler: Open, slack: FakeSlack) -> None:
    _, scheduler = await open_scheduler(brief_channels="CGENERAL")
    assert all(j.max_instances == 1 and j.coalesce for j in scheduler.apscheduler.get_jobs())
    skipped = on(scheduler, EVENT_JOB_MAX_INSTANCES, WEEKLY_BRIEF)
    done = on(scheduler, EVENT_JOB_EXECUTED, WEEKLY_BRIEF)
    slack.hold("chat.postMessage")
    scheduler.run_now(WEEKLY_BRIEF)
    await slack.wait_held("chat.postMessage")  # the first run is in flight
    scheduler.run_now(WEEKLY_BRIEF)
    await asyncio.wait_for(skipped.wait(), 5)
    slack.release("chat.postMessage")
    await asyncio.wait_for(done.wait(), 5)
    assert len(slack.calls_to("chat.postMessage")) == 1


async def test_the_catch_up_runs_at_start_and_a_poll_due_meanwhile_waits_for_it(
    open_scheduler: Open, gong_server: FakeGong, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="sophia")
    gong_server.stall_next("/v2/calls/extensive")
    sophia, scheduler = await open_scheduler(
        token=False,
        gong_access_key=gong_server.access_key,
        gong_access_secret=gong_server.access_secret,
        gong_base_url=gong_server.url,
    )
    assert sorted(scheduler.job_ids) == [CATCH_UP, PURGE, SYNC]  # no bot token: no brief
    started = on(scheduler, EVENT_JOB_SUBMITTED, CATCH_UP)
    await asyncio.wait_for(started.wait(), 5)  # the catch-up at start, soon stalled on Gong
    with logged("serves it between its batches") as delegated, logged("sync waits") as waits:
        scheduler.run_now(SYNC)
        # The poll neither skipped nor queued for the writer lock: the catch-up serves it.
        await asyncio.wait_for(delegated.wait(), 5)
    assert sophia.urgent.serving
    assert not waits.is_set()


@contextlib.contextmanager
def logged(text: str) -> Iterator[asyncio.Event]:
    """An event set when a `sophia.*` log line containing `text` is written."""
    happened = asyncio.Event()

    class Watch(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            if text in record.getMessage():
                happened.set()

    watch = Watch()
    logging.getLogger("sophia").addHandler(watch)
    try:
        yield happened
    finally:
        logging.getLogger("sophia").removeHandler(watch)


def writer_waits(outcome: str) -> float:
    return (
        REGISTRY.get_sample_value(
            "sophia_writer_waits_total", {"operation": "sync", "outcome": outcome}
        )
        or 0.0
    )


async def test_a_scheduled_sync_that_finds_another_writer_waits_and_runs_right_after_it(
    open_scheduler: Open,
    gong_server: FakeGong,
    sophia_dir: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    ran_before = writer_waits("ran")
    with (
        caplog.at_level(logging.INFO, logger="sophia"),
        logged("sync waits: A reindex is already running") as waiting,
    ):
        # Another process's reindex holds the writer lock when the sync is due (at start).
        async with WriterLock(sophia_dir, FixedClock(NOW)).hold("reindex"):
            _, scheduler = await open_scheduler(
                token=False,
                gong_access_key=gong_server.access_key,
                gong_access_secret=gong_server.access_secret,
                gong_base_url=gong_server.url,
            )
            done = on(scheduler, EVENT_JOB_EXECUTED, CATCH_UP)
            await asyncio.wait_for(waiting.wait(), 10)
            assert gong_server.requests_to("/v2/calls/extensive") == [], "not before the lock"
            assert not done.is_set()
        await asyncio.wait_for(done.wait(), 20)

    assert gong_server.requests_to("/v2/calls/extensive"), "the sync ran after the reindex"
    messages = [r.getMessage() for r in caplog.records]
    assert any(m.startswith("sync runs after waiting") for m in messages)
    assert any(m.startswith("scheduled sync: ") for m in messages)
    assert not any("job sync failed" in m for m in messages)
    assert writer_waits("ran") == ran_before + 1


async def test_a_failed_job_logs_one_line_and_runs_again_at_its_next_time(
    open_scheduler: Open, gong_server: FakeGong, caplog: pytest.LogCaptureFixture
) -> None:
    gong_server.fail_next("/v2/calls/extensive", 401)
    sophia, scheduler = await open_scheduler(
        token=False,
        gong_access_key=gong_server.access_key,
        gong_access_secret="not-the-secret",
        gong_base_url=gong_server.url,
    )
    done = on(scheduler, EVENT_JOB_EXECUTED, CATCH_UP)
    await asyncio.wait_for(done.wait(), 10)
    [failure] = [r for r in caplog.records if r.name == "sophia.scheduler" and r.levelno >= 40]
    assert failure.getMessage().startswith("job catch_up failed: ")
    assert failure.getMessage().endswith("; it runs again at its next time")
    assert failure.exc_info is None  # our own error: one line, no traceback
    job = scheduler.apscheduler.get_job(SYNC)
    minutes = (job.next_run_time - machine_time(scheduler.zone)).total_seconds() / 60
    assert sophia.settings.sync_interval_minutes == 10
    assert 9.9 < minutes <= 10


async def test_the_purge_job_removes_calls_past_retention(open_scheduler: Open) -> None:
    sophia, scheduler = await open_scheduler(token=False, retention_days=30)
    assert scheduler.job_ids == [PURGE]
    done = on(scheduler, EVENT_JOB_EXECUTED, PURGE)
    scheduler.run_now(PURGE)
    await asyncio.wait_for(done.wait(), 10)
    left = await sophia.store.list_calls(transcripts=False)
    assert 0 < len(left) < 40
    cutoff = (sophia.clock.now() - timedelta(days=30)).timestamp()
    assert all(c.details.started.timestamp() >= cutoff for c in left)


def test_jobs_follow_the_configuration(tmp_path: Path) -> None:
    async def ids(**overrides: Any) -> list[str]:
        settings = Settings(
            _env_file=None,
            sophia_data_dir=tmp_path / "data",
            sophia_embedder="hashing",
            **{"retention_days": 0, **overrides},
        )
        sophia = await Sophia.open(settings)
        try:
            client = web_client(settings) if settings.slack_bot_token else None
            return Scheduler(Jobs(sophia, client)).job_ids
        finally:
            await sophia.aclose()

    assert asyncio.run(ids()) == [PURGE]  # the store's daily compaction
    everything = asyncio.run(
        ids(
            gong_access_key="k", gong_access_secret="s", slack_bot_token="xoxb-1", retention_days=90
        )
    )
    assert sorted(everything) == [CATCH_UP, PURGE, SYNC, WEEKLY_BRIEF]
    assert asyncio.run(ids(slack_bot_token="xoxb-1", brief_channels="")) == [PURGE]


def test_sync_interval_hours_still_works_as_a_deprecated_alias(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    async def interval_s(**overrides: Any) -> float:
        settings = Settings(
            _env_file=None,
            sophia_data_dir=tmp_path / "data",
            sophia_embedder="hashing",
            gong_access_key="k",
            gong_access_secret="s",
            **overrides,
        )
        sophia = await Sophia.open(settings)
        try:
            job = Scheduler(Jobs(sophia, None)).apscheduler.get_job(SYNC)
            return float(job.trigger.interval.total_seconds())
        finally:
            await sophia.aclose()

    assert asyncio.run(interval_s()) == 600
    assert not [r for r in caplog.records if "deprecated" in r.getMessage()]
    assert asyncio.run(interval_s(sync_interval_minutes=2)) == 120
    assert asyncio.run(interval_s(sync_interval_hours=2)) == 7200
    [warning] = [r for r in caplog.records if "SYNC_INTERVAL_HOURS is deprecated" in r.getMessage()]
    assert "SYNC_INTERVAL_MINUTES" in warning.getMessage()


async def test_a_queued_webhook_call_is_fetched_by_id_at_once(
    open_scheduler: Open, gong_server: FakeGong
) -> None:
    sophia, scheduler = await open_scheduler(
        token=False,
        gong_access_key=gong_server.access_key,
        gong_access_secret=gong_server.access_secret,
        gong_base_url=gong_server.url,
        sync_window_days=90,
    )
    caught_up = on(scheduler, EVENT_JOB_EXECUTED, CATCH_UP)
    await asyncio.wait_for(caught_up.wait(), 20)
    # Started 60 days ago: no poll window reaches it, only its id does.
    started = NOW - timedelta(days=60)
    gong_server.add_call(call_record("4242", started), transcript_record("4242"))
    polled = on(scheduler, EVENT_JOB_EXECUTED, SYNC)

    sophia.queue_calls(["4242"])  # what a verified webhook does

    await asyncio.wait_for(polled.wait(), 20)
    [asked] = [
        r.filter for r in gong_server.requests_to("/v2/calls/extensive") if "callIds" in r.filter
    ]
    assert asked == {"callIds": ["4242"]}
    calls = await sophia.store.list_calls(transcripts=False)
    assert "4242" in {call.call_id for call in calls}
