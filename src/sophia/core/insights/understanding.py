"""Reading a question: every constraint it states, and its intent, or what matched nothing.

One reading serves `ask`, `brief`, Slack mentions, `/gong brief` and REST, so the surfaces
cannot disagree. Constraints are the account (full or short name: "Halden"), the period,
a kind of call ("in the security review"), a person or a role ("Brightwater's CFO"), the
side of the table ("our reps", "the customer"), a competitor, and the topic left over.
Anything the user named that is not indexed becomes a `Miss`: the answer then says which
part matched nothing (and "did you mean", when a name is close), and never widens to all
calls.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field, replace

from sophia.core.callrefs import call_id_in
from sophia.core.errors import BadQuery
from sophia.core.insights.answer import Intent
from sophia.core.insights.competitor_catalog import named_in
from sophia.core.insights.context import InsightContext
from sophia.core.insights.intents import (
    FILLER,
    ROLES,
    SIDE_RULES,
    SUBJECT_VERBS,
    intent_of,
    side_of,
)
from sophia.core.insights.periods import Period, read_period
from sophia.core.insights.vocabulary import CALL_KINDS, Vocabulary
from sophia.core.models import Affiliation
from sophia.core.query import NO_FILTERS, SearchMode
from sophia.core.stores.base import StoreQuery

__all__ = ["Miss", "Understanding", "follow_up", "understand"]

# A kind of call, said as the place something was said: "in the security review".
_CALL_KIND = re.compile(
    r"\b(?:in|on|during|from|at)\s+(?:the|our|their|that)\s+(?:(?:last|latest|first|recent)\s+)?"
    r"(discovery|intro(?:ductory)?|demo|deep[- ]dive|security(?: review)?|infosec(?: review)?|"
    r"pricing|commercials?|proposal|negotiation|renewal|qbr)"
    r"(?:\s+(?:call|meeting|review|session|discussion|walkthrough))?s?\b",
    re.IGNORECASE,
)
# Capitalised words: names the user means. Acronyms (SSO, CFO, HIPAA) are topics.
_CAPITALISED = re.compile(r"(?<![\w'’])[A-Z][\w'’.-]*(?:\s+(?:&|and|of|[A-Z][\w'’.-]*))*")
_ACRONYM = re.compile(r"^[A-Z0-9&]{1,6}s?$")
_UNSAID = frozenset({"i", "i'm", "i've", "i'd", "q1", "q2", "q3", "q4"})
# Lower-case names show up in one place people type them: "what did initech say".
_SUBJECT_BEFORE = re.compile(
    r"\b(?:did|does|do|has|have|is|are|was|were|what|how|why|when)\s+(?:the\s+)?$", re.I
)
_SUBJECT_AFTER = re.compile(rf"^\s+{SUBJECT_VERBS}\b", re.I)
_FROM_ACCOUNT = re.compile(
    r"\b(?:questions|concerns|objections|pushback|feedback|requests|worries)\s+(?:from|by)\s+"
    r"(?:the\s+)?$",
    re.I,
)
_LOWER_NAME = re.compile(rf"\bdid\s+([a-z][\w'’-]{{2,}})\s+{SUBJECT_VERBS}\b")


@dataclass(frozen=True)
class Miss:
    """Part of a question that matched nothing in the index (with a likely correction)."""

    text: str
    suggestion: str | None = None
    kind: str = "name"  # name, period, call, person

    def sentence(self) -> str:
        """What to tell the user."""
        hint = f" Did you mean {self.suggestion}?" if self.suggestion else ""
        if self.kind == "period":
            return f"I could not read the date in '{self.text}'; try 2026-10-01 or “last month”."
        if self.kind in ("call", "person"):
            return f"{self.text}.{hint}"
        return f"No calls found for '{self.text}'.{hint}"


@dataclass(frozen=True)
class Understanding:
    """What a question was taken to mean: its intent and every constraint it states."""

    intent: Intent
    topic: str
    account: str | None
    period: Period | None
    call_id: str | None = None
    side: Affiliation | None = None
    speakers: tuple[str, ...] = ()
    role: str | None = None
    competitor: str | None = None
    call_kind: str | None = None
    about_pricing: bool = False
    misses: tuple[Miss, ...] = field(default_factory=tuple)


async def understand(question: str, ctx: InsightContext, vocabulary: Vocabulary) -> Understanding:
    """The intent and every constraint of a question (rules only, no model)."""
    text = " ".join(question.split())
    if not text:
        raise BadQuery("Ask a question, e.g. “what pricing objections came up with Moss & Co?”")
    if call_id := call_id_in(text):
        return Understanding(Intent.CALL_ANALYSIS, "", None, None, call_id=call_id)
    misses: list[Miss] = []
    reading = read_period(text, ctx.clock.now(), ctx.zone)
    text = reading.rest
    if reading.unreadable:
        misses.append(Miss(reading.unreadable, kind="period"))
    account, text, subject = _account(text, vocabulary)
    speakers, text, person_account = _people(text, vocabulary)
    if person_account and account and person_account != account:
        names = ", ".join(speakers)
        misses.append(Miss(f"{names} is not on any {account} call", kind="person"))
    account = account or person_account
    role, speakers = _role(text, vocabulary, account, speakers)
    if role and not speakers and account and intent_of(text) is not Intent.STAKEHOLDERS:
        misses.append(
            Miss(f"Nobody with the role '{role}' is on the {account} calls", kind="person")
        )
    competitor, text = _competitor(text, vocabulary)
    call_kind, text = _call_kind(text)
    side = Affiliation.EXTERNAL if subject else side_of(text)
    misses.extend(await _unknown_names(text, ctx, vocabulary))
    intent = _intent(text, account=account, competitor=competitor, speakers=speakers)
    if role and intent is Intent.SEARCH and re.match(r"\s*who\b", text, re.I):
        intent = Intent.STAKEHOLDERS  # "who is the IT security lead at Pinecrest?"
    topic = _topic(text, side, role)
    if call_kind and intent in (Intent.SEARCH, Intent.TOPIC_BRIEF):
        topic = f"{topic} {call_kind}".strip()
    about_pricing = bool(re.search(r"\bpric|\bcost|\bdiscount|\bbudget|\bcheaper", text, re.I))
    if intent is Intent.COACHING:
        topic = _coaching_topic(topic)
    elif intent is Intent.TOPIC_BRIEF and not topic:
        intent = (
            Intent.ACCOUNT_BRIEF if account else Intent.RECENT_CALLS if reading.period else intent
        )
    return Understanding(
        intent=intent,
        topic=topic,
        account=account,
        period=reading.period,
        side=side,
        speakers=speakers,
        role=role,
        competitor=competitor,
        call_kind=call_kind,
        about_pricing=about_pricing,
        misses=tuple(misses),
    )


def follow_up(meaning: Understanding, earlier: Sequence[Understanding]) -> Understanding:
    """A follow-up takes what it does not say from the latest earlier question that said it.

    After "what pricing objections came up with Moss & Co?", "and what about Olympus?" is
    about pricing objections at Olympus, and "what did they say about security?" is about
    security at Moss & Co. A question that names a call stands on its own.
    """
    before = [e for e in reversed(earlier) if e.intent is not Intent.CALL_ANALYSIS]
    if meaning.intent is Intent.CALL_ANALYSIS or not before or meaning.misses:
        return meaning
    intent: Intent = meaning.intent
    topic, competitor = meaning.topic, meaning.competitor
    about_pricing = meaning.about_pricing
    if intent is Intent.SEARCH and not topic and not meaning.speakers:
        # Nothing but an account or a period ("and Olympus?"): the last question, re-scoped.
        last = before[0]
        intent = last.intent
        if intent in (Intent.SEARCH, Intent.TOPIC_BRIEF, Intent.COACHING, Intent.COMPETITORS):
            topic = next((e.topic for e in before if e.topic), "")
            about_pricing = about_pricing or last.about_pricing
        if intent is Intent.COMPETITORS and not meaning.account:
            competitor = competitor or last.competitor
    account = meaning.account or next((e.account for e in before if e.account), None)
    if intent is Intent.ACCOUNT_BRIEF and not account:
        intent = Intent.SEARCH
    return replace(
        meaning,
        intent=intent,
        topic=topic,
        account=account,
        period=meaning.period or next((e.period for e in before if e.period), None),
        competitor=competitor,
        about_pricing=about_pricing,
    )


# --- the parts of a question ---------------------------------------------------------------


def _account(text: str, vocabulary: Vocabulary) -> tuple[str | None, str, bool]:
    """The account named (full or short name), the text without it, and whether the
    account is the subject ("what did Olympus say"): then the customer's words are meant."""
    names = [(a, a) for a in vocabulary.accounts]
    names += list(vocabulary.short_forms().items())
    for said, account in sorted(names, key=lambda n: len(n[0]), reverse=True):
        match = _name_pattern(said).search(text)
        if match:
            subject = _is_subject(text[: match.start()], text[match.end() :])
            return account, _cut(text, match), subject
    return None, text, False


