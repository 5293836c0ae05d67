"""Slack user-group membership for the access policy: looked up, cached, and safe on failure."""

from __future__ import annotations

import logging

import pytest
from slack_sdk.web.async_client import AsyncWebClient

from sophia.bot.groups import UserGroups
from tests.fakes.slack_server import FakeSlack

pytest_plugins = ["tests.fakes.slack_fixtures"]


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def client(slack: FakeSlack) -> AsyncWebClient:
    return AsyncWebClient(token=slack.bot_token, base_url=slack.api_url)


async def test_only_the_policy_groups_are_looked_up_and_members_are_cached(
    slack: FakeSlack,
) -> None:
    slack.usergroups = {"S0HALDEN": {"U0HALDEN1"}, "S0SALES": {"U0HALDEN1", "U0DANA"}}
    clock = Clock()
    groups = UserGroups(client(slack), frozenset({"S0HALDEN", "S0SALES"}), ttl_s=300, clock=clock)
    assert await groups.of("U0HALDEN1") == {"S0HALDEN", "S0SALES"}
    assert await groups.of("U0DANA") == {"S0SALES"}
    assert await groups.of("U0OUTSIDE") == frozenset()
    assert len(slack.calls_to("usergroups.users.list")) == 2  # once per group, then cached
    slack.usergroups["S0HALDEN"].add("U0DANA")
    clock.now += 301
    assert await groups.of("U0DANA") == {"S0HALDEN", "S0SALES"}
    assert len(slack.calls_to("usergroups.users.list")) == 4


async def test_a_policy_without_groups_asks_slack_nothing(slack: FakeSlack) -> None:
    assert await UserGroups(client(slack), frozenset()).of("U0DANA") == frozenset()
    assert slack.calls_to("usergroups.users.list") == []


async def test_a_group_slack_cannot_list_counts_as_no_membership(
    slack: FakeSlack, caplog: pytest.LogCaptureFixture
) -> None:
    slack.usergroups = {"S0SALES": {"U0DANA"}}
    groups = UserGroups(client(slack), frozenset({"S0GONE", "S0SALES"}))
    with caplog.at_level(logging.WARNING, "sophia.slack"):
        assert await groups.of("U0DANA") == {"S0SALES"}
    assert any("S0GONE" in r.message and "no_such_subteam" in r.message for r in caplog.records)
