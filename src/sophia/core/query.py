"""What a search asks for: text, mode, limit and filters, validated once at the edge."""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Sequence
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from typing import Annotated
from zoneinfo import ZoneInfo

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from sophia.core.callrefs import is_call_id
from sophia.core.errors import BadQuery
from sophia.core.limits import EARLIEST_DAY, LATEST_DAY, day_in_range
from sophia.core.models import Affiliation

__all__ = [
    "ACCOUNT_KEY_VERSION",
    "NO_FILTERS",
    "SearchFilters",
    "SearchMode",
    "SearchRequest",
    "Side",
    "account_key",
    "build_request",
    "day_range",
    "normalise_account",
    "search_request",
]

# Part of every content hash: bump it when `normalise_account` changes, so the next sync
# rewrites every call's stored account key (the access policy filters on them).
ACCOUNT_KEY_VERSION = "account-nfkc-v1"
_ACCOUNT_KEY = re.compile(r"^[0-9a-f]{24}$")
MAX_QUERY_CHARS = 1000


class Side(StrEnum):
    """Whose moments a search returns, in the words users type: the customer's or the rep's."""

    customer = "customer"
    rep = "rep"
    external = "external"
    internal = "internal"

    def affiliation(self) -> Affiliation:
        return Affiliation.INTERNAL if self in (Side.rep, Side.internal) else Affiliation.EXTERNAL


class SearchMode(StrEnum):
    HYBRID = "hybrid"
    SEMANTIC = "semantic"
    KEYWORD = "keyword"


def normalise_account(account: str) -> str:
    """An account name as Sophia compares it, everywhere (access policy, filters, `ask`):
    Unicode NFKC (full-width and compatibility forms to plain ones), invisible characters
    removed (zero-width spaces and joiners, soft hyphens, BOMs: Unicode format characters),
    case folded, runs of spaces made one."""
    composed = unicodedata.normalize("NFKC", account)
    visible = "".join(c for c in composed if unicodedata.category(c) != "Cf")
    return " ".join(visible.casefold().split())


def account_key(account: str) -> str:
    """A stable key for an account name, equal for names equal by `normalise_account`.

    Stores filter on this key rather than the name, so the user's text never becomes part
    of a query string, and `moss & co` finds `Moss & Co` (and `Olympus\u200b` is Olympus,
    whom the access policy restricts).
    """
    return hashlib.sha256(normalise_account(account).encode()).hexdigest()[:24]


class SearchFilters(BaseModel):
    """Restrictions applied inside the store query, before ranking."""

    model_config = ConfigDict(frozen=True)

    account: str | None = None
    call_ids: tuple[str, ...] = ()
    started_from: datetime | None = None  # inclusive
    started_to: datetime | None = None  # exclusive
    side: Affiliation | None = None
    # Account keys (`account_key`) the viewer may not see: set by the access policy, never by
    # the user. Sorted, so that equal exclusions make equal cache keys in every process.
    exclude_accounts: tuple[str, ...] = ()

    @field_validator("account")
    @classmethod
    def _account(cls, value: str | None) -> str | None:
        if value is not None and not value.strip():
            raise ValueError("account is empty")
        return value.strip() if value else value

    @field_validator("call_ids")
    @classmethod
    def _call_ids(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        for call_id in value:
            if not is_call_id(call_id):
                raise ValueError(f"{call_id!r} is not a Gong call id")
        return value

    @field_validator("exclude_accounts")
    @classmethod
    def _exclude_accounts(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        for key in value:
            if not _ACCOUNT_KEY.match(key):
                raise ValueError(f"{key!r} is not an account key (see core.query.account_key)")
        return tuple(sorted(set(value)))

    @field_validator("started_from", "started_to")
    @classmethod
    def _aware(cls, value: datetime | None) -> datetime | None:
        if value is not None and value.tzinfo is None:
            raise ValueError("dates need a time zone")
        return value

    @property
    def account_key(self) -> str | None:
        return account_key(self.account) if self.account else None

    def excluding(self, keys: frozenset[str]) -> SearchFilters:
        """These filters, also excluding the accounts with these keys (validated again)."""
        if not keys:
            return self
        merged = {*self.exclude_accounts, *keys}
        return SearchFilters.model_validate({**self.model_dump(), "exclude_accounts": merged})


NO_FILTERS = SearchFilters()


class SearchRequest(BaseModel):
    """One search, as every surface asks for it."""

    model_config = ConfigDict(frozen=True)

    query: Annotated[str, Field(min_length=1, max_length=MAX_QUERY_CHARS)]
    mode: SearchMode = SearchMode.HYBRID
    limit: Annotated[int, Field(ge=1, le=100)] = 5
    alpha: Annotated[float, Field(ge=0, le=1)] = 0.5
    filters: SearchFilters = SearchFilters()

    @field_validator("query")
    @classmethod
    def _query(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("query is empty")
        return value.strip()


def build_request(**fields: object) -> SearchRequest:
    """A validated `SearchRequest`; bad input raises `BadQuery` with a readable reason."""
    try:
        filters = fields.pop("filters", None) or {}
        return SearchRequest.model_validate(
            {**fields, "filters": SearchFilters.model_validate(filters)}
        )
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc'])}: {e['msg'].removeprefix('Value error, ')}"
            if e["loc"]
            else e["msg"]
            for e in exc.errors(include_url=False)
        )
        raise BadQuery(f"Invalid search: {problems}") from None


def search_request(
    query: str,
    *,
    limit: int,
    alpha: float,
    zone: ZoneInfo,
    mode: SearchMode = SearchMode.HYBRID,
    account: str | None = None,
    call_ids: Sequence[str] = (),
    first_day: date | None = None,
    last_day: date | None = None,
    side: Side | None = None,
) -> SearchRequest:
    """A search as a person asks it on any surface: days are inclusive calendar days in `zone`,
    `side` in their words. Bad input raises `BadQuery`."""
    start, end = day_range(first_day, last_day, zone)
    filters = {
        "account": account,
        "call_ids": tuple(call_ids),
        "started_from": start,
        "started_to": end,
        "side": side.affiliation() if side else None,
    }
    return build_request(query=query, mode=mode, limit=limit, alpha=alpha, filters=filters)


def day_range(
    first: date | None, last: date | None, zone: ZoneInfo
) -> tuple[datetime | None, datetime | None]:
    """[start of `first`, end of `last`) in `zone`: users give inclusive calendar days."""
    for name, day in (("from", first), ("to", last)):
        if day is not None and not day_in_range(day):
            raise BadQuery(f"{name} must be between {EARLIEST_DAY} and {LATEST_DAY}, got {day}")
    start = datetime.combine(first, time.min, zone) if first else None
    end = datetime.combine(last + timedelta(days=1), time.min, zone) if last else None
    if start and end and start >= end:
        raise BadQuery(f"--from {first} is after --to {last}")
    return start, end
