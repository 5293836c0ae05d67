"""What a call read from Gong carries (docs/gong-api.md §5, §6): speaker names, account and
opportunities, through GongApiSource and the real GongClient against the fake Gong."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sophia.core.clock import FixedClock
from sophia.core.gong.client import GongClient
from sophia.core.gong.parsing import UNKNOWN_SPEAKER
from sophia.core.models import Affiliation, Call
from sophia.core.state import StateDB
from tests.fakes.gong_records import call_record, party, transcript_record
from tests.fakes.gong_server import FakeGong
from tests.test_gong_source import DAY, NOW, make_source, run

pytest_plugins = ["tests.fakes.gong_fixtures"]


async def only_call(client: GongClient, tmp_path: Path) -> Call:
    """The one call a first sync of the fake reads."""
    state = StateDB(tmp_path / "state.sqlite")
    try:
        batches = await run(make_source(client, state, FixedClock(NOW)))
    finally:
        state.close()
    [call] = [c for batch in batches for c in batch.calls]
    return call


async def test_speaker_names_fall_back_from_party_to_user_to_email(
    gong_server: FakeGong, gong_client: GongClient, tmp_path: Path
) -> None:
    gong_server.add_user("u2", "Bo", "Manager")
    parties = [
        party("p1", speaker_id="s1", name="Ana Rep", user_id="u1", affiliation="Internal"),
        party("p2", speaker_id="s2", user_id="u2", affiliation="Internal"),
        party("p3", speaker_id="s3", email="cx@moss.example"),
        party("p4", speaker_id="s4", affiliation="Unknown"),
        party("p5", email="silent@moss.example"),
    ]
    gong_server.add_call(
        call_record("c", NOW - DAY, parties=parties),
        transcript_record("c", *[(f"s{n}", f"Line {n}.") for n in (1, 2, 3, 4, 9)]),
    )

    call = await only_call(gong_client, tmp_path)

    names = {
        m.speaker_id: p.name if (p := call.details.party_for(m.speaker_id)) else None
        for m in call.monologues
    }
    assert names == {
        "s1": "Ana Rep",
        "s2": "Bo Manager",
        "s3": "cx@moss.example",
        "s4": UNKNOWN_SPEAKER,
        "s9": None,  # no matching party: the chunker labels it "Unknown speaker"
    }
    affiliation = {p.party_id: p.affiliation for p in call.details.parties}
    assert affiliation["p1"] is Affiliation.INTERNAL
    assert affiliation["p3"] is Affiliation.EXTERNAL


async def test_account_and_opportunities_come_from_the_extended_context(
    gong_server: FakeGong, gong_client: GongClient, tmp_path: Path
) -> None:
    def opportunity(object_id: str, timing: str, stage: str) -> dict[str, Any]:
        fields = [
            {"name": "Name", "value": f"Deal {object_id}"},
            {"name": "StageName", "value": stage},
            {"name": "Amount", "value": 12000},
            {"name": "CloseDate", "value": "2024-06-30"},
        ]
        return {
            "objectType": "Opportunity",
            "objectId": object_id,
            "timing": timing,
            "fields": fields,
        }

    account = {
        "objectType": "Account",
        "objectId": "001A",
        "timing": "Now",
        "fields": [{"name": "name", "value": "Moss & Co"}, {"name": "Website", "value": None}],
    }
    context = [
        {
            "system": "Salesforce",
            "objects": [
                opportunity("006A", "TimeOfCall", "Discovery"),
                account,
                opportunity("006A", "Now", "Negotiation"),
            ],
        },
        {"system": "HubSpot", "objects": [opportunity("h-7", "Now", "Qualified")]},
    ]
    gong_server.add_call(call_record("c", NOW - DAY, context=context), transcript_record("c"))

    details = (await only_call(gong_client, tmp_path)).details

    assert (details.account, details.account_id) == ("Moss & Co", "001A")
    by_id = {o.opportunity_id: o for o in details.opportunities}
    assert set(by_id) == {"006A", "h-7"}
    assert by_id["006A"].stage == "Negotiation"  # current values win over the snapshot
    assert by_id["006A"].amount == 12000
    assert by_id["h-7"].system == "HubSpot"


async def test_account_falls_back_to_the_customers_email_domain(
    gong_server: FakeGong, gong_client: GongClient, tmp_path: Path
) -> None:
    parties = [
        party("p1", speaker_id="s1", email="ana@ourco.example", affiliation="Internal"),
        party("p2", speaker_id="s2", email="cx@moss.example"),
    ]
    gong_server.add_call(call_record("c", NOW - DAY, parties=parties), transcript_record("c"))

    details = (await only_call(gong_client, tmp_path)).details

    assert details.account == "moss.example"
    assert details.opportunities == ()
