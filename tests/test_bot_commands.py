"""`/gong` text -> typed commands: options, quotes, Slack's escaping and links, and clear
reasons for what cannot be run."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from sophia.bot.commands import (
    COMMANDS,
    Ask,
    Brief,
    CallAnalysis,
    Coaching,
    Competitors,
    Help,
    Search,
    Stalled,
    Stats,
    commands_markdown,
    parse,
)
from sophia.bot.mrkdwn import escape, unescape
from sophia.core.config import Settings
from sophia.core.models import Affiliation


@pytest.fixture
def berlin(settings: Settings) -> Settings:
    return settings.model_copy(update={"sophia_timezone": "Europe/Berlin"})


def search(text: str, settings: Settings) -> Search:
    command = parse(text, settings)
    assert isinstance(command, Search), command
    return command


def problem(text: str, settings: Settings) -> str:
    command = parse(text, settings)
    assert isinstance(command, Help) and command.problem, command
    return command.problem


def test_search_options_become_filters_in_the_configured_time_zone(berlin: Settings) -> None:
    command = search(
        'search pricing objections account:"Moss &amp; Co" from:2026-10-01 to:2026-11-01 '
        "side:customer",
        berlin,
    )
    request = command.request
    zone = ZoneInfo("Europe/Berlin")
    assert request.query == "pricing objections"
    assert request.filters.account == "Moss & Co"
    assert request.filters.started_from == datetime(2026, 10, 1, tzinfo=zone)
    assert request.filters.started_to == datetime(2026, 11, 2, tzinfo=zone)  # to: is inclusive
    assert request.filters.side is Affiliation.EXTERNAL
    assert request.limit == berlin.search_limit and request.alpha == berlin.search_alpha


def test_options_may_come_first_curly_quoted_or_bare(settings: Settings) -> None:
    curly = search("search account:“O'Hara Logistics” side:rep what did we promise", settings)
    assert curly.request.filters.account == "O'Hara Logistics"
    assert curly.request.filters.side is Affiliation.INTERNAL
    assert curly.request.query == "what did we promise"
    bare = search("search renewal account:Olympus", settings)
    assert bare.request.filters.account == "Olympus" and bare.request.query == "renewal"


def test_words_that_only_look_like_options_stay_in_the_query(settings: Settings) -> None:
    command = search("search note:pricing at 10:30 nextto:it", settings)
    assert command.request.query == "note:pricing at 10:30 nextto:it"
    assert command.request.filters.account is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("search from:yesterday pricing", "from: must be a date like 2026-10-01"),
        ("search pricing side:buyer", "side: must be customer or rep"),
        ('search pricing account:"Moss &amp; Co', "never closed"),
        ("search account:Olympus", "say what to look for"),
        ("search pricing from:2026-11-02 to:2026-11-01", "is after"),
        ("search pricing account:a account:b", "given twice"),
        ("search pricing account:", "needs a value"),
        ("frobnicate the deals", "I don't know the command “frobnicate”"),
        ("brief", "say a topic or an account"),
        ("call", "which call"),
        ("call last tuesday's call", "is not a Gong call id"),
        ("call <https://app.gong.io/calls/>", "has no call id"),
        ("stalled deals please", "takes nothing after it"),
    ],
)
def test_malformed_input_says_what_was_wrong(settings: Settings, text: str, expected: str) -> None:
    assert expected in problem(text, settings)


def test_a_pasted_gong_link_in_slack_link_syntax_gives_the_call_id(settings: Settings) -> None:
    linked = "call <https://us-49467.app.gong.io/call?id=7964471811250078217&amp;x=1|the call>"
    assert parse(linked, settings) == CallAnalysis("7964471811250078217")
    plain = "call https://app.gong.io/call?id=7964471811250078217"
    assert parse(plain, settings) == CallAnalysis("7964471811250078217")
    assert parse("call 7964471811250078217", settings) == CallAnalysis("7964471811250078217")


def test_every_command_parses_its_own_example(settings: Settings) -> None:
    kinds = {type(parse(spec.example, settings)) for spec in COMMANDS}
    assert kinds == {Search, Ask, Brief, CallAnalysis, Competitors, Stalled, Coaching, Stats, Help}
    assert parse("brief Moss &amp; Co", settings) == Brief("Moss & Co")
    assert parse("competitors this quarter", settings) == Competitors("this quarter")
    assert parse("coaching", settings) == Coaching("pricing")
    assert parse("  HELP  ", settings) == Help()
    assert parse("", settings) == Help()


def test_slack_text_is_unescaped_and_ours_escaped() -> None:
    assert unescape("Moss &amp; Co &lt;3 &amp;lt; <@U123|dana> in <#C1|sales> <!here>") == (
        "Moss & Co <3 &lt; @dana in #sales @here"
    )
    assert unescape("<mailto:a@b.example|a@b.example> <https://x.example/?a=1&amp;b=2>") == (
        "a@b.example https://x.example/?a=1&b=2"
    )
    assert escape("a <b> & c") == "a &lt;b&gt; &amp; c"
    assert unescape(escape("Moss & Co <Q4>")) == "Moss & Co <Q4>"


def test_the_readme_table_has_a_row_per_command() -> None:
    rows = commands_markdown().splitlines()[2:]
    assert len(rows) == len(COMMANDS)
    for row, spec in zip(rows, COMMANDS, strict=True):
        assert row.startswith(f"| `/gong {spec.name}")
        assert row.count(" | ") == 2  # three cells: the pipe in side:customer|rep is escaped
    assert "side:customer\\|rep" in rows[0]
