"""What a search answer looks like outside the process: the REST API's body and
`sophia search --json` (and each line of its batch mode) are written from these models."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field

from sophia.core.models import Affiliation
from sophia.core.query import SearchMode
from sophia.core.search import Hit, SearchResult

__all__ = ["HitOut", "SearchOut"]


class HitOut(BaseModel):
    """One cited moment: `url` opens the call in Gong where `snippet` is said."""

    call_id: str
    chunk_id: str
    title: str
    account: str | None
    date: datetime
    speaker: str
    affiliation: Affiliation
    start_ms: int = Field(description="Start of the matching chunk.")
    end_ms: int = Field(description="End of the matching chunk.")
    moment_ms: int = Field(description="Where the quoted sentence starts.")
    score: float
    snippet: str
    text: str
    url: str
    call_url: str

    @classmethod
    def of(cls, hit: Hit) -> HitOut:
        return cls(date=hit.started, **hit.model_dump(exclude={"started"}))


class SearchOut(BaseModel):
    query: str
    mode: SearchMode = Field(description="What ran: keyword when semantic search fell back.")
    took_ms: float
    cached: bool
    notice: str | None
    hits: list[HitOut]

    @classmethod
    def of(cls, result: SearchResult) -> SearchOut:
        return cls(
            query=result.request.query,
            mode=result.mode,
            took_ms=result.took_ms,
            cached=result.cached,
            notice=result.notice,
            hits=[HitOut.of(hit) for hit in result.hits],
        )

    def within(self, max_bytes: int) -> SearchOut:
        """This answer, its last hits left out (and said so) if it would pass `max_bytes`.

        Chunks, titles and names are bounded, so it takes a very large `limit` to get here.
        """
        hits = list(self.hits)
        size = len(self.model_dump_json())
        while hits and size > max_bytes:
            size -= len(hits.pop().model_dump_json()) + 1
        if len(hits) == len(self.hits):
            return self
        left_out = len(self.hits) - len(hits)
        notice = f"{left_out} more hits left out: an answer is capped at {max_bytes:,} bytes."
        return self.model_copy(update={"hits": hits, "notice": notice})
