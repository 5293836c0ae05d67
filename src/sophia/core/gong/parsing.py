"""Turn Gong API JSON into domain models.

Both call sources (the live API and a folder of its JSON) go through these functions, so a
folder and the API can never disagree about what a field means. Unknown fields are ignored
(Gong adds fields without notice); a missing required field raises `SourceError`.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from datetime import UTC, date, datetime
from typing import Any

from sophia.core.errors import SourceError
from sophia.core.limits import (
    MAX_CALL_MS,
    MAX_DURATION_S,
    MAX_NAME_CHARS,
    MAX_SENTENCE_CHARS,
    MAX_TITLE_CHARS,
    clean_text,
    day_in_range,
    instant_in_range,
)
from sophia.core.models import (
    UNKNOWN_SPEAKER,
    Affiliation,
    CallDetails,
    GongContent,
    Monologue,
    Opportunity,
    Party,
    Sentence,
    Tracker,
    TrackerOccurrence,
    Transcript,
)

__all__ = [
    "UNKNOWN_SPEAKER",
    "call_id_of",
    "parse_call_details",
    "parse_datetime",
    "parse_transcript",
    "parse_users",
]

_AFFILIATIONS = {"internal": Affiliation.INTERNAL, "external": Affiliation.EXTERNAL}
# What search filters and citations accept as a call id (core/query.py checks the same).
_CALL_ID = re.compile(r"^[0-9A-Za-z_-]{1,64}$")
# Whatever a malformed item makes Python raise while we read it: all of it means "this
# record is bad", never "Sophia is broken", so the record is refused with the reason.
_MALFORMED = (KeyError, TypeError, ValueError, AttributeError, ArithmeticError, RecursionError)
# Gong's interaction block is kept as sent, within these bounds.
_MAX_NESTING = 20
_MAX_SAFE_INT = 2**53


def parse_call_details(
    raw: Mapping[str, Any], users: Mapping[str, str] | None = None
) -> CallDetails:
    """One `calls[]` item of POST /v2/calls/extensive; `users` maps user id to display name."""
    try:
        return _call_details(raw, users or {})
    except SourceError as exc:
        raise SourceError(f"malformed call {_label(raw, 'metaData')}: {exc}") from None
    except _MALFORMED as exc:
        raise SourceError(f"malformed call {_label(raw, 'metaData')}: {_describe(exc)}") from None


def parse_transcript(raw: Mapping[str, Any]) -> Transcript:
    """One `callTranscripts[]` item of POST /v2/calls/transcript."""
    try:
        return _transcript(raw)
    except SourceError as exc:
        raise SourceError(f"malformed transcript {_label(raw, None)}: {exc}") from None
    except _MALFORMED as exc:
        raise SourceError(f"malformed transcript {_label(raw, None)}: {_describe(exc)}") from None


def parse_users(items: Iterable[Any]) -> tuple[dict[str, str], list[str]]:
    """User id -> "First Last" from /v2/users items, and why any item was skipped."""
    names: dict[str, str] = {}
    skipped: list[str] = []
    for index, user in enumerate(items):
        if not isinstance(user, Mapping):
            skipped.append(f"user item {index}: not an object ({type(user).__name__})")
            continue
        name = " ".join(
            clean_text(part).strip()
            for part in (user.get("firstName"), user.get("lastName"))
            if part
        ).strip()
        user_id = user.get("id")
        if user_id in (None, "") or isinstance(user_id, bool | dict | list):
            continue
        if name:
            names[clean_text(user_id, 64)] = clean_text(name, MAX_NAME_CHARS)
    return names, skipped


def call_id_of(raw: Any) -> str | None:
    """The call id of a raw `calls[]` or `callTranscripts[]` item, if it has a usable one."""
    try:
        meta = raw.get("metaData")
        value = meta.get("id") if isinstance(meta, Mapping) else raw.get("callId")
    except AttributeError:
        return None
    text = None if value is None or isinstance(value, bool) else clean_text(value)
    return text if text is not None and _CALL_ID.match(text) else None


def _label(raw: Any, meta_key: str | None) -> str:
    try:
        value = (raw[meta_key] if meta_key else raw).get("id" if meta_key else "callId")
    except (KeyError, TypeError, AttributeError):
        return "(no id)"
    # The label goes into messages and the state DB: bounded and encodable.
    return clean_text(value, 64)


def _describe(exc: BaseException) -> str:
    text = clean_text(exc, 300)
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def _call_details(raw: Mapping[str, Any], users: Mapping[str, str]) -> CallDetails:
    meta = raw.get("metaData")
    if not isinstance(meta, Mapping):
        raise SourceError("call without metaData")
    call_id = _gong_id(meta.get("id"), "metaData.id")
    started_raw = meta.get("started") or meta.get("scheduled")
    if not started_raw:
        raise SourceError(f"call {call_id}: no metaData.started")
    parties = tuple(_party(p, users) for p in _items(raw.get("parties")) if isinstance(p, Mapping))
    account_id, account = _account(raw.get("context") or ())
    if account is None:
        account = _account_from_domains(parties)
    interaction = raw.get("interaction")
    return CallDetails(
        call_id=call_id,
        title=clean_text(meta.get("title") or "Untitled call", MAX_TITLE_CHARS),
        url=clean_text(meta.get("url") or f"https://app.gong.io/call?id={call_id}", 2000),
        started=parse_datetime(started_raw, "metaData.started"),
        duration_s=int(_bounded(meta.get("duration") or 0, "metaData.duration", MAX_DURATION_S)),
        account=account,
        account_id=account_id,
        opportunities=_opportunities(raw.get("context") or ()),
        parties=parties,
        primary_user_id=_optional_id(meta.get("primaryUserId")),
        direction=_text(meta.get("direction")),
        scope=_text(meta.get("scope")),
        system=_text(meta.get("system")),
        language=_text(meta.get("language")),
        content=_content(raw.get("content")),
        interaction=_json_safe(interaction) if isinstance(interaction, dict) else None,
    )


def _transcript(raw: Mapping[str, Any]) -> Transcript:
    call_id = _gong_id(raw.get("callId"), "callId")
    monologues = []
    for item in _items(raw.get("transcript")):
        sentences = tuple(
            Sentence(start_ms=start, end_ms=max(start, end), text=text)
            for s in _items(item.get("sentences"))
            if (text := clean_text(s.get("text") or "", MAX_SENTENCE_CHARS).strip())
            for start, end in [(_offset(s["start"], "start"), _offset(s["end"], "end"))]
        )
        if sentences:
            monologues.append(
                Monologue(
                    speaker_id=clean_text(item.get("speakerId") or "", 64),
                    topic=_text(item.get("topic")),
                    sentences=sentences,
                )
            )
    return Transcript(call_id=call_id, monologues=tuple(monologues))


def parse_datetime(value: Any, what: str = "timestamp") -> datetime:
    """An ISO-8601 timestamp (offset or Z, optional fraction) as an aware UTC datetime,
    between EARLIEST_DAY and LATEST_DAY (core/limits.py)."""
    shown = clean_text(value, 60)
    try:
        parsed = datetime.fromisoformat(str(value))
        if parsed.tzinfo is None:
            parsed = parsed.replace(tzinfo=UTC)
        # Converting 0001-01-01+05:00 to UTC leaves the calendar: that overflows.
        parsed = parsed.astimezone(UTC)
    except (ValueError, OverflowError):
        raise SourceError(f"{what}: not an ISO-8601 timestamp: {shown!r}") from None
    if not instant_in_range(parsed):
        raise SourceError(f"{what}: {shown!r} is outside the years Sophia accepts")
    return parsed


def _gong_id(value: Any, what: str) -> str:
    # Gong ids exceed 2**53: they must stay strings. An int here was parsed by someone else
    # and may already be wrong, but refusing it would lose the whole call.
    if isinstance(value, bool) or value is None or value == "":
        raise SourceError(f"missing {what}")
    text = clean_text(value)
    if not _CALL_ID.match(text):
        raise SourceError(f"{what} {clean_text(value, 40)!r} is not a Gong id")
    return text


def _optional_id(value: Any) -> str | None:
    return None if value in (None, "") else clean_text(value, 64)


def _items(value: Any) -> list[Any]:
    """A JSON list's items (anything else, such as a string, holds none)."""
    return value if isinstance(value, list) else []


