"""`Session`: one request from one person on one surface, the single way into core's answers.

Every surface (CLI, Slack, REST, the scheduler) asks through a session, so what must hold for
every query holds in one place: the access policy narrows what the viewer may see, the
audit log gets one line, and the latency metric one sample.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal, TypeVar

from core.insights.answer import Answer
from core.metrics import QUERY_SECONDS
from core.query import SearchRequest
from core.search import SearchResult

if TYPE_CHECKING:
    from core.app import Sophia

__all__ = ["Session", "Surface", "Viewer", "Vote"]

Surface = Literal["cli", "slack", "api", "scheduler"]
Vote = Literal["up", "down"]
T = TypeVar("T", Answer, SearchResult)


@dataclass(frozen=True)
class Viewer:
    """Who asks and from where: what the access policy and the audit log go by.

    `user` is a Slack user id on Slack, an API key's name on REST, the shell user on the
    CLI, and None for the scheduler (which may see only unrestricted accounts).
    """

    surface: Surface
    user: str | None = None
    groups: frozenset[str] = field(default_factory=frozenset)
    channel: str | None = None


class Session:
    """One request: run a capability for `viewer` and account for it."""

    def __init__(self, sophia: Sophia, viewer: Viewer, request_id: str | None = None) -> None:
        self.sophia = sophia
        self.viewer = viewer
        # Links feedback clicks (and log lines) back to the answer they are about.
        self.request_id = request_id or uuid.uuid4().hex[:16]

    async def search(self, request: SearchRequest) -> SearchResult:
        """Cited moments for a search."""
        return await self._run("search", lambda: self.sophia.search.search(request))

    async def ask(self, question: str, earlier: Sequence[str] = ()) -> Answer:
        """A question in plain words; `earlier` questions of the same thread give context."""
        insights = self.sophia.insights
        return await self._run("ask", lambda: insights.ask(question, earlier=earlier))

    async def brief(self, subject: str) -> Answer:
        """A brief on a topic or an account."""
        return await self._run("brief", lambda: self.sophia.insights.brief(subject))

    async def analyze_call(self, call_id: str) -> Answer:
        """One call, analysed."""
        return await self._run("call", lambda: self.sophia.insights.analyze_call(call_id))

    async def competitors(self, period_text: str = "") -> Answer:
        """Competitor mentions in a period."""
        return await self._run("competitors", lambda: self.sophia.insights.competitors(period_text))

    async def stalled(self) -> Answer:
        """Stalled deals and their blockers."""
        return await self._run("stalled", lambda: self.sophia.insights.stalled())

    async def coaching(self, topic: str = "pricing", period_text: str = "") -> Answer:
        """Successful negotiations of `topic`."""
        return await self._run(
            "coaching", lambda: self.sophia.insights.coaching(topic, period_text)
        )

    async def weekly_brief(self) -> Answer:
        """The past week: top topics, objections, competitors and stalled deals."""
        return await self._run("weekly_brief", lambda: self.sophia.insights.weekly_brief())

    async def feedback(self, about: str, vote: Vote) -> None:
        """Record a 👍/👎 on the answer of request `about`."""
        self.sophia.state.record_feedback(about, vote, self.viewer.surface, self.viewer.user)

    async def _run(self, kind: str, work: Callable[[], Awaitable[T]]) -> T:
        started = time.perf_counter()
        result = await work()
        QUERY_SECONDS.labels(self.viewer.surface, kind).observe(time.perf_counter() - started)
        return result
