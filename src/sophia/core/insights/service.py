"""`Insights`: the capabilities behind one object, as the surfaces call them."""

from __future__ import annotations

from collections.abc import Sequence

from sophia.core.insights.answer import Answer, Intent
from sophia.core.insights.ask import ask, brief, respond
from sophia.core.insights.call_analysis import analyze_call
from sophia.core.insights.context import InsightContext
from sophia.core.insights.periods import read_period
from sophia.core.insights.stalled import stalled_deals
from sophia.core.insights.understanding import Miss, Understanding
from sophia.core.insights.weekly import weekly_brief

__all__ = ["Insights"]


class Insights:
    """Call analysis, briefs, competitive intel, stalled deals, coaching and `ask`."""

    def __init__(self, context: InsightContext) -> None:
        self.context = context

    def scoped(self, exclude: frozenset[str]) -> Insights:
        """The capabilities as a viewer who may not see these accounts (keys) gets them."""
        return self if not exclude else Insights(self.context.scoped(exclude))

    async def ask(self, question: str, earlier: Sequence[str] = ()) -> Answer:
        """A question in plain words (intent, account and period are worked out).

        `earlier` questions of the same conversation fill in what a follow-up leaves out.
        """
        return await ask(self.context, question, earlier)

    async def analyze_call(self, call_id: str) -> Answer:
        """One call: summary, topics, objections, competitors, next steps, questions, talk ratio."""
        return await analyze_call(self.context, call_id)

    async def brief(self, subject: str) -> Answer:
        """A brief on a topic ("competitive mentions in Q4") or an account ("Olympus"), read
        like a question to `ask`: the same constraints, the same notices."""
        return await brief(self.context, subject)

    async def competitors(self, period_text: str = "") -> Answer:
        """Competitor mentions in a period ("this quarter"; default: every indexed call)."""
        return await self._in_period(Intent.COMPETITORS, "", period_text)

    async def stalled(self) -> Answer:
        """Open opportunities with no call for STALLED_DAYS, and their last call's blockers."""
        return await stalled_deals(self.context)

    async def coaching(self, topic: str = "pricing", period_text: str = "") -> Answer:
        """Discussions of `topic` that ended well, with the talk tracks that worked."""
        return await self._in_period(Intent.COACHING, topic or "pricing", period_text)

    async def weekly_brief(self) -> Answer:
        """The past week: top topics, objections, competitors and stalled deals, cited."""
        return await weekly_brief(self.context)

    async def _in_period(self, intent: Intent, topic: str, period_text: str) -> Answer:
        """A capability over the period the user typed: an unreadable one, or one without
        calls, gets a notice rather than an answer from every call."""
        ctx = self.context
        reading = read_period(period_text, ctx.clock.now(), ctx.zone)
        misses: tuple[Miss, ...] = ()
        if period_text.strip() and reading.period is None:
            misses = (Miss(reading.unreadable or period_text.strip(), kind="period"),)
        meaning = Understanding(intent, topic, None, reading.period, misses=misses)
        return await respond(ctx, meaning)
