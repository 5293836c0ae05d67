"""`Session`: one request from one person on one surface, the single way into core's answers.

Every surface (CLI, Slack, REST, the scheduler) asks through a session, so what must hold for
every query holds in one place: the access policy narrows what the viewer may see (inside
every store query, through `core/scoped.py`), the audit log gets exactly one line per
question, stats read or feedback click, and the latency metric and the state DB's query
timings (by surface) one sample per question.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal, TypeVar

from sophia.core.access import AccessPolicy
from sophia.core.audit import AuditEntry, AuditError, AuditLog, Outcome
from sophia.core.clock import Clock
from sophia.core.errors import AccessDenied, CallNotFound
from sophia.core.export.handle import TableHandle
from sophia.core.export.page import ExportPage
from sophia.core.insights.answer import Answer, Intent
from sophia.core.insights.service import Insights
from sophia.core.logs import new_request_id
from sophia.core.metrics import QUERY_SECONDS, STATE_WRITE_FAILURES
from sophia.core.pii import Redactor
from sophia.core.query import SearchRequest
from sophia.core.scoped import ScopedSearch, Searcher
from sophia.core.search import SearchResult, SearchService
from sophia.core.state import StateDB
from sophia.core.stats import Stats, StatsReport
from sophia.core.stores.base import VectorStore
from sophia.core.viewer import Surface, Viewer

# `Viewer` and `Surface` live in core/viewer.py; they stay importable from here.
__all__ = ["Session", "SessionServices", "Surface", "Viewer", "Vote"]

audit_log = logging.getLogger("sophia.audit")

Vote = Literal["up", "down"]
T = TypeVar("T", Answer, SearchResult, Stats, ExportPage)
# The audit log keeps the question, not an essay pasted into it.
_MAX_AUDITED_QUERY = 1000


@dataclass(frozen=True)
class SessionServices:
    """What sessions work with, built once per process (`Sophia.open`)."""

    access: AccessPolicy
    search: SearchService
    insights: Insights
    # Pinned for the length of a request, so that it reads one state of the index.
    store: VectorStore
    # Query timings and feedback.
    state: StateDB
    audit: AuditLog
    redactor: Redactor
    clock: Clock
    stats: StatsReport
    # The call-insights table (core/export/): exports read it, filtered by the policy.
    table: TableHandle


class Session:
    """One request: run a capability for `viewer`, within what they may see, and audit it."""

    def __init__(
        self, services: SessionServices, viewer: Viewer, request_id: str | None = None
    ) -> None:
        self._services = services
        self.viewer = viewer
        # Links feedback clicks (and log lines) back to the answer they are about.
        self.request_id = request_id or new_request_id()
        self._exclude = services.access.exclusions(viewer)
        self._insights = services.insights.scoped(self._exclude)
        self._search: Searcher = (
            ScopedSearch(services.search, self._exclude) if self._exclude else services.search
        )

    @property
    def restricted(self) -> bool:
        """True when the policy hides at least one account from this viewer."""
        return bool(self._exclude)

    async def search(self, request: SearchRequest) -> SearchResult:
        """Cited moments for a search."""
        filters = request.filters.model_dump(mode="json", exclude_defaults=True)
        return await self._run(
            "search", request.query, lambda: self._search.search(request), filters=filters
        )

    async def ask(self, question: str, earlier: Sequence[str] = ()) -> Answer:
        """A question in plain words; `earlier` questions of the same thread give context."""
        return await self._run("ask", question, lambda: self._insights.ask(question, earlier))

    async def brief(self, subject: str) -> Answer:
        """A brief on a topic or an account."""
        return await self._run("brief", subject, lambda: self._insights.brief(subject))

    async def analyze_call(self, call_id: str) -> Answer:
        """One call, analysed; `AccessDenied` for a call the viewer may not see."""
        return await self._run(
            "call",
            call_id,
            lambda: self._insights.analyze_call(call_id),
            filters={"call_ids": [call_id]},
        )

    async def competitors(self, period_text: str = "") -> Answer:
        """Competitor mentions in a period."""
        return await self._run(
            "competitors", period_text, lambda: self._insights.competitors(period_text)
        )

    async def stalled(self) -> Answer:
        """Stalled deals and their blockers."""
        return await self._run("stalled", None, lambda: self._insights.stalled())

    async def coaching(self, topic: str = "pricing", period_text: str = "") -> Answer:
        """Successful negotiations of `topic`."""
        query = " ".join(part for part in (topic, period_text) if part)
        return await self._run(
            "coaching", query, lambda: self._insights.coaching(topic, period_text)
        )

    async def weekly_brief(self) -> Answer:
        """The past week: top topics, objections, competitors and stalled deals."""
        return await self._run("weekly_brief", None, lambda: self._insights.weekly_brief())

    async def stats(self) -> Stats:
        """Index size, query times by surface and the last sync (audited, but not timed as
        a query: reading the times must not move them)."""
        return await self._run("stats", None, self._services.stats.gather, timed=False)

    async def export_calls(
        self, *, since: datetime | None = None, offset: int = 0, limit: int | None = None
    ) -> ExportPage:
        """Rows of the call-insights table the viewer may see, oldest first (audited with
        the call ids it hands out)."""

        async def read() -> ExportPage:
            rows, total = await asyncio.to_thread(
                self._services.table.get().calls,
                exclude=self._exclude,
                since=since,
                offset=offset,
                limit=limit,
            )
            policy = frozenset(a.key for a in self._services.access.accounts)
            return ExportPage.of(rows, total, offset, policy)

        filters = {"since": since.isoformat() if since else None, "offset": offset, "limit": limit}
        return await self._run(
            "export", None, read, filters={k: v for k, v in filters.items() if v is not None}
        )

    async def feedback(self, about: str, vote: Vote) -> None:
        """Record a 👍/👎 on the answer of request `about` (best effort: a full disk loses
        the vote's row, logged and counted, but never fails the click)."""
        self._services.state.record_feedback(about, vote, self.viewer.surface, self.viewer.user)
        self._audit(self._entry("feedback", None, about=about, vote=vote))

    async def _run(
        self,
        kind: str,
        query: str | None,
        work: Callable[[], Awaitable[T]],
        *,
        filters: dict[str, Any] | None = None,
        timed: bool = True,
    ) -> T:
        started = time.perf_counter()
        try:
            # Every read of the answer sees one state of the index (a sync may be writing).
            async with self._services.store.pinned():
                result = await work()
        except BaseException as exc:
            outcome: Outcome = "denied" if isinstance(exc, AccessDenied) else "error"
            entry = self._entry(
                kind,
                query,
                filters=filters,
                outcome=outcome,
                error=None if outcome == "denied" else type(exc).__name__,
                latency_ms=_ms(started),
            )
            self._audit(entry)
            if isinstance(exc, CallNotFound) and self._exclude:
                # Told apart from a restricted call, a missing id would say which ids exist.
                raise AccessDenied() from None
            raise
        finally:
            QUERY_SECONDS.labels(self.viewer.surface, kind).observe(time.perf_counter() - started)
        if timed:
            self._services.state.record_query(
                _ms(started),
                surface=self.viewer.surface,
                kind=kind,
                cached=result.cached if isinstance(result, SearchResult) else None,
            )
        intent, call_ids, answer_filters = _described(result)
        self._audit(
            self._entry(
                kind,
                query,
                filters=filters if filters is not None else answer_filters,
                intent=intent,
                call_ids=call_ids,
                latency_ms=_ms(started),
            )
        )
        return result

    def _entry(self, kind: str, query: str | None, **fields: Any) -> AuditEntry:
        if query is not None:
            # The user's words may hold PII (a pasted phone number): the log must not. Cut
            # after redacting (a cut number would escape its pattern), and bound the work.
            redacted = self._services.redactor.redact(query[: _MAX_AUDITED_QUERY * 4]).text
            query = redacted[:_MAX_AUDITED_QUERY]
        return AuditEntry(
            time=self._services.clock.now(),
            surface=self.viewer.surface,
            user=self.viewer.user,
            channel=self.viewer.channel,
            request_id=self.request_id,
            kind=kind,
            query=query,
            excluded_accounts=len(self._exclude),
            **fields,
        )

    def _audit(self, entry: AuditEntry) -> None:
        try:
            self._services.audit.write(entry)
        except AuditError:
            # The file cannot take it (a full or read-only disk): the line goes to the
            # process log instead (collected with the other logs), whole, and the request is
            # answered. It is audited once either way; a disk problem is not an outage.
            STATE_WRITE_FAILURES.labels("audit").inc()
            audit_log.error(
                "audit line (the audit file cannot be written): %s",
                entry.model_dump_json(exclude_none=True),
                extra={"audit": entry.model_dump(mode="json", exclude_none=True)},
            )


def _described(
    result: Answer | SearchResult | Stats | ExportPage,
) -> tuple[str, list[str], dict[str, Any]]:
    """Intent, cited call ids (first appearance order) and filters of a result."""
    if isinstance(result, Stats):
        return "stats", [], {}
    if isinstance(result, ExportPage):
        return "export", [row.call_id for row in result.rows], {}
    if isinstance(result, SearchResult):
        return "search", list(dict.fromkeys(hit.call_id for hit in result.hits)), {}
    # A call analysis returns that call even when there is nothing in it to cite.
    analysed = result.filters.get("call_ids", []) if result.intent is Intent.CALL_ANALYSIS else []
    call_ids = list(dict.fromkeys([*analysed, *(c.call_id for c in result.citations)]))
    return result.intent.value, call_ids, {k: v for k, v in result.filters.items() if v}


def _ms(started: float) -> float:
    return round((time.perf_counter() - started) * 1000, 1)
