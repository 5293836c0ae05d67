"""What every insight needs: the store, search, the summarizer, settings and the clock."""

from __future__ import annotations

import difflib
import re
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Any, TypedDict, Unpack
from zoneinfo import ZoneInfo

from sophia.core.clock import Clock, SystemClock
from sophia.core.config import Settings
from sophia.core.embedders.base import Embedder
from sophia.core.insights.competitor_catalog import Competitor, competitor_catalog
from sophia.core.insights.periods import Period
from sophia.core.insights.summarizer import Summarizer
from sophia.core.models import Affiliation, Call
from sophia.core.query import SearchFilters, SearchRequest, build_request, normalise_account
from sophia.core.scoped import ScopedSearch, ScopedStore, Searcher
from sophia.core.stores.base import CallListing, StoreReader

__all__ = ["InsightContext", "Narrowing", "closest_account", "describe", "with_account"]

# Below this similarity a typed name is not taken to mean an indexed account.
_ACCOUNT_MATCH = 0.75


class Narrowing(TypedDict, total=False):
    """What narrows a search beyond its period and account, never widening it: these calls
    only (a kind of call), and whose words (one side of the table)."""

    call_ids: Sequence[str]
    side: Affiliation | None


@dataclass
class InsightContext:
    """Shared by the capabilities of one process."""

    store: StoreReader
    search: Searcher
    summarizer: Summarizer
    settings: Settings
    clock: Clock = field(default_factory=SystemClock)
    # For ranking quotes by meaning; None ranks them by their words alone.
    embedder: Embedder | None = None

    def scoped(self, exclude: frozenset[str]) -> InsightContext:
        """This context as seen by a viewer who may not see the accounts with these keys.

        Every read of the store and every search then carries the exclusion inside its
        query, so no capability can leave it out.
        """
        if not exclude:
            return self
        return replace(
            self, store=ScopedStore(self.store, exclude), search=ScopedSearch(self.search, exclude)
        )

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.settings.sophia_timezone)

    async def calls(
        self,
        *,
        period: Period | None = None,
        account: str | None = None,
        call_ids: Sequence[str] = (),
        **listing: Unpack[CallListing],
    ) -> list[Call]:
        """Indexed calls (redacted), oldest first, within `period`, of `account` (and among
        `call_ids`, when given), read as `listing` asks."""
        filters = SearchFilters(**_scope(period, account), call_ids=tuple(call_ids))
        return await self.store.list_calls(filters, **listing)

    def search_request(
        self,
        query: str,
        limit: int,
        period: Period | None,
        account: str | None = None,
        **narrowing: Unpack[Narrowing],
    ) -> SearchRequest:
        """A hybrid search for `query` within the period and account, narrowed further as
        `narrowing` says, with SEARCH_ALPHA."""
        return build_request(
            query=query,
            limit=limit,
            alpha=self.settings.search_alpha,
            filters={
                **_scope(period, account),
                "call_ids": tuple(narrowing.get("call_ids", ())),
                "side": narrowing.get("side"),
            },
        )

    async def accounts(self) -> list[str]:
        """Every account name in the index."""
        calls = await self.store.list_calls(transcripts=False)
        return sorted({c.details.account for c in calls if c.details.account}, key=str.casefold)

    async def competitors(self) -> list[Competitor]:
        """Competitors from COMPETITORS and from every indexed call's Gong trackers."""
        calls = await self.store.list_calls(transcripts=False)
        return competitor_catalog(self.settings.competitors, calls)


def _scope(period: Period | None, account: str | None) -> dict[str, Any]:
    return {
        "account": account,
        "started_from": period.start if period else None,
        "started_to": period.end if period else None,
    }


def _normal(name: str) -> str:
    name = normalise_account(name).replace("&", " and ")
    return " ".join(re.findall(r"[a-z0-9']+", name))


def closest_account(typed: str, accounts: Sequence[str]) -> tuple[str | None, float]:
    """The indexed account a typed name most likely means, with its similarity (0–1)."""
    target = _normal(typed)
    best, best_score = None, 0.0
    for account in accounts:
        score = difflib.SequenceMatcher(None, target, _normal(account)).ratio()
        if score > best_score:
            best, best_score = account, score
    return (best, best_score) if best_score >= _ACCOUNT_MATCH else (None, best_score)


def describe(
    verb: str, account: str | None, period: Period | None, topic: str | None = None
) -> str:
    """What was understood: "Searching Moss & Co calls, Oct 1 – Nov 23, for pricing objections"."""
    text = f"{verb} {account + ' calls' if account else 'all calls'}"
    if period:
        text += f", {period.label}"
    if topic:
        text += f"{',' if period else ''} for {topic}"
    return text


def with_account(account: str | None, name: str) -> str:
    """`name`, prefixed with the account unless it already says it ("Moss & Co — Commercials")."""
    if not account or account.casefold() in name.casefold():
        return name
    return f"{account} — {name}"
