"""GongClient's retries against the local fake Gong: Retry-After, server errors, dropped
connections and timeouts, and listings whose cursor expired."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

import pytest

from sophia.core.errors import AuthFailed, RateLimited, SourceError
from sophia.core.gong.client import GongClient
from tests.fakes.gong_server import EXTENSIVE, TRANSCRIPT, USERS, FakeGong
from tests.test_gong_client import WINDOW, add_calls, extensive_ids

if TYPE_CHECKING:
    # Only for annotations: the fixtures module is loaded as a plugin, below.
    from tests.fakes.gong_fixtures import MakeClient, RecordedSleep

pytest_plugins = ["tests.fakes.gong_fixtures"]


# --- retries -----------------------------------------------------------------------------------


async def test_429_waits_exactly_retry_after_then_succeeds(
    gong_server: FakeGong,
    gong_client: GongClient,
    gong_sleeps: RecordedSleep,
    caplog: pytest.LogCaptureFixture,
) -> None:
    ids = add_calls(gong_server, 1)
    gong_server.fail_next(EXTENSIVE, 429, retry_after=7)

    with caplog.at_level(logging.INFO, logger="sophia.gong"):
        assert await extensive_ids(gong_client, *WINDOW) == ids

    assert gong_sleeps.waits == [7.0]
    assert len(gong_server.requests_to(EXTENSIVE)) == 2
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert any("429" in r.getMessage() and "7.0 s" in r.getMessage() for r in warnings)


async def test_retry_after_beyond_the_cap_raises_rate_limited(
    gong_server: FakeGong, make_gong_client: MakeClient, gong_sleeps: RecordedSleep
) -> None:
    gong_server.fail_next(USERS, 429, retry_after=3600)
    client = make_gong_client(max_retry_after_s=300)

    with pytest.raises(RateLimited, match="3600 s") as caught:
        await client.users()

    assert caught.value.retry_after_s == 3600
    assert gong_sleeps.waits == []
    assert len(gong_server.requests) == 1


async def test_429_past_the_retry_budget_raises_rate_limited(
    gong_server: FakeGong, make_gong_client: MakeClient, gong_sleeps: RecordedSleep
) -> None:
    gong_server.fail_next(USERS, 429, times=10, retry_after=1)
    client = make_gong_client(max_attempts=3)

    with pytest.raises(RateLimited, match=r"429.*3 attempts"):
        await client.users()

    assert len(gong_server.requests) == 3
    assert gong_sleeps.waits == [1.0, 1.0]


@pytest.mark.parametrize("status", [500, 502, 503, 504])
async def test_server_error_then_success(
    gong_server: FakeGong, make_gong_client: MakeClient, gong_sleeps: RecordedSleep, status: int
) -> None:
    ids = add_calls(gong_server, 1)
    gong_server.fail_next(EXTENSIVE, status)
    client = make_gong_client(backoff_s=0.5, max_backoff_s=10)

    assert await extensive_ids(client, *WINDOW) == ids

    assert len(gong_server.requests_to(EXTENSIVE)) == 2
    [wait] = gong_sleeps.waits
    assert 0.5 <= wait <= 1.0  # first backoff: 0.5 s plus up to 0.5 s of jitter


async def test_server_errors_past_the_budget_raise_with_backoff_capped(
    gong_server: FakeGong, make_gong_client: MakeClient, gong_sleeps: RecordedSleep
) -> None:
    gong_server.fail_next(TRANSCRIPT, 503, times=10)
    client = make_gong_client(max_attempts=5, backoff_s=1, max_backoff_s=4)

    with pytest.raises(SourceError, match=r"after 5 attempts: server error 503") as caught:
        [page async for page in client.transcripts(*WINDOW)]

    assert not isinstance(caught.value, RateLimited)
    assert len(gong_server.requests) == 5
    assert len(gong_sleeps.waits) == 4
    assert all(wait <= 4 for wait in gong_sleeps.waits)
    assert gong_sleeps.waits[0] < 2 <= gong_sleeps.waits[1]  # grows exponentially until the cap


@pytest.mark.parametrize("fault", ["dropped connection", "timeout"])
async def test_a_dropped_connection_or_a_timeout_is_retried(
    gong_server: FakeGong, make_gong_client: MakeClient, gong_sleeps: RecordedSleep, fault: str
) -> None:
    gong_server.add_user("101", "Ana", "Rep")
    if fault == "timeout":
        gong_server.stall_next(USERS)
        client = make_gong_client(timeout_s=0.2)
    else:
        gong_server.drop_next(USERS)
        client = make_gong_client()

    assert await client.users() == {"101": "Ana Rep"}
    assert len(gong_server.requests) == 2
    assert len(gong_sleeps.waits) == 1


async def test_400_is_not_retried(
    gong_server: FakeGong, gong_client: GongClient, gong_sleeps: RecordedSleep
) -> None:
    with pytest.raises(SourceError, match="must be before toDateTime"):
        await extensive_ids(gong_client, WINDOW[1], WINDOW[0])

    assert len(gong_server.requests) == 1
    assert gong_sleeps.waits == []


# --- expired cursors ---------------------------------------------------------------------------


@pytest.mark.parametrize("status", [400, 401, 410])
async def test_expired_cursor_restarts_the_listing_at_page_zero(
    gong_server: FakeGong, gong_client: GongClient, status: int
) -> None:
    ids = add_calls(gong_server, 5)
    gong_server.expire_cursor_next(EXTENSIVE, status=status)

    seen = await extensive_ids(gong_client, *WINDOW)

    # Pages already yielded come again after the restart: callers dedupe by call id.
    assert seen == ids[:2] + ids
    requests = gong_server.requests_to(EXTENSIVE)
    assert [r.cursor is None for r in requests] == [True, False, True, False, False]


async def test_expired_cursor_restarts_are_bounded(
    gong_server: FakeGong, make_gong_client: MakeClient
) -> None:
    add_calls(gong_server, 5)
    gong_server.expire_cursor_next(TRANSCRIPT, times=10)
    client = make_gong_client(max_cursor_restarts=2)

    with pytest.raises(SourceError, match="expired 3 times"):
        [page async for page in client.transcripts(*WINDOW)]


async def test_401_mentioning_cursor_without_a_cursor_is_an_auth_failure(
    gong_server: FakeGong, gong_client: GongClient
) -> None:
    gong_server.fail_next(USERS, 401, errors=["cursor has expired"])

    with pytest.raises(AuthFailed):
        await gong_client.users()