def _bounded(value: Any, what: str, maximum: float) -> float:
    """A number in [0, maximum]: Infinity, NaN, negatives and huge values are corrupt."""
    if isinstance(value, bool):
        raise SourceError(f"{what}: {value!r} is not a number")
    number = float(value)
    if not math.isfinite(number) or not 0 <= number <= maximum:
        raise SourceError(f"{what}: {clean_text(value, 40)} is out of range (0 to {maximum:g})")
    return number


def _offset(value: Any, what: str) -> int:
    """A sentence offset in ms (an int64 in Gong's schema, bounded to a week here)."""
    if isinstance(value, str):
        value = int(value)  # a numeric string is Gong's number sent as text
    return int(_bounded(value, f"sentence {what}", MAX_CALL_MS))


def _json_safe(value: Any, depth: int = 0) -> Any:
    """Gong's free-form JSON kept as sent, minus what no encoder accepts: bad text, non-finite
    or huge numbers, deep nesting."""
    if depth > _MAX_NESTING:
        return None
    if isinstance(value, dict):
        return {clean_text(k, 200): _json_safe(v, depth + 1) for k, v in value.items()}
    if isinstance(value, list):
        return [_json_safe(v, depth + 1) for v in value]
    if isinstance(value, str):
        return clean_text(value, 10_000)
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, int):
        return value if abs(value) < _MAX_SAFE_INT else None
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    return None


