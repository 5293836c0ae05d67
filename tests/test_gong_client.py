"""GongClient over real HTTP against the local fake Gong (tests/fakes/gong_server.py)."""

from __future__ import annotations

import asyncio
import base64
import itertools
import logging
from datetime import UTC, datetime, timedelta, timezone
from typing import TYPE_CHECKING, Any

import pytest

from sophia.core.config import Settings
from sophia.core.errors import AuthFailed, ConfigError, SourceError
from sophia.core.gong.client import CONTENT_SELECTOR, GongClient
from tests.fakes.gong_records import call_record, transcript_record
from tests.fakes.gong_server import EXTENSIVE, TRANSCRIPT, USERS, FakeGong

if TYPE_CHECKING:
    # Only for annotations: the fixtures module is loaded as a plugin, below.
    from tests.fakes.gong_fixtures import MakeClient, RecordedSleep

pytest_plugins = ["tests.fakes.gong_fixtures"]

T0 = datetime(2024, 2, 1, tzinfo=UTC)
WINDOW = (T0, T0 + timedelta(days=7))


def add_calls(server: FakeGong, count: int, *, first: int = 1) -> list[str]:
    """`count` calls with transcripts, an hour apart from T0; returns their ids."""
    ids = []
    for n in range(first, first + count):
        call_id = str(7782342274025937000 + n)
        server.add_call(call_record(call_id, T0 + timedelta(hours=n)), transcript_record(call_id))
        ids.append(call_id)
    return ids


async def extensive_ids(client: GongClient, *args: Any, **kwargs: Any) -> list[str]:
    return [
        item["metaData"]["id"]
        async for page in client.calls_extensive(*args, **kwargs)
        for item in page
    ]


# --- paging and request shape ------------------------------------------------------------------


async def test_extensive_follows_the_cursor_in_the_body(
    gong_server: FakeGong, gong_client: GongClient
) -> None:
    ids = add_calls(gong_server, 5)

    assert await extensive_ids(gong_client, *WINDOW) == ids

    requests = gong_server.requests_to(EXTENSIVE)
    assert len(requests) == 3  # pages of 2, 2 and 1
    assert [r.cursor is None for r in requests] == [True, False, False]
    for request in requests:
        assert request.method == "POST"
        assert request.filter == {
            "fromDateTime": "2024-02-01T00:00:00Z",
            "toDateTime": "2024-02-08T00:00:00Z",
        }
        assert request.body["contentSelector"] == CONTENT_SELECTOR
    selector = requests[0].body["contentSelector"]
    assert selector["context"] == "Extended"
    assert selector["exposedFields"]["interaction"]["personInteractionStats"] is True


async def test_transcripts_page_until_no_cursor(
    gong_server: FakeGong, gong_client: GongClient
) -> None:
    ids = add_calls(gong_server, 3)

    pages = [page async for page in gong_client.transcripts(*WINDOW)]

    assert [[item["callId"] for item in page] for page in pages] == [ids[:2], ids[2:]]
    requests = gong_server.requests_to(TRANSCRIPT)
    assert "contentSelector" not in requests[0].body
    assert requests[1].body["cursor"]
    assert requests[1].filter == requests[0].filter


async def test_users_page_with_query_cursor(gong_server: FakeGong, gong_client: GongClient) -> None:
    gong_server.add_user("101", "Ana", "Rep")
    gong_server.add_user("102", "Bo", None)
    gong_server.add_user("103", None, None)

    assert await gong_client.users() == {"101": "Ana Rep", "102": "Bo"}

    requests = gong_server.requests_to(USERS)
    assert [r.method for r in requests] == ["GET", "GET"]
    assert requests[0].cursor is None
    assert requests[1].query["cursor"]


async def test_dates_are_sent_in_utc_with_z_and_to_is_exclusive(
    gong_server: FakeGong, gong_client: GongClient
) -> None:
    gong_server.add_call(call_record("1", T0), transcript_record("1"))
    gong_server.add_call(call_record("2", T0 + timedelta(hours=1)), transcript_record("2"))
    plus_two = timezone(timedelta(hours=2))

    ids = await extensive_ids(
        gong_client, T0.astimezone(plus_two), (T0 + timedelta(hours=1)).astimezone(plus_two)
    )

    assert ids == ["1"]
    assert gong_server.requests_to(EXTENSIVE)[0].filter == {
        "fromDateTime": "2024-02-01T00:00:00Z",
        "toDateTime": "2024-02-01T01:00:00Z",
    }


@pytest.mark.parametrize("suffix", ["", "/"])
async def test_base_url_with_or_without_trailing_slash(
    gong_server: FakeGong, make_gong_client: MakeClient, suffix: str
) -> None:
    gong_server.add_user("101", "Ana", "Rep")

    assert await make_gong_client(base_url=gong_server.url + suffix).users() == {"101": "Ana Rep"}
    assert gong_server.requests[-1].path == USERS


async def test_call_ids_are_sent_in_batches_of_at_most_100(
    gong_server: FakeGong, gong_client: GongClient
) -> None:
    known = add_calls(gong_server, 3)
    wanted = [str(n) for n in range(247)] + known  # 250 ids; the fake refuses more than 100

    ids = await extensive_ids(gong_client, None, None, call_ids=wanted)

    assert sorted(ids) == sorted(known)
    first_pages = [r for r in gong_server.requests_to(EXTENSIVE) if r.cursor is None]
    assert [len(r.filter["callIds"]) for r in first_pages] == [100, 100, 50]
    assert all("fromDateTime" not in r.filter for r in gong_server.requests_to(EXTENSIVE))


