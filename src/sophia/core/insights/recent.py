"""Recent calls: a digest of a period's calls (or an account's latest ones), and the last
call with an account."""

from __future__ import annotations

from collections.abc import Sequence

from sophia.core.insights.answer import Answer, CitationBook, Intent, Table
from sophia.core.insights.call_analysis import analyze_call, objection_candidates
from sophia.core.insights.call_summary import summary_candidates
from sophia.core.insights.context import InsightContext, describe
from sophia.core.insights.cues import NEXT_STEP, mentions
from sophia.core.insights.periods import Period
from sophia.core.insights.spoken import Spoken, spoken_sentences
from sophia.core.insights.summarizer import Candidate, SectionRequest
from sophia.core.models import Affiliation, Call

__all__ = ["last_call", "recent_calls"]

# The words of a digest's one line per call (the call summary's budget for it).
_ABOUT_WORDS = 60
# An account's "recent calls" without a period: its latest few.
_ACCOUNT_CALLS = 5
# A digest lists at most this many calls (the newest), and says how many it left out.
_DIGEST_CALLS = 15


async def recent_calls(ctx: InsightContext, account: str | None, period: Period | None) -> Answer:
    """Each call of the period (or the account's latest): what it was about, the objections
    raised and the next steps agreed, each cited."""
    understood = describe("Listing", account, period)
    newest = _DIGEST_CALLS if period else _ACCOUNT_CALLS if account else _DIGEST_CALLS
    every = await ctx.calls(period=period, account=account, transcripts=False)
    calls = await ctx.calls(period=period, account=account, newest=newest)
    title = f"Calls {'with ' + account if account else ''} {period.said if period else ''}"
    title = " ".join(title.split()) if account or period else "Recent calls"
    if not calls:
        with_account = f"with {account} " if account else ""
        notice = f"No calls {with_account}{period.said if period else 'indexed'}."
        return Answer.nothing(Intent.RECENT_CALLS, title, understood, notice)
    per_call = [(call, spoken_sentences(call)) for call in calls]
    requests = [
        SectionRequest(
            "What each call was about",
            "One line per call: what it was about.",
            [
                Candidate(top.sentence, 1.0 + i / len(calls), top.context, text=top.text)
                for i, (_, said) in enumerate(per_call)
                for top in _about(said)
            ],
            len(calls),
        ),
        SectionRequest(
            "Objections raised",
            "The customer objections in these calls, the strongest first.",
            [c for _, said in per_call for c in objection_candidates(said)],
            4,
        ),
        SectionRequest(
            "Next steps agreed",
            "What was agreed at the end of these calls.",
            [
                Candidate(s, mentions(NEXT_STEP, s.text) + s.index / len(said))
                for _, said in per_call
                for s in _closing(said)
                if NEXT_STEP.search(s.text) and len(s.text.split()) >= 6
            ],
            4,
        ),
    ]
    book = CitationBook()
    written = await ctx.summarizer.write(title, requests, book)
    left_out = len(every) - len(calls)
    return Answer(
        intent=Intent.RECENT_CALLS,
        title=title,
        understood=understood,
        filters={"account": account, "period": period.label if period else None},
        sections=[s for s in written.sections if s.bullets],
        tables=[_calls_table(calls, ctx, left_out)],
        citations=book.citations,
        notice=written.notice,
        summarizer=written.name,
    )


async def last_call(
    ctx: InsightContext,
    account: str | None,
    period: Period | None,
    people: Sequence[str] = (),
) -> Answer:
    """The latest call with the account (or with these people): its analysis, dated."""
    calls = await ctx.calls(period=period, account=account, transcripts=False)
    if people:
        calls = [c for c in calls if any(p.name in people for p in c.details.parties)]
    who = ", ".join(people) or account or "any account"
    understood = describe("Looking for the latest call with", account, period)
    if not calls:
        notice = f"No calls found with {who}" + (f" {period.said}." if period else ".")
        return Answer.nothing(Intent.LAST_CALL, f"Last call with {who}", understood, notice)
    latest = calls[-1]
    day = latest.details.started.astimezone(ctx.zone).date().isoformat()
    days = (ctx.clock.now() - latest.details.started).days
    analysis = await analyze_call(ctx, latest.call_id)
    facts = _calls_table([latest], ctx, 0)
    facts.title = "Last call"
    return analysis.model_copy(
        update={
            "intent": Intent.LAST_CALL,
            "title": f"Last call with {who}: {latest.details.title}, {day} ({days} days ago)",
            "understood": understood,
            "tables": [facts, *analysis.tables],
        }
    )


def _closing(sentences: Sequence[Spoken]) -> Sequence[Spoken]:
    return sentences[int(len(sentences) * 0.7) :]


def _calls_table(calls: Sequence[Call], ctx: InsightContext, left_out: int) -> Table:
    rows: list[list[str | int | float | None]] = []
    for call in reversed(calls):
        ours = [p.name for p in call.details.parties if p.affiliation is Affiliation.INTERNAL]
        theirs = [
            p.name
            for p in call.details.parties
            if p.affiliation is Affiliation.EXTERNAL and p.name and "@" not in p.name
        ]
        rows.append(
            [
                call.details.started.astimezone(ctx.zone).date().isoformat(),
                call.details.account,
                call.details.title,
                ", ".join(ours) or "—",
                ", ".join(theirs) or "—",
                call.details.url,
            ]
        )
    title = "Calls" + (f" (the {len(calls)} newest; {left_out} more not shown)" if left_out else "")
    return Table(
        title=title,
        columns=["date", "account", "call", "our team", "their side", "link"],
        rows=rows,
    )


def _about(said: Sequence[Spoken]) -> list[Candidate]:
    """The one moment that best says what a call was about (the call summary's top unit)."""
    chosen = summary_candidates(said, _ABOUT_WORDS)
    return sorted(chosen, key=lambda c: -c.score)[:1]
