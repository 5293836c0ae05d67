"""The beats: functions that each write one exchange of a call, found by name.

samples/story/beats.yaml names the beats a call of each kind runs; a beat is any function in
these modules whose name starts with b_ (an exchange), sp_ (a planted moment), success_ (the
end of a won deal) or stalled_ (the end of a stalled one).
"""

from __future__ import annotations

import inspect
from collections.abc import Sequence
from typing import Any

from ..ctx import Beat
from ..story import StoryError
from . import (
    demo,
    demo_optional,
    discovery,
    discovery_optional,
    endings,
    planted,
    pricing,
    pricing_optional,
    renewal,
    renewal_optional,
    security,
    talk,
)

_PREFIXES = ("b_", "sp_", "success_", "stalled_")
BEATS: dict[str, Beat] = {
    name: fn
    for module in (
        talk,
        discovery,
        discovery_optional,
        demo,
        demo_optional,
        security,
        pricing,
        pricing_optional,
        renewal,
        renewal_optional,
        endings,
        planted,
    )
    for name, fn in inspect.getmembers(module, inspect.isfunction)
    if name.startswith(_PREFIXES) and fn.__module__ == module.__name__
}


def beat_named(name: str) -> Beat:
    """The beat the story names; a misspelt name stops the run."""
    try:
        return BEATS[name]
    except KeyError:
        raise StoryError(f"the story names a beat that does not exist: {name}") from None


def beats_named(names: Sequence[str]) -> tuple[Beat, ...]:
    return tuple(beat_named(n) for n in names)


def by_round(table: dict[str, Sequence[Any]], kind: str, round_: int) -> Any:
    """A kind's entry for this round: the list's last entry serves every later round."""
    rounds = table[kind]
    return rounds[min(round_, len(rounds) - 1)]
