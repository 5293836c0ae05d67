"""GongApiSource with the real GongClient against the fake Gong: windows, pending, checkpoint."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

import pytest

from sophia.core.clock import FixedClock
from sophia.core.config import Settings
from sophia.core.errors import AuthFailed, SourceError
from sophia.core.gong.client import GongClient
from sophia.core.sources.base import CallSource, SourceBatch
from sophia.core.sources.gong_api import CHECKPOINT_KEY, GongApiSource, GongCheckpoint
from sophia.core.state import StateDB
from tests.fakes.gong_records import call_record, transcript_record
from tests.fakes.gong_server import EXTENSIVE, TRANSCRIPT, FakeGong

if TYPE_CHECKING:
    from pathlib import Path

pytest_plugins = ["tests.fakes.gong_fixtures"]

NOW = datetime(2024, 3, 1, tzinfo=UTC)
DAY = timedelta(days=1)


@pytest.fixture
def state(tmp_path: Path) -> Iterator[StateDB]:
    db = StateDB(tmp_path / "state.sqlite")
    yield db
    db.close()


@pytest.fixture
def clock() -> FixedClock:
    """The source's clock, moved by the test between runs."""
    return FixedClock(NOW)


def make_source(
    client: GongClient, state: StateDB, clock: FixedClock, **options: Any
) -> GongApiSource:
    settings: dict[str, Any] = {"window_days": 7, "repoll_days": 0, "retention_days": 28}
    return GongApiSource(client, state, clock=clock, **(settings | options))


async def run(
    source: CallSource, *, batch_size: int = 50, since: datetime | None = None
) -> list[SourceBatch]:
    """One sync as the pipeline does it: store (here: keep) each batch, then commit it."""
    batches = []
    async for batch in source.batches(batch_size, since):
        batches.append(batch)
        await source.commit(batch)
    return batches


def ids_of(batches: list[SourceBatch]) -> list[str]:
    return [call.call_id for batch in batches for call in batch.calls]


def stored(state: StateDB) -> GongCheckpoint:
    return GongCheckpoint.model_validate(state.get_json(CHECKPOINT_KEY))


def add(server: FakeGong, call_id: str, started: datetime, **options: Any) -> None:
    server.add_call(call_record(call_id, started), transcript_record(call_id), **options)


def add_hourly(server: FakeGong, start: datetime, count: int = 5) -> None:
    """Calls "1" to `count`, an hour apart after `start`."""
    for n in range(1, count + 1):
        add(server, str(n), start + n * timedelta(hours=1))


def first_page_filters(server: FakeGong, path: str = EXTENSIVE) -> list[dict[str, Any]]:
    return [r.filter for r in server.requests_to(path) if r.cursor is None]


# --- windows and checkpoint --------------------------------------------------------------------


async def test_first_run_walks_every_window_and_checkpoints_now(
    gong_server: FakeGong, gong_client: GongClient, state: StateDB, clock: FixedClock
) -> None:
    for n, days_ago in enumerate([27, 20, 13, 6, 1], start=1):
        add(gong_server, str(n), NOW - days_ago * DAY)
    source = make_source(gong_client, state, clock)

    batches = await run(source)

    assert ids_of(batches) == ["1", "2", "3", "4", "5"]
    assert [f["fromDateTime"] for f in first_page_filters(gong_server)] == [
        "2024-02-02T00:00:00Z",
        "2024-02-09T00:00:00Z",
        "2024-02-16T00:00:00Z",
        "2024-02-23T00:00:00Z",
    ]
    assert first_page_filters(gong_server)[-1]["toDateTime"] == "2024-03-01T00:00:00Z"
    assert first_page_filters(gong_server, TRANSCRIPT) == first_page_filters(gong_server)
    assert stored(state) == GongCheckpoint(
        synced_until=NOW, pending={}, last_run=NOW, repolled_at=NOW
    )
    assert source.pending_count == 0


async def test_batches_hold_at_most_batch_size_and_only_the_last_advances(
    gong_server: FakeGong, gong_client: GongClient, state: StateDB, clock: FixedClock
) -> None:
    for n in range(1, 6):
        add(gong_server, str(n), NOW - DAY - n * timedelta(hours=1))
    source = make_source(gong_client, state, clock, window_days=28)

    batches = await run(source, batch_size=2)

    assert [len(batch.calls) for batch in batches] == [2, 2, 1]
    assert [batch.checkpoint.synced_until for batch in batches] == [None, None, NOW]
    assert [batch.seen for batch in batches] == [5, 5, 5]
    assert sorted(ids_of(batches)) == ["1", "2", "3", "4", "5"]


async def test_next_run_resumes_from_checkpoint_minus_repoll(
    gong_server: FakeGong, gong_client: GongClient, state: StateDB, clock: FixedClock
) -> None:
    add(gong_server, "1", NOW - 2 * DAY)
    await run(make_source(gong_client, state, clock, repoll_days=3))
    clock.set(NOW + 2 * DAY)
    add(gong_server, "2", NOW + DAY)

    batches = await run(make_source(gong_client, state, clock, repoll_days=3))

    # The repolled days bring call 1 again: the pipeline skips it by content hash.
    assert ids_of(batches) == ["1", "2"]
    assert first_page_filters(gong_server)[-1] == {
        "fromDateTime": "2024-02-27T00:00:00Z",  # 2024 is a leap year
        "toDateTime": "2024-03-03T00:00:00Z",
    }
    assert stored(state).synced_until == NOW + 2 * DAY


