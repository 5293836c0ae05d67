"""Call analysis: one call's summary, topics, objections, competitors, next steps, questions
and talk ratio, beside Gong's own brief, key points and trackers when Gong sent them."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from sophia.core.errors import CallNotFound
from sophia.core.insights.answer import Answer, Bullet, CitationBook, Intent, Section, Table
from sophia.core.insights.call_summary import summary_candidates
from sophia.core.insights.competitor_catalog import Competitor, named_in
from sophia.core.insights.context import InsightContext
from sophia.core.insights.cues import NEXT_STEP, mentions, objection, small_talk
from sophia.core.insights.spoken import Spoken, spoken_sentences, talk_time_ms
from sophia.core.insights.summarizer import Candidate, SectionRequest
from sophia.core.models import Affiliation, Call

__all__ = [
    "SUMMARY_WORDS",
    "analyze_call",
    "competitor_sentences",
    "follow_on",
    "next_step_sentences",
    "objection_candidates",
    "questions",
]

# The summary's length in words, speaker labels included: about what a person reads in
# half a minute, a little over QMSum's human-written meeting summaries (~110 words). 130
# beat 115-150 on QMSum train once one speaker's quotes share a bullet (benchmarks/README.md).
SUMMARY_WORDS = 130
# An LLM condenses the chosen moments into at most this many bullets.
_SUMMARY_BULLETS = 5


async def analyze_call(ctx: InsightContext, call_id: str) -> Answer:
    """Everything worth knowing about one call, each point cited to its moment."""
    call = await ctx.store.get_call(call_id)
    if call is None:
        raise CallNotFound(f"No indexed call has the id {call_id}.")
    sentences = spoken_sentences(call)
    catalog = await ctx.competitors()
    tail = len(sentences) * 0.6
    requests = [
        SectionRequest(
            "Summary",
            "What the call was about, what each side said and decided, and what happens next.",
            summary_candidates(
                sentences, SUMMARY_WORDS, lambda text: bool(named_in(text, catalog))
            ),
            _SUMMARY_BULLETS,
            chosen=True,
        ),
        SectionRequest(
            "Objections raised",
            "Concerns and pushback from the customer.",
            objection_candidates(sentences),
        ),
        SectionRequest(
            "Competitors mentioned",
            "Which competitors came up and what was said about them.",
            [
                Candidate(s, len(named_in(s.text, catalog)))
                for s in competitor_sentences(sentences, catalog)
            ],
        ),
        SectionRequest(
            "Next steps and action items",
            "What each side agreed to do next, with owners and dates.",
            [
                Candidate(s, mentions(NEXT_STEP, s.text) + (1.0 if s.index >= tail else 0.0))
                for s in next_step_sentences(sentences)
            ],
        ),
        SectionRequest(
            "Questions from the customer",
            "What the customer asked.",
            [Candidate(s, len(s.text.split()) / 20) for s in questions(sentences, customer=True)],
            4,
        ),
        SectionRequest(
            "Questions from our side",
            "What our team asked.",
            [Candidate(s, len(s.text.split()) / 20) for s in questions(sentences, customer=False)],
            4,
        ),
    ]
    book = CitationBook()
    written = await ctx.summarizer.write(call.details.title, requests, book)
    topics = _topics(call, sentences)
    sections = [
        *_gong_sections(call),
        *([topics] if topics else []),
        *(s for s in written.sections if s.bullets),
    ]
    return Answer(
        intent=Intent.CALL_ANALYSIS,
        title=f"{call.details.title} · {call.details.account or 'no account'} · "
        f"{call.details.started.astimezone(ctx.zone):%b %d, %Y}",
        understood=f"Analysing call {call.call_id}",
        filters={"call_ids": [call.call_id]},
        sections=sections,
        tables=[_talk_ratio(sentences), _question_counts(call, sentences), *_trackers(call)],
        citations=book.citations,
        notice=written.notice,
        summarizer=written.name,
    )


def objection_candidates(
    sentences: Sequence[Spoken], *, plus: float = 0.0, by_position: bool = False
) -> list[Candidate]:
    """The customer's objections in one call's sentences, each quoted with its second half,
    scored by strength, plus `plus`, plus (`by_position`) how late in the call it came."""
    return [
        Candidate(
            s,
            strength + plus + (s.index / len(sentences) if by_position else 0.0),
            follow_on(sentences, s),
        )
        for s in sentences
        if s.is_customer and (strength := objection(s.text))
    ]


def competitor_sentences(
    sentences: Sequence[Spoken], catalog: Sequence[Competitor]
) -> list[Spoken]:
    """The sentences that name a competitor of the catalog."""
    return [s for s in sentences if named_in(s.text, catalog)]


def next_step_sentences(sentences: Sequence[Spoken]) -> list[Spoken]:
    """The sentences that read as a next step or an action item."""
    return [s for s in sentences if NEXT_STEP.search(s.text)]


def questions(sentences: Sequence[Spoken], *, customer: bool) -> list[Spoken]:
    """The questions the customer (or our side) asked, pleasantries left out."""
    # "How's your week going?" is a greeting, not a question worth listing.
    side = Affiliation.EXTERNAL if customer else Affiliation.INTERNAL
    return [
        s for s in sentences if s.affiliation is side and s.is_question and not small_talk(s.text)
    ]


def follow_on(sentences: Sequence[Spoken], first: Spoken, limit: int = 2) -> tuple[Spoken, ...]:
    """The same speaker's next sentences (a quote reads better with its second half)."""
    after = sentences[first.index + 1 : first.index + 1 + limit]
    taken = []
    for sentence in after:
        if sentence.speaker != first.speaker:
            break
        taken.append(sentence)
    return tuple(taken)


