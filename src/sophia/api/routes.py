"""The endpoints. Each one parses its body, calls one core service, and renders the result:
answers come through a `Session` (the access policy and the audit log live there)."""

from __future__ import annotations

from datetime import datetime, time
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import JSONResponse, Response
from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, generate_latest

from sophia.api.errors import ERROR_RESPONSES
from sophia.api.readiness import Readiness
from sophia.api.schemas import (
    AnalyzeCallIn,
    AskIn,
    BriefIn,
    HealthOut,
    ReadyOut,
    SearchIn,
    SearchOut,
    SinceDay,
)
from sophia.core.errors import BadQuery
from sophia.core.export.page import MAX_PAGE, ExportPage
from sophia.core.insights.answer import Answer
from sophia.core.limits import EARLIEST_DAY, LATEST_DAY, MAX_RESPONSE_BYTES, day_in_range
from sophia.core.logs import current_request_id
from sophia.core.services import Sophia
from sophia.core.session import Session
from sophia.core.stats import Stats
from sophia.core.viewer import Viewer

__all__ = ["router"]

router = APIRouter()
# The errors each kind of endpoint may answer with, as declared in the OpenAPI schema.
Responses = dict[int | str, dict[str, Any]]
_ANSWERS: Responses = {k: v for k, v in ERROR_RESPONSES.items() if k != 404}
_CALLS: Responses = ERROR_RESPONSES
_READS: Responses = {k: v for k, v in ERROR_RESPONSES.items() if k in (401, 429, 500, 503)}


# Dependencies are async: FastAPI would run plain functions in a worker thread.
async def _sophia(request: Request) -> Sophia:
    sophia: Sophia = request.app.state.sophia
    return sophia


async def _session(request: Request, sophia: Annotated[Sophia, Depends(_sophia)]) -> Session:
    """A session for the caller: the API key's name is the user the policy goes by."""
    user = getattr(request.state, "api_key_name", None)
    return sophia.session(Viewer("api", user=user), request_id=current_request_id())


SessionDep = Annotated[Session, Depends(_session)]
SophiaDep = Annotated[Sophia, Depends(_sophia)]


@router.post("/api/gong/search", tags=["answers"], responses=_ANSWERS)
async def search(body: SearchIn, session: SessionDep, sophia: SophiaDep) -> SearchOut:
    """Cited moments: each hit names the call, speaker and moment, with a Gong link."""
    settings = sophia.settings
    request = body.request(
        default_limit=settings.search_limit,
        alpha=settings.search_alpha,
        zone=ZoneInfo(settings.sophia_timezone),
    )
    return SearchOut.of(await session.search(request)).within(MAX_RESPONSE_BYTES)


@router.post("/api/gong/analyze/call", tags=["answers"], responses=_CALLS)
async def analyze_call(body: AnalyzeCallIn, session: SessionDep) -> Answer:
    """One call: summary, topics, objections, competitors, next steps, questions, talk ratio."""
    return await session.analyze_call(body.id)


@router.post("/api/gong/brief", tags=["answers"], responses=_ANSWERS)
async def brief(body: BriefIn, session: SessionDep) -> Answer:
    """A cited brief on a topic ("competitive mentions in Q4") or an account ("Olympus")."""
    return await session.brief(body.topic)


@router.post("/api/gong/ask", tags=["answers"], responses=_ANSWERS)
async def ask(body: AskIn, session: SessionDep) -> Answer:
    """A question in plain words; the period, account and intent are worked out."""
    return await session.ask(body.question)


@router.get("/api/gong/export/calls", tags=["export"], responses=_ANSWERS)
async def export_calls(
    session: SessionDep,
    sophia: SophiaDep,
    since: SinceDay = None,
    offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 100,
) -> ExportPage:
    """The call-insights table, one row per call, oldest first, paged: only the accounts the
    key may see (docs/export.md)."""
    start = None
    if since is not None:
        if not day_in_range(since):
            raise BadQuery(f"since: must be between {EARLIEST_DAY} and {LATEST_DAY}")
        start = datetime.combine(since, time.min, ZoneInfo(sophia.settings.sophia_timezone))
    return await session.export_calls(since=start, offset=offset, limit=limit)


@router.get("/api/gong/stats", tags=["operations"], responses=_READS)
async def stats(session: SessionDep) -> Stats:
    """Index size, query times by surface (ms, server-side), cache hit rate, last sync, and
    the backends in use."""
    return await session.stats()


@router.get("/api/gong/health", tags=["operations"], responses={500: ERROR_RESPONSES[500]})
async def health() -> HealthOut:
    """Liveness: the process answers. Calls no dependency; needs no key."""
    return HealthOut()


@router.get(
    "/api/gong/ready",
    tags=["operations"],
    response_model=ReadyOut,
    responses={
        503: {"model": ReadyOut, "description": "The store or embedder is down (see `checks`)."},
        500: ERROR_RESPONSES[500],
    },
)
async def ready(request: Request) -> Response:
    """Readiness: the store and the embedder answer (a cache outage is `degraded`, still
    200: answers run uncached). Needs no key."""
    readiness: Readiness = request.app.state.readiness
    result = await readiness.check()
    status = 503 if result.status == "unavailable" else 200
    return JSONResponse(result.model_dump(), status_code=status)


@router.get(
    "/metrics",
    tags=["operations"],
    response_class=Response,
    responses={
        200: {
            "description": "Prometheus text format.",
            "content": {"text/plain": {"schema": {"type": "string"}}},
        },
        **_READS,
    },
)
async def metrics() -> Response:
    """Prometheus metrics: query latency, cache lookups, syncs, Gong 429s, Slack and REST."""
    return Response(generate_latest(REGISTRY), media_type=CONTENT_TYPE_LATEST)
