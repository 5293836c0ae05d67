"""Block Kit: search hits, cited answers, stats and help as Slack messages, within its limits.

Slack rejects a message with more than 50 blocks, a section text over 3,000 characters, a
header over 150 or a button label over 75; a long answer is split over several messages
instead (`paginate`). Everything from users and transcripts is escaped (`bot.mrkdwn`).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sophia.bot import messages
from sophia.bot.commands import COMMANDS
from sophia.bot.mrkdwn import escape, link, plain_text
from sophia.core.insights.answer import Answer, Bullet, Citation, Table
from sophia.core.search import Hit, SearchResult
from sophia.core.stats import Stats
from sophia.core.viewer import SURFACE_NAMES

__all__ = [
    "Block",
    "Message",
    "answer_blocks",
    "clock",
    "feedback_buttons",
    "help_blocks",
    "home_view",
    "notice_blocks",
    "paginate",
    "search_blocks",
    "shared_by",
    "stats_blocks",
]

Block = dict[str, Any]

MAX_BLOCKS = 50
MAX_SECTION = 3000
MAX_HEADER = 150
MAX_BUTTON_TEXT = 75
MAX_BUTTON_VALUE = 2000
# Slack folds long messages behind "show more" and refuses very long ones: a page holds at
# most this much text, whatever its block count.
MAX_PAGE_CHARS = 12_000
# A quote longer than this is cut (its link opens the whole moment), so that one bullet
# always fits in a section with room for its citation links.
MAX_BULLET = 2_500

SHARE = "share"
VOTE_UP = "vote_up"
VOTE_DOWN = "vote_down"


@dataclass
class Message:
    """One Slack message: its notification text and its blocks."""

    text: str
    blocks: list[Block] = field(default_factory=list)

    def payload(self) -> dict[str, Any]:
        return {"text": self.text, "blocks": self.blocks}


def clock(ms: int) -> str:
    """mm:ss (or h:mm:ss) of a moment in a call."""
    hours, rest = divmod(ms // 1000, 3600)
    minutes, seconds = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{seconds:02d}" if hours else f"{minutes:02d}:{seconds:02d}"


def _day(moment: datetime, zone: ZoneInfo) -> str:
    return moment.astimezone(zone).date().isoformat()


# --- building blocks ---------------------------------------------------------------------------


def _header(text: str) -> Block:
    return {"type": "header", "text": {"type": "plain_text", "text": plain_text(text, MAX_HEADER)}}


def _context(text: str) -> Block:
    return {"type": "context", "elements": [{"type": "mrkdwn", "text": _fit(text)}]}


def _sections(lines: Iterable[str]) -> list[Block]:
    """Section blocks holding `lines` (mrkdwn), as few as fit, never splitting a line."""
    blocks: list[Block] = []
    current = ""
    for line in lines:
        line = _fit(line)
        if current and len(current) + 1 + len(line) > MAX_SECTION:
            blocks.append(_section(current))
            current = line
        else:
            current = f"{current}\n{line}" if current else line
    if current:
        blocks.append(_section(current))
    return blocks


def _section(text: str) -> Block:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text}}


def _fit(text: str, limit: int = MAX_SECTION) -> str:
    """`text` (mrkdwn) cut to `limit` characters, never inside a link or an entity."""
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    if (opened := cut.rfind("<")) > cut.rfind(">"):
        cut = cut[:opened]
    if (entity := cut.rfind("&")) != -1 and ";" not in cut[entity:]:
        cut = cut[:entity]
    return cut + "…"


def shared_by(user: str, command: str) -> Block:
    """The line over a shared answer: who shared it, and the command that made it."""
    return _context(messages.SHARED_BY.format(user=user, command=escape(command)))


def notice_blocks(text: str) -> list[Block]:
    """A plain message (escaped): refusals, errors, "nothing found"."""
    return _sections([escape(text)])


# --- search ------------------------------------------------------------------------------------


def hit_title(hit: Hit, zone: ZoneInfo) -> str:
    """speaker · account · date · mm:ss"""
    return " · ".join(
        [hit.speaker, hit.account or "—", _day(hit.started, zone), clock(hit.moment_ms)]
    )


def search_blocks(result: SearchResult, zone: ZoneInfo) -> list[Block]:
    """Each hit linked to its moment in Gong, with the words that matched."""
    request = result.request
    scope = f" in {request.filters.account}'s calls" if request.filters.account else ""
    blocks: list[Block] = []
    if result.notice:
        blocks += _sections([f":information_source: {escape(result.notice)}"])
    if not result.hits:
        return blocks + notice_blocks(messages.NO_HITS.format(query=request.query, scope=scope))
    count = f"{len(result.hits)} moment{'s' if len(result.hits) != 1 else ''}"
    blocks.append(_context(f"{count} for “{escape(request.query)}”{escape(scope)}"))
    for hit in result.hits:
        quote = _fit(escape(hit.snippet), MAX_BULLET)
        blocks.append(_section(f"*{link(hit.url, hit_title(hit, zone))}*\n>“{quote}”"))
        blocks.append(_context(escape(hit.title)))
    return blocks


# --- answers -----------------------------------------------------------------------------------


def answer_blocks(answer: Answer, zone: ZoneInfo) -> list[Block]:
    """Title, what was understood, sections of cited bullets, tables as text, the sources."""
    blocks = [_header(answer.title), _context(escape(answer.understood))]
    if answer.notice:
        blocks += _sections([f":information_source: {escape(answer.notice)}"])
    urls = {c.number: c.url for c in answer.citations}
    for section in answer.sections:
        if section.bullets:
            lines = [f"*{escape(section.title)}*"]
            lines += [_bullet(b, urls) for b in section.bullets]
            blocks += _sections(lines)
    for table in answer.tables:
        if table.rows:
            blocks += _sections(_table_lines(table))
    if answer.citations:
        lines = ["*Sources*"] + [_source(c, zone) for c in answer.citations]
        blocks += _sections(lines)
    return blocks


def _bullet(bullet: Bullet, urls: dict[int, str]) -> str:
    text = _fit(escape(bullet.text), MAX_BULLET)
    if bullet.quote:
        text = f"“{text}”"
    cites = " ".join(link(urls[n], f"[{n}]") for n in bullet.citations if n in urls)
    return f"• {text} {cites}".rstrip()


def _source(citation: Citation, zone: ZoneInfo) -> str:
    who = " · ".join(
        [
            citation.speaker,
            citation.account or "—",
            _day(citation.started, zone),
            clock(citation.moment_ms),
        ]
    )
    return (
        f"{link(citation.url, f'[{citation.number}]')} {escape(who)} — _{escape(citation.title)}_"
    )


def _table_lines(table: Table) -> list[str]:
    """A table as lines: the first cell in bold, then "column value" pairs; links as links."""
    lines = [f"*{escape(table.title)}*"]
    for row in table.rows:
        first, *rest = row
        pairs = []
        for column, cell in zip(table.columns[1:], rest, strict=False):
            if cell is None or cell == "":
                continue
            value = str(cell)
            if value.startswith(("https://", "http://")):
                pairs.append(link(value, column))
            else:
                pairs.append(f"{escape(column)} {escape(value)}")
        lead = f"*{escape(str(first if first is not None else '—'))}*"
        lines.append(f"• {lead} — {', '.join(pairs)}" if pairs else f"• {lead}")
    return lines


# --- stats, help, home -------------------------------------------------------------------------


def stats_blocks(stats: Stats) -> list[Block]:
    """The index, the cache and the last sync as fields, then query times by surface."""
    rate = "—" if stats.cache_hit_rate is None else f"{stats.cache_hit_rate:.0%}"
    last = stats.last_sync.strftime("%Y-%m-%d %H:%M UTC") if stats.last_sync else "never"
    fields = [
        ("Calls indexed", f"{stats.calls_indexed:,}"),
        ("Chunks", f"{stats.total_chunks:,}"),
        ("Cache hit rate", rate),
        ("Last sync", last),
        ("Embedder", stats.embedder),
    ]
    if stats.crm_pending is not None:  # CRM enrichment is on
        fields.append(("Salesforce pending", f"{stats.crm_pending:,}"))
    times = [
        f"{SURFACE_NAMES[surface]}: {escape(timed.line())}"
        for surface, timed in stats.query_times.items()
    ]
    return [
        _header("Sophia: index"),
        {
            "type": "section",
            "fields": [
                {"type": "mrkdwn", "text": f"*{name}*\n{escape(value)}"} for name, value in fields
            ],
        },
        *_sections(["*Query time by surface* (server-side)", *(times or ["no queries yet"])]),
    ]


def _command_lines() -> list[str]:
    return [
        f"*`/gong {escape(spec.usage)}`*\n{escape(spec.summary)} "
        f"_e.g._ `/gong {escape(spec.example)}`"
        for spec in COMMANDS
    ]


def help_blocks(problem: str | None = None) -> list[Block]:
    """The commands, generated from `bot.commands.COMMANDS`; first what was wrong, if anything."""
    blocks = [_header(messages.HELP_TITLE)]
    if problem:
        blocks += _sections([f":warning: {escape(problem)}"])
    blocks += _sections(_command_lines())
    blocks.append(_context("Or mention @Sophia with a question, in a channel or a DM."))
    return blocks


def home_view() -> dict[str, Any]:
    """The App Home tab: what Sophia does and its commands."""
    blocks = [_header("Sophia"), *_sections([messages.HOME_INTRO]), {"type": "divider"}]
    blocks += _sections(_command_lines())
    blocks.append(_context(messages.HOME_FOOTER))
    return {"type": "home", "blocks": blocks}


# --- buttons and pages -------------------------------------------------------------------------


def feedback_buttons(request_id: str, share: str | None = None) -> Block:
    """👍 / 👎 on the answer of `request_id`, and "Share in channel" that re-runs `share`.

    The share button carries the command text itself, so any replica can re-run it (the
    result cache makes that cheap); a command over Slack's 2,000-character limit on a button
    value gets no share button.
    """
    elements: list[Block] = []
    if share is not None and len(share) <= MAX_BUTTON_VALUE:
        elements.append(_button("Share in channel", SHARE, share, style="primary"))
    elements.append(_button("👍", VOTE_UP, request_id))
    elements.append(_button("👎", VOTE_DOWN, request_id))
    return {"type": "actions", "block_id": "answer_actions", "elements": elements}


def _button(label: str, action_id: str, value: str, style: str | None = None) -> Block:
    button: Block = {
        "type": "button",
        "action_id": action_id,
        "text": {"type": "plain_text", "text": plain_text(label, MAX_BUTTON_TEXT), "emoji": True},
        "value": value,
    }
    if style:
        button["style"] = style
    return button


def paginate(
    blocks: Sequence[Block],
    text: str,
    *,
    before: Sequence[Block] = (),
    after: Sequence[Block] = (),
    max_pages: int | None = None,
) -> list[Message]:
    """Messages of at most 50 blocks and MAX_PAGE_CHARS characters each.

    `before` opens the first message and `after` (the buttons) closes the last one. With
    `max_pages` (a response_url takes 5 posts), the last page says that the rest was cut.
    """
    room = MAX_BLOCKS - len(before) - len(after) - 1  # - 1: the "cut" note below
    pages: list[list[Block]] = [[]]
    size = 0
    for block in blocks:
        length = len(json.dumps(block, ensure_ascii=False))
        if pages[-1] and (len(pages[-1]) >= room or size + length > MAX_PAGE_CHARS):
            pages.append([])
            size = 0
        pages[-1].append(block)
        size += length
    if max_pages is not None and len(pages) > max_pages:
        pages = pages[:max_pages]
        pages[-1].append(_context(messages.TOO_LONG))
    pages[0] = [*before, *pages[0]]
    pages[-1] = [*pages[-1], *after]
    total = len(pages)
    return [
        Message(text if total == 1 else f"{plain_text(text, 200)} ({n}/{total})", page)
        for n, page in enumerate(pages, 1)
    ]
