"""One clock: every "now" in core comes from `Sophia.clock`, which tests and SOPHIA_NOW pin,
and the demo corpus stays recent and on weekdays whatever day it is."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest

from sophia.core.clock import FixedClock, SystemClock, today
from sophia.core.config import Settings, load_settings
from sophia.core.errors import ConfigError
from sophia.core.services import Sophia
from sophia.core.session import Viewer
from sophia.core.sources.folder import FolderSource
from tests.conftest import NOW, ROOT, SAMPLES, raw_call, raw_transcript, write_folder

# Moments the demo must survive: its anchor week, months and years on, a leap day's last
# half hour (UTC), and Sunday evening in Los Angeles (already Monday in UTC).
MOMENTS = [
    NOW,
    NOW + timedelta(days=90),
    NOW + timedelta(days=400),
    NOW + timedelta(days=800),
    datetime(2028, 2, 29, 23, 30, tzinfo=UTC),
    datetime(2027, 1, 4, 3, 30, tzinfo=UTC),  # Sunday Jan 3, 19:30 in Los Angeles
]


def test_a_fixed_clock_stays_put_until_moved() -> None:
    clock = FixedClock(datetime(2027, 1, 1, 1, tzinfo=UTC))
    assert clock.now() == clock.now() == datetime(2027, 1, 1, 1, tzinfo=UTC)
    clock.advance(timedelta(hours=23))
    assert clock.now() == datetime(2027, 1, 2, tzinfo=UTC)
    clock.set(datetime(2026, 12, 31, 20, tzinfo=timezone(timedelta(hours=-5))))
    assert clock.now() == datetime(2027, 1, 1, 1, tzinfo=UTC)
    assert clock.now().tzinfo is UTC
    assert today(clock) == datetime(2027, 1, 1).date()


def test_a_clock_without_a_zone_is_refused() -> None:
    with pytest.raises(ValueError, match="needs a time zone"):
        FixedClock(datetime(2027, 1, 1))
    with pytest.raises(ConfigError, match="SOPHIA_NOW"):
        load_settings(sophia_now="2027-01-01T09:00:00")
    assert load_settings(sophia_now="").sophia_now is None  # `SOPHIA_NOW=` in an env file


def test_the_system_clock_is_aware_and_utc() -> None:
    now = SystemClock().now()
    assert now.tzinfo is UTC


async def test_every_part_of_sophia_reads_the_pinned_clock(tmp_path: Path) -> None:
    moment = datetime(2029, 3, 7, 12, tzinfo=UTC)  # a Wednesday, years after the samples
    settings = Settings(
        _env_file=None,
        sophia_data_dir=tmp_path / "data",
        sophia_embedder="hashing",
        sophia_now=moment.isoformat(),
    )
    sophia = await Sophia.open(settings)
    try:
        assert sophia.clock.now() == moment
        # The samples' week shift: moved into the pinned week, so all inside retention.
        summary = await sophia.ingest_folder(SAMPLES)
        assert summary.indexed == 40 and summary.too_old == 0
        calls = await sophia.store.list_calls(transcripts=False)
        newest = max(c.details.started for c in calls)
        assert moment - timedelta(days=7) < newest < moment
        # The sync log, the audit log and "this week" read it too.
        assert (await sophia.stats()).last_sync == moment
        answer = await sophia.session(Viewer("cli", user="t")).ask("competitors last week?")
        assert "Feb 26 – Mar 4" in answer.understood
        [line] = (tmp_path / "data" / "audit").glob("audit.jsonl")
        assert line.read_text().count('"time":"2029-03-07T12:00:00Z"') == 1
        # Retention: moving the clock 200 days on, the purge removes every call.
        assert isinstance(sophia.clock, FixedClock)
        sophia.clock.advance(timedelta(days=200))
        assert len(await sophia.purge_expired()) == 40
    finally:
        await sophia.aclose()


async def test_retention_at_ingest_is_measured_from_the_clock(tmp_path: Path) -> None:
    folder = write_folder(
        tmp_path / "corpus",
        [raw_call("7100000000000000001", started="2026-06-01T16:00:00Z")],
        [raw_transcript("7100000000000000001", [("2002", ["Pricing looks fine."])])],
    )
    for moment, indexed in [(datetime(2026, 6, 20, tzinfo=UTC), 1), (NOW, 0)]:
        settings = Settings(
            _env_file=None,
            sophia_data_dir=tmp_path / f"data-{indexed}",
            sophia_embedder="hashing",
            retention_days=90,
        )
        sophia = await Sophia.open(settings, clock=FixedClock(moment))
        try:
            assert (await sophia.ingest_folder(folder)).indexed == indexed
        finally:
            await sophia.aclose()


@pytest.mark.parametrize("moment", MOMENTS, ids=lambda m: m.isoformat())
async def test_the_demo_is_recent_and_on_weekdays_on_any_date(moment: datetime) -> None:
    source = FolderSource(SAMPLES, clock=FixedClock(moment))
    calls = [call async for batch in source.batches(100, None) for call in batch.calls]
    assert len(calls) == 40
    for call in calls:
        started = call.details.started
        assert moment - timedelta(days=90) < started < moment, "inside the default retention"
        assert started.weekday() < 5, f"{started:%A}: a sales call on a weekend"
    newest = max(c.details.started for c in calls)
    assert moment - newest < timedelta(days=10), "last week's calls are last week's"


_WALL_CLOCK = re.compile(
    r"datetime\.(now|utcnow|today)\(|date\.today\(|time\.time\(|time\.localtime\("
)


def test_only_the_clock_module_reads_the_wall_clock() -> None:
    package = ROOT / "src" / "sophia"
    modules = sorted(package.rglob("*.py"))
    readers = [
        f"{path.relative_to(ROOT)}:{number}"
        for path in modules
        if path != package / "core" / "clock.py"
        for number, line in enumerate(path.read_text().splitlines(), 1)
        if _WALL_CLOCK.search(line)
    ]
    assert len(modules) > 100, "the scan must see the whole package"
    assert readers == [], "read the time through sophia.core.clock (a Clock, or machine_time)"
