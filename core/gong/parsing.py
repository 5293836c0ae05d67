"""Turn Gong API JSON into domain models.

Both call sources (the live API and a folder of its JSON) go through these functions, so a
folder and the API can never disagree about what a field means. Unknown fields are ignored
(Gong adds fields without notice); a missing required field raises `SourceError`.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from datetime import UTC, date, datetime
from typing import Any

from core.errors import SourceError
from core.models import (
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

__all__ = ["UNKNOWN_SPEAKER", "parse_call_details", "parse_datetime", "parse_transcript"]

_AFFILIATIONS = {"internal": Affiliation.INTERNAL, "external": Affiliation.EXTERNAL}


def parse_call_details(
    raw: Mapping[str, Any], users: Mapping[str, str] | None = None
) -> CallDetails:
    """One `calls[]` item of POST /v2/calls/extensive; `users` maps user id to display name."""
    try:
        return _call_details(raw, users or {})
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise SourceError(f"malformed call {_label(raw, 'metaData')}: {exc!r}") from None


def parse_transcript(raw: Mapping[str, Any]) -> Transcript:
    """One `callTranscripts[]` item of POST /v2/calls/transcript."""
    try:
        return _transcript(raw)
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise SourceError(f"malformed transcript {_label(raw, None)}: {exc!r}") from None


def _label(raw: Any, meta_key: str | None) -> str:
    try:
        return str((raw[meta_key] if meta_key else raw).get("id" if meta_key else "callId"))
    except (KeyError, TypeError, AttributeError):
        return "(no id)"


def _call_details(raw: Mapping[str, Any], users: Mapping[str, str]) -> CallDetails:
    meta = raw.get("metaData")
    if not isinstance(meta, Mapping):
        raise SourceError("call without metaData")
    call_id = _gong_id(meta.get("id"), "metaData.id")
    started_raw = meta.get("started") or meta.get("scheduled")
    if not started_raw:
        raise SourceError(f"call {call_id}: no metaData.started")
    parties = tuple(_party(p, users) for p in raw.get("parties") or () if isinstance(p, Mapping))
    account_id, account = _account(raw.get("context") or ())
    if account is None:
        account = _account_from_domains(parties)
    return CallDetails(
        call_id=call_id,
        title=str(meta.get("title") or "Untitled call"),
        url=str(meta.get("url") or f"https://app.gong.io/call?id={call_id}"),
        started=parse_datetime(started_raw, f"call {call_id}: metaData.started"),
        duration_s=int(meta.get("duration") or 0),
        account=account,
        account_id=account_id,
        opportunities=_opportunities(raw.get("context") or ()),
        parties=parties,
        primary_user_id=_optional_id(meta.get("primaryUserId")),
        direction=meta.get("direction"),
        scope=meta.get("scope"),
        system=meta.get("system"),
        language=meta.get("language"),
        content=_content(raw.get("content")),
        interaction=raw.get("interaction") if isinstance(raw.get("interaction"), dict) else None,
    )


def _transcript(raw: Mapping[str, Any]) -> Transcript:
    call_id = _gong_id(raw.get("callId"), "callId")
    monologues = []
    for item in raw.get("transcript") or ():
        sentences = tuple(
            Sentence(start_ms=int(s["start"]), end_ms=int(s["end"]), text=text)
            for s in item.get("sentences") or ()
            if (text := str(s.get("text") or "").strip())
        )
        if sentences:
            monologues.append(
                Monologue(
                    speaker_id=str(item.get("speakerId") or ""),
                    topic=item.get("topic"),
                    sentences=sentences,
                )
            )
    return Transcript(call_id=call_id, monologues=tuple(monologues))


def parse_datetime(value: Any, what: str = "timestamp") -> datetime:
    """An ISO-8601 timestamp (offset or Z, optional fraction) as an aware UTC datetime."""
    try:
        parsed = datetime.fromisoformat(str(value))
    except ValueError:
        raise SourceError(f"{what}: not an ISO-8601 timestamp: {value!r}") from None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)


def _gong_id(value: Any, what: str) -> str:
    # Gong ids exceed 2**53: they must stay strings. An int here was parsed by someone else
    # and may already be wrong, but refusing it would lose the whole call.
    if isinstance(value, bool) or value is None or value == "":
        raise SourceError(f"missing {what}")
    return str(value)


def _optional_id(value: Any) -> str | None:
    return None if value in (None, "") else str(value)


def _party(raw: Mapping[str, Any], users: Mapping[str, str]) -> Party:
    user_id = _optional_id(raw.get("userId"))
    email = raw.get("emailAddress") or None
    name = raw.get("name") or (users.get(user_id) if user_id else None) or email or UNKNOWN_SPEAKER
    return Party(
        party_id=str(raw.get("id") or ""),
        speaker_id=_optional_id(raw.get("speakerId")),
        name=str(name),
        title=raw.get("title") or None,
        affiliation=_AFFILIATIONS.get(
            str(raw.get("affiliation") or "").lower(), Affiliation.UNKNOWN
        ),
        user_id=user_id,
        email_domain=email.rsplit("@", 1)[-1].lower() if email and "@" in email else None,
    )


def _crm_objects(context: Any, object_type: str) -> list[tuple[str, Mapping[str, Any]]]:
    """(system, object) pairs of one type, current values ('Now') before snapshots."""
    found = []
    for block in context if isinstance(context, list) else ():
        for obj in block.get("objects") or ():
            if str(obj.get("objectType", "")).lower() == object_type.lower():
                found.append((str(block.get("system") or ""), obj))
    return sorted(found, key=lambda pair: pair[1].get("timing") == "TimeOfCall")


def _fields(obj: Mapping[str, Any]) -> dict[str, Any]:
    # Field names are matched case-insensitively: the spec's prose says `Name`, its example `name`.
    return {str(f.get("name", "")).lower(): f.get("value") for f in obj.get("fields") or ()}


def _account(context: Any) -> tuple[str | None, str | None]:
    for _system, obj in _crm_objects(context, "Account"):
        name = _fields(obj).get("name")
        if name:
            return _optional_id(obj.get("objectId")), str(name)
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
        by_id[object_id] = Opportunity(
            opportunity_id=object_id,
            name=_text(fields.get("name")),
            stage=_text(fields.get("stagename")),
            amount=_number(fields.get("amount")),
            close_date=_date(fields.get("closedate")),
            probability=_number(fields.get("probability")),
            system=system or None,
        )
    return tuple(by_id.values())


def _content(raw: Any) -> GongContent | None:
    if not isinstance(raw, Mapping):
        return None
    outcome = raw.get("callOutcome")
    return GongContent(
        brief=raw.get("brief") or None,
        key_points=tuple(str(k["text"]) for k in raw.get("keyPoints") or () if k.get("text")),
        topics={str(t["name"]): float(t.get("duration") or 0) for t in raw.get("topics") or ()},
        trackers=tuple(_tracker(t) for t in raw.get("trackers") or () if t.get("name")),
        outcome=outcome.get("name") if isinstance(outcome, Mapping) else None,
    )


def _tracker(raw: Mapping[str, Any]) -> Tracker:
    return Tracker(
        name=str(raw["name"]),
        count=int(raw.get("count") or 0),
        kind=raw.get("type"),
        phrases={str(p["phrase"]): int(p.get("count") or 0) for p in raw.get("phrases") or ()},
        occurrences=tuple(
            TrackerOccurrence(
                start_s=float(o.get("startTime") or 0), speaker_id=_optional_id(o.get("speakerId"))
            )
            for o in raw.get("occurrences") or ()
        ),
    )


def _text(value: Any) -> str | None:
    return None if value in (None, "") else str(value)


def _number(value: Any) -> float | None:
    try:
        return None if value in (None, "") else float(value)
    except (TypeError, ValueError):
        return None


def _date(value: Any) -> date | None:
    if value in (None, ""):
        return None
    try:
        return date.fromisoformat(str(value)[:10])
    except ValueError:
        return None
