"""`ask`: a question in plain words -> intent, account, period -> the capability's answer.

Offline and deterministic: rules pick the intent, a fuzzy match finds the account, and the
period parser reads the dates. The rules are in the open (below) so a surprising answer
can be explained by reading them.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from core.errors import BadQuery
from core.insights.answer import Answer, Bullet, CitationBook, Intent, Section
from core.insights.briefs import account_brief, topic_brief
from core.insights.call_analysis import analyze_call
from core.insights.coaching import coaching
from core.insights.competitors import competitor_intel
from core.insights.context import InsightContext, closest_account, describe
from core.insights.periods import Period, find_period
from core.insights.stalled import stalled_deals
from core.search import Hit

__all__ = ["Understanding", "ask", "understand"]

_CALL_ID = re.compile(r"(?:[?&]id=|\bcall\s+)(\d{6,20})\b", re.IGNORECASE)
_RULES: list[tuple[Intent, re.Pattern[str]]] = [
    (
        Intent.STALLED,
        re.compile(
            r"\b(?:stall(?:ed|ing)?|stuck|gone (?:quiet|dark|cold)|no (?:recent )?activity|slipp)",
            re.IGNORECASE,
        ),
    ),
    (Intent.COMPETITORS, re.compile(r"\bcompetit|\bcompetition\b", re.IGNORECASE)),
    (
        Intent.COACHING,
        re.compile(
            r"\b(?:successful|success|winning|coach(?:ing)?|talk tracks?|worked well|"
            r"good examples?|best (?:calls?|examples?))\b",
            re.IGNORECASE,
        ),
    ),
    (
        Intent.TOPIC_BRIEF,
        re.compile(
            r"\b(?:brief|summar|overview|recap|catch me up|themes?|trends?|key decisions|digest|"
            r"prep(?:are)?|what's new|recent conversations|objections?|concerns?|pushback|"
            r"worries|complain)",
            re.IGNORECASE,
        ),
    ),
]
# Words that frame a question rather than say what it is about.
_FILLER = frozenset(
    "what which who whom whose were was are is the any did do does came come up mentioned "
    "raised said say says calls call conversations conversation with in on about me show find "
    "brief briefing give tell us our please recent recently there have has been a an of for "
    "from at and how many much why when where all get list see into across during my i we "
    "you can could would should let know need summary summarize summarise overview recap "
    "catch prep prepare before meeting they them their it its he she his her this that these "
    "those else again also what's".split()
)
# Capitalised words after these look like an account name the user meant.
_NAMED = re.compile(
    r"\b(?:with|for|at|from|about|on)\s+((?:[A-Z0-9][\w'’.-]*|&|and|of)(?:\s+(?:[A-Z0-9][\w'’.-]*|&|and|of)){0,4})"
)
_NOT_NAMES = frozenset({"q1", "q2", "q3", "q4", "i", "pricing", "price"})


@dataclass(frozen=True)
class Understanding:
    """What a question was taken to mean."""

    intent: Intent
    topic: str
    account: str | None
    period: Period | None
    call_id: str | None = None
    unknown_account: str | None = None
    suggestion: str | None = None


async def ask(ctx: InsightContext, question: str, earlier: Sequence[str] = ()) -> Answer:
    """Answer a question about the calls; never an empty answer without a reason.

    `earlier` holds the questions asked before in the same conversation, oldest first.
    """
    accounts = await ctx.accounts()
    meaning = understand(question, ctx, accounts)
    if earlier and not meaning.unknown_account:
        meaning = _follow_up(meaning, _conversation(earlier, ctx, accounts))
    if meaning.unknown_account:
        hint = f" Did you mean {meaning.suggestion}?" if meaning.suggestion else ""
        return Answer(
            intent=meaning.intent,
            title="No matching account",
            understood=describe("Looking for", meaning.unknown_account, meaning.period),
            notice=f"No calls found for '{meaning.unknown_account}'.{hint}",
        )
    match meaning.intent:
        case Intent.CALL_ANALYSIS:
            assert meaning.call_id is not None
            return await analyze_call(ctx, meaning.call_id)
        case Intent.STALLED:
            return await stalled_deals(ctx)
        case Intent.COMPETITORS:
            return await competitor_intel(ctx, meaning.period, meaning.account)
        case Intent.COACHING:
            return await coaching(ctx, meaning.topic or "pricing", meaning.period)
        case Intent.ACCOUNT_BRIEF:
            assert meaning.account is not None
            return await account_brief(ctx, meaning.account, meaning.period)
        case Intent.TOPIC_BRIEF:
            return await topic_brief(ctx, meaning.topic, meaning.period, meaning.account)
    return await _search(ctx, meaning)


def understand(question: str, ctx: InsightContext, accounts: Sequence[str]) -> Understanding:
    """Intent, topic, account and period of a question (rules only, no model)."""
    text = " ".join(question.split())
    if not text:
        raise BadQuery("Ask a question, e.g. “what pricing objections came up with Moss & Co?”")
    if call := _CALL_ID.search(text):
        return Understanding(Intent.CALL_ANALYSIS, "", None, None, call_id=call[1])
    period, text = find_period(text, ctx.clock.now(), ctx.zone)
    account, text = _known_account(text, accounts)
    unknown, suggestion = (None, None) if account else _unknown_account(text, accounts)
    intent = next((i for i, rule in _RULES if rule.search(text)), Intent.SEARCH)
    topic = _topic(text)
    if intent is Intent.TOPIC_BRIEF and account and not topic:
        intent = Intent.ACCOUNT_BRIEF
    if intent is Intent.TOPIC_BRIEF and not topic:
        intent = Intent.SEARCH
    if intent is Intent.COACHING:
        topic = _topic(_RULES[2][1].sub(" ", text)) or "pricing"
    return Understanding(intent, topic, account, period, None, unknown, suggestion)


def _conversation(
    questions: Sequence[str], ctx: InsightContext, accounts: Sequence[str]
) -> list[Understanding]:
    """What each earlier question meant, itself read as a follow-up of the ones before it."""
    meant: list[Understanding] = []
    for question in questions:
        try:
            meaning = understand(question, ctx, accounts)
        except BadQuery:
            continue  # an empty message gives no context
        if not meaning.unknown_account:
            meant.append(_follow_up(meaning, meant))
    return meant


def _follow_up(meaning: Understanding, earlier: Sequence[Understanding]) -> Understanding:
    """A follow-up takes what it does not say from the latest earlier question that said it.

    After "what pricing objections came up with Moss & Co?", "and what about Olympus?" is
    about pricing objections at Olympus, and "what did they say about security?" is about
    security at Moss & Co. A question that names a call stands on its own.
    """
    before = [e for e in reversed(earlier) if e.intent is not Intent.CALL_ANALYSIS]
    if meaning.intent is Intent.CALL_ANALYSIS or not before:
        return meaning
    intent: Intent = meaning.intent
    topic = meaning.topic
    if intent is Intent.SEARCH and not topic:
        # Nothing but an account or a period ("and Olympus?"): the last question, re-scoped.
        intent = before[0].intent
        if intent in (Intent.SEARCH, Intent.TOPIC_BRIEF, Intent.COACHING):
            topic = next((e.topic for e in before if e.topic), "")
    account = meaning.account or next((e.account for e in before if e.account), None)
    if intent is Intent.ACCOUNT_BRIEF and not account:
        intent = Intent.SEARCH
    return Understanding(
        intent=intent,
        topic=topic,
        account=account,
        period=meaning.period or next((e.period for e in before if e.period), None),
    )


def _known_account(text: str, accounts: Sequence[str]) -> tuple[str | None, str]:
    """An indexed account named in the text (longest first), and the text without it."""
    for account in sorted(accounts, key=len, reverse=True):
        match = _account_pattern(account).search(text)
        if match:
            return account, (text[: match.start()] + " " + text[match.end() :]).strip()
    return None, text


def _account_pattern(account: str) -> re.Pattern[str]:
    words = re.findall(r"[\w']+|&", account)
    parts = [r"(?:&|and|&amp;)" if w in ("&", "and") else re.escape(w) for w in words]
    return re.compile(r"(?<!\w)" + r"[\s,.]*".join(parts) + r"(?:'s|’s)?(?!\w)", re.IGNORECASE)


def _unknown_account(text: str, accounts: Sequence[str]) -> tuple[str | None, str | None]:
    """A name the user seems to mean that is not indexed, and the closest indexed one."""
    for match in _NAMED.finditer(text):
        typed = match[1].strip(" .,?!")
        if typed.casefold() in _NOT_NAMES or not typed:
            continue
        suggestion, _ = closest_account(typed, accounts)
        if suggestion:
            return typed, suggestion
    return None, None


def _topic(text: str) -> str:
    words = re.findall(r"[\w'&$%-]+", text)
    kept = [w for w in words if w.casefold() not in _FILLER]
    return " ".join(kept).strip()


async def _search(ctx: InsightContext, meaning: Understanding) -> Answer:
    topic = meaning.topic
    understood = describe("Searching", meaning.account, meaning.period, topic or None)
    if not topic:
        return Answer(
            intent=Intent.SEARCH,
            title="Search",
            understood=understood,
            notice="I could not tell what to look for. Try “pricing objections with Moss & Co "
            "this quarter” or “/gong help”.",
        )
    period = meaning.period
    request = ctx.search_request(topic, ctx.settings.search_limit, period, meaning.account)
    result = await ctx.search.search(request)
    book = CitationBook()
    bullets = [
        # A hit's snippet is a verbatim quote; its citation carries who, when and the link.
        _quote_bullet(book, hit)
        for hit in result.hits
    ]
    scope = f"{meaning.account}'s calls" if meaning.account else "the indexed calls"
    when = f" from {period.label}" if period else ""
    return Answer(
        intent=Intent.SEARCH,
        title=f"“{topic}”",
        understood=understood,
        filters=request.filters.model_dump(mode="json", exclude_defaults=True),
        sections=[Section(title="Moments", bullets=bullets)] if bullets else [],
        citations=book.citations,
        notice=result.notice or (None if bullets else f"Nothing about “{topic}” in {scope}{when}."),
    )


def _quote_bullet(book: CitationBook, hit: Hit) -> Bullet:
    return Bullet(text=hit.snippet, citations=[book.cite_hit(hit)], quote=True)
