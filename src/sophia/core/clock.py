"""The one clock: every "now" and "today" in Sophia is read through a `Clock`.

`Sophia.open` builds one and hands it to every part that asks what time it is (the
samples' week shift, retention, periods such as "this quarter", the Gong sync window, the
audit log, the state DB, the scheduler's jobs). Tests pin it, so no answer depends on the
day a test runs; `SOPHIA_NOW` pins it for a whole process (a replay of a past brief, a
subprocess under test).

Durations (latency, timeouts, rate limits, cache TTLs) are measured with
`time.monotonic`/`perf_counter`, never with this clock: they never decide which data a
user sees, and a pinned clock must not stop them. APScheduler's triggers fire on the
machine's time, like cron; what the jobs they start compute reads this clock.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, tzinfo
from typing import Protocol

__all__ = ["Clock", "FixedClock", "SystemClock", "machine_time", "today"]


class Clock(Protocol):
    """Tells the time: an aware datetime in UTC."""

    def now(self) -> datetime: ...


class SystemClock:
    """The machine's clock: what production runs on."""

    def now(self) -> datetime:
        return datetime.now(UTC)


class FixedClock:
    """Always the same instant until moved: tests, and `SOPHIA_NOW`."""

    def __init__(self, at: datetime) -> None:
        self._at = _aware(at)

    def now(self) -> datetime:
        return self._at

    def set(self, at: datetime) -> None:
        """Move to `at` (forwards or back)."""
        self._at = _aware(at)

    def advance(self, delta: timedelta) -> None:
        """Move forwards by `delta`."""
        self._at += delta


def today(clock: Clock, zone: tzinfo = UTC) -> date:
    """The calendar day it is in `zone` by `clock`."""
    return clock.now().astimezone(zone).date()


def machine_time(zone: tzinfo = UTC) -> datetime:
    """The machine's time, for timers that follow it (APScheduler's next run), never for
    what data a user sees: that is `Clock.now()`."""
    return datetime.now(zone)


def _aware(at: datetime) -> datetime:
    if at.tzinfo is None or at.utcoffset() is None:
        raise ValueError(f"a clock needs a time zone: {at.isoformat()} has none")
    return at.astimezone(UTC)
