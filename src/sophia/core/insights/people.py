"""Stakeholders: who is on an account's calls, with their titles and the calls they were on,
who our side brought, and what was said about who decides."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

from sophia.core.insights.answer import Answer, Bullet, CitationBook, Intent, Section, Table
from sophia.core.insights.call_analysis import follow_on
from sophia.core.insights.context import InsightContext, describe
from sophia.core.insights.periods import Period
from sophia.core.insights.spoken import Spoken, spoken_sentences
from sophia.core.insights.summarizer import Candidate, SectionRequest
from sophia.core.models import Affiliation, Call

__all__ = ["stakeholders"]

# What people say about who decides: the sentences worth quoting beside the titles.
_DECIDES = re.compile(
    r"\b(?:signs? off|sign-off|final say|approv(?:e|es|al)|budget holder|decision[- ]makers?|"
    r"(?:has|have|needs?) to agree|makes? the call|economic buyer|champion)\b",
    re.IGNORECASE,
)
# Seniority read from a title, to list the likely decision makers first.
_SENIORITY = [
    (re.compile(r"\bchief\b|\bc[efrto]o\b|\bciso\b|\bpresident\b|\bowner\b", re.I), 3),
    (re.compile(r"\bvp\b|vice president|\bhead of\b|general counsel|\bdirector\b", re.I), 2),
    (re.compile(r"\bcontroller\b|\bmanager\b|\blead\b|\bcounsel\b|\bofficer\b", re.I), 1),
]
_QUOTES = 3


@dataclass
class _Seen:
    name: str
    title: str | None
    account: str | None
    affiliation: Affiliation
    calls: list[Call] = field(default_factory=list)
    sentences: list[Spoken] = field(default_factory=list)


async def stakeholders(
    ctx: InsightContext,
    account: str | None,
    period: Period | None,
    *,
    role: re.Pattern[str] | None = None,
    people: Sequence[str] = (),
) -> Answer:
    """The account's people (titles, calls, who decides) and our team on its calls."""
    calls = await ctx.calls(period=period, account=account)
    understood = describe("Looking up the people on", account, period)
    title = f"People at {account}" if account else "People on the calls"
    if not calls:
        notice = f"No calls found for {account or 'any account'}" + (
            f" {period.said}." if period else "."
        )
        return Answer.nothing(Intent.STAKEHOLDERS, title, understood, notice)
    seen = _people(calls)
    theirs = [p for p in seen if p.affiliation is Affiliation.EXTERNAL]
    ours = [p for p in seen if p.affiliation is Affiliation.INTERNAL]
    theirs.sort(key=lambda p: (-_seniority(p.title), -len(p.calls), p.name))
    focus = [p for p in theirs if p.name in people] if people else theirs
    if role is not None:
        focus = [p for p in focus if p.title and role.search(p.title)] or focus
    book = CitationBook()
    bullets = [_person_bullet(p, ctx, book) for p in focus]
    per_call = {c.call_id: spoken_sentences(c) for c in calls}
    decides = SectionRequest(
        "Who decides",
        "What was said on the calls about who signs off, approves or holds the budget.",
        [
            Candidate(s, 1.0 + i / len(calls), follow_on(per_call[c.call_id], s))
            for i, c in enumerate(calls)
            for s in per_call[c.call_id]
            if s.is_customer and _DECIDES.search(s.text) and len(s.text.split()) >= 5
        ],
        _QUOTES,
    )
    written = await ctx.summarizer.write(
        f"who decides at {account or 'each account'}", [decides], book
    )
    sections = [Section(title=title, bullets=bullets), *(s for s in written.sections if s.bullets)]
    return Answer(
        intent=Intent.STAKEHOLDERS,
        title=title,
        understood=understood,
        filters={"account": account, "period": period.label if period else None},
        sections=sections,
        tables=[_table("Their side", theirs, ctx, account is None), _table("Our team", ours, ctx)],
        citations=book.citations,
        notice=written.notice,
        summarizer=written.name,
    )


def _people(calls: Sequence[Call]) -> list[_Seen]:
    seen: dict[tuple[str, str | None], _Seen] = {}
    for call in calls:
        sentences = spoken_sentences(call)
        for party in call.details.parties:
            if not party.name or "@" in party.name or party.affiliation is Affiliation.UNKNOWN:
                continue
            account = call.details.account if party.affiliation is Affiliation.EXTERNAL else None
            person = seen.setdefault(
                (party.name, account),
                _Seen(party.name, party.title, account, party.affiliation),
            )
            person.title = person.title or party.title
            person.calls.append(call)
            person.sentences += [s for s in sentences if s.speaker == party.name]
    return list(seen.values())


def _person_bullet(person: _Seen, ctx: InsightContext, book: CitationBook) -> Bullet:
    """ "Gregory Hale, Chief Financial Officer: on 4 calls, latest 2026-11-20", cited."""
    latest = person.calls[-1].details.started.astimezone(ctx.zone).date().isoformat()
    count = len(person.calls)
    spoke = Counter(s.details.call_id for s in person.sentences)
    text = (
        f"{person.name}, {person.title or 'no title in the CRM'}: on {count} "
        f"call{'s' * (count != 1)}, latest {latest}" + ("" if spoke else " (listed, never spoke)")
    )
    said = [s for s in person.sentences if len(s.text.split()) >= 6] or person.sentences
    if not said:
        return Bullet(text=text)
    # Their longest sentence on their latest call: a link to hear them.
    last_call = said[-1].details.call_id
    moment = max((s for s in said if s.details.call_id == last_call), key=lambda s: len(s.text))
    number = book.cite(
        moment.details,
        moment.speaker,
        moment.affiliation,
        moment.start_ms,
        moment.end_ms,
        moment.text,
    )
    return Bullet(text=text, citations=[number])


def _table(
    title: str, people: Sequence[_Seen], ctx: InsightContext, by_account: bool = False
) -> Table:
    columns = ["name", "title", "calls", "latest call", "sentences"]
    rows: list[list[str | int | float | None]] = []
    for p in people:
        latest = p.calls[-1].details.started.astimezone(ctx.zone).date().isoformat()
        row: list[str | int | float | None] = [p.name, p.title or "—", len(p.calls), latest]
        rows.append([*([p.account] if by_account else []), *row, len(p.sentences)])
    return Table(title=title, columns=(["account"] if by_account else []) + columns, rows=rows)


def _seniority(title: str | None) -> int:
    return next((rank for rule, rank in _SENIORITY if title and rule.search(title)), 0)
