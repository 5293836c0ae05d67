"""Freshness: from a call's end (when Gong has it) to searchable, in `sophia stats` and
/metrics; every time read from the injected clock."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import pytest

from sophia.core.clock import FixedClock
from sophia.core.services import Sophia
from sophia.core.stats import Freshness
from tests.conftest import NOW
from tests.fakes.gong_records import call_record, transcript_record
from tests.fakes.gong_server import FakeGong
from tests.fakes.sophia_api import api_client, make_settings, metric

pytest_plugins = ["tests.fakes.gong_fixtures"]

MINUTE = timedelta(minutes=1)


def add(server: FakeGong, call_id: str, ended_ago: timedelta, minutes: int = 30) -> None:
    """A call of `minutes` that ended `ended_ago` before the clock's NOW."""
    started = NOW - ended_ago - minutes * MINUTE
    server.add_call(
        call_record(call_id, started, duration_s=minutes * 60), transcript_record(call_id)
    )


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(NOW)


@pytest.fixture
async def sophia(tmp_path: Path, gong_server: FakeGong, clock: FixedClock) -> AsyncIterator[Sophia]:
    gong = {name.lower(): value for name, value in gong_server.env().items()}
    # One window for the first sync's 90 days: few requests at Gong's pace.
    settings = make_settings(tmp_path / "data", sync_window_days=90, **gong)
    opened = await Sophia.open(settings, clock=clock)
    yield opened
    await opened.aclose()


async def test_lag_counts_calls_indexed_live_not_the_backfill(
    sophia: Sophia, gong_server: FakeGong, clock: FixedClock
) -> None:
    add(gong_server, "history", timedelta(days=20))
    await sophia.poll(wait=0)  # the first sync: history, not a measure of freshness
    assert (await sophia.stats()).freshness == Freshness(
        calls=0,
        p50_lag_s=None,
        p95_lag_s=None,
        newest_call_id="history",
        newest_call_started=NOW - timedelta(days=20) - 30 * MINUTE,
        newest_call_indexed=NOW,
    )

    # Ends 4 minutes after the first sync, indexed by the poll 10 minutes after it: 6 min.
    for poll_at, call_id, ended_at in ((10, "a", 4), (20, "b", 19), (30, "c", 12)):
        clock.set(NOW + poll_at * MINUTE)
        add(gong_server, call_id, -(ended_at * MINUTE), minutes=30)
        await sophia.poll(wait=0)

    freshness = (await sophia.stats()).freshness
    assert freshness is not None
    assert (freshness.calls, freshness.p50_lag_s, freshness.p95_lag_s) == (3, 360.0, 1080.0)
    assert freshness.newest_call_id == "b"  # started last, though indexed before "c"
    assert freshness.line() == "p50 6 min · p95 18 min (3 calls)"


async def test_a_call_indexed_again_keeps_its_first_lag(
    sophia: Sophia, gong_server: FakeGong, clock: FixedClock
) -> None:
    await sophia.poll(wait=0)
    clock.set(NOW + 10 * MINUTE)
    add(gong_server, "a", -(5 * MINUTE))
    await sophia.poll(wait=0)
    gong_server.add_call(
        call_record("a", NOW - 25 * MINUTE, duration_s=1800, title="Renamed"),
        transcript_record("a"),
    )
    clock.set(NOW + 20 * MINUTE)
    summary = await sophia.poll(wait=0)
    assert summary is not None and summary.indexed == 1  # changed, so written again
    assert sophia.state.lags() == [300.0]


async def test_metrics_show_the_lag_quantiles_and_the_newest_call(
    sophia: Sophia, gong_server: FakeGong, clock: FixedClock
) -> None:
    async with api_client(sophia) as http:
        before = (await http.get("/metrics")).text
        await sophia.poll(wait=0)
        clock.set(NOW + 10 * MINUTE)
        add(gong_server, "a", -(2 * MINUTE))
        await sophia.poll(wait=0)
        after = (await http.get("/metrics")).text
    assert "sophia_freshness_lag_seconds" in before
    assert metric(after, "sophia_freshness_lag_seconds", quantile="0.5") == 480.0
    assert metric(after, "sophia_freshness_lag_seconds", quantile="0.95") == 480.0
    started = (NOW - 28 * MINUTE).timestamp()
    assert metric(after, "sophia_newest_call_started_seconds") == started