def _is_subject(before: str, after: str) -> bool:
    """ "what did Olympus say", "concerns from Moss": the account is the one speaking."""
    return bool(
        (_SUBJECT_BEFORE.search(before) and _SUBJECT_AFTER.match(after))
        or _FROM_ACCOUNT.search(before)
    )


def _name_pattern(name: str) -> re.Pattern[str]:
    words = re.findall(r"[\w'’]+|&", name)
    parts = [r"(?:&|and|&amp;)" if w in ("&", "and") else re.escape(w) for w in words]
    parts = [re.sub(r"['’]", "['’]", p) for p in parts]  # either apostrophe
    return re.compile(r"(?<!\w)" + r"[\s,.]*".join(parts) + r"(?:['’]s)?(?!\w)", re.IGNORECASE)


def _people(text: str, vocabulary: Vocabulary) -> tuple[tuple[str, ...], str, str | None]:
    """People named in full (or by a first name only they have), and their account."""
    found: list[str] = []
    account = None
    first_names: dict[str, list[str]] = {}
    for person in vocabulary.people:
        first_names.setdefault(person.name.split()[0].casefold(), []).append(person.name)
    for person in sorted(vocabulary.people, key=lambda p: len(p.name), reverse=True):
        match = _name_pattern(person.name).search(text)
        if match is None:
            first = person.name.split()[0]
            if len(first_names[first.casefold()]) != 1 or len(first) < 3:
                continue
            # A first name alone counts only when written as a name (capitalised).
            match = re.search(rf"(?<!\w){re.escape(first)}(?:['’]s)?(?!\w)", text)
            if match is None:
                continue
        found.append(person.name)
        account = account or person.account
        text = _cut(text, match)
    return tuple(dict.fromkeys(found)), text, account


