"""The domain's data: calls as Gong describes them, and what the index holds of them."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

__all__ = [
    "UNKNOWN_SPEAKER",
    "Affiliation",
    "Call",
    "CallDetails",
    "GongContent",
    "Monologue",
    "Opportunity",
    "Party",
    "Sentence",
    "Tracker",
    "TrackerOccurrence",
    "Transcript",
]


UNKNOWN_SPEAKER = "Unknown speaker"


class Affiliation(StrEnum):
    """Which side of the table a speaker sits on."""

    INTERNAL = "internal"  # our rep, SE, manager
    EXTERNAL = "external"  # the customer
    UNKNOWN = "unknown"


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True)


class Party(_Frozen):
    """A participant of a call, with the name we show for them (docs/gong-api.md §5)."""

    party_id: str
    speaker_id: str | None = None
    name: str
    title: str | None = None
    affiliation: Affiliation = Affiliation.UNKNOWN
    user_id: str | None = None
    # Only the domain of the address is kept: enough for the account fallback, not PII.
    email_domain: str | None = None


class Opportunity(_Frozen):
    """A CRM opportunity linked to a call (docs/gong-api.md §6)."""

    opportunity_id: str
    name: str | None = None
    stage: str | None = None
    amount: float | None = None
    close_date: date | None = None
    probability: float | None = Field(
        None, description="The win probability as the CRM states it; Gong passes it through."
    )
    system: str | None = Field(None, description="The CRM it comes from, e.g. Salesforce.")


class TrackerOccurrence(_Frozen):
    start_s: float
    speaker_id: str | None = None


class Tracker(_Frozen):
    """A Gong tracker (keyword or smart) and where it fired."""

    name: str
    count: int = 0
    kind: str | None = None
    phrases: dict[str, int] = Field(default_factory=dict)
    occurrences: tuple[TrackerOccurrence, ...] = ()


class GongContent(_Frozen):
    """Gong's own analysis of a call, when it has arrived."""

    brief: str | None = None
    key_points: tuple[str, ...] = ()
    topics: dict[str, float] = Field(default_factory=dict)
    trackers: tuple[Tracker, ...] = ()
    outcome: str | None = None


class CallDetails(_Frozen):
    """A call's metadata, parties and CRM context: one item of /v2/calls/extensive."""

    call_id: str
    title: str
    url: str
    started: datetime
    duration_s: int = 0
    account: str | None = None
    account_id: str | None = None
    opportunities: tuple[Opportunity, ...] = ()
    parties: tuple[Party, ...] = ()
    primary_user_id: str | None = None
    direction: str | None = None
    scope: str | None = None
    system: str | None = None
    language: str | None = None
    content: GongContent | None = None
    # Gong's interaction block (talk time, question counts), kept as Gong sent it.
    interaction: dict[str, Any] | None = None

    @property
    def ended(self) -> datetime:
        """When the call ended: when Gong has it at the earliest (its API does not say when
        the transcript became available, docs/gong-api.md)."""
        return self.started + timedelta(seconds=self.duration_s)

    def party_for(self, speaker_id: str) -> Party | None:
        """The party that spoke with this transcript speaker id, if Gong listed one."""
        for party in self.parties:
            if party.speaker_id == speaker_id:
                return party
        return None

    def speaker(self, speaker_id: str) -> tuple[str, Affiliation]:
        """Display name and side of a speaker (docs/gong-api.md §5: unknown ids happen)."""
        party = self.party_for(speaker_id)
        return (party.name, party.affiliation) if party else (UNKNOWN_SPEAKER, Affiliation.UNKNOWN)


class Sentence(_Frozen):
    start_ms: int
    end_ms: int
    text: str


class Monologue(_Frozen):
    """Consecutive sentences by one speaker."""

    speaker_id: str
    topic: str | None = None
    sentences: tuple[Sentence, ...]


class Transcript(_Frozen):
    """One item of /v2/calls/transcript."""

    call_id: str
    monologues: tuple[Monologue, ...]


class Call(_Frozen):
    """A call ready to index: its details joined with its transcript."""

    details: CallDetails
    monologues: tuple[Monologue, ...]

    @property
    def call_id(self) -> str:
        return self.details.call_id
