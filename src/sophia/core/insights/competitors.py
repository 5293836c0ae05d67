"""Competitive intelligence: who is mentioned, how often, by which accounts, in what tone."""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Sequence

from sophia.core.insights.answer import Answer, CitationBook, Intent, Table
from sophia.core.insights.competitor_catalog import named_in
from sophia.core.insights.context import InsightContext, describe
from sophia.core.insights.cues import PRICING, objection, sentiment
from sophia.core.insights.periods import Period
from sophia.core.insights.spoken import Spoken, spoken_sentences
from sophia.core.insights.summarizer import Candidate, SectionRequest

__all__ = ["competitor_intel"]

_QUOTES_PER_COMPETITOR = 3
# Price talk that PRICING (a cue for our own pricing) does not cover: a rival's offer.
_PRICE_TALK = re.compile(
    r"\$\s?\d|\bpay(?:s|ing)?\b|\bcheaper\b|\bbundl|\bfree\b|\bmatch (?:our|the|your)", re.I
)


_NO_CATALOG = (
    "No competitors are configured and no Gong competitor tracker was found: "
    "set COMPETITORS (e.g. 'DealForge, Quotient AI=Quotient')."
)
# VADER's own cut-offs for a positive or negative compound score.
_TONE_CUTOFF = 0.05


def _tone(scores: Sequence[float]) -> str:
    """How the mentions read, counted: "2 positive, 1 negative, 5 neutral".

    Each mention is scored alone. An average hides a mix (praise and threats cancel out),
    and a score over the neighbouring sentences measures the call's politeness instead.
    """
    positive = sum(score >= _TONE_CUTOFF for score in scores)
    negative = sum(score <= -_TONE_CUTOFF for score in scores)
    return f"{positive} positive, {negative} negative, {len(scores) - positive - negative} neutral"


async def competitor_intel(
    ctx: InsightContext,
    period: Period | None,
    account: str | None = None,
    *,
    competitor: str | None = None,
    pricing: bool = False,
) -> Answer:
    """Mentions per competitor and per account, with quotes and the tone around them.

    `competitor` keeps one competitor's mentions; `pricing` keeps what customers said about
    a competitor's price ("who are we losing to on price?").
    """
    catalog = await ctx.competitors()
    if competitor:
        catalog = [c for c in catalog if c.name == competitor]
    what = f"mentions of {competitor}" if competitor else "competitor mentions"
    understood = describe("Scanning", account, period, what + (" about price" if pricing else ""))
    if not catalog:
        return Answer.nothing(Intent.COMPETITORS, "Competitor mentions", understood, _NO_CATALOG)
    calls = await ctx.calls(period=period, account=account)
    mentions: dict[str, list[tuple[Spoken, float]]] = defaultdict(list)
    by_account: Counter[tuple[str, str]] = Counter()
    for call in calls:
        for sentence in spoken_sentences(call):
            named = named_in(sentence.text, catalog)
            if not named or (pricing and not _about_price(sentence)):
                continue
            tone = sentiment(sentence.text)
            for rival in named:
                mentions[rival.name].append((sentence, tone))
                by_account[(rival.name, call.details.account or "—")] += 1
    book = CitationBook()
    requests = [
        SectionRequest(
            title=name,
            instruction=f"What was said about {name}, and in what tone.",
            candidates=[
                # What customers say about a rival beats our questions about it.
                Candidate(
                    s,
                    1.0
                    + abs(tone)
                    + 0.5 * s.is_customer
                    - 0.5 * s.is_question
                    + (objection(s.text) if pricing else 0.0),
                )
                for s, tone in found
            ],
            limit=_QUOTES_PER_COMPETITOR,
        )
        for name, found in sorted(mentions.items(), key=lambda item: -len(item[1]))
    ]
    written = await ctx.summarizer.write("competitor mentions", requests, book)
    summary = Table(
        title="Mentions by competitor",
        columns=["competitor", "mentions", "calls", "accounts", "tone"],
        rows=[
            [
                name,
                len(found),
                len({s.details.call_id for s, _ in found}),
                len({s.details.account for s, _ in found}),
                _tone([t for _, t in found]),
            ]
            for name, found in sorted(mentions.items(), key=lambda item: -len(item[1]))
        ],
    )
    per_account = Table(
        title="Mentions by account",
        columns=["competitor", "account", "mentions"],
        rows=[[c, a, n] for (c, a), n in sorted(by_account.items(), key=lambda i: (-i[1], i[0]))],
    )
    return Answer(
        intent=Intent.COMPETITORS,
        title="Competitor mentions",
        understood=understood,
        filters={"account": account, "period": period.label if period else None},
        sections=written.sections,
        tables=[summary, per_account] if mentions else [],
        citations=book.citations,
        notice=written.notice
        or (
            None
            if mentions
            else f"No call {_scope(account, period)} names {competitor or 'a competitor'}"
            + (" in a remark about price." if pricing else ".")
        ),
        summarizer=written.name,
    )


def _about_price(sentence: Spoken) -> bool:
    """A customer's remark about price, cost or a cheaper offer."""
    return sentence.is_customer and bool(
        PRICING.search(sentence.text)
        or _PRICE_TALK.search(sentence.text)
        or objection(sentence.text)
    )


def _scope(account: str | None, period: Period | None) -> str:
    parts = [f"with {account}" if account else "", f"in {period.label}" if period else ""]
    return " ".join(p for p in parts if p) or "in the index"