async def test_first_run_reaches_back_90_days_when_retention_is_unlimited(
    gong_server: FakeGong, gong_client: GongClient, state: StateDB, clock: FixedClock
) -> None:
    add(gong_server, "1", NOW - 89 * DAY)

    batches = await run(make_source(gong_client, state, clock, retention_days=0, window_days=30))

    assert ids_of(batches) == ["1"]
    assert first_page_filters(gong_server)[0]["fromDateTime"] == "2023-12-02T00:00:00Z"


async def test_since_reads_from_since_without_skipping_the_unsynced_gap(
    gong_server: FakeGong, gong_client: GongClient, state: StateDB, clock: FixedClock
) -> None:
    add(gong_server, "old", NOW - 20 * DAY)
    add(gong_server, "new", NOW - 2 * DAY)
    source = make_source(gong_client, state, clock)

    batches = await run(source, since=NOW - 5 * DAY)

    assert ids_of(batches) == ["new"]
    assert first_page_filters(gong_server)[0]["fromDateTime"] == "2024-02-25T00:00:00Z"
    # Days before `since` were never read: the checkpoint must not claim them.
    assert stored(state).synced_until is None
    assert ids_of(await run(source)) == ["old", "new"]


async def test_source_from_settings_uses_sync_settings(
    gong_server: FakeGong, gong_client: GongClient, state: StateDB, clock: FixedClock
) -> None:
    settings = Settings(_env_file=None, sync_window_days=10, retention_days=20)
    source = GongApiSource(gong_client, state, settings=settings, clock=clock)

    await run(source)

    assert [f["fromDateTime"] for f in first_page_filters(gong_server)] == [
        "2024-02-10T00:00:00Z",
        "2024-02-20T00:00:00Z",
    ]


# --- pending: the propagation race and late transcripts ----------------------------------------


async def test_transcript_without_details_stays_pending_until_details_appear(
    gong_server: FakeGong, gong_client: GongClient, state: StateDB, clock: FixedClock
) -> None:
    add(gong_server, "1", NOW - 3 * DAY)
    add(gong_server, "race", NOW - 2 * DAY, hidden=True)

    first = await run(make_source(gong_client, state, clock))

    assert ids_of(first) == ["1"]
    assert [pending for batch in first for pending in batch.pending] == ["race"]
    assert stored(state).pending == {"race": NOW}

    clock.set(NOW + DAY)
    second_source = make_source(gong_client, state, clock)
    assert second_source.pending_count == 1
    second = await run(second_source)  # details still hidden: still pending, same first-seen

    assert ids_of(second) == []
    assert stored(state).pending == {"race": NOW}

    gong_server.release("race")
    clock.set(NOW + 30 * DAY)  # the call is far outside the next window: only its id finds it
    gong_server.requests.clear()
    third_source = make_source(gong_client, state, clock)
    third = await run(third_source)

    assert ids_of(third) == ["race"]
    assert first_page_filters(gong_server)[0] == {"callIds": ["race"]}
    assert stored(state).pending == {}
    assert third_source.pending_count == 0


async def test_details_without_transcript_stay_pending_until_the_transcript_arrives(
    gong_server: FakeGong, gong_client: GongClient, state: StateDB, clock: FixedClock
) -> None:
    gong_server.add_call(call_record("late", NOW - 2 * DAY))

    first = await run(make_source(gong_client, state, clock))

    assert ids_of(first) == []
    assert first[-1].pending == ("late",)
    assert stored(state).synced_until == NOW  # the window is done; the call is not lost

    gong_server.add_transcript(transcript_record("late"))
    clock.set(NOW + 10 * DAY)
    second = await run(make_source(gong_client, state, clock))

    assert ids_of(second) == ["late"]
    assert stored(state).pending == {}


async def test_pending_ids_are_looked_up_in_batches_of_at_most_100(
    gong_server: FakeGong, gong_client: GongClient, state: StateDB, clock: FixedClock
) -> None:
    pending = {str(9_000_000_000_000_000_000 + n): NOW - DAY for n in range(250)}
    state.put_json(
        CHECKPOINT_KEY,
        GongCheckpoint(synced_until=NOW, pending=pending).model_dump(mode="json"),
    )
    source = make_source(gong_client, state, clock)

    await run(source)

    for path in (EXTENSIVE, TRANSCRIPT):
        by_id = [f for f in first_page_filters(gong_server, path) if "callIds" in f]
        assert [len(f["callIds"]) for f in by_id] == [100, 100, 50]
        assert {i for f in by_id for i in f["callIds"]} == set(pending)
    # Gong knows none of them yet: never dropped, first-seen kept.
    assert source.pending_count == 250
    assert stored(state).pending == pending