def _party(raw: Mapping[str, Any], users: Mapping[str, str]) -> Party:
    user_id = _optional_id(raw.get("userId"))
    email = _text(raw.get("emailAddress"))
    name = _text(raw.get("name")) or (users.get(user_id) if user_id else None) or email
    return Party(
        party_id=clean_text(raw.get("id") or "", 64),
        speaker_id=_optional_id(raw.get("speakerId")),
        name=clean_text(name or UNKNOWN_SPEAKER, MAX_NAME_CHARS),
        title=clean_text(raw["title"], MAX_NAME_CHARS) if raw.get("title") else None,
        affiliation=_AFFILIATIONS.get(
            str(raw.get("affiliation") or "").lower(), Affiliation.UNKNOWN
        ),
        user_id=user_id,
        email_domain=email.rsplit("@", 1)[-1].lower()[:253] if email and "@" in email else None,
    )


def _crm_objects(context: Any, object_type: str) -> list[tuple[str, Mapping[str, Any]]]:
    """(system, object) pairs of one type, current values ('Now') before snapshots."""
    found = []
    for block in _items(context):
        for obj in _items(block.get("objects")):
            if str(obj.get("objectType", "")).lower() == object_type.lower():
                found.append((clean_text(block.get("system") or "", 100), obj))
    return sorted(found, key=lambda pair: pair[1].get("timing") == "TimeOfCall")


def _fields(obj: Mapping[str, Any]) -> dict[str, Any]:
    # Field names are matched case-insensitively: the spec's prose says `Name`, its example `name`.
    return {str(f.get("name", "")).lower(): f.get("value") for f in _items(obj.get("fields"))}


def _account(context: Any) -> tuple[str | None, str | None]:
    for _system, obj in _crm_objects(context, "Account"):
        name = _text(_fields(obj).get("name"))
        if name:
            return _optional_id(obj.get("objectId")), clean_text(name, MAX_NAME_CHARS)
    return None, None


def _account_from_domains(parties: tuple[Party, ...]) -> str | None:
    # Without a CRM integration the customer's email domain is the best account name we have.
    domains = Counter(
        p.email_domain for p in parties if p.affiliation is Affiliation.EXTERNAL and p.email_domain
    )
    return domains.most_common(1)[0][0] if domains else None


def _opportunities(context: Any) -> tuple[Opportunity, ...]:
    by_id: dict[str, Opportunity] = {}
    for system, obj in _crm_objects(context, "Opportunity"):
        object_id = _optional_id(obj.get("objectId"))
        if object_id is None or object_id in by_id:
            continue
        fields = _fields(obj)
        read = {ours: parse(fields.get(theirs)) for ours, (theirs, parse) in _CRM_FIELDS.items()}
        by_id[object_id] = Opportunity(opportunity_id=object_id, system=system or None, **read)
    return tuple(by_id.values())


def _content(raw: Any) -> GongContent | None:
    if not isinstance(raw, Mapping):
        return None
    # Gong's own analysis is a bonus: a bad number in it is dropped, not the call.
    outcome = raw.get("callOutcome")
    return GongContent(
        brief=_text(raw.get("brief")),
        key_points=tuple(
            clean_text(k["text"]) for k in _items(raw.get("keyPoints")) if k.get("text")
        ),
        topics={
            clean_text(t["name"], MAX_NAME_CHARS): _number(t.get("duration"), MAX_DURATION_S) or 0.0
            for t in _items(raw.get("topics"))
        },
        trackers=tuple(_tracker(t) for t in _items(raw.get("trackers")) if t.get("name")),
        outcome=_text(outcome.get("name")) if isinstance(outcome, Mapping) else None,
    )


def _tracker(raw: Mapping[str, Any]) -> Tracker:
    return Tracker(
        name=clean_text(raw["name"], MAX_NAME_CHARS),
        count=_count(raw.get("count")),
        kind=_text(raw.get("type")),
        phrases={
            clean_text(p["phrase"], MAX_NAME_CHARS): _count(p.get("count"))
            for p in _items(raw.get("phrases"))
        },
        occurrences=tuple(
            TrackerOccurrence(
                start_s=_number(o.get("startTime"), MAX_DURATION_S) or 0.0,
                speaker_id=_optional_id(o.get("speakerId")),
            )
            for o in _items(raw.get("occurrences"))
        ),
    )


def _text(value: Any) -> str | None:
    return None if value in (None, "") else clean_text(value, 10_000)


def _number(value: Any, maximum: float = 1e15) -> float | None:
    """A finite number within ±maximum, else None."""
    try:
        number = None if value in (None, "") or isinstance(value, bool) else float(value)
    except (TypeError, ValueError, OverflowError):
        return None
    return (
        number if number is not None and math.isfinite(number) and abs(number) <= maximum else None
    )


def _count(value: Any) -> int:
    number = _number(value, _MAX_SAFE_INT)
    return int(number) if number is not None and number >= 0 else 0


def _date(value: Any) -> date | None:
    if value in (None, ""):
        return None
    try:
        day = date.fromisoformat(str(value)[:10])
    except ValueError:
        return None
    return day if day_in_range(day) else None


# Each Opportunity field, the CRM field it is read from (names lower-cased), and how.
_CRM_FIELDS: dict[str, tuple[str, Callable[[Any], Any]]] = {
    "name": ("name", _text),
    "stage": ("stagename", _text),
    "amount": ("amount", _number),
    "close_date": ("closedate", _date),
    "probability": ("probability", _number),
}
