"""The weekly brief posted to the team's channels (built by the Slack issue)."""

from __future__ import annotations

from core.insights.answer import Answer
from core.insights.context import InsightContext

__all__ = ["weekly_brief"]


async def weekly_brief(ctx: InsightContext) -> Answer:
    """The past week: top topics, objections, competitors and stalled deals, each cited."""
    raise NotImplementedError
