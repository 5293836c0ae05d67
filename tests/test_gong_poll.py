"""The short incremental poll against the fake Gong: what it asks for and what it costs."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from sophia.core.clock import FixedClock
from sophia.core.gong.client import GongClient
from sophia.core.sources.gong_api import CHECKPOINT_KEY, GongApiSource, GongCheckpoint
from sophia.core.state import StateDB
from tests.fakes.gong_records import call_record, transcript_record
from tests.fakes.gong_server import EXTENSIVE, TRANSCRIPT, FakeGong
from tests.test_gong_source import NOW, ids_of, run, state

pytest_plugins = ["tests.fakes.gong_fixtures"]

__all__ = ["state"]  # the fixture, shared with the source's tests

MINUTES = timedelta(minutes=1)


def poll_source(client: GongClient, state: StateDB, clock: FixedClock) -> GongApiSource:
    """The defaults of a deployment: 3 repoll days, all of them every 12 h, 6 h otherwise."""
    days: dict[str, Any] = {"window_days": 7, "repoll_days": 3, "retention_days": 28}
    return GongApiSource(
        client, state, clock=clock, poll_overlap_hours=6, repoll_every_hours=12, **days
    )


def backlog(server: FakeGong, count: int) -> None:
    """`count` calls spread over the 20 days before NOW, all older than the poll overlap."""
    for n in range(count):
        started = NOW - timedelta(days=1) - n * timedelta(hours=19) / (count / 25)
        call_id = f"old{n}"
        server.add_call(call_record(call_id, started), transcript_record(call_id))


async def cost_of_one_poll(server: FakeGong, client: GongClient, state: StateDB, old: int) -> int:
    """Requests one poll sends after a backfill of `old` calls, with two new calls."""
    clock = FixedClock(NOW)
    backlog(server, old)
    await run(poll_source(client, state, clock))
    for n in (1, 2):
        server.add_call(call_record(f"new{n}", NOW + n * MINUTES), transcript_record(f"new{n}"))
    clock.set(NOW + 10 * MINUTES)
    server.requests.clear()

    batches = await run(poll_source(client, state, clock))

    assert ids_of(batches) == ["new1", "new2"]
    return len(server.requests)


@pytest.mark.parametrize("old", [10, 60])
async def test_a_poll_costs_the_same_few_requests_whatever_the_backlog(
    gong_server: FakeGong, gong_client: GongClient, state: StateDB, old: int
) -> None:
    # Pages of 2: users, then one page of each endpoint for the two new calls.
    assert await cost_of_one_poll(gong_server, gong_client, state, old) == 3
    [listing] = [r.filter for r in gong_server.requests_to(EXTENSIVE)]
    assert listing == {"fromDateTime": "2024-02-29T18:00:00Z", "toDateTime": "2024-03-01T00:10:00Z"}


async def test_the_whole_repoll_span_is_read_again_every_12_hours(
    gong_server: FakeGong, gong_client: GongClient, state: StateDB
) -> None:
    clock = FixedClock(NOW)
    await run(poll_source(gong_client, state, clock))
    assert GongCheckpoint.model_validate(state.get_json(CHECKPOINT_KEY)).repolled_at == NOW
    starts = []
    for minutes in (10, 20, 12 * 60, 12 * 60 + 10):
        clock.set(NOW + minutes * MINUTES)
        gong_server.requests.clear()
        await run(poll_source(gong_client, state, clock))
        starts.append(gong_server.requests_to(TRANSCRIPT)[0].filter["fromDateTime"])

    assert starts == [
        "2024-02-29T18:00:00Z",  # the overlap before the checkpoint (NOW)
        "2024-02-29T18:10:00Z",
        "2024-02-27T00:20:00Z",  # 12 h since the last full repoll: 3 days back
        "2024-03-01T06:00:00Z",
    ]


async def test_a_half_arrived_call_stays_pending_across_polls_until_it_completes(
    gong_server: FakeGong, gong_client: GongClient, state: StateDB
) -> None:
    clock = FixedClock(NOW)
    gong_server.add_call(call_record("late", NOW - 5 * MINUTES))
    await run(poll_source(gong_client, state, clock))
    for minutes in (10, 20):
        clock.set(NOW + minutes * MINUTES)
        assert ids_of(await run(poll_source(gong_client, state, clock))) == []
        checkpoint = GongCheckpoint.model_validate(state.get_json(CHECKPOINT_KEY))
        assert checkpoint.pending == {"late": NOW}

    gong_server.add_transcript(transcript_record("late"))
    clock.set(NOW + 30 * MINUTES)
    assert ids_of(await run(poll_source(gong_client, state, clock))) == ["late"]
    assert GongCheckpoint.model_validate(state.get_json(CHECKPOINT_KEY)).pending == {}
