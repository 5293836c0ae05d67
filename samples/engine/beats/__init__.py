"""The beats: each writes one exchange of a call, found by name.

samples/story/beats.yaml names the beats a call of each kind runs. A beat is a script in
samples/story/scripts/ (run by engine/script.py) or, where it needs more logic than a script
has, a function in these modules; its name starts with b_ (an exchange), sp_ (a planted
moment), success_ (the end of a won deal) or stalled_ (the end of a stalled one).
"""

from __future__ import annotations

import inspect
from collections.abc import Sequence
from typing import Any

from ..ctx import Beat
from ..script import scripted
from ..story import S, StoryError
from . import demo, discovery, endings, pricing, security, talk

PREFIXES = ("b_", "sp_", "success_", "stalled_")
BEATS: dict[str, Beat] = {
    name: fn
    for module in (talk, discovery, demo, security, pricing, endings)
    for name, fn in inspect.getmembers(module, inspect.isfunction)
    if name.startswith(PREFIXES) and fn.__module__ == module.__name__
}

_SCRIPTED: dict[str, Beat] = {}  # scripts run as beats, made once per name


def beat_named(name: str) -> Beat:
    """The beat the story names; a misspelt or doubly defined name stops the run."""
    if name in BEATS and name in S.scripts:
        raise StoryError(f"{name} is both a script and a Python beat")
    if name in BEATS:
        return BEATS[name]
    if name not in S.scripts:
        raise StoryError(f"the story names a beat that does not exist: {name}")
    return _SCRIPTED.setdefault(name, scripted(name))


def beats_named(names: Sequence[str]) -> tuple[Beat, ...]:
    return tuple(beat_named(n) for n in names)


def by_round(table: dict[str, Sequence[Any]], kind: str, round_: int) -> Any:
    """A kind's entry for this round: the list's last entry serves every later round."""
    rounds = table[kind]
    return rounds[min(round_, len(rounds) - 1)]
