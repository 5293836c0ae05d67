"""Deal status: where an account's deal stands (CRM opportunity, last call, open blockers),
or every open deal at a glance when no account is named."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sophia.core.insights.answer import Answer, Bullet, CitationBook, Intent, Section, Table
from sophia.core.insights.call_analysis import follow_on
from sophia.core.insights.context import InsightContext
from sophia.core.insights.cues import BLOCKER, NEXT_STEP, NOT_OBJECTION, mentions, objection
from sophia.core.insights.spoken import spoken_sentences
from sophia.core.insights.summarizer import Candidate, SectionRequest
from sophia.core.models import Affiliation, Call, Opportunity

__all__ = ["deal_status", "latest_opportunities"]

# Blockers are read from the account's latest calls: older ones are usually settled.
_BLOCKER_CALLS = 2
_RECENT_CALLS = 3


async def deal_status(ctx: InsightContext, account: str | None) -> Answer:
    """The account's opportunities, its last calls and the blockers they raised, cited."""
    if account is None:
        return await _pipeline(ctx)
    calls = await ctx.calls(account=account, transcripts=False)
    understood = f"Looking up the deal with {account}: CRM stage, last call and open blockers"
    if not calls:
        notice = f"No calls found for {account}."
        return Answer.nothing(Intent.DEAL_STATUS, f"Deal status: {account}", understood, notice)
    now = ctx.clock.now()
    name = calls[-1].details.account or account
    last = calls[-1]
    quiet = (now - last.details.started).days
    opportunities = latest_opportunities(calls)
    stands = [_standing(o, ctx) for o in opportunities] or [
        Bullet(text=f"No CRM opportunity is linked to the {name} calls.")
    ]
    open_deals = [o for o in opportunities if not _closed(o)]
    stalled = bool(open_deals) and quiet > ctx.settings.stalled_days
    stands.append(
        Bullet(
            text=f"Last call {_day(last, ctx)} ({last.details.title}), {quiet} days ago"
            + (
                f": stalled, no call for more than {ctx.settings.stalled_days} days."
                if stalled
                else "."
            )
        )
    )
    read = [await ctx.store.get_call(c.call_id) for c in calls[-_BLOCKER_CALLS:]]
    latest = [c for c in read if c is not None]
    requests = [_blockers(latest), _next_steps(latest[-1:])]
    book = CitationBook()
    written = await ctx.summarizer.write(f"the {name} deal", requests, book)
    return Answer(
        intent=Intent.DEAL_STATUS,
        title=f"Deal status: {name}",
        understood=understood,
        filters={"account": name},
        sections=[
            Section(title="Where it stands", bullets=stands),
            *(s for s in written.sections if s.bullets),
        ],
        tables=[_opportunity_table(opportunities), _calls_table(calls[-_RECENT_CALLS:], ctx)],
        citations=book.citations,
        notice=written.notice,
        summarizer=written.name,
    )


def latest_opportunities(calls: Sequence[Call]) -> list[Opportunity]:
    """Each opportunity as the latest call that carries it saw it (calls oldest first)."""
    latest: dict[str, Opportunity] = {}
    for call in calls:
        for opportunity in call.details.opportunities:
            latest[opportunity.opportunity_id] = opportunity
    return sorted(latest.values(), key=lambda o: (_closed(o), o.name or o.opportunity_id))


async def _pipeline(ctx: InsightContext) -> Answer:
    """Every open opportunity with its stage, close date and last call."""
    calls = await ctx.calls(transcripts=False)
    now = ctx.clock.now()
    last_call: dict[str, Call] = {}
    for call in calls:
        for opportunity in call.details.opportunities:
            last_call[opportunity.opportunity_id] = call
    rows: list[list[str | int | float | None]] = []
    for opportunity in latest_opportunities(calls):
        if _closed(opportunity):
            continue
        call = last_call[opportunity.opportunity_id]
        rows.append(
            [
                call.details.account,
                opportunity.name,
                opportunity.stage,
                _amount(opportunity),
                opportunity.close_date.isoformat() if opportunity.close_date else None,
                _day(call, ctx),
                (now - call.details.started).days,
            ]
        )
    table = Table(
        title="Open deals",
        columns=["account", "opportunity", "stage", "amount", "close date", "last call", "days"],
        rows=rows,
    )
    return Answer(
        intent=Intent.DEAL_STATUS,
        title="Open deals",
        understood="Looking up every open opportunity: stage, close date and last call",
        tables=[table],
        notice=None if rows else "No open CRM opportunity is linked to the indexed calls.",
    )


def _standing(opportunity: Opportunity, ctx: InsightContext) -> Bullet:
    parts = [opportunity.stage or "no stage"]
    if opportunity.amount is not None:
        parts.append(_amount(opportunity) or "")
    if opportunity.close_date:
        parts.append(f"closing {opportunity.close_date.isoformat()}")
    if opportunity.probability is not None:
        parts.append(f"{opportunity.probability:.0f}%")
    name = opportunity.name or opportunity.opportunity_id
    return Bullet(text=f"{name}: {', '.join(p for p in parts if p)}.")


def _blockers(calls: Sequence[Call]) -> SectionRequest:
    candidates = []
    for rank, call in enumerate(calls, 1):
        sentences = spoken_sentences(call)
        for s in sentences:
            if not s.is_customer or NOT_OBJECTION.search(s.text):
                continue
            weight = mentions(BLOCKER, s.text) + objection(s.text)
            if weight:
                candidates.append(Candidate(s, weight + rank, follow_on(sentences, s)))
    return SectionRequest(
        "Open blockers", "What stands in the way, from the latest calls.", candidates, 3
    )


def _next_steps(calls: Sequence[Call]) -> SectionRequest:
    candidates = []
    for call in calls:
        sentences = spoken_sentences(call)
        candidates += [
            Candidate(s, mentions(NEXT_STEP, s.text) + s.index / len(sentences))
            for s in sentences
            if NEXT_STEP.search(s.text) and len(s.text.split()) >= 6
        ]
    return SectionRequest(
        "Next steps", "What was agreed at the end of the last call.", candidates, 3
    )


def _opportunity_table(opportunities: Sequence[Opportunity]) -> Table:
    return Table(
        title="Opportunities",
        columns=["opportunity", "stage", "amount", "close date", "probability"],
        rows=[
            [
                o.name or o.opportunity_id,
                o.stage,
                _amount(o),
                o.close_date.isoformat() if o.close_date else None,
                f"{o.probability:.0f}%" if o.probability is not None else None,
            ]
            for o in opportunities
        ],
    )


def _calls_table(calls: Sequence[Call], ctx: InsightContext) -> Table:
    rows: list[list[str | int | float | None]] = []
    for call in reversed(calls):
        ours = [p.name for p in call.details.parties if p.affiliation is Affiliation.INTERNAL]
        rows.append([_day(call, ctx), call.details.title, ", ".join(ours) or "—", call.details.url])
    return Table(title="Latest calls", columns=["date", "call", "our team", "link"], rows=rows)


def _closed(opportunity: Opportunity) -> bool:
    return (opportunity.stage or "").casefold().startswith("closed")


def _amount(opportunity: Opportunity) -> str | None:
    return f"${opportunity.amount:,.0f}" if opportunity.amount is not None else None


def _day(call: Call, ctx: InsightContext) -> str:
    started: datetime = call.details.started
    return started.astimezone(ctx.zone).date().isoformat()
