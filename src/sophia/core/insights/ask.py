"""`ask` and `brief`: a question in plain words -> its reading -> the capability's answer.

Offline and deterministic: `understanding.py` reads every constraint, then `respond` holds
the answer to all of them. What matched nothing is said (with "did you mean"); a period or
kind of call without calls says so; nothing is ever widened to all calls to fill an answer.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace

from sophia.core.errors import BadQuery
from sophia.core.insights.answer import Answer, CitationBook, Intent
from sophia.core.insights.briefs import account_brief, topic_brief
from sophia.core.insights.call_analysis import analyze_call, follow_on
from sophia.core.insights.coaching import coaching
from sophia.core.insights.competitors import competitor_intel
from sophia.core.insights.context import InsightContext, describe
from sophia.core.insights.cues import PRICING
from sophia.core.insights.deals import deal_status
from sophia.core.insights.intents import ROLES
from sophia.core.insights.people import stakeholders
from sophia.core.insights.quotes import answering_sentences
from sophia.core.insights.recent import last_call, recent_calls
from sophia.core.insights.spoken import spoken_sentences
from sophia.core.insights.stalled import stalled_deals
from sophia.core.insights.summarizer import Candidate, SectionRequest
from sophia.core.insights.understanding import Miss, Understanding, follow_up, understand
from sophia.core.insights.vocabulary import CALL_KINDS, Vocabulary, load_vocabulary
from sophia.core.snippets import query_terms

__all__ = ["ask", "brief", "read", "respond"]

# What one person said on the topic: at most this many of their sentences.
_SAID_BY = 6
_UNCLEAR = (
    "I could not tell what to look for. Try “pricing objections with Moss & Co this quarter” "
    "or “/gong help”."
)


async def ask(ctx: InsightContext, question: str, earlier: Sequence[str] = ()) -> Answer:
    """Answer a question about the calls; never an empty answer without a reason.

    `earlier` holds the questions asked before in the same conversation, oldest first.
    """
    return await respond(ctx, await read(ctx, question, earlier))


async def brief(ctx: InsightContext, subject: str) -> Answer:
    """A brief on a topic or an account: the same reading as `ask`, briefing by default."""
    meaning = await read(ctx, subject)
    if meaning.intent is Intent.SEARCH and not meaning.speakers:
        if meaning.topic or meaning.call_kind:
            meaning = _with(meaning, intent=Intent.TOPIC_BRIEF)
        elif meaning.account:
            meaning = _with(meaning, intent=Intent.ACCOUNT_BRIEF)
        elif meaning.period:
            meaning = _with(meaning, intent=Intent.RECENT_CALLS)
    return await respond(ctx, meaning)


async def read(ctx: InsightContext, question: str, earlier: Sequence[str] = ()) -> Understanding:
    """What the question means, a follow-up read in the light of the earlier questions."""
    vocabulary = await load_vocabulary(ctx)
    meaning = await understand(question, ctx, vocabulary)
    if earlier and not meaning.misses:
        meaning = follow_up(meaning, await _conversation(earlier, ctx, vocabulary))
    return meaning


async def respond(ctx: InsightContext, meaning: Understanding) -> Answer:
    """The answer that holds every constraint of `meaning`, or a notice saying which failed."""
    if meaning.misses:
        return _missed(meaning, meaning.misses)
    if meaning.intent is Intent.CALL_ANALYSIS:
        assert meaning.call_id is not None
        return await analyze_call(ctx, meaning.call_id)
    call_ids: list[str] = []
    if meaning.call_kind:
        marks = CALL_KINDS.get(meaning.call_kind, re.compile(re.escape(meaning.call_kind), re.I))
        scope = await ctx.calls(period=meaning.period, account=meaning.account, transcripts=False)
        call_ids = [c.call_id for c in scope if marks.search(c.details.title)]
        if not call_ids:
            where = f" with {meaning.account}" if meaning.account else ""
            when = f" {meaning.period.said}" if meaning.period else ""
            miss = Miss(f"No {meaning.call_kind} call{where}{when} is indexed", kind="call")
            return _missed(meaning, [miss])
    elif meaning.period and not await ctx.calls(
        period=meaning.period, account=meaning.account, transcripts=False, newest=1
    ):
        return _no_calls(meaning)
    period, account = meaning.period, meaning.account
    if meaning.speakers and meaning.intent in (
        Intent.COMPETITORS,
        Intent.SEARCH,
        Intent.TOPIC_BRIEF,
    ):
        return await _said_by(ctx, meaning, call_ids)  # one person's words, on any topic
    match meaning.intent:
        case Intent.STALLED:
            return await stalled_deals(ctx)
        case Intent.DEAL_STATUS:
            return await deal_status(ctx, account)
        case Intent.STAKEHOLDERS:
            role = next(
                (titles for said, titles in ROLES if meaning.role and said.search(meaning.role)),
                None,
            )
            return await stakeholders(ctx, account, period, role=role, people=meaning.speakers)
        case Intent.LAST_CALL:
            return await last_call(ctx, account, period, meaning.speakers)
        case Intent.RECENT_CALLS:
            return await recent_calls(ctx, account, period)
        case Intent.COMPETITORS:
            return await competitor_intel(
                ctx,
                period,
                account,
                competitor=meaning.competitor,
                pricing=meaning.about_pricing,
            )
        case Intent.COACHING:
            return await coaching(ctx, meaning.topic or "pricing", period, account)
        case Intent.ACCOUNT_BRIEF:
            assert account is not None
            return await account_brief(ctx, account, period)
    if meaning.intent is Intent.TOPIC_BRIEF:
        return await topic_brief(
            ctx, meaning.topic, period, account, call_ids=call_ids, side=meaning.side
        )
    if not meaning.topic and account:
        return await account_brief(ctx, account, period)
    return await _search(ctx, meaning, call_ids)


async def _conversation(
    questions: Sequence[str], ctx: InsightContext, vocabulary: Vocabulary
) -> list[Understanding]:
    """What each earlier question meant, itself read as a follow-up of the ones before it."""
    meant: list[Understanding] = []
    for question in questions:
        try:
            meaning = await understand(question, ctx, vocabulary)
        except BadQuery:
            continue  # an empty message gives no context
        if not meaning.misses:
            meant.append(follow_up(meaning, meant))
    return meant


def _with(meaning: Understanding, *, intent: Intent) -> Understanding:
    return replace(meaning, intent=intent)


def _missed(meaning: Understanding, misses: Sequence[Miss]) -> Answer:
    """Nothing is cited: the question named something that matches nothing."""
    names = [m.text for m in misses if m.kind == "name"]
    return Answer(
        intent=meaning.intent,
        title="No matching account" if names else "Nothing matched",
        understood=describe("Looking for", names[0] if names else meaning.account, meaning.period),
        notice=" ".join(m.sentence() for m in misses),
    )


def _no_calls(meaning: Understanding) -> Answer:
    """The period (with the account) holds no calls: say so rather than answer from others."""
    assert meaning.period is not None
    period = meaning.period
    where = f" with {meaning.account}" if meaning.account else ""
    later = " That period has not started yet." if period.ahead else ""
    return Answer(
        intent=meaning.intent,
        title="No calls in that period",
        understood=describe("Looking at", meaning.account, period, meaning.topic or None),
        filters={"account": meaning.account, "period": period.label},
        notice=f"No calls{where} {period.said}.{later}",
    )


async def _said_by(ctx: InsightContext, meaning: Understanding, call_ids: Sequence[str]) -> Answer:
    """What these people said on the topic: their own sentences, from their calls only."""
    who = " and ".join(meaning.speakers)
    rival = (
        next((c for c in (await ctx.competitors()) if c.name == meaning.competitor), None)
        if meaning.competitor
        else None
    )
    topic = " ".join(filter(None, [meaning.topic, meaning.competitor]))
    understood = describe(
        f"Reading what {who} said on", meaning.account, meaning.period, topic or None
    )
    calls = await ctx.calls(period=meaning.period, account=meaning.account, call_ids=call_ids)
    terms = query_terms(topic)
    pricing = bool(PRICING.search(topic))
    candidates = []
    for call in calls:
        sentences = spoken_sentences(call)
        for s in sentences:
            if s.speaker not in meaning.speakers or (rival and not rival.pattern.search(s.text)):
                continue
            score = len(terms & query_terms(s.text)) + (pricing and bool(PRICING.search(s.text)))
            if score or not terms:
                long = len(s.text.split()) / 30
                candidates.append(Candidate(s, score + long, follow_on(sentences, s)))
    title = f"{who} on {topic}" if topic else f"What {who} said"
    request = SectionRequest(
        title, f"What {who} said about {topic or 'anything'}.", candidates, _SAID_BY
    )
    book = CitationBook()
    written = await ctx.summarizer.write(topic or who, [request], book)
    sections = [s for s in written.sections if s.bullets]
    return Answer(
        intent=Intent.SEARCH,
        title=title,
        understood=understood,
        filters={"account": meaning.account, "speakers": list(meaning.speakers)},
        sections=sections,
        citations=book.citations,
        notice=written.notice
        or (None if sections else f"{who} said nothing about “{topic}” on the calls."),
        summarizer=written.name,
    )


async def _search(ctx: InsightContext, meaning: Understanding, call_ids: Sequence[str]) -> Answer:
    topic = meaning.topic
    understood = describe("Searching", meaning.account, meaning.period, topic or None)
    if not topic:
        return Answer(intent=Intent.SEARCH, title="Search", understood=understood, notice=_UNCLEAR)
    period = meaning.period
    request = ctx.search_request(
        topic,
        ctx.settings.search_limit,
        period,
        meaning.account,
        call_ids=call_ids,
        side=meaning.side,
    )
    result = await ctx.search.search(request)
    # The sentences of the hits that answer best: each hit's best one, or two of one hit.
    candidates = await answering_sentences(
        ctx, topic, result.hits, side=meaning.side, embedder=ctx.embedder
    )
    moments = SectionRequest(
        "Moments", f"What was said about {topic}.", candidates, ctx.settings.search_limit
    )
    book = CitationBook()
    written = await ctx.summarizer.write(topic, [moments], book)
    sections = [s for s in written.sections if s.bullets]
    scope = f"{meaning.account}'s calls" if meaning.account else "the indexed calls"
    when = f" from {period.label}" if period else ""
    return Answer(
        intent=Intent.SEARCH,
        title=f"“{topic}”",
        understood=understood,
        filters=request.filters.model_dump(mode="json", exclude_defaults=True),
        sections=sections,
        citations=book.citations,
        notice=result.notice
        or written.notice
        or (None if sections else f"Nothing about “{topic}” in {scope}{when}."),
        summarizer=written.name,
    )
