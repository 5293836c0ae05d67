"""The names the index knows: accounts (and their short forms), people with their titles,
competitors, and the kinds of call. Questions are read against these, so a name is either
one of them or something the user named that matches nothing."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from sophia.core.insights.competitor_catalog import Competitor, competitor_catalog
from sophia.core.insights.context import InsightContext, closest_account
from sophia.core.models import Affiliation, Call

__all__ = ["CALL_KINDS", "Person", "Vocabulary", "load_vocabulary", "vocabulary_of"]

# Trailing words that many company names share: "Halden" means Halden Energy, but "Energy"
# alone means nothing in particular.
_GENERIC = frozenset(
    "co company inc ltd llc plc gmbh corp corporation group holdings health healthcare "
    "software energy insurance logistics foods food systems technologies labs partners "
    "and & of the".split()
)
# Kinds of call, as users say them, and the title words that mark them.
CALL_KINDS: dict[str, re.Pattern[str]] = {
    "discovery": re.compile(r"discovery|intro", re.I),
    "demo": re.compile(r"demo|deep dive", re.I),
    "security review": re.compile(r"security|infosec", re.I),
    "pricing call": re.compile(r"pric|commercial|proposal|negotiat", re.I),
    "renewal": re.compile(r"renewal|qbr", re.I),
}


@dataclass(frozen=True)
class Person:
    """Someone on the calls: a customer's contact (with their account) or one of ours."""

    name: str
    title: str | None
    account: str | None
    internal: bool


@dataclass(frozen=True)
class Vocabulary:
    """Every name a question may use, as indexed (and visible to the viewer)."""

    accounts: tuple[str, ...]
    people: tuple[Person, ...]
    competitors: tuple[Competitor, ...]
    # Lower-cased words of call titles, party titles and names: words that are not unknown.
    words: frozenset[str]

    def short_forms(self) -> dict[str, str]:
        """Shorter ways to say an account ("Halden", "Cobalt Ridge"), each naming one account."""
        forms: dict[str, set[str]] = {}
        for account in self.accounts:
            words = re.findall(r"[\w'’]+|&", account)
            for size in range(1, len(words)):
                head = words[:size]
                if head[-1].casefold() in _GENERIC or len(head[0]) < 3:
                    continue
                forms.setdefault(" ".join(head), set()).add(account)
        return {form: next(iter(owners)) for form, owners in forms.items() if len(owners) == 1}

    def suggest(self, typed: str) -> str | None:
        """The account, person or competitor a misspelt name most likely means."""
        short = self.short_forms()
        names = [
            *self.accounts,
            *short,
            *(p.name for p in self.people),
            *(c.name for c in self.competitors),
        ]
        best, _ = closest_account(typed, names)
        return short.get(best, best) if best else None

    def people_of(self, account: str | None) -> list[Person]:
        """The account's contacts (or everyone, without an account)."""
        if account is None:
            return list(self.people)
        key = account.casefold()
        return [p for p in self.people if p.account and p.account.casefold() == key]


def vocabulary_of(calls: Sequence[Call], competitors: Sequence[Competitor]) -> Vocabulary:
    """The vocabulary of these calls (details only: no transcript is read)."""
    accounts = sorted({c.details.account for c in calls if c.details.account}, key=str.casefold)
    people: dict[tuple[str, str | None], Person] = {}
    words: set[str] = set()
    for call in calls:
        details = call.details
        words.update(_words(details.title))
        for party in details.parties:
            if not party.name or "@" in party.name:
                continue  # a nameless party shows as an address: nobody asks for that
            internal = party.affiliation is Affiliation.INTERNAL
            account = None if internal else details.account
            known = people.get((party.name, account))
            people[(party.name, account)] = Person(
                party.name, party.title or (known.title if known else None), account, internal
            )
            words.update(_words(party.name))
            words.update(_words(party.title or ""))
    for account in accounts:
        words.update(_words(account))
    for competitor in competitors:
        words.update(_words(competitor.name))
    return Vocabulary(
        accounts=tuple(accounts),
        people=tuple(sorted(people.values(), key=lambda p: (p.account or "", p.name))),
        competitors=tuple(competitors),
        words=frozenset(words),
    )


def _words(text: str) -> set[str]:
    return {w.casefold() for w in re.findall(r"[\w'’]+", text)}


async def load_vocabulary(ctx: InsightContext) -> Vocabulary:
    """The vocabulary of every call the context may see (one read of call details)."""
    calls = await ctx.store.list_calls(transcripts=False)
    return vocabulary_of(calls, competitor_catalog(ctx.settings.competitors, calls))
