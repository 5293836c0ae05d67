"""Post-call cards: each newly indexed call's card goes to its account's channel once, ever,
and a restricted account's card only to a channel the access policy lists for it."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from sophia.bot.call_cards import post_call_cards
from sophia.bot.scheduler import Jobs
from sophia.bot.slack_bot import web_client
from sophia.core.call_cards import AccountChannels
from sophia.core.services import Sophia
from tests.conftest import NOW, raw_call, raw_transcript
from tests.fakes.gong_server import FakeGong
from tests.fakes.slack_server import FakeSlack

pytest_plugins = ["tests.fakes.slack_fixtures", "tests.fakes.gong_fixtures"]

POLICY = """\
restricted_accounts:
  Moss & Co:
    slack_users: [U0MOSS001]
    slack_channels: [CMOSS]
  Olympus:
    slack_users: [U0OLY0001]
"""
CHANNELS = """\
accounts:
  Acme: CACME
  Moss & Co: CMOSS
default: CGENERAL
"""
TURNS = [
    ("1001", ["Thanks for joining, let's look at the rollout plan for your team."]),
    ("2002", ["We are worried the price is too high compared to DealForge."]),
    ("1001", ["Next step: I will send the revised proposal by Friday."]),
]


def add(server: FakeGong, call_id: str, account: str, ended_ago: timedelta) -> None:
    call = raw_call(call_id, account=account, title=f"{account} sync")
    started = NOW - ended_ago - timedelta(seconds=1800)
    call["metaData"]["started"] = started.isoformat()
    server.add_call(call, raw_transcript(call_id, TURNS))


Open = Callable[[], Any]


@pytest.fixture
async def open_sophia(
    tmp_path: Path, slack: FakeSlack, gong_server: FakeGong
) -> AsyncIterator[Open]:
    from tests.fakes.slack_fixtures import bot_settings

    slack.channels.update({"CACME": "acme", "CMOSS": "moss-deal"})
    (tmp_path / "policy.yaml").write_text(POLICY)
    (tmp_path / "channels.yaml").write_text(CHANNELS)
    settings = bot_settings(
        tmp_path / "data",
        slack,
        access_policy=tmp_path / "policy.yaml",
        account_channels=tmp_path / "channels.yaml",
        sync_window_days=90,
        **{name.lower(): value for name, value in gong_server.env().items()},
    )
    opened: list[Sophia] = []

    async def make() -> Sophia:
        opened.append(await Sophia.open(settings))
        return opened[-1]

    yield make
    for sophia in opened:
        await sophia.aclose()


def cards(slack: FakeSlack) -> list[tuple[str, str]]:
    """(channel, all the text of its blocks) of every chat.postMessage."""
    return [
        (call.args["channel"], json.dumps(call.args.get("blocks")))
        for call in slack.calls_to("chat.postMessage")
    ]


async def test_each_new_call_is_carded_once_in_its_accounts_channel(
    open_sophia: Open, slack: FakeSlack, gong_server: FakeGong
) -> None:
    add(gong_server, "101", "Acme", timedelta(hours=1))
    add(gong_server, "102", "Moss & Co", timedelta(hours=2))
    add(gong_server, "103", "Olympus", timedelta(hours=3))
    add(gong_server, "104", "Acme", timedelta(days=20))  # history: indexed, never carded
    sophia = await open_sophia()
    jobs = Jobs(sophia, web_client(sophia.settings))

    await jobs.sync()
    await jobs.sync()

    posted = cards(slack)
    assert [channel for channel, _ in posted] == ["CMOSS", "CACME"]  # oldest call first
    acme = posted[1][1]
    for part in ("Who", "Dana Rep", "Summary", "Objections raised", "Next steps", "highlights"):
        assert part in acme, part
    assert "Talk ratio" not in acme  # the card, not the whole analysis

    # A restart (or the next replica to run the scheduler) posts nothing again.
    again = await open_sophia()
    assert await post_call_cards(again, web_client(again.settings), jobs.channels) == []
    assert len(cards(slack)) == 2


async def test_a_restricted_accounts_card_goes_only_where_the_policy_allows(
    open_sophia: Open, slack: FakeSlack, gong_server: FakeGong
) -> None:
    add(gong_server, "201", "Moss & Co", timedelta(hours=1))
    add(gong_server, "202", "Olympus", timedelta(hours=1))
    sophia = await open_sophia()
    await sophia.poll(wait=0)
    # Everything into the general channel: the policy lists it for neither account.
    everywhere = AccountChannels(default="CGENERAL")

    assert await post_call_cards(sophia, web_client(sophia.settings), everywhere) == []
    assert cards(slack) == []


def drop(folder: Path, call_id: str, account: str, ended_ago: timedelta) -> None:
    """A call dropped into the folder as its own file, in the webhook's shape."""
    call = raw_call(call_id, account=account)
    call["metaData"]["started"] = (NOW - ended_ago - timedelta(seconds=1800)).isoformat()
    document = {"callData": call, "transcript": raw_transcript(call_id, TURNS)}
    (folder / f"{call_id}.call.json").write_text(json.dumps(document))


async def test_a_file_dropped_into_the_sync_folder_is_a_new_call_and_gets_its_card(
    tmp_path: Path, slack: FakeSlack
) -> None:
    from tests.fakes.slack_fixtures import bot_settings

    folder = tmp_path / "inbox"
    folder.mkdir()
    (tmp_path / "channels.yaml").write_text("default: CGENERAL\n")
    settings = bot_settings(
        tmp_path / "data", slack, sync_folder=folder, account_channels=tmp_path / "channels.yaml"
    )
    sophia = await Sophia.open(settings)
    try:
        jobs = Jobs(sophia, web_client(settings))
        drop(folder, "301", "Acme", timedelta(hours=1))
        await jobs.sync()
        drop(folder, "302", "Acme", timedelta(minutes=5))
        await jobs.sync()
        await jobs.sync()
        indexed = {call.call_id for call in await sophia.store.list_calls(transcripts=False)}
    finally:
        await sophia.aclose()
    assert indexed == {"301", "302"}
    assert [channel for channel, _ in cards(slack)] == ["CGENERAL", "CGENERAL"]
    assert "Call 302" in cards(slack)[1][1]
