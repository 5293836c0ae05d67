"""Block Kit rendering: cited hits and answers, escaping, and Slack's limits (long answers are
split over messages, never refused). Checked with the fake Slack's own validator."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from sophia.bot import messages
from sophia.bot.blocks import (
    MAX_BUTTON_VALUE,
    SHARE,
    answer_blocks,
    feedback_buttons,
    help_blocks,
    home_view,
    paginate,
    search_blocks,
)
from sophia.bot.commands import COMMANDS
from sophia.bot.mrkdwn import escape
from sophia.core.insights.answer import Answer, Bullet, Citation, Intent, Section, Table
from sophia.core.models import Affiliation
from sophia.core.query import build_request
from sophia.core.search import Hit, SearchResult
from tests.fakes.slack_server import block_problems

UTC_ZONE = ZoneInfo("UTC")
STARTED = datetime(2026, 11, 20, 16, 0, tzinfo=UTC)


def citation(number: int, quote: str = "We need the <b>price</b> & terms.") -> Citation:
    return Citation(
        number=number,
        call_id="7964471811250078217",
        title="Moss & Co — Commercials <final>",
        account="Moss & Co",
        started=STARTED,
        speaker="Gregory Hale",
        affiliation=Affiliation.EXTERNAL,
        moment_ms=381_000 + number,
        url=f"https://app.gong.io/call?id=7964471811250078217&highlights=n{number}",
        quote=quote,
    )


def long_answer(sections: int = 30, bullets: int = 8, words: int = 150) -> Answer:
    text = " ".join(["budget & <timing>"] * (words // 2))
    cites = [citation(n) for n in range(1, sections * bullets + 1)]
    return Answer(
        intent=Intent.TOPIC_BRIEF,
        title="Brief: " + "pricing objections " * 20,
        understood="Briefing on Moss & Co calls for pricing <objections>",
        sections=[
            Section(
                title=f"Part {s} & more",
                bullets=[
                    Bullet(text=text, citations=[s * bullets + b + 1], quote=True)
                    for b in range(bullets)
                ],
            )
            for s in range(sections)
        ],
        tables=[
            Table(
                title="Recent calls",
                columns=["date", "call", "link"],
                rows=[["2026-11-20", "Moss & Co <Q4>", "https://app.gong.io/call?id=1"]],
            )
        ],
        citations=cites,
    )


def all_text(pages: list) -> str:
    return json.dumps([p.blocks for p in pages], ensure_ascii=False)


def test_a_long_answer_is_split_into_valid_messages_and_loses_nothing() -> None:
    answer = long_answer()
    buttons = feedback_buttons("0123456789abcdef", "brief pricing")
    pages = paginate(answer_blocks(answer, UTC_ZONE), answer.title, after=[buttons])
    assert len(pages) > 3
    for page in pages:
        assert block_problems(page.blocks) == [], page.text
        assert len(page.blocks) <= 50 and page.text
    # Every bullet and every source made it, in order; the buttons close the last message.
    text = all_text(pages)
    assert text.count("budget &amp; &lt;timing&gt;") == 30 * 8 * 75
    assert text.count("Gregory Hale · Moss &amp; Co · 2026-11-20 · 06:21") == 240
    assert [b["type"] for p in pages for b in p.blocks].count("actions") == 1
    assert pages[-1].blocks[-1] == buttons
    assert pages[0].blocks[0]["type"] == "header"
    assert len(pages[0].blocks[0]["text"]["text"]) <= 150
    assert pages[0].text.endswith(f"(1/{len(pages)})")


def test_a_quote_too_long_for_one_section_is_cut_not_refused() -> None:
    answer = long_answer(sections=1, bullets=1, words=2000)
    blocks = answer_blocks(answer, UTC_ZONE)
    [section] = [b for b in blocks if "Part 0" in b.get("text", {}).get("text", "")]
    assert section["text"]["text"].count("budget") < 1000 and "…" in section["text"]["text"]
    assert "|[1]>" in section["text"]["text"]  # the citation survives the cut
    assert block_problems(blocks) == []


def test_a_cut_never_ends_inside_an_entity_or_a_link() -> None:
    for pad in range(2485, 2500):
        answer = long_answer(sections=1, bullets=1, words=2)
        answer.sections[0].bullets[0].text = "x" * pad + " Moss & Co <Q4> " * 10
        answer.tables[0].rows[0][1] = "y" * (pad + 450) + " <tag> & " * 5
        blocks = answer_blocks(answer, UTC_ZONE)
        assert block_problems(blocks) == [], pad


def test_a_response_url_page_limit_cuts_the_answer_and_says_so() -> None:
    answer = long_answer()
    pages = paginate(answer_blocks(answer, UTC_ZONE), answer.title, max_pages=5)
    assert len(pages) == 5
    assert messages.TOO_LONG in json.dumps(pages[-1].blocks, ensure_ascii=False)
    assert all(block_problems(p.blocks) == [] for p in pages)


def test_bullets_cite_numbered_links_and_tables_read_as_text() -> None:
    answer = long_answer(sections=1, bullets=2, words=10)
    blocks = answer_blocks(answer, UTC_ZONE)
    text = json.dumps(blocks, ensure_ascii=False)
    assert "<https://app.gong.io/call?id=7964471811250078217&amp;highlights=n1|[1]>" in text
    assert "“budget &amp; &lt;timing&gt;" in text  # quotes are quoted, and escaped
    assert "*Recent calls*" in text
    assert (
        "• *2026-11-20* — call Moss &amp; Co &lt;Q4&gt;, <https://app.gong.io/call?id=1|link>"
        in text
    )
    assert "[1]> Gregory Hale · Moss &amp; Co · 2026-11-20 · 06:21 — _Moss &amp; Co" in text
    assert block_problems(blocks) == []


def test_an_empty_answer_says_why() -> None:
    answer = Answer(
        intent=Intent.STALLED,
        title="Stalled deals",
        understood="Looking for open opportunities",
        notice="No open opportunity has gone 21 days without a call.",
    )
    text = json.dumps(answer_blocks(answer, UTC_ZONE))
    assert "No open opportunity has gone 21 days without a call." in text


def hit(snippet: str) -> Hit:
    return Hit(
        call_id="1",
        chunk_id="c1",
        title="Olympus — Pricing review",
        account="Olympus",
        started=datetime(2026, 11, 4, 23, 30, tzinfo=UTC),
        speaker="Elena Fischer",
        affiliation=Affiliation.EXTERNAL,
        start_ms=0,
        end_ms=9000,
        moment_ms=3_725_000,
        score=0.9,
        snippet=snippet,
        text=snippet,
        url="https://app.gong.io/call?id=1&highlights=x",
        call_url="https://app.gong.io/call?id=1",
    )


def test_each_hit_is_speaker_account_date_and_moment_linked_to_gong() -> None:
    result = SearchResult(
        request=build_request(query="per-seat <price>"),
        mode="hybrid",
        hits=[hit("The per-seat price is <too> high & rising.")],
        took_ms=3,
    )
    blocks = search_blocks(result, ZoneInfo("Europe/Berlin"))
    text = json.dumps(blocks, ensure_ascii=False)
    # 23:30 UTC on Nov 4 is Nov 5 in Berlin; 3,725 s into the call is 1:02:05.
    line = "Elena Fischer · Olympus · 2026-11-05 · 1:02:05"
    assert f"*<https://app.gong.io/call?id=1&amp;highlights=x|{line}>*" in text
    assert "“The per-seat price is &lt;too&gt; high &amp; rising.”" in text
    assert "1 moment for “per-seat &lt;price&gt;”" in text
    assert block_problems(blocks) == []


def test_no_hits_says_so_with_the_scope() -> None:
    result = SearchResult(
        request=build_request(query="sso", filters={"account": "Moss & Co"}),
        mode="hybrid",
        hits=[],
        took_ms=3,
        notice="Semantic search is unavailable right now; these are keyword matches.",
    )
    text = json.dumps(search_blocks(result, UTC_ZONE), ensure_ascii=False)
    assert "No moments matched “sso” in Moss &amp; Co's calls" in text
    assert "keyword matches" in text


def test_buttons_stay_within_limits_and_a_long_command_is_not_shareable() -> None:
    short = feedback_buttons("0123456789abcdef", "search pricing")
    assert [e["action_id"] for e in short["elements"]] == [SHARE, "vote_up", "vote_down"]
    long = feedback_buttons("0123456789abcdef", "search " + "x" * MAX_BUTTON_VALUE)
    assert [e["action_id"] for e in long["elements"]] == ["vote_up", "vote_down"]
    assert block_problems([short]) == [] and block_problems([long]) == []


def test_help_and_home_list_every_command_from_the_one_table() -> None:
    for blocks in (help_blocks("`search`: side: must be customer or rep"), home_view()["blocks"]):
        text = "\n".join(b["text"]["text"] for b in blocks if b["type"] == "section")
        for spec in COMMANDS:
            assert f"/gong {escape(spec.usage)}" in text and escape(spec.summary) in text
        assert block_problems(blocks) == []
    assert "side: must be customer or rep" in json.dumps(
        help_blocks("side: must be customer or rep")
    )
