"""Briefs: a topic across calls ("competitive mentions in Q4"), and an account before a
meeting ("brief me on recent conversations with Olympus")."""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Sequence
from typing import Unpack

from sophia.core.insights.answer import Answer, Bullet, CitationBook, Intent, Section, Table
from sophia.core.insights.call_analysis import follow_on, objection_candidates
from sophia.core.insights.context import InsightContext, Narrowing, describe
from sophia.core.insights.cues import DECISION, NEXT_STEP, PRICING, mentions, objection
from sophia.core.insights.periods import Period
from sophia.core.insights.spoken import Spoken, spoken_sentences
from sophia.core.insights.summarizer import Candidate, SectionRequest
from sophia.core.models import Affiliation, Call
from sophia.core.search import Hit
from sophia.core.snippets import query_terms

__all__ = ["account_brief", "topic_brief"]

_SEARCH_DEPTH = 20
# A topic about objections puts the concerns first and lists more of them.
_OBJECTION_TOPIC = re.compile(r"objection|concern|pushback|push back|worr|complain", re.I)
_RECENT_CALLS = 5
# An account brief reads this many of the account's latest calls: "recent conversations".
_RECENT_CALLS_READ = 12
# A brief over at most this many calls reads every sentence instead of only search hits.
_FULL_READ_CALLS = 60


async def topic_brief(
    ctx: InsightContext,
    topic: str,
    period: Period | None,
    account: str | None = None,
    **narrowing: Unpack[Narrowing],
) -> Answer:
    """Search the period for the topic, then quote what was said, decided and worried about
    (narrowed further as `narrowing` says)."""
    understood = describe("Briefing on", account, period, topic)
    call_ids, side = narrowing.get("call_ids", ()), narrowing.get("side")
    request = ctx.search_request(topic, _SEARCH_DEPTH, period, account, **narrowing)
    result = await ctx.search.search(request)
    filters = request.filters.model_dump(mode="json", exclude_defaults=True)
    nothing = Answer(
        intent=Intent.TOPIC_BRIEF,
        title=f"Brief: {topic}",
        understood=understood,
        filters=filters,
        notice=result.notice or f"Nothing about “{topic}” came up in {_scope(account, period)}.",
    )
    if not result.hits and not (account or period or call_ids):
        return nothing  # a narrow scope is read in full below, hits or not
    matched = await _matched_sentences(ctx, topic, result.hits, period, account, call_ids)
    if side is not None:
        matched = [m for m in matched if m[0].affiliation is side]
    about_objections = bool(_OBJECTION_TOPIC.search(topic))
    requests = [
        SectionRequest(
            "What was said",
            f"The most telling things said about {topic}.",
            [
                Candidate(s, score, more)
                for s, score, more in matched
                if score and len(s.text.split()) >= 6
            ],
            3 if about_objections else 6,
        ),
        SectionRequest(
            "Concerns raised",
            f"Customer concerns and objections about {topic}.",
            [
                Candidate(s, score + weight, more)
                for s, score, more in matched
                if s.is_customer and (weight := objection(s.text)) and (score or about_objections)
            ],
            8 if about_objections else 4,
        ),
        SectionRequest(
            "Decisions and next steps",
            "What was decided or agreed, and what happens next.",
            [
                Candidate(s, score + mentions(DECISION, s.text) + mentions(NEXT_STEP, s.text))
                for s, score, _ in matched
                if score
                and (DECISION.search(s.text) or NEXT_STEP.search(s.text))
                and not (s.is_customer and objection(s.text))  # a concern, not a decision
            ],
            4,
        ),
    ]
    book = CitationBook()
    written = await ctx.summarizer.write(topic, requests, book)
    if not any(s.bullets for s in written.sections):
        return nothing
    where: dict[str, list[str]] = defaultdict(list)
    for hit in result.hits:
        where[hit.account or "—"].append(hit.call_id)
    table = Table(
        title="Where it came up",
        columns=["account", "calls", "moments", "latest"],
        rows=[
            [
                name,
                len(set(ids)),
                len(ids),
                max(h.started for h in result.hits if (h.account or "—") == name)
                .astimezone(ctx.zone)
                .date()
                .isoformat(),
            ]
            for name, ids in sorted(where.items(), key=lambda item: -len(item[1]))
        ],
    )
    return Answer(
        intent=Intent.TOPIC_BRIEF,
        title=f"Brief: {topic}",
        understood=understood,
        filters=filters,
        sections=[s for s in written.sections if s.bullets],
        tables=[table],
        citations=book.citations,
        notice=written.notice or result.notice,
        summarizer=written.name,
    )


async def _matched_sentences(
    ctx: InsightContext,
    topic: str,
    hits: Sequence[Hit],
    period: Period | None,
    account: str | None,
    call_ids: Sequence[str] = (),
) -> list[tuple[Spoken, float, tuple[Spoken, ...]]]:
    """Sentences with their relevance to the topic (0: none), and what follows them.

    A narrow scope (an account, a short period) is read in full, so nothing relevant is
    missed because search ranked it 21st; a wide one is read through the search hits.
    """
    terms = query_terms(topic)
    pricing = bool(PRICING.search(topic))
    in_hit: dict[str, list[tuple[int, int, float]]] = {}
    for rank, hit in enumerate(hits):
        in_hit.setdefault(hit.call_id, []).append((hit.start_ms, hit.end_ms, 1.0 / (rank + 1)))
    narrow = account or period or call_ids
    scope = await ctx.calls(period=period, account=account, call_ids=call_ids) if narrow else []
    if not scope or len(scope) > _FULL_READ_CALLS:
        scope = [c for c in [await ctx.store.get_call(i) for i in in_hit] if c is not None]
    matched = []
    for call in scope:
        sentences = spoken_sentences(call)
        ranges = in_hit.get(call.call_id, [])
        for s in sentences:
            bonus = max((w for start, end, w in ranges if start <= s.start_ms < end), default=0.0)
            score = len(terms & query_terms(s.text)) + (pricing and bool(PRICING.search(s.text)))
            matched.append((s, score + bonus if score or bonus else 0.0, follow_on(sentences, s)))
    return matched