def _role(
    text: str, vocabulary: Vocabulary, account: str | None, speakers: tuple[str, ...]
) -> tuple[str | None, tuple[str, ...]]:
    """A role the question names ("CFO") and, at the account, the people who hold it."""
    for said, titles in ROLES:
        match = said.search(text)
        if match is None:
            continue
        holders = tuple(
            p.name for p in vocabulary.people_of(account) if p.title and titles.search(p.title)
        )
        return match[0], speakers or (holders if account else ())
    return None, speakers


def _competitor(text: str, vocabulary: Vocabulary) -> tuple[str | None, str]:
    named = named_in(text, vocabulary.competitors)
    if not named:
        return None, text
    match = named[0].pattern.search(text)
    assert match is not None
    return named[0].name, _cut(text, match)


def _call_kind(text: str) -> tuple[str | None, str]:
    match = _CALL_KIND.search(text)
    if match is None:
        return None, text
    word = match[1].casefold()
    kind = next(
        (k for k, marks in CALL_KINDS.items() if marks.search(word)), word.replace("-", " ")
    )
    return kind, _cut(text, match)


def _intent(
    text: str, *, account: str | None, competitor: str | None, speakers: tuple[str, ...]
) -> Intent:
    intent = intent_of(text)
    if competitor and intent in (Intent.SEARCH, Intent.TOPIC_BRIEF):
        return Intent.COMPETITORS
    if intent is Intent.STALLED and account:
        return Intent.DEAL_STATUS  # "is the Halden deal stalled?" is about that one deal
    if speakers and intent in (Intent.TOPIC_BRIEF, Intent.ACCOUNT_BRIEF):
        return Intent.SEARCH  # what one person said: their words, not a brief
    return intent


