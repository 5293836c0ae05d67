"""Stalled deals: open opportunities with no call for STALLED_DAYS, and why they stalled."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sophia.core.insights.answer import Answer, CitationBook, Intent, Table
from sophia.core.insights.call_analysis import follow_on
from sophia.core.insights.context import InsightContext, with_account
from sophia.core.insights.cues import BLOCKER, NOT_OBJECTION, mentions, objection
from sophia.core.insights.spoken import spoken_sentences
from sophia.core.insights.summarizer import Candidate, SectionRequest
from sophia.core.models import Call, Opportunity

__all__ = ["stalled_deals"]


@dataclass(frozen=True)
class _Deal:
    opportunity: Opportunity
    account: str
    last_call: Call


async def stalled_deals(ctx: InsightContext) -> Answer:
    """Each stalled opportunity with the objections and blockers of its last call, cited."""
    now = ctx.clock.now()
    limit = ctx.settings.stalled_days
    understood = f"Looking for open opportunities with no call in the last {limit} days"
    # Details are enough to find the deals; only their last calls are read in full.
    calls = await ctx.calls(transcripts=False)
    deals = [d for d in _open_deals(calls) if _quiet_days(d, now) > limit]
    deals.sort(key=lambda d: d.last_call.details.started)
    if not deals:
        notice = f"No open opportunity has gone {limit} days without a call."
        return Answer.nothing(Intent.STALLED, "Stalled deals", understood, notice)
    requests = []
    for deal in deals:
        last_call = await ctx.store.get_call(deal.last_call.call_id)
        sentences = spoken_sentences(last_call) if last_call else []
        requests.append(
            SectionRequest(
                with_account(
                    deal.account, deal.opportunity.name or deal.opportunity.opportunity_id
                ),
                "Why this deal stalled: the objections and blockers of its last call.",
                [
                    Candidate(
                        s,
                        mentions(BLOCKER, s.text) + objection(s.text) + s.index / len(sentences),
                        follow_on(sentences, s),
                    )
                    for s in sentences
                    if s.is_customer
                    and (BLOCKER.search(s.text) or objection(s.text))
                    and not NOT_OBJECTION.search(s.text)
                ],
                3,
            )
        )
    book = CitationBook()
    written = await ctx.summarizer.write("why these deals stalled", requests, book)
    table = Table(
        title="Stalled deals",
        columns=[
            "account",
            "opportunity",
            "stage",
            "amount",
            "close date",
            "last call",
            "days quiet",
        ],
        rows=[
            [
                d.account,
                d.opportunity.name,
                d.opportunity.stage,
                f"${d.opportunity.amount:,.0f}" if d.opportunity.amount is not None else None,
                d.opportunity.close_date.isoformat() if d.opportunity.close_date else None,
                d.last_call.details.started.astimezone(ctx.zone).date().isoformat(),
                _quiet_days(d, now),
            ]
            for d in deals
        ],
    )
    return Answer(
        intent=Intent.STALLED,
        title="Stalled deals",
        understood=understood,
        filters={"stalled_days": limit},
        sections=written.sections,
        tables=[table],
        citations=book.citations,
        notice=written.notice,
        summarizer=written.name,
    )


def _open_deals(calls: list[Call]) -> list[_Deal]:
    """Open opportunities as the latest call saw them, with that call."""
    latest: dict[str, _Deal] = {}
    for call in calls:  # oldest first: later calls overwrite
        for opportunity in call.details.opportunities:
            latest[opportunity.opportunity_id] = _Deal(
                opportunity, call.details.account or "—", call
            )
    return [
        deal
        for deal in latest.values()
        if not (deal.opportunity.stage or "").casefold().startswith("closed")
    ]


def _quiet_days(deal: _Deal, now: datetime) -> int:
    return (now - deal.last_call.details.started).days
