"""`GongApiSource`: calls from the live Gong API, window by window, with a typed checkpoint.

A run first retries the calls left pending by earlier runs (by callIds), then walks date
windows from the checkpoint to now. Each window is read in full from both endpoints, joined
on call id, and yielded in batches; the window's last batch carries a checkpoint that moves
`synced_until` to the window's end. A crash mid-window therefore re-reads that window on the
next run, which is cheap: the pipeline skips calls whose content hash has not changed.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Iterator, Sequence
from datetime import UTC, datetime, timedelta
from typing import Unpack

from pydantic import ValidationError

from sophia.core.clock import Clock, SystemClock
from sophia.core.config import Settings
from sophia.core.errors import SourceError
from sophia.core.gong.client import MAX_CALL_IDS, GongClient
from sophia.core.gong.parsing import parse_call_details, parse_transcript
from sophia.core.sources.base import SourceBatch
from sophia.core.sources.gong_run import (
    Fetched,
    GongCheckpoint,
    Run,
    SyncDays,
    in_batches,
    windows,
)
from sophia.core.sources.gong_urgent import Urgent, UrgentFetches
from sophia.core.sources.join import join_calls
from sophia.core.state import StateDB

__all__ = ["CHECKPOINT_KEY", "GongApiSource", "GongCallsSource", "GongCheckpoint"]

logger = logging.getLogger("sophia.gong")

CHECKPOINT_KEY = "gong.checkpoint"
# How far back the first sync reaches when RETENTION_DAYS is 0 ("keep everything").
_FIRST_SYNC_DAYS_UNLIMITED = 90


class GongApiSource:
    """The `CallSource` that reads Gong's REST API."""

    name = "gong"

    def __init__(
        self,
        client: GongClient,
        state: StateDB,
        *,
        settings: Settings | None = None,
        clock: Clock | None = None,
        urgent: UrgentFetches | None = None,
        **days: Unpack[SyncDays],
    ) -> None:
        """Window, repoll and retention days: from `days`, else from `settings`, else defaults.
        `urgent` is served between batches (webhook calls, polls waiting on this run)."""
        window = _setting(days.get("window_days"), settings, "sync_window_days")
        repoll = _setting(days.get("repoll_days"), settings, "sync_repoll_days")
        retention = _setting(days.get("retention_days"), settings, "retention_days")
        overlap = _setting(days.get("poll_overlap_hours"), settings, "sync_poll_overlap_hours")
        every = _setting(days.get("repoll_every_hours"), settings, "sync_repoll_every_hours")
        if window < 1 or repoll < 0 or retention < 0:
            raise ValueError("window_days must be >= 1; repoll_days, retention_days >= 0")
        self._client = client
        self._state = state
        self._window = timedelta(days=window)
        self._repoll = timedelta(days=repoll)
        self._overlap = min(timedelta(hours=overlap), self._repoll)
        self._repoll_every = timedelta(hours=every)
        self._retention = timedelta(days=retention) if retention else None
        self._first_sync = timedelta(days=retention or _FIRST_SYNC_DAYS_UNLIMITED)
        self._clock = clock or SystemClock()
        self._run: Run | None = None
        self._urgent = urgent
        # Batch (by id) -> the urgent work whose last calls it carries, done at its commit.
        self._serving: dict[int, Urgent] = {}

    @property
    def pending_count(self) -> int:
        """Calls still waiting for their details or transcript (never dropped)."""
        if self._run is None:
            return len(self.load_checkpoint().pending)
        return len(self._run.pending)

    def load_checkpoint(self) -> GongCheckpoint:
        """The stored checkpoint (empty before the first sync); SourceError if it is corrupt."""
        try:
            raw = self._state.get_json(CHECKPOINT_KEY)
            return GongCheckpoint() if raw is None else GongCheckpoint.model_validate(raw)
        except (ValidationError, ValueError) as exc:
            raise SourceError(
                f"The Gong sync checkpoint ({CHECKPOINT_KEY!r} in the state database) is "
                f"corrupt: {_first_problem(exc)}. Delete that entry to sync from scratch; calls "
                "already indexed are kept."
            ) from None

    async def commit(self, batch: SourceBatch) -> None:
        """Persist the checkpoint of a batch whose calls are all stored."""
        if not isinstance(batch.checkpoint, GongCheckpoint):
            raise TypeError(f"not a Gong batch checkpoint: {type(batch.checkpoint).__name__}")
        self._state.put_json(CHECKPOINT_KEY, batch.checkpoint.model_dump(mode="json"))
        served = self._serving.pop(id(batch), None)
        if served is not None:
            UrgentFetches.served(served)

    def give_back(self) -> None:
        """Requeue the webhook calls of urgent work taken but not stored (a failed run)."""
        if self._urgent is not None:
            for unserved in self._serving.values():
                self._urgent.add_calls(unserved.call_ids)
        self._serving.clear()

    async def batches(self, batch_size: int, since: datetime | None) -> AsyncIterator[SourceBatch]:
        """Pending calls first, then every window from `since` (or the checkpoint) to now."""
        if batch_size < 1:
            raise ValueError("batch_size must be at least 1")
        checkpoint = self.load_checkpoint()
        now = self._clock.now().replace(microsecond=0)
        run = self._run = Run(
            started=now,
            synced_until=checkpoint.synced_until,
            repolled_at=checkpoint.repolled_at,
            frontier=checkpoint.synced_until or now - self._first_sync,
            batch_size=batch_size,
            pending=dict(checkpoint.pending),
        )
        run.users = await self._client.users()
        if self._urgent is not None:  # webhook calls queued before the run: asked at once
            for call_id in self._urgent.take(polls=False).call_ids:
                run.pending.setdefault(call_id, now)
        if run.pending:
            asked = sorted(run.pending)
            fetched = await self._fetch(run, None, None, asked)
            for batch in self._emit(run, fetched, window_end=None, asked=asked):
                yield batch
        start = self._start(since, checkpoint, now)
        run.full_repoll = since is None and start <= now - self._repoll
        for window_start, window_end in windows(start, now, self._window):
            fetched = await self._fetch(run, window_start, window_end, None)
            advances = window_start <= run.frontier
            for batch in self._emit(run, fetched, window_end if advances else None):
                yield batch
                async for urgent_batch in self._serve(run):
                    yield urgent_batch
        logger.info("Gong run done: %d calls seen, %d pending", len(run.seen), len(run.pending))

    async def _serve(self, run: Run) -> AsyncIterator[SourceBatch]:
        """The urgent work queued since the last batch, as batches that move no checkpoint:
        the webhooks' calls, and for a waiting poll the pending calls and the recent window."""
        urgent = self._urgent.take() if self._urgent is not None else None
        if not urgent:
            return
        now = self._clock.now().replace(microsecond=0)
        for call_id in urgent.call_ids:  # Gong may not list it yet: pending until it does
            run.pending.setdefault(call_id, now)
        asked = sorted(run.pending) if urgent.polls else urgent.call_ids
        served = list(self._emit(run, await self._fetch(run, None, None, asked), None, asked))
        if urgent.polls:
            recent = (run.synced_until or now) - self._overlap
            served += self._emit(run, await self._fetch(run, recent, now, None), None)
        logger.info("Gong run served %d calls by id and %d polls", len(asked), len(urgent.polls))
        self._serving[id(served[-1])] = urgent
        for batch in served:
            yield batch

    def _start(self, since: datetime | None, checkpoint: GongCheckpoint, now: datetime) -> datetime:
        if since is not None:
            return since if since.tzinfo else since.replace(tzinfo=UTC)
        if checkpoint.synced_until is None:
            return now - self._first_sync
        # Gong's analysis and transcripts arrive late: re-read the trailing days now and
        # then; a poll in between re-reads only the overlap, so it costs O(new calls).
        repolled = checkpoint.repolled_at
        due = repolled is None or now - repolled >= self._repoll_every
        start = checkpoint.synced_until - (self._repoll if due else self._overlap)
        return max(start, now - self._retention) if self._retention else start

    async def _fetch(
        self,
        run: Run,
        start: datetime | None,
        end: datetime | None,
        call_ids: Sequence[str] | None,
    ) -> Fetched:
        """Both halves of every call in [start, end) (or of `call_ids`), parsed."""
        fetched = Fetched()
        window = "pending calls" if start is None else f"{start:%Y-%m-%d}..{end:%Y-%m-%d}"
        # Keyed by call id: an expired cursor restarts a listing and repeats its pages.
        async for page in self._client.calls_extensive(start, end, call_ids):
            for index, raw in enumerate(page):
                try:
                    details = parse_call_details(raw, run.users)
                except SourceError as exc:
                    fetched.refuse(raw, f"call item {index} of {window}", exc)
                    continue
                fetched.details[details.call_id] = details
        async for page in self._client.transcripts(start, end, call_ids):
            for index, raw in enumerate(page):
                try:
                    transcript = parse_transcript(raw)
                except SourceError as exc:
                    fetched.refuse(raw, f"transcript item {index} of {window}", exc)
                    continue
                fetched.transcripts[transcript.call_id] = transcript
        # A call with one half refused is quarantined as a whole, not pending for the other.
        for call_id in fetched.quarantined:
            fetched.details.pop(call_id, None)
            fetched.transcripts.pop(call_id, None)
        run.seen.update(fetched.details, fetched.transcripts, fetched.quarantined)
        return fetched

    def _emit(
        self,
        run: Run,
        fetched: Fetched,
        window_end: datetime | None,
        asked: Sequence[str] = (),
    ) -> Iterator[SourceBatch]:
        """Batches of the joined calls; the last one moves `synced_until` to `window_end`."""
        calls, half_seen = join_calls(fetched.details, fetched.transcripts)
        calls = [call for call in calls if call.call_id not in run.yielded]
        for call_id in half_seen:
            if call_id not in run.yielded:
                run.pending.setdefault(call_id, run.started)
        # Quarantined calls are settled (the quarantine retries them), so never pending.
        for call_id in fetched.quarantined:
            run.pending.pop(call_id, None)
        resolved = {call.call_id for call in calls} | run.yielded | set(fetched.quarantined)
        # Each still-pending id is reported once per run, in the first batch that knows it.
        new_pending = tuple(sorted({*half_seen, *asked} - resolved - run.reported_pending))
        run.reported_pending.update(new_pending)
        chunks = in_batches(calls, run.batch_size)
        for index, chunk in enumerate(chunks):
            for call in chunk:
                # Removed batch by batch: a pending call leaves the checkpoint only with the
                # batch that stores it, so a crash before that batch keeps it pending.
                run.pending.pop(call.call_id, None)
                run.yielded.add(call.call_id)
            first, last = index == 0, index == len(chunks) - 1
            if last and window_end is not None:
                self._advance(run, window_end)
            yield SourceBatch(
                calls=chunk,
                pending=new_pending if first else (),
                quarantined=tuple(fetched.quarantined.values()) if first else (),
                checkpoint=GongCheckpoint(
                    synced_until=run.synced_until,
                    pending=dict(run.pending),
                    last_run=run.started,
                    repolled_at=run.repolled_at,
                ),
                seen=len(run.seen),
            )

    async def batches_for(
        self, call_ids: Sequence[str], batch_size: int
    ) -> AsyncIterator[SourceBatch]:
        """Just these calls (quarantined ones being retried); the checkpoint is not involved."""
        now = self._clock.now().replace(microsecond=0)
        run = self._run = Run(
            started=now,
            synced_until=None,
            repolled_at=None,
            frontier=now,
            batch_size=batch_size,
            pending={},
        )
        run.users = await self._client.users()
        for start in range(0, len(call_ids), MAX_CALL_IDS):
            asked = list(call_ids[start : start + MAX_CALL_IDS])
            fetched = await self._fetch(run, None, None, asked)
            for batch in self._emit(run, fetched, window_end=None, asked=asked):
                yield batch

    @staticmethod
    def _advance(run: Run, window_end: datetime) -> None:
        if run.synced_until is None or window_end > run.synced_until:
            run.synced_until = window_end
        run.frontier = max(run.frontier, window_end)
        if run.full_repoll and window_end >= run.started:
            run.repolled_at = run.started


class GongCallsSource:
    """Named calls from the Gong API, without touching the sync checkpoint."""

    name = "gong"

    def __init__(self, source: GongApiSource, call_ids: Sequence[str]) -> None:
        self._source = source
        self._call_ids = list(call_ids)

    @property
    def pending_count(self) -> int:
        return 0

    def batches(self, batch_size: int, since: datetime | None) -> AsyncIterator[SourceBatch]:
        return self._source.batches_for(self._call_ids, batch_size)

    async def commit(self, batch: SourceBatch) -> None:
        return None


def _setting(explicit: float | None, settings: Settings | None, name: str) -> float:
    if explicit is not None:
        return explicit
    if settings is not None:
        return float(getattr(settings, name))
    return float(Settings.model_fields[name].default)


def _first_problem(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        problem = exc.errors(include_url=False, include_input=False)[0]
        where = ".".join(str(part) for part in problem["loc"]) or "checkpoint"
        return f"{where}: {problem['msg']}"
    return str(exc).splitlines()[0] if str(exc) else type(exc).__name__