def _topic(text: str, side: Affiliation | None, role: str | None) -> str:
    if side is not None:
        for _, rule in SIDE_RULES:
            text = rule.sub(" ", text)
    if role:
        text = re.sub(re.escape(role), " ", text, flags=re.IGNORECASE)
    words = re.findall(r"[\w'’&$%-]+", text)
    kept = [w for w in words if w.casefold().strip("'’") not in FILLER and w not in ("'s", "’s")]
    return " ".join(kept).strip()


def _coaching_topic(topic: str) -> str:
    rule = re.compile(
        r"\b(?:successful|success|winning|coach(?:ing)?|talk tracks?|worked well|worked|"
        r"good examples?|best (?:calls?|examples?)|win|won|close|closed|land|save|negotiations?)\b",
        re.IGNORECASE,
    )
    return " ".join(rule.sub(" ", topic).split()) or "pricing"


def _cut(text: str, match: re.Match[str]) -> str:
    return " ".join((text[: match.start()] + " " + text[match.end() :]).split())


# --- names that match nothing ----------------------------------------------------------------


async def _unknown_names(text: str, ctx: InsightContext, vocabulary: Vocabulary) -> list[Miss]:
    """Names in the question that are in no call: not an account, person or competitor, and
    not a word anyone said. A near miss of a known name is offered as "did you mean"."""
    misses = []
    candidates = [m[0] for m in _CAPITALISED.finditer(text)]
    candidates += [m[1] for m in _LOWER_NAME.finditer(text)]
    for candidate in candidates:
        words = [w for w in re.findall(r"[\w'’.-]+|&", candidate) if w not in ("&",)]
        while words and _common(words[0]):
            words.pop(0)
        while words and _common(words[-1]):
            words.pop()
        name = " ".join(words).strip(" .'’")
        if not name:
            continue
        unknown = [
            w
            for w in words
            if len(w) >= 2
            and not _common(w)
            and not _ACRONYM.match(w)
            and w.casefold().strip(".'’") not in vocabulary.words
        ]
        if unknown and not all([await _said(ctx, w) for w in unknown]):
            misses.append(Miss(name, vocabulary.suggest(name)))
    return misses


def _common(word: str) -> bool:
    w = word.casefold().strip(".'’")
    return w in FILLER or w in _UNSAID or w in ("and", "of", "&") or w.endswith(("'s", "’s"))


async def _said(ctx: InsightContext, word: str) -> bool:
    """Whether anyone said this word (or its plural or singular) on a call the viewer sees."""
    word = word.strip(".'’")
    forms = {word.casefold()}
    if len(word) > 3:  # "Flags" is said as "flag", "Renewal" as "renewals"
        forms.add(word.casefold()[:-1] if word.casefold().endswith("s") else word.casefold() + "s")
    chunks = await ctx.store.search(
        StoreQuery(
            mode=SearchMode.KEYWORD, text=word, vector=None, alpha=0.0, limit=10, filters=NO_FILTERS
        )
    )
    found = re.compile(r"(?<!\w)(?:" + "|".join(map(re.escape, forms)) + r")(?!\w)", re.I)
    return any(found.search(line.text) for chunk in chunks for line in chunk.lines)
