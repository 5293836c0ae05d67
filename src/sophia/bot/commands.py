"""`/gong` text -> a typed command, and the help text, both from one table (`COMMANDS`).

Parsing is strict where a mistake would silently change the answer (a date that is not a
date, an unknown side, a quote left open) and says what was wrong; everything else is the
user's words, passed on to core.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any, ClassVar
from zoneinfo import ZoneInfo

from sophia.bot.mrkdwn import unescape
from sophia.core.callrefs import call_id_of
from sophia.core.config import Settings
from sophia.core.errors import BadQuery
from sophia.core.query import SearchRequest, Side, search_request

__all__ = [
    "COMMANDS",
    "Ask",
    "Brief",
    "CallAnalysis",
    "Coaching",
    "Command",
    "Competitors",
    "Help",
    "Search",
    "Spec",
    "Stalled",
    "Stats",
    "commands_markdown",
    "parse",
]


@dataclass(frozen=True)
class _Command:
    """A parsed command; it knows the `/gong` word that asks for it (metrics and logs go by
    it)."""

    kind: ClassVar[str]

    def __init_subclass__(cls, *, kind: str = "", **rest: Any) -> None:
        super().__init_subclass__(**rest)
        cls.kind = kind


@dataclass(frozen=True)
class Search(_Command, kind="search"):
    request: SearchRequest


@dataclass(frozen=True)
class Ask(_Command, kind="ask"):
    """A question in plain words; `earlier` questions of the same thread give it context."""

    question: str
    earlier: tuple[str, ...] = ()


@dataclass(frozen=True)
class CallAnalysis(_Command, kind="call"):
    call_id: str


@dataclass(frozen=True)
class Help(_Command, kind="help"):
    """The help text; `problem` says what was wrong with the command that got it."""

    problem: str | None = None


@dataclass(frozen=True)
class _Words(_Command):
    """A capability asked with the user's words (what follows the command word)."""

    text: str


class Brief(_Words, kind="brief"):
    """A brief on a topic (with a period) or an account."""


class Competitors(_Words, kind="competitors"):
    """Competitor mentions in a period ("" for the default one)."""


class Coaching(_Words, kind="coaching"):
    """Discussions of a topic that ended well."""


class Stalled(_Command, kind="stalled"):
    """Open deals with no call for a while."""


class Stats(_Command, kind="stats"):
    """The index, the query times and the last sync."""


Command = Search | Ask | Brief | CallAnalysis | Competitors | Stalled | Coaching | Stats | Help


@dataclass(frozen=True)
class Spec:
    """One `/gong` subcommand: how it is written, what it does, an example, its parser."""

    name: str
    usage: str
    summary: str
    example: str
    parse: Callable[[str, Settings], Command]


def parse(text: str, settings: Settings) -> Command:
    """The command in a slash command's (Slack-escaped) text; bad input gets `Help(problem)`."""
    text = " ".join(unescape(text).split())
    name, _, rest = text.partition(" ")
    if not name:
        return Help()
    spec = _BY_NAME.get(name.casefold())
    if spec is None:
        return Help(f"I don't know the command “{name}”.")
    try:
        return spec.parse(rest.strip(), settings)
    except BadQuery as exc:
        return Help(f"`{spec.name}`: {exc}")


# --- parsers ----------------------------------------------------------------------------------

_OPTION = re.compile(r"(?<!\S)(account|from|to|side):", re.IGNORECASE)
# Slack clients often turn " into “ ” as the user types.
_QUOTES = {'"': '"', "“": "”", "”": "”"}


def _search(text: str, settings: Settings) -> Command:
    words, options = _options(text)
    if not words:
        raise BadQuery("say what to look for, e.g. `search pricing objections`.")
    side = options.get("side")
    if side is not None and side.casefold() not in set(Side):
        raise BadQuery(f"side: must be customer or rep, not “{side}”.")
    return Search(
        search_request(
            words,
            limit=settings.search_limit,
            alpha=settings.search_alpha,
            zone=ZoneInfo(settings.sophia_timezone),
            account=options.get("account"),
            first_day=_day(options, "from"),
            last_day=_day(options, "to"),
            side=Side(side.casefold()) if side else None,
        )
    )


