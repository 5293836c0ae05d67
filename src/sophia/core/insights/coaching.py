"""Coaching: calls where a discussion (pricing by default) ended well, and the rep's lines
that the customer answered warmly."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from sophia.core.insights.answer import Answer, CitationBook, Intent, Table
from sophia.core.insights.context import InsightContext, describe, with_account
from sophia.core.insights.cues import NEXT_STEP, POSITIVE_OUTCOME, PRICING, mentions, sentiment
from sophia.core.insights.periods import Period
from sophia.core.insights.spoken import Spoken, spoken_sentences
from sophia.core.insights.summarizer import Candidate, SectionRequest
from sophia.core.models import Affiliation, Call
from sophia.core.snippets import query_terms

__all__ = ["coaching"]

_PRICING_TOPIC = re.compile(r"pric|negotiat|discount|commercial|deal|budget", re.IGNORECASE)
_MIN_TOPIC_SENTENCES = 3
_LATE_STAGES = ("negotiation", "closed won", "contract", "commit")
_CALLS = 3
_RESPONSE_WINDOW = 3
# Search picks the candidate calls: this many hits, from at most this many calls.
_SEARCH_DEPTH = 100
_CANDIDATE_CALLS = 30


@dataclass(frozen=True)
class _Outcome:
    call: Call
    score: float
    agreed: int
    tone: float
    next_steps: int
    talk_track: list[Candidate]


async def coaching(
    ctx: InsightContext, topic: str, period: Period | None, account: str | None = None
) -> Answer:
    """The best-ending discussions of `topic` (with `account`), with the lines that worked."""
    understood = describe("Looking through", account, period, f"successful {topic} discussions")
    outcomes = [
        o for call in await _discussing(ctx, topic, period, account) if (o := _outcome(call, topic))
    ]
    winners = sorted((o for o in outcomes if o.agreed and o.tone >= 0), key=lambda o: -o.score)
    winners = winners[:_CALLS]
    if not winners:
        return Answer(
            intent=Intent.COACHING,
            title=f"Successful {topic} discussions",
            understood=understood,
            notice=f"No call{' with ' + account if account else ''}"
            f"{' in ' + period.label if period else ''} has a {topic} discussion "
            "that ended with the customer agreeing.",
        )
    requests = [
        SectionRequest(
            with_account(o.call.details.account, o.call.details.title),
            "The rep's lines that the customer answered positively.",
            o.talk_track,
            3,
        )
        for o in winners
    ]
    book = CitationBook()
    written = await ctx.summarizer.write(f"successful {topic} talk tracks", requests, book)
    table = Table(
        title="Why these calls",
        columns=[
            "call",
            "account",
            "date",
            "customer agreed",
            "closing tone",
            "next steps",
            "stage",
        ],
        rows=[
            [
                o.call.details.title,
                o.call.details.account,
                o.call.details.started.astimezone(ctx.zone).date().isoformat(),
                o.agreed,
                round(o.tone, 2),
                o.next_steps,
                ", ".join(p.stage for p in o.call.details.opportunities if p.stage) or None,
            ]
            for o in winners
        ],
    )
    return Answer(
        intent=Intent.COACHING,
        title=f"Successful {topic} discussions",
        understood=understood,
        filters={"topic": topic, "account": account, "period": period.label if period else None},
        sections=written.sections,
        tables=[table],
        citations=book.citations,
        notice=written.notice,
        summarizer=written.name,
    )


async def _discussing(
    ctx: InsightContext, topic: str, period: Period | None, account: str | None
) -> list[Call]:
    """The calls where search finds the topic discussed: only those are read in full."""
    request = ctx.search_request(f"{topic} negotiation", _SEARCH_DEPTH, period, account)
    call_ids = dict.fromkeys(hit.call_id for hit in (await ctx.search.search(request)).hits)
    calls = [await ctx.store.get_call(call_id) for call_id in list(call_ids)[:_CANDIDATE_CALLS]]
    return [call for call in calls if call is not None]


def _outcome(call: Call, topic: str) -> _Outcome | None:
    sentences = spoken_sentences(call)
    on_topic = [s for s in sentences if _about(s.text, topic)]
    if len(on_topic) < _MIN_TOPIC_SENTENCES:
        return None
    middle = on_topic[len(on_topic) // 2].index
    closing = [s for s in sentences[middle:] if s.is_customer]
    agreed = sum(mentions(POSITIVE_OUTCOME, s.text) for s in closing)
    tone = sum(sentiment(s.text) for s in closing) / len(closing) if closing else 0.0
    tail = sentences[int(len(sentences) * 0.8) :]
    next_steps = sum(bool(NEXT_STEP.search(s.text)) for s in tail)
    stage = any(
        (p.stage or "").casefold().startswith(_LATE_STAGES) for p in call.details.opportunities
    )
    score = 2.0 * min(agreed, 3) + tone + 0.5 * min(next_steps, 2) + (0.5 if stage else 0.0)
    return _Outcome(call, score, agreed, tone, next_steps, _talk_track(sentences, on_topic))


def _about(text: str, topic: str) -> bool:
    if _PRICING_TOPIC.search(topic):
        return bool(PRICING.search(text))
    return bool(query_terms(topic) & query_terms(text))


def _talk_track(sentences: Sequence[Spoken], on_topic: Sequence[Spoken]) -> list[Candidate]:
    """Rep sentences on the topic that a customer answered warmly within a few sentences."""
    track = []
    for s in on_topic:
        if s.affiliation is not Affiliation.INTERNAL or len(s.text.split()) < 6:
            continue
        replies = [
            r for r in sentences[s.index + 1 : s.index + 1 + _RESPONSE_WINDOW] if r.is_customer
        ]
        warmth = max(
            (sentiment(r.text) + mentions(POSITIVE_OUTCOME, r.text) for r in replies), default=0.0
        )
        if warmth > 0.3:
            track.append(Candidate(s, warmth))
    return track
