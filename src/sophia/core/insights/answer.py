"""The structured answer every insight returns and every surface renders.

An answer is sections of bullets; each bullet cites numbered moments of real calls. Surfaces
(terminal, Slack, REST) only lay it out: what to say and what backs it is decided here.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, Field

from sophia.core.gong.links import moment_url
from sophia.core.models import Affiliation, CallDetails
from sophia.core.search import Hit

__all__ = ["Answer", "Bullet", "Citation", "CitationBook", "Intent", "Section", "Table"]


class Intent(StrEnum):
    """What a question asks for; `ask` picks one, each capability produces one."""

    SEARCH = "search"
    CALL_ANALYSIS = "call_analysis"
    TOPIC_BRIEF = "topic_brief"
    ACCOUNT_BRIEF = "account_brief"
    COMPETITORS = "competitors"
    STALLED = "stalled"
    COACHING = "coaching"
    WEEKLY_BRIEF = "weekly_brief"
    STAKEHOLDERS = "stakeholders"
    DEAL_STATUS = "deal_status"
    LAST_CALL = "last_call"
    RECENT_CALLS = "recent_calls"


class Citation(BaseModel):
    """A numbered moment of a call that backs one or more bullets."""

    number: int
    call_id: str
    title: str
    account: str | None
    started: datetime
    speaker: str
    affiliation: Affiliation
    moment_ms: int
    url: str
    quote: str


class Bullet(BaseModel):
    """One statement; `quote` bullets are verbatim transcript text, others are our words."""

    text: str
    citations: list[int] = Field(default_factory=list)
    quote: bool = False


class Section(BaseModel):
    title: str
    bullets: list[Bullet] = Field(default_factory=list)


class Table(BaseModel):
    """Counts and lists that read best as rows (competitor counts, stalled deals, ...)."""

    title: str
    columns: list[str]
    rows: list[list[str | int | float | None]]


class Answer(BaseModel):
    """A cited answer, with what was understood and the filters that were applied."""

    intent: Intent
    title: str
    understood: str
    filters: dict[str, Any] = Field(default_factory=dict)
    sections: list[Section] = Field(default_factory=list)
    tables: list[Table] = Field(default_factory=list)
    citations: list[Citation] = Field(default_factory=list)
    # Why the answer is empty or partial, in words a user can act on.
    notice: str | None = None
    summarizer: str = "extractive"

    @property
    def is_empty(self) -> bool:
        return not any(s.bullets for s in self.sections) and not any(t.rows for t in self.tables)

    @classmethod
    def nothing(
        cls, intent: Intent, title: str, understood: str, notice: str, **more: Any
    ) -> Answer:
        """An answer with nothing to show but why (`notice`), in words a user can act on."""
        return cls(intent=intent, title=title, understood=understood, notice=notice, **more)


# What a citation copies from the call it quotes, and from a search hit (the same names).
_OF_THE_CALL = {"call_id", "title", "account", "started"}
_OF_A_HIT = {*_OF_THE_CALL, "speaker", "affiliation", "moment_ms", "url"}


class CitationBook:
    """Hands out citation numbers, one per distinct moment, in order of first use."""

    def __init__(self) -> None:
        self._by_moment: dict[tuple[str, int], Citation] = {}

    def cite(
        self,
        details: CallDetails,
        speaker: str,
        affiliation: Affiliation,
        start_ms: int,
        end_ms: int,
        quote: str,
    ) -> int:
        """The number of this moment's citation, adding it when new."""
        return self._add(
            **details.model_dump(include=_OF_THE_CALL),
            speaker=speaker,
            affiliation=affiliation,
            moment_ms=start_ms,
            url=moment_url(details.url, start_ms, end_ms),
            quote=quote,
        )

    def cite_hit(self, hit: Hit) -> int:
        """The number of a search hit's quoted moment."""
        return self._add(**hit.model_dump(include=_OF_A_HIT), quote=hit.snippet)

    def _add(self, **fields: Any) -> int:
        key = (fields["call_id"], fields["moment_ms"])
        if key not in self._by_moment:
            self._by_moment[key] = Citation(number=len(self._by_moment) + 1, **fields)
        return self._by_moment[key].number

    @property
    def citations(self) -> list[Citation]:
        return list(self._by_moment.values())
