"""The weekly brief posted to the team's channels: what the past week's calls were about,
the objections and competitors in them, and the deals that have gone quiet, each cited."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence

from sophia.core.insights.answer import Answer, Bullet, CitationBook, Intent, Section, Table
from sophia.core.insights.call_analysis import objection_candidates
from sophia.core.insights.competitor_catalog import named_in
from sophia.core.insights.context import InsightContext
from sophia.core.insights.cues import sentiment
from sophia.core.insights.periods import last_days
from sophia.core.insights.spoken import Spoken, quote, spoken_sentences
from sophia.core.insights.stalled import stalled_deals
from sophia.core.insights.summarizer import Candidate, SectionRequest
from sophia.core.models import Call

__all__ = ["weekly_brief"]

# The seven days before today, and today so far: posted on Monday morning, that is the whole
# of last week (and a Monday call is never missed between two briefs).
_DAYS = 8
_TOPICS = 5
# Parts of every call that say nothing about what the week was about.
_NOT_TOPICS = frozenset(
    {"call setup", "small talk", "introductions", "agenda", "wrap-up", "recap", "next steps"}
)


async def weekly_brief(ctx: InsightContext) -> Answer:
    """The past week: top topics, objections, competitors and stalled deals, each cited."""
    period = last_days(_DAYS, ctx.clock.now(), ctx.zone)
    calls = await ctx.calls(period=period)
    book = CitationBook()
    sections: list[Section] = []
    tables: list[Table] = []
    notice = None
    summarizer = ctx.summarizer.name
    if calls:
        per_call = [(call, spoken_sentences(call)) for call in calls]
        catalog = await ctx.competitors()
        mentions = [
            (s, c.name) for _, said in per_call for s in said for c in named_in(s.text, catalog)
        ]
        topics = _top_topics(per_call, book)
        requests = [
            SectionRequest(
                "Objections",
                "The customer objections of the week, the strongest first.",
                [c for _, said in per_call for c in objection_candidates(said, by_position=True)],
                5,
            ),
            SectionRequest(
                "Competitors",
                "What was said about competitors this week, and in what tone.",
                # Customers' words first: what they think of a competitor is the news.
                [Candidate(s, s.is_customer + abs(sentiment(s.text))) for s, _ in mentions],
                5,
            ),
        ]
        written = await ctx.summarizer.write("the past week's calls", requests, book)
        sections = [topics, *written.sections]
        tables = [_calls_table(ctx, calls), _competitor_table(mentions)]
        notice, summarizer = written.notice, written.name
    stalled = await stalled_deals(ctx)
    _renumber(stalled, offset=len(book.citations))
    sections += [s.model_copy(update={"title": f"Stalled: {s.title}"}) for s in stalled.sections]
    tables += stalled.tables
    return Answer(
        intent=Intent.WEEKLY_BRIEF,
        title=f"Weekly brief, {period.label}",
        understood=f"The calls of {period.label} ({len(calls)}), and open deals gone quiet",
        filters={"period": period.label},
        sections=[s for s in sections if s.bullets],
        tables=[t for t in tables if t.rows],
        citations=[*book.citations, *stalled.citations],
        notice=notice
        or (None if calls else f"No calls were indexed for {period.label}.")
        or stalled.notice,
        summarizer=summarizer,
    )


def _top_topics(per_call: Sequence[tuple[Call, list[Spoken]]], book: CitationBook) -> Section:
    """The topics that took most time, each cited with a customer sentence about it."""
    seconds: Counter[str] = Counter()
    calls: defaultdict[str, set[str]] = defaultdict(set)
    telling: dict[str, Spoken] = {}
    for call, said in per_call:
        for s in said:
            if not s.topic or s.topic.casefold() in _NOT_TOPICS:
                continue
            seconds[s.topic] += max(0, s.end_ms - s.start_ms) // 1000
            calls[s.topic].add(call.details.account or call.details.title)
            # Cited with its longest customer sentence (a rep's when no customer spoke to it).
            best = telling.get(s.topic)
            if best is None or _telling(s) > _telling(best):
                telling[s.topic] = s
    bullets = []
    for topic, spent in seconds.most_common(_TOPICS):
        where = sorted(calls[topic], key=str.casefold)
        text = f"{topic}: {round(spent / 60) or 1} min, with {_listed(where)}"
        bullets.append(Bullet(text=text, citations=quote(book, telling[topic]).citations))
    return Section(title="Top topics", bullets=bullets)


def _telling(sentence: Spoken) -> tuple[bool, int]:
    return sentence.is_customer, len(sentence.text.split())


def _listed(names: Sequence[str], limit: int = 4) -> str:
    shown = ", ".join(names[:limit])
    return f"{shown} and {len(names) - limit} more" if len(names) > limit else shown


def _calls_table(ctx: InsightContext, calls: Sequence[Call]) -> Table:
    by_account: defaultdict[str, list[Call]] = defaultdict(list)
    for call in calls:
        by_account[call.details.account or "—"].append(call)
    rows: list[list[str | int | float | None]] = [
        [
            account,
            len(held),
            held[-1].details.title,
            held[-1].details.started.astimezone(ctx.zone).date().isoformat(),
        ]
        for account, held in sorted(by_account.items(), key=lambda item: (-len(item[1]), item[0]))
    ]
    return Table(title="Calls", columns=["account", "calls", "latest", "on"], rows=rows)


def _competitor_table(mentions: Sequence[tuple[Spoken, str]]) -> Table:
    counts = Counter(name for _, name in mentions)
    accounts: defaultdict[str, set[str]] = defaultdict(set)
    for s, name in mentions:
        accounts[name].add(s.details.account or "—")
    rows: list[list[str | int | float | None]] = [
        [name, count, ", ".join(sorted(accounts[name], key=str.casefold))]
        for name, count in counts.most_common()
    ]
    return Table(title="Competitor mentions", columns=["competitor", "mentions", "by"], rows=rows)


def _renumber(answer: Answer, offset: int) -> None:
    """Shift an answer's citation numbers so they follow the `offset` already handed out."""
    if not offset:
        return
    answer.citations = [
        c.model_copy(update={"number": c.number + offset}) for c in answer.citations
    ]
    for section in answer.sections:
        for bullet in section.bullets:
            bullet.citations = [n + offset for n in bullet.citations]
