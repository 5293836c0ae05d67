"""Gong JSON to models (docs/gong-api.md): names §5, account and opportunities §6, links §9."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from sophia.core.errors import SourceError
from sophia.core.gong.links import moment_url
from sophia.core.gong.parsing import parse_call_details, parse_datetime, parse_transcript
from sophia.core.models import Affiliation


def call_json(**overrides) -> dict:
    raw = {
        "metaData": {
            "id": "7782342274025937895",
            "url": "https://us-12345.app.gong.io/call?id=7782342274025937895",
            "title": "Moss & Co pricing",
            "started": "2026-11-18T09:01:12.345-07:00",
            "duration": 1834,
            "primaryUserId": "234599484848423",
            "futureField": {"ignored": True},
        },
        "context": [
            {
                "system": "Salesforce",
                "objects": [
                    {
                        "objectType": "Opportunity",
                        "objectId": "opp-1",
                        "timing": "TimeOfCall",
                        "fields": [{"name": "StageName", "value": "Discovery"}],
                    },
                    {
                        "objectType": "Opportunity",
                        "objectId": "opp-1",
                        "timing": "Now",
                        "fields": [
                            {"name": "Name", "value": "Platform 2027"},
                            {"name": "StageName", "value": "Negotiation"},
                            {"name": "Amount", "value": "184000"},
                            {"name": "CloseDate", "value": "2026-12-19"},
                            {"name": "Probability", "value": 60},
                        ],
                    },
                    {
                        "objectType": "Account",
                        "objectId": "acc-1",
                        "fields": [{"name": "name", "value": "Moss & Co"}],
                    },
                ],
            },
            {
                "system": "HubSpot",
                "objects": [
                    {
                        "objectType": "Opportunity",
                        "objectId": "hs-9",
                        "fields": [{"name": "Name", "value": "Add-on"}],
                    }
                ],
            },
        ],
        "parties": [
            {
                "id": "p1",
                "name": "Dana Whitfield",
                "speakerId": "s1",
                "affiliation": "Internal",
                "userId": "u1",
                "emailAddress": "dana@northbeam.example",
            },
            {
                "id": "p2",
                "name": None,
                "speakerId": "s2",
                "affiliation": "Internal",
                "userId": "u2",
            },
            {
                "id": "p3",
                "speakerId": "s3",
                "affiliation": "External",
                "emailAddress": "priya@mossandco.example",
                "phoneNumber": "+1 415 555 0134",
            },
            {"id": "p4", "speakerId": "s4", "affiliation": "External"},
            {"id": "p5", "name": "Silent Observer", "affiliation": "Unknown"},
        ],
    }
    raw.update(overrides)
    return raw


def test_speaker_names_follow_the_documented_fallbacks() -> None:
    details = parse_call_details(call_json(), users={"u2": "Sam Okafor"})
    names = {p.speaker_id: p.name for p in details.parties}
    assert names == {
        "s1": "Dana Whitfield",
        "s2": "Sam Okafor",
        "s3": "priya@mossandco.example",
        "s4": "Unknown speaker",
        None: "Silent Observer",
    }
    assert details.party_for("s3").affiliation is Affiliation.EXTERNAL
    assert details.party_for("nobody") is None


def test_party_contact_details_are_not_kept() -> None:
    details = parse_call_details(call_json())
    dumped = details.model_dump_json()
    assert "+1 415 555 0134" not in dumped and "dana@northbeam.example" not in dumped
    assert details.parties[2].email_domain == "mossandco.example"


def test_account_and_opportunities_from_crm_context() -> None:
    details = parse_call_details(call_json())
    assert (details.account, details.account_id) == ("Moss & Co", "acc-1")
    by_id = {o.opportunity_id: o for o in details.opportunities}
    assert set(by_id) == {"opp-1", "hs-9"}
    current = by_id["opp-1"]
    assert current.stage == "Negotiation", "'Now' wins over the TimeOfCall snapshot"
    assert (current.amount, current.close_date, current.probability) == (
        184000.0,
        date(2026, 12, 19),
        60.0,
    )
    assert by_id["hs-9"].system == "HubSpot"


def test_without_crm_the_external_email_domain_names_the_account() -> None:
    details = parse_call_details(call_json(context=[]))
    assert details.account == "mossandco.example"


def test_ids_stay_strings_and_times_become_utc() -> None:
    details = parse_call_details(call_json())
    assert details.call_id == "7782342274025937895"
    assert details.started == datetime(2026, 11, 18, 16, 1, 12, 345000, tzinfo=UTC)
    assert parse_datetime("2026-11-18T16:00:00Z") == datetime(2026, 11, 18, 16, tzinfo=UTC)


def test_transcript_keeps_monologues_and_skips_empty_sentences() -> None:
    transcript = parse_transcript(
        {
            "callId": "7782342274025937895",
            "transcript": [
                {
                    "speakerId": "s1",
                    "topic": None,
                    "sentences": [
                        {
                            "start": 460230,
                            "end": 462343,
                            "text": "No wait, I think we should check that out first.",
                        },
                        {"start": 462400, "end": 462500, "text": "   "},
                    ],
                },
                {"speakerId": "s2", "topic": "Pricing", "sentences": []},
            ],
        }
    )
    [monologue] = transcript.monologues
    assert monologue.speaker_id == "s1" and len(monologue.sentences) == 1
    assert monologue.sentences[0].start_ms == 460230


@pytest.mark.parametrize(
    "raw",
    [
        {},
        {"metaData": {"title": "no id"}},
        {"metaData": {"id": "1"}},
        {"metaData": {"id": "1", "started": "yesterday"}},
    ],
)
def test_malformed_calls_raise_source_error(raw: dict) -> None:
    with pytest.raises(SourceError):
        parse_call_details(raw)


def test_moment_link_matches_the_documented_example() -> None:
    url = moment_url("https://app.gong.io/call?id=7782342274025937895", 460230, 462343)
    assert url == (
        "https://app.gong.io/call?id=7782342274025937895&highlights="
        "%5B%7B%22type%22%3A%22SHARE%22%2C%22from%22%3A460%2C%22to%22%3A463%7D%5D"
    )
    assert moment_url("https://x.app.gong.io/call/abc", 0, 1).startswith(
        "https://x.app.gong.io/call/abc?highlights="
    )