async def test_empty_call_id_list_sends_nothing(
    gong_server: FakeGong, gong_client: GongClient
) -> None:
    assert await extensive_ids(gong_client, *WINDOW, call_ids=[]) == []
    assert gong_server.requests == []


# --- the documented 404s ---------------------------------------------------------------------


async def test_no_calls_404_is_an_empty_result(
    gong_server: FakeGong, gong_client: GongClient
) -> None:
    assert await extensive_ids(gong_client, *WINDOW) == []
    assert [page async for page in gong_client.transcripts(*WINDOW, call_ids=["404"])] == []
    assert len(gong_server.requests) == 2  # answered 404 "No calls found", not retried


async def test_other_404_is_an_error_that_points_at_the_base_url(
    gong_server: FakeGong, make_gong_client: MakeClient
) -> None:
    client = make_gong_client(base_url=gong_server.url + "/not-gong")

    with pytest.raises(SourceError, match="GONG_BASE_URL") as caught:
        await client.users()

    assert gong_server.requests[0].path == "/not-gong/v2/users"
    assert len(gong_server.requests) == 1
    assert gong_server.access_secret not in str(caught.value)


async def test_404_with_another_gong_message_is_an_error(
    gong_server: FakeGong, gong_client: GongClient
) -> None:
    gong_server.fail_next(EXTENSIVE, 404, errors=["Call ID 1 was not found"])

    with pytest.raises(SourceError, match="Call ID 1 was not found"):
        await extensive_ids(gong_client, *WINDOW)


# --- credentials -------------------------------------------------------------------------------


@pytest.mark.parametrize("status", [401, 403])
async def test_rejected_credentials_fail_fast_without_leaking_them(
    gong_server: FakeGong,
    make_gong_client: MakeClient,
    gong_sleeps: RecordedSleep,
    caplog: pytest.LogCaptureFixture,
    status: int,
) -> None:
    secret = "s3cr3t-value-never-shown"
    if status == 401:
        client = make_gong_client(access_secret=secret)  # the fake answers 401 itself
    else:
        gong_server.access_secret = secret
        gong_server.fail_next(USERS, 403, errors=["Access denied"])
        client = make_gong_client(access_secret=secret)
    header = base64.b64encode(f"{gong_server.access_key}:{secret}".encode()).decode()

    with caplog.at_level(logging.DEBUG), pytest.raises(AuthFailed) as caught:
        await client.users()

    message = str(caught.value)
    assert "GONG_ACCESS_KEY" in message
    assert "GONG_ACCESS_SECRET" in message
    assert str(status) in message
    assert secret not in message
    assert gong_server.access_key not in message
    assert secret not in caplog.text
    assert header not in caplog.text
    assert len(gong_server.requests) == 1
    assert gong_sleeps.waits == []


async def test_repr_shows_no_secret(make_gong_client: MakeClient) -> None:
    client = make_gong_client(access_secret="s3cr3t-value")

    assert "s3cr3t" not in repr(client)


def test_from_settings_needs_both_credentials() -> None:
    with pytest.raises(ConfigError, match="GONG_ACCESS_KEY and GONG_ACCESS_SECRET"):
        GongClient.from_settings(Settings(_env_file=None))


async def test_from_settings_uses_gong_settings(gong_server: FakeGong) -> None:
    settings = Settings(
        _env_file=None,
        gong_access_key=gong_server.access_key,
        gong_access_secret=gong_server.access_secret,
        gong_base_url=gong_server.url + "/",
    )
    gong_server.add_user("101", "Ana", "Rep")

    async with GongClient.from_settings(settings) as client:
        assert await client.users() == {"101": "Ana Rep"}


# --- throttle ----------------------------------------------------------------------------------


async def test_throttle_spaces_every_request_including_retries(
    gong_server: FakeGong, make_gong_client: MakeClient
) -> None:
    add_calls(gong_server, 4)
    gong_server.add_user("101", "Ana", "Rep")
    gong_server.fail_next(TRANSCRIPT, 500)
    rate = 10.0
    client = make_gong_client(rate_per_s=rate)

    # Three listings at once share the client's one throttle.
    await asyncio.gather(
        extensive_ids(client, *WINDOW),
        client.users(),
        _drain_transcripts(client),
    )

    arrivals = sorted(r.at for r in gong_server.requests)
    assert len(arrivals) == 6  # 2 extensive pages, 1 users page, 1 failed + 2 transcript pages
    gaps = [later - earlier for earlier, later in itertools.pairwise(arrivals)]
    # Seen from the server, scheduling on a loaded machine can delay one arrival by tens of
    # ms and bring it close to the next, so single gaps prove nothing. The whole run shows
    # the pace: unthrottled, these six requests arrive within a few ms; throttled, they span
    # five intervals (less at most one arrival's jitter).
    assert arrivals[-1] - arrivals[0] >= 0.8 * (len(arrivals) - 1) / rate, gaps


async def _drain_transcripts(client: GongClient) -> int:
    return sum([len(page) async for page in client.transcripts(*WINDOW)])
