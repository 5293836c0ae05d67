"""Builders of the Gong records tests serve from the fake (shapes of docs/gong-api.md §4)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

__all__ = ["call_record", "party", "transcript_record"]


def call_record(
    call_id: str,
    started: datetime,
    *,
    title: str | None = None,
    parties: Sequence[dict[str, Any]] = (),
    context: Sequence[dict[str, Any]] | None = None,
    duration_s: int = 1800,
    primary_user_id: str | None = None,
) -> dict[str, Any]:
    """A `calls[]` item of /v2/calls/extensive with the documented shapes (docs/gong-api.md §4)."""
    call: dict[str, Any] = {
        "metaData": {
            "id": call_id,
            "url": f"https://app.gong.io/call?id={call_id}",
            "title": title or f"Call {call_id}",
            "started": started.isoformat().replace("+00:00", "Z"),
            "duration": duration_s,
            "primaryUserId": primary_user_id,
            "direction": "Conference",
            "scope": "External",
            "system": "Zoom",
            "language": "eng",
        },
        "parties": list(parties),
        "content": {"brief": f"Brief of {call_id}", "keyPoints": [{"text": "A key point"}]},
        "interaction": {"questions": {"companyCount": 1, "nonCompanyCount": 2}},
    }
    if context is not None:
        call["context"] = list(context)
    return call


def party(
    party_id: str,
    *,
    speaker_id: str | None = None,
    name: str | None = None,
    email: str | None = None,
    user_id: str | None = None,
    affiliation: str = "External",
) -> dict[str, Any]:
    """A `parties[]` item; absent fields are left out as Gong does."""
    raw = {
        "id": party_id,
        "speakerId": speaker_id,
        "name": name,
        "emailAddress": email,
        "userId": user_id,
        "affiliation": affiliation,
        "methods": ["Attendee"],
    }
    return {key: value for key, value in raw.items() if value is not None}


def transcript_record(call_id: str, *monologues: tuple[str, str]) -> dict[str, Any]:
    """A `callTranscripts[]` item; each monologue is (speakerId, text), 10 s apart."""
    items = []
    for index, (speaker_id, text) in enumerate(monologues or [("1", f"Hello from {call_id}.")]):
        start_ms = int(timedelta(seconds=10 * index).total_seconds() * 1000)
        items.append(
            {
                "speakerId": speaker_id,
                "topic": None,
                "sentences": [{"start": start_ms, "end": start_ms + 4_000, "text": text}],
            }
        )
    return {"callId": call_id, "transcript": items}