async def account_brief(ctx: InsightContext, account: str, period: Period | None) -> Answer:
    """Recent calls, key topics, concerns, stakeholders, next steps and open questions."""
    calls = await ctx.calls(period=period, account=account, newest=_RECENT_CALLS_READ)
    understood = describe("Briefing on", account, period)
    if not calls:
        notice = f"No calls found for {account} in {_scope(None, period)}."
        return Answer.nothing(
            Intent.ACCOUNT_BRIEF,
            f"Brief: {account}",
            understood,
            notice,
            filters={"account": account},
        )
    name = calls[-1].details.account or account
    per_call = {call.call_id: spoken_sentences(call) for call in calls}
    recency = {call.call_id: (i + 1) / len(calls) for i, call in enumerate(calls)}
    latest, recent = calls[-1], calls[-2:]
    requests = [
        SectionRequest(
            "Concerns",
            f"What worries {name}, most recent first.",
            [
                c
                for call in calls
                for c in objection_candidates(per_call[call.call_id], plus=recency[call.call_id])
            ],
        ),
        SectionRequest(
            "Next steps",
            "What was agreed at the end of the latest call.",
            [
                Candidate(s, mentions(NEXT_STEP, s.text) + s.index / len(per_call[latest.call_id]))
                for s in per_call[latest.call_id]
                if NEXT_STEP.search(s.text)
            ],
            4,
        ),
        SectionRequest(
            "Open questions",
            f"Questions {name} asked in the latest calls.",
            [
                Candidate(s, recency[call.call_id] + len(s.text.split()) / 40)
                for call in recent
                for s in per_call[call.call_id]
                if s.is_customer and s.is_question and len(s.text.split()) >= 5
            ],
            4,
        ),
    ]
    book = CitationBook()
    written = await ctx.summarizer.write(f"the {name} account", requests, book)
    sections = [_key_topics(calls, per_call), *(s for s in written.sections if s.bullets)]
    return Answer(
        intent=Intent.ACCOUNT_BRIEF,
        title=f"Brief: {name}",
        understood=understood,
        filters={"account": name, "period": period.label if period else None},
        sections=[s for s in sections if s.bullets],
        tables=[_recent_calls(ctx, calls), _stakeholders(calls, per_call)],
        citations=book.citations,
        notice=written.notice,
        summarizer=written.name,
    )


def _key_topics(calls: Sequence[Call], per_call: dict[str, list[Spoken]]) -> Section:
    seconds: Counter[str] = Counter()
    for call in calls:
        content = call.details.content
        if content and content.topics:
            seconds.update({name: round(value) for name, value in content.topics.items()})
        else:
            for s in per_call[call.call_id]:
                if s.topic:
                    seconds[s.topic] += (s.end_ms - s.start_ms) // 1000
    return Section(
        title="Key topics",
        bullets=[Bullet(text=f"{t} ({round(v / 60) or 1} min)") for t, v in seconds.most_common(6)],
    )


def _recent_calls(ctx: InsightContext, calls: Sequence[Call]) -> Table:
    rows: list[list[str | int | float | None]] = []
    for call in reversed(calls[-_RECENT_CALLS:]):
        ours = [p.name for p in call.details.parties if p.affiliation is Affiliation.INTERNAL]
        rows.append(
            [
                call.details.started.astimezone(ctx.zone).date().isoformat(),
                call.details.title,
                ", ".join(ours) or "—",
                call.details.url,
            ]
        )
    return Table(title="Recent calls", columns=["date", "call", "our team", "link"], rows=rows)


def _stakeholders(calls: Sequence[Call], per_call: dict[str, list[Spoken]]) -> Table:
    seen: dict[str, tuple[str | None, set[str], int]] = {}
    for call in calls:
        spoke = Counter(
            s.speaker for s in per_call[call.call_id] if s.affiliation is Affiliation.EXTERNAL
        )
        for party in call.details.parties:
            if party.affiliation is not Affiliation.EXTERNAL or party.name not in spoke:
                continue
            title, call_ids, sentences = seen.get(party.name, (party.title, set(), 0))
            seen[party.name] = (
                title or party.title,
                call_ids | {call.call_id},
                sentences + spoke[party.name],
            )
    rows: list[list[str | int | float | None]] = [
        [name, title or "—", len(call_ids), sentences]
        for name, (title, call_ids, sentences) in sorted(seen.items(), key=lambda i: -i[1][2])
    ]
    return Table(title="Stakeholders", columns=["name", "title", "calls", "sentences"], rows=rows)


def _scope(account: str | None, period: Period | None) -> str:
    parts = [
        f"{account}'s calls" if account else "the indexed calls",
        f"from {period.label}" if period else "",
    ]
    return " ".join(p for p in parts if p)
