"""What the REST API accepts and returns: the models its OpenAPI schema is generated from.

Requests are strict (an unknown field is a 400 naming it), so a typo such as `acount` never
silently widens a search. Responses are typed, so the schema says exactly what comes back.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal
from zoneinfo import ZoneInfo

from fastapi import Query
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from sophia.core.callrefs import CALL_ID, CALL_REF, call_id_of
from sophia.core.limits import EARLIEST_DAY, LATEST_DAY, day_in_range
from sophia.core.query import (
    MAX_QUERY_CHARS,
    SearchMode,
    SearchRequest,
    Side,
    search_request,
)
from sophia.core.search_schema import HitOut, SearchOut

__all__ = [
    "PATTERN_MEANINGS",
    "AnalyzeCallIn",
    "AskIn",
    "BriefIn",
    "CheckOut",
    "ErrorDetail",
    "ErrorOut",
    "HealthOut",
    "HitOut",
    "ReadyChecks",
    "ReadyOut",
    "ReadyStatus",
    "SearchFiltersIn",
    "SearchIn",
    "SearchOut",
]

# Text must hold a character that `str.strip()` keeps. The whitespace is spelled out, not
# `\s`: regex dialects (Python, ECMAScript, pydantic's Rust) disagree on what `\s` covers.
_SPACES = "".join(c for c in map(chr, range(0x3001)) if c.isspace()) + "\ufeff"
_NOT_BLANK = f"[^{_SPACES}]"
Text = Annotated[str, Field(min_length=1, max_length=MAX_QUERY_CHARS, pattern=_NOT_BLANK)]
# The years a search date may name (core/limits.py), for the schema; the model checks them.
_SEARCHABLE_YEARS = r"^(199[0-9]|20[0-9][0-9])-"
# The first day of an export, a query parameter (checked against the years in the route).
SinceDay = Annotated[
    date | None,
    Query(
        description="Calls on or after this day (SOPHIA_TIMEZONE), 1990-01-01 to 2099-12-31.",
        json_schema_extra={"pattern": _SEARCHABLE_YEARS},
    ),
]
CallId = Annotated[str, Field(pattern=rf"^{CALL_ID}$", examples=["6823810680858523576"])]
# What a failed pattern means, in words, for the 400 message.
PATTERN_MEANINGS = {
    _NOT_BLANK: "must not be blank",
    rf"^{CALL_ID}$": "is not a Gong call id",
    rf"^{CALL_REF}$": "is not a Gong call id or call URL",
}


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class SearchFiltersIn(_Strict):
    """Restrictions applied inside the store query; dates are calendar days in
    SOPHIA_TIMEZONE, both inclusive."""

    account: Annotated[str, Field(max_length=200, pattern=_NOT_BLANK)] | None = Field(
        None, examples=["Moss & Co"]
    )
    call_ids: list[CallId] = Field(default_factory=list, max_length=100)
    from_: date | None = Field(
        None,
        alias="from",
        description="First day (inclusive), 1990-01-01 to 2099-12-31.",
        json_schema_extra={"pattern": _SEARCHABLE_YEARS},
    )
    to: date | None = Field(
        None,
        description="Last day (inclusive), 1990-01-01 to 2099-12-31.",
        json_schema_extra={"pattern": _SEARCHABLE_YEARS},
    )
    side: Side | None = None

    @field_validator("from_", "to", mode="before")
    @classmethod
    def _iso_day(cls, value: object) -> object:
        # Without this, pydantic would read a number as a Unix timestamp.
        if value is not None and not isinstance(value, str):
            raise ValueError("must be a date like 2026-10-01")
        return value

    @field_validator("from_", "to")
    @classmethod
    def _searchable_day(cls, value: date | None) -> date | None:
        if value is not None and not day_in_range(value):
            raise ValueError(f"must be between {EARLIEST_DAY} and {LATEST_DAY}")
        return value

    @model_validator(mode="after")
    def _ordered(self) -> SearchFiltersIn:
        if self.from_ and self.to and self.from_ > self.to:
            raise ValueError(f"from ({self.from_}) is after to ({self.to})")
        return self


class SearchIn(_Strict):
    query: Text = Field(examples=["pricing objections"])
    limit: int | None = Field(None, ge=1, le=100, description="Hits (default SEARCH_LIMIT).")
    mode: SearchMode = SearchMode.HYBRID
    filters: SearchFiltersIn = Field(default_factory=SearchFiltersIn)

    @field_validator("limit", mode="before")
    @classmethod
    def _json_integer(cls, value: object) -> object:
        # JSON's integers (2 and 2.0), not the strings and booleans pydantic would also take.
        if isinstance(value, bool | str):
            raise ValueError("must be an integer")
        return value

    def request(self, *, default_limit: int, alpha: float, zone: ZoneInfo) -> SearchRequest:
        """The core search this body asks for."""
        return search_request(
            self.query,
            mode=self.mode,
            limit=self.limit or default_limit,
            alpha=alpha,
            zone=zone,
            account=self.filters.account,
            call_ids=self.filters.call_ids,
            first_day=self.filters.from_,
            last_day=self.filters.to,
            side=self.filters.side,
        )


class AnalyzeCallIn(_Strict):
    call_id: str = Field(
        max_length=2000,
        pattern=rf"^{CALL_REF}$",
        description="A Gong call id, or a Gong call URL (…/call?id=…).",
        examples=["6823810680858523576", "https://app.gong.io/call?id=6823810680858523576"],
    )

    @property
    def id(self) -> str:
        """The call id, also out of a pasted call URL."""
        return call_id_of(self.call_id)


class BriefIn(_Strict):
    topic: Text = Field(examples=["competitive mentions in Q4", "Olympus"])


class AskIn(_Strict):
    question: Text = Field(examples=["what pricing objections came up with Moss & Co?"])


class HealthOut(BaseModel):
    status: Literal["ok"] = "ok"


class CheckOut(BaseModel):
    status: Literal["up", "down", "degraded"] = Field(
        description="`degraded`: down, but answers do not need it (the cache)."
    )
    detail: str
    ms: float


class ReadyChecks(BaseModel):
    store: CheckOut
    cache: CheckOut
    embedder: CheckOut


ReadyStatus = Literal["ready", "degraded", "unavailable"]


class ReadyOut(BaseModel):
    status: ReadyStatus = Field(
        description="`ready` and `degraded` (the cache is down; answers run uncached) are "
        "200; `unavailable` is 503."
    )
    checks: ReadyChecks


class ErrorDetail(BaseModel):
    code: str = Field(examples=["bad_request"])
    message: str
    request_id: str


class ErrorOut(BaseModel):
    """The shape of every error the API returns."""

    error: ErrorDetail
