"""`Insights`: the capabilities behind one object, as the surfaces call them."""

from __future__ import annotations

from collections.abc import Sequence

from core.insights.answer import Answer
from core.insights.ask import ask, understand
from core.insights.briefs import account_brief, topic_brief
from core.insights.call_analysis import analyze_call
from core.insights.coaching import coaching
from core.insights.competitors import competitor_intel
from core.insights.context import InsightContext
from core.insights.periods import Period, find_period
from core.insights.stalled import stalled_deals
from core.insights.weekly import weekly_brief

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
        """A brief on a topic ("competitive mentions in Q4") or an account ("Olympus")."""
        ctx = self.context
        meaning = understand(subject, ctx, await ctx.accounts())
        if meaning.unknown_account:
            return await ask(ctx, subject)
        if meaning.account and not meaning.topic:
            return await account_brief(ctx, meaning.account, meaning.period)
        return await topic_brief(ctx, meaning.topic or subject, meaning.period, meaning.account)

    async def competitors(self, period_text: str = "") -> Answer:
        """Competitor mentions in a period ("this quarter"; default: every indexed call)."""
        return await competitor_intel(self.context, self._period(period_text), None)

    async def stalled(self) -> Answer:
        """Open opportunities with no call for STALLED_DAYS, and their last call's blockers."""
        return await stalled_deals(self.context)

    async def coaching(self, topic: str = "pricing", period_text: str = "") -> Answer:
        """Discussions of `topic` that ended well, with the talk tracks that worked."""
        return await coaching(self.context, topic or "pricing", self._period(period_text))

    async def weekly_brief(self) -> Answer:
        """The past week: top topics, objections, competitors and stalled deals, cited."""
        return await weekly_brief(self.context)

    def _period(self, text: str) -> Period | None:
        period, _ = (
            find_period(text, self.context.clock.now(), self.context.zone) if text else (None, "")
        )
        return period