async def test_resolved_pending_call_leaves_the_checkpoint_with_its_own_batch(
    gong_server: FakeGong, gong_client: GongClient, state: StateDB, clock: FixedClock
) -> None:
    state.put_json(
        CHECKPOINT_KEY,
        GongCheckpoint(synced_until=NOW, pending={"a": NOW, "b": NOW}).model_dump(mode="json"),
    )
    add(gong_server, "a", NOW - 40 * DAY)
    add(gong_server, "b", NOW - 39 * DAY)
    source = make_source(gong_client, state, clock)

    batches = [batch async for batch in source.batches(1, None)]

    assert [ids_of([batch]) for batch in batches] == [["a"], ["b"]]
    assert [set(batch.checkpoint.pending) for batch in batches] == [{"b"}, set()]


# --- failures mid-run --------------------------------------------------------------------------


async def test_auth_failure_mid_run_keeps_the_windows_already_committed(
    gong_server: FakeGong, gong_client: GongClient, state: StateDB, clock: FixedClock
) -> None:
    for n, days_ago in enumerate([25, 18, 11, 4], start=1):
        add(gong_server, str(n), NOW - days_ago * DAY)
    source = make_source(gong_client, state, clock)
    secret = gong_server.access_secret
    first_ids: list[str] = []

    async def sync_until_gong_refuses() -> None:
        async for batch in source.batches(50, None):
            first_ids.extend(ids_of([batch]))
            await source.commit(batch)
            if batch.checkpoint.synced_until == NOW - 21 * DAY:
                gong_server.access_secret = "rotated"  # Gong answers 401 from now on

    with pytest.raises(AuthFailed):
        await sync_until_gong_refuses()

    assert first_ids == ["1"]
    assert stored(state).synced_until == NOW - 21 * DAY

    gong_server.access_secret = secret
    gong_server.requests.clear()
    second = await run(make_source(gong_client, state, clock))

    assert ids_of(second) == ["2", "3", "4"]
    assert first_page_filters(gong_server)[0]["fromDateTime"] == "2024-02-09T00:00:00Z"
    assert stored(state).synced_until == NOW


async def test_crash_mid_window_rereads_that_window_and_loses_nothing(
    gong_server: FakeGong, gong_client: GongClient, state: StateDB, clock: FixedClock
) -> None:
    add_hourly(gong_server, NOW - 2 * DAY)
    source = make_source(gong_client, state, clock)

    async def sync_until_the_store_fails() -> None:
        async for batch in source.batches(2, None):
            if "3" in ids_of([batch]):
                raise RuntimeError("store failed")  # the pipeline dies before committing
            await source.commit(batch)

    with pytest.raises(RuntimeError, match="store failed"):
        await sync_until_the_store_fails()

    assert stored(state).synced_until == NOW - 7 * DAY  # earlier, empty windows only
    second = await run(make_source(gong_client, state, clock), batch_size=2)

    assert ids_of(second) == ["1", "2", "3", "4", "5"]  # 1 and 2 come again, skipped by hash
    assert stored(state).synced_until == NOW


async def test_expired_cursor_mid_window_loses_and_duplicates_nothing(
    gong_server: FakeGong, gong_client: GongClient, state: StateDB, clock: FixedClock
) -> None:
    add_hourly(gong_server, NOW - 2 * DAY)
    gong_server.expire_cursor_next(EXTENSIVE)
    gong_server.expire_cursor_next(TRANSCRIPT, status=401)

    batches = await run(make_source(gong_client, state, clock))

    assert ids_of(batches) == ["1", "2", "3", "4", "5"]
    assert all(not batch.pending for batch in batches)


async def test_malformed_items_are_rejected_and_the_run_continues(
    gong_server: FakeGong, gong_client: GongClient, state: StateDB, clock: FixedClock
) -> None:
    add(gong_server, "good", NOW - 2 * DAY)
    broken = transcript_record("bad")
    broken["transcript"][0]["sentences"][0]["start"] = "not a number"
    gong_server.add_call(call_record("bad", NOW - DAY), broken)

    batches = await run(make_source(gong_client, state, clock))

    assert ids_of(batches) == ["good"]
    [reason] = [reason for batch in batches for reason in batch.rejected]
    assert "malformed transcript bad" in reason
    assert stored(state).synced_until == NOW


async def test_corrupt_checkpoint_is_a_clear_error(
    gong_client: GongClient, state: StateDB, clock: FixedClock
) -> None:
    state.put_json(CHECKPOINT_KEY, {"synced_until": "last tuesday", "pending": {}})
    source = make_source(gong_client, state, clock)

    with pytest.raises(SourceError, match=r"checkpoint \('gong.checkpoint'.*corrupt.*synced_until"):
        await run(source)
    with pytest.raises(SourceError, match="corrupt"):
        _ = source.pending_count


async def test_commit_refuses_a_foreign_checkpoint(
    gong_client: GongClient, state: StateDB, clock: FixedClock
) -> None:
    with pytest.raises(TypeError):
        await make_source(gong_client, state, clock).commit(SourceBatch(calls=[], checkpoint={}))
