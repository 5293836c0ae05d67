"""Which competitors to look for, and the words that name them."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from sophia.core.models import Call

__all__ = ["Competitor", "competitor_catalog", "named_in"]

_TRACKER = re.compile(r"compet", re.IGNORECASE)


@dataclass(frozen=True)
class Competitor:
    """A competitor and the words that name it."""

    name: str
    pattern: re.Pattern[str]


def competitor_catalog(setting: str, calls: Sequence[Call]) -> list[Competitor]:
    """Competitors from COMPETITORS ("A, B=alias|alias") plus Gong's competitor trackers."""
    names: dict[str, set[str]] = {}
    for entry in (e.strip() for e in setting.split(",")):
        if entry:
            name, _, aliases = entry.partition("=")
            names.setdefault(name.strip(), set()).update(
                a.strip() for a in aliases.split("|") if a.strip()
            )
    for call in calls:
        content = call.details.content
        for tracker in content.trackers if content else ():
            if _TRACKER.search(tracker.name):
                for phrase in tracker.phrases:
                    if not any(phrase.casefold() == n.casefold() for n in names):
                        names.setdefault(phrase, set())
    return [
        Competitor(name, _pattern([name, *sorted(aliases)]))
        for name, aliases in sorted(names.items(), key=lambda item: item[0].casefold())
    ]


def named_in(text: str, catalog: Sequence[Competitor]) -> list[Competitor]:
    """The competitors this text names."""
    return [c for c in catalog if c.pattern.search(text)]


def _pattern(words: list[str]) -> re.Pattern[str]:
    alternatives = "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))
    return re.compile(rf"(?<![\w-])(?:{alternatives})(?![\w-])", re.IGNORECASE)
