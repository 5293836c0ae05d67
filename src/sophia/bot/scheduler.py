"""Scheduled jobs in the process's event loop (APScheduler 3): the Gong poll, the weekly brief
and the daily purge (retention, then the store's compaction).

`Jobs` holds the work, callable directly (tests, a one-off run); `Scheduler` runs it on
time. A job never overlaps itself (`max_instances=1`; a missed run is coalesced into one)
and a failure is one log line: the job runs again at its next time. A sync or purge that
finds another writer (a reindex, a manual ingest) waits for it and runs right after. The
scheduler keeps no lock across processes, so exactly one replica runs it (`sophia run
--no-bot`; web replicas run `--no-scheduler`).
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from zoneinfo import ZoneInfo

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.date import DateTrigger
from apscheduler.triggers.interval import IntervalTrigger
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from sophia.bot.call_cards import post_call_cards
from sophia.bot.posting import post_answer
from sophia.core.call_cards import AccountChannels
from sophia.core.clock import machine_time
from sophia.core.errors import SophiaError
from sophia.core.ingest import IngestSummary
from sophia.core.services import Sophia
from sophia.core.viewer import Viewer

__all__ = ["CATCH_UP", "PURGE", "SYNC", "WEEKLY_BRIEF", "Jobs", "Scheduler"]

log = logging.getLogger("sophia.scheduler")

SYNC, CATCH_UP, WEEKLY_BRIEF, PURGE = "sync", "catch_up", "weekly_brief", "purge"
# A run the process was too busy (or asleep) to start on time still runs within this window.
_MISFIRE_GRACE_S = 3600


class Jobs:
    """What each job does. `client` (the bot token's Web API client) posts the weekly brief."""

    def __init__(self, sophia: Sophia, client: AsyncWebClient | None) -> None:
        self.sophia = sophia
        self.client = client
        self.channels = AccountChannels.load(sophia.settings.account_channels)

    async def sync(self) -> None:
        """Fetch new and changed calls from Gong; after the writer running now, if any (for
        at most one sync interval: by then the next run is due, and it waits instead)."""
        settings = self.sophia.settings
        interval_s = settings.sync_interval.total_seconds()
        summary: IngestSummary | None
        if not settings.gong_configured and settings.sync_folder is not None:
            # The demo's source: a call file dropped into the folder is a new call.
            summary = await self.sophia.ingest_folder(settings.sync_folder, wait=True)
        else:
            summary = await self.sophia.poll(wait=interval_s)
        if summary is None:
            log.info("scheduled sync: served by the sync already running")
        else:
            log.info("scheduled sync: %s", summary.line())
        if self.sophia.urgent.call_ids:
            # Webhook calls queued after the run's last batch: this job is still running,
            # so their wake-up was skipped; fetch them now rather than at the next poll.
            summary = await self.sophia.poll(wait=interval_s)
            log.info("webhook calls fetched: %s", summary.line() if summary else "served")
        if self.client is not None and self.channels.configured:
            await post_call_cards(self.sophia, self.client, self.channels)

    async def weekly_brief(self) -> list[str]:
        """Post the weekly brief to every BRIEF_CHANNELS channel; returns where it was posted.

        A channel that refuses it (the bot not invited to a private channel, a typo) is
        logged and skipped; the others still get it.
        """
        if self.client is None:
            raise SophiaError("the weekly brief needs SLACK_BOT_TOKEN to post")
        settings = self.sophia.settings
        answer = await self.sophia.session(Viewer("scheduler")).weekly_brief()
        zone = ZoneInfo(settings.sophia_timezone)
        posted = []
        for channel in settings.brief_channel_list:
            try:
                await post_answer(self.client, channel, answer, zone)
            except SlackApiError as exc:
                log.error(
                    "weekly brief not posted to %s: %s", channel, exc.response.get("error", exc)
                )
                continue
            posted.append(channel)
        log.info("weekly brief posted to %s", ", ".join(posted) or "no channel")
        return posted

    async def purge(self) -> None:
        """Remove calls older than RETENTION_DAYS and compact the store (after a sync or
        reindex in progress: a day's purge is not skipped for it)."""
        await self.sophia.purge_expired(wait=True)


class Scheduler:
    """The jobs that apply to this configuration, on their triggers in SOPHIA_TIMEZONE."""

    def __init__(self, jobs: Jobs) -> None:
        settings = jobs.sophia.settings
        self.zone = ZoneInfo(settings.sophia_timezone)
        # Public for its event API (a skipped overlapping run is EVENT_JOB_MAX_INSTANCES).
        self.apscheduler = AsyncIOScheduler(
            timezone=self.zone,
            job_defaults={
                "max_instances": 1,
                "coalesce": True,
                "misfire_grace_time": _MISFIRE_GRACE_S,
            },
        )
        self._running: set[asyncio.Task[None]] = set()
        if settings.gong_configured or settings.sync_folder is not None:
            if settings.sync_interval_hours is not None:
                log.warning(
                    "SYNC_INTERVAL_HOURS is deprecated: polling Gong every %g h; set "
                    "SYNC_INTERVAL_MINUTES instead (default 10)",
                    settings.sync_interval_hours,
                )
            # A process that was down catches up at once, in its own job: the polls keep
            # their times meanwhile, and the catch-up serves them between its batches.
            self._add(CATCH_UP, jobs.sync, DateTrigger(machine_time(self.zone)))
            # A verified Gong webhook queues its call: poll now (a running sync takes it).
            jobs.sophia.urgent.on_queued(lambda: self.run_now(SYNC))
            self._add(
                SYNC,
                jobs.sync,
                IntervalTrigger(seconds=settings.sync_interval.total_seconds(), timezone=self.zone),
            )
        if jobs.client is not None and settings.brief_channel_list:
            self._add(
                WEEKLY_BRIEF,
                jobs.weekly_brief,
                CronTrigger.from_crontab(settings.brief_cron, timezone=self.zone),
            )
        # Runs without RETENTION_DAYS too: it also compacts the store (deleted rows, the
        # small files syncs leave), which syncs only do when those pile up.
        self._add(
            PURGE, jobs.purge, CronTrigger.from_crontab(settings.purge_cron, timezone=self.zone)
        )

    @property
    def job_ids(self) -> list[str]:
        return [job.id for job in self.apscheduler.get_jobs()]

    def start(self) -> None:
        self.apscheduler.start()
        for job in self.apscheduler.get_jobs():
            log.info("scheduled %s: next run %s", job.id, job.next_run_time.isoformat())

    def run_now(self, job_id: str) -> None:
        """Start `job_id` now, as its trigger would (it still never overlaps itself)."""
        self.apscheduler.modify_job(job_id, next_run_time=machine_time(self.zone))

    async def stop(self) -> None:
        """Stop scheduling and cancel the jobs in flight (a sync keeps its finished batches)."""
        if self.apscheduler.running:
            self.apscheduler.shutdown(wait=False)
        for task in list(self._running):
            task.cancel()
        await asyncio.gather(*self._running, return_exceptions=True)

    def _add(
        self, job_id: str, work: Callable[[], Awaitable[object]], trigger: object, **options: object
    ) -> None:
        async def run() -> None:
            task = asyncio.current_task()
            assert task is not None
            self._running.add(task)
            started = time.perf_counter()
            try:
                await work()
            except SophiaError as exc:
                log.error("job %s failed: %s; it runs again at its next time", job_id, exc)
            except Exception:
                log.exception("job %s failed; it runs again at its next time", job_id)
            else:
                log.info(
                    "job %s done in %.1f s",
                    job_id,
                    time.perf_counter() - started,
                    extra={"job": job_id},
                )
            finally:
                self._running.discard(task)

        self.apscheduler.add_job(run, trigger, id=job_id, name=job_id, **options)