def _options(text: str) -> tuple[str, dict[str, str]]:
    """The free words, and `key:value` / `key:"quoted value"` options pulled out of them."""
    words: list[str] = []
    options: dict[str, str] = {}
    position = 0
    for match in _OPTION.finditer(text):
        if match.start() < position:
            continue  # inside a quoted value read already
        words.append(text[position : match.start()])
        key = match[1].casefold()
        value, position = _value(text, match.end(), key)
        if key in options:
            raise BadQuery(f"{key}: is given twice.")
        if not value:
            raise BadQuery(f"{key}: needs a value, e.g. {_EXAMPLES[key]}.")
        options[key] = value
    words.append(text[position:])
    return " ".join(" ".join(words).split()), options


_EXAMPLES = {
    "account": 'account:"Moss & Co"',
    "from": "from:2026-10-01",
    "to": "to:2026-11-01",
    "side": "side:customer",
}


def _value(text: str, start: int, key: str) -> tuple[str, int]:
    """The option value starting at `start` (quoted or one word) and where it ends."""
    opening = text[start : start + 1]
    if opening in _QUOTES:
        closing = text.find(_QUOTES[opening], start + 1)
        if closing < 0:
            raise BadQuery(f"{key}: the quote after {key}: is never closed.")
        return text[start + 1 : closing].strip(), closing + 1
    end = start
    while end < len(text) and not text[end].isspace():
        end += 1
    return text[start:end], end


def _day(options: dict[str, str], key: str) -> date | None:
    value = options.get(key)
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise BadQuery(f"{key}: must be a date like 2026-10-01, not “{value}”.") from None


def _required(text: str, what: str, example: str) -> str:
    if not text:
        raise BadQuery(f"say {what}, e.g. `{example}`.")
    return text


def _call(text: str, _settings: Settings) -> Command:
    """A call id, or a pasted Gong call link (…/call?id=123…)."""
    argument = _required(text, "which call (its id or Gong link)", "call 7964471811250078217")
    return CallAnalysis(call_id_of(argument))


def _nothing_else(command: Command) -> Callable[[str, Settings], Command]:
    def parse(text: str, _settings: Settings) -> Command:
        if text:
            raise BadQuery(f"takes nothing after it (got “{text}”).")
        return command

    return parse


COMMANDS: list[Spec] = [
    Spec(
        "search",
        'search <words> [account:"Moss & Co"] [from:2026-10-01] [to:2026-11-01] '
        "[side:customer|rep]",
        "Moments where this was said, each linked to the call in Gong.",
        'search pricing objections account:"Moss & Co" side:customer',
        _search,
    ),
    Spec(
        "ask",
        "ask <question>",
        "A question in plain words; I work out the account, period and what to look up.",
        "ask what pricing objections came up with Moss & Co this quarter?",
        lambda text, _s: Ask(_required(text, "your question", "ask what Olympus said about SSO")),
    ),
    Spec(
        "brief",
        "brief <topic or account>",
        "A cited brief on a topic (with a period) or an account.",
        "brief Olympus",
        lambda text, _s: Brief(_required(text, "a topic or an account", "brief Olympus")),
    ),
    Spec(
        "call",
        "call <call id or Gong link>",
        "One call: summary, objections, competitors, next steps, talk ratio.",
        "call https://app.gong.io/call?id=7964471811250078217",
        _call,
    ),
    Spec(
        "competitors",
        "competitors [period]",
        "Competitor mentions by competitor and account, with quotes and tone.",
        "competitors this quarter",
        lambda text, _s: Competitors(text),
    ),
    Spec(
        "stalled",
        "stalled",
        "Open deals with no call for a while, and the blockers of their last call.",
        "stalled",
        _nothing_else(Stalled()),
    ),
    Spec(
        "coaching",
        "coaching [topic]",
        "Discussions of a topic (pricing by default) that ended well, and what the rep said.",
        "coaching pricing",
        lambda text, _s: Coaching(text or "pricing"),
    ),
    Spec(
        "stats",
        "stats",
        "How many calls are indexed, query times, the last sync.",
        "stats",
        _nothing_else(Stats()),
    ),
    Spec("help", "help", "This list.", "help", lambda _text, _s: Help()),
]
_BY_NAME = {spec.name: spec for spec in COMMANDS}


def commands_markdown() -> str:
    """The README's /gong table, generated from `COMMANDS` like the help text."""
    rows = ["| command | what it does | example |", "| --- | --- | --- |"]
    for spec in COMMANDS:
        cells = [f"`/gong {spec.usage}`", spec.summary, f"`/gong {spec.example}`"]
        # A pipe, even inside backticks, would end the cell.
        rows.append("| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |")
    return "\n".join(rows)