def _gong_sections(call: Call) -> list[Section]:
    content = call.details.content
    if content is None:
        return []
    sections = []
    if content.brief:
        sections.append(Section(title="Gong's brief", bullets=[Bullet(text=content.brief)]))
    if content.key_points:
        sections.append(
            Section(title="Gong's key points", bullets=[Bullet(text=p) for p in content.key_points])
        )
    return sections


def _topics(call: Call, sentences: Sequence[Spoken]) -> Section | None:
    content = call.details.content
    if content and content.topics:
        ranked = sorted(content.topics.items(), key=lambda item: -item[1])
        bullets = [Bullet(text=f"{name} ({_minutes(seconds)})") for name, seconds in ranked]
    else:
        # Without Gong's topics, the transcript's own monologue topics, by talk time.
        talk: Counter[str] = Counter()
        for s in sentences:
            if s.topic:
                talk[s.topic] += (s.end_ms - s.start_ms) // 1000
        bullets = [Bullet(text=f"{t} ({_minutes(sec)})") for t, sec in talk.most_common(8)]
    return Section(title="Topics", bullets=bullets) if bullets else None


def _minutes(seconds: float) -> str:
    return f"{max(1, round(seconds / 60))} min"


def _talk_ratio(sentences: Sequence[Spoken]) -> Table:
    totals = talk_time_ms(sentences)
    spoken = sum(totals.values()) or 1
    labels = {
        Affiliation.INTERNAL: "our team",
        Affiliation.EXTERNAL: "customer",
        Affiliation.UNKNOWN: "unknown",
    }
    return Table(
        title="Talk ratio",
        columns=["side", "talk time", "share"],
        rows=[
            [labels[side], _minutes(ms / 1000), f"{ms / spoken:.0%}"]
            for side, ms in totals.items()
            if ms or side is not Affiliation.UNKNOWN
        ],
    )


def _question_counts(call: Call, sentences: Sequence[Spoken]) -> Table:
    ours = sum(s.is_question for s in sentences if s.affiliation is Affiliation.INTERNAL)
    theirs = sum(s.is_question for s in sentences if s.is_customer)
    rows: list[list[str | int | float | None]] = [["our team", ours], ["customer", theirs]]
    questions = (call.details.interaction or {}).get("questions") or {}
    if questions:
        rows = [
            ["our team", ours, questions.get("companyCount")],
            ["customer", theirs, questions.get("nonCompanyCount")],
        ]
        return Table(title="Questions asked", columns=["side", "in transcript", "Gong"], rows=rows)
    return Table(title="Questions asked", columns=["side", "in transcript"], rows=rows)


def _trackers(call: Call) -> list[Table]:
    content = call.details.content
    if not content or not content.trackers:
        return []
    rows: list[list[str | int | float | None]] = [
        [t.name, t.count, ", ".join(f"{p} ({n})" for p, n in t.phrases.items())]
        for t in content.trackers
    ]
    return [Table(title="Gong trackers", columns=["tracker", "count", "phrases"], rows=rows)]
