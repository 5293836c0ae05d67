"""PII redaction: what must go, and the numbers a sales call needs that must stay."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from sophia.cli.main import app
from sophia.core.config import Settings
from sophia.core.pii import Redactor, placeholder_count, redact_pii
from sophia.core.query import build_request
from sophia.core.services import Sophia
from sophia.core.session import Viewer
from tests.conftest import raw_call, raw_transcript, write_folder
from tests.disk_scan import found_on_disk


@pytest.mark.parametrize(
    ("text", "kind", "value"),
    [
        ("Call me at (415) 555-0134 tomorrow.", "phone", "(415) 555-0134"),
        ("My cell is 415-555-0187.", "phone", "415-555-0187"),
        ("Try 415.555.0199 after lunch.", "phone", "415.555.0199"),
        ("The desk line is +1 415 555 0123.", "phone", "+1 415 555 0123"),
        ("London office: +44 20 7946 0958.", "phone", "+44 20 7946 0958"),
        ("Berlin is +49 30 901820.", "phone", "+49 30 901820"),
        ("Reach me at 1-800-555-0199 anytime.", "phone", "1-800-555-0199"),
        ("My SSN is 219-09-9999 for the form.", "ssn", "219-09-9999"),
        (
            "Send it to priya.natarajan@mossandco.example please.",
            "email",
            "priya.natarajan@mossandco.example",
        ),
        ("Card 4111 1111 1111 1111 expires soon.", "card", "4111 1111 1111 1111"),
        ("Use 5500-0000-0000-0004 for the deposit.", "card", "5500-0000-0000-0004"),
        ("Number 378282246310005 is the Amex.", "card", "378282246310005"),
    ],
)
def test_pii_is_replaced_by_a_placeholder(text: str, kind: str, value: str) -> None:
    redaction = redact_pii(text)
    assert value not in redaction.text
    assert f"[{kind.upper()}]" in redaction.text
    assert redaction.counts[kind] == 1


@pytest.mark.parametrize(
    "text",
    [
        "The platform tier is $184,000 a year for 250 seats.",
        "We can go live on 2026-01-15 if legal signs by 12/19.",
        "PO number 4716 2039 5817 2635 is on the invoice.",  # fails Luhn: not a card
        "Order 1234567890123456 shipped.",
        "That's a 20% discount over 3 years, so 36 months.",
        "The call starts at 10:30 and runs 45 minutes.",
        "Version 2.4.1 added SSO; SOC 2 Type II report is from 2025.",
        "Room 415 on floor 5, extension 0134.",
    ],
)
def test_ordinary_numbers_survive(text: str) -> None:
    redaction = redact_pii(text)
    assert redaction.text == text
    assert not redaction.counts


def test_several_kinds_in_one_sentence_are_all_counted() -> None:
    redaction = redact_pii("Email a@b.example or call (212) 555-0100; SSN 219-09-9999.")
    assert redaction.text == "Email [EMAIL] or call [PHONE]; SSN [SSN]."
    assert dict(redaction.counts) == {"email": 1, "phone": 1, "ssn": 1}


@pytest.mark.parametrize(
    ("text", "kind", "value"),
    [
        ("Dial 0044 20 7946 0958 from Paris.", "phone", "0044 20 7946 0958"),
        ("My direct line is +44 (0)20 7946 0958.", "phone", "+44 (0)20 7946 0958"),
        ("Call +91 98765 43210 in Bangalore.", "phone", "+91 98765 43210"),
        ("Tokyo is +81-3-1234-5678.", "phone", "+81-3-1234-5678"),
        ("Desk 415-555-0134x22 until five.", "phone", "415-555-0134x22"),
        ("It is 415 555 0134 ext. 12 for support.", "phone", "415 555 0134 ext. 12"),
        ("Just call me at 4155550134 later.", "phone", "4155550134"),
        ("His SSN is 742 18 3306.", "ssn", "742 18 3306"),
        ("Social security number 742183306 on file.", "ssn", "742183306"),
        ("Card 4111-1111-1111-1111 on file.", "card", "4111-1111-1111-1111"),
        ("Write to AISHA.KARIM@MOSSANDCO.EXAMPLE today.", "email", "AISHA.KARIM@MOSSANDCO.EXAMPLE"),
    ],
)
def test_more_shapes_people_say_pii_in(text: str, kind: str, value: str) -> None:
    redaction = redact_pii(text)
    assert value not in redaction.text
    assert redaction.counts[kind] == 1, redaction.text


@pytest.mark.parametrize(
    "text",
    [
        "We have 4155550134 reasons and 742183306 rows.",  # bare digits, no phone or SSN words
        "The requisition is 4417 2290 3318 5526.",  # 16 digits failing Luhn
        "Budget of $150,000 for 1,200 seats at 15% off.",
    ],
)
def test_bare_numbers_without_context_survive(text: str) -> None:
    assert redact_pii(text).text == text


def test_extra_patterns_are_redacted_first_and_counted() -> None:
    redactor = Redactor([r"ACCT-\d{6}", r"(?i)project zephyr"])
    redaction = redactor.redact("ACCT-415555 is Project Zephyr; call (415) 555-0134.")
    assert redaction.text == "[REDACTED] is [REDACTED]; call [PHONE]."
    assert dict(redaction.counts) == {"custom": 2, "phone": 1}
    assert placeholder_count(redaction.text) == 3


def test_the_redaction_version_follows_the_patterns() -> None:
    assert Redactor().version == Redactor([]).version
    assert Redactor([r"A\d"]).version != Redactor().version
    assert Redactor([r"A\d"]).version != Redactor([r"B\d"]).version
    assert Redactor([r"A\d"]).version == Redactor([r"A\d"]).version


# --- stats and reindex ---------------------------------------------------------------------------

MARKED = "8300000000000000001"
PLAIN = "8300000000000000002"


def marked_folder(tmp_path: Path) -> Path:
    return write_folder(
        tmp_path / "corpus",
        [raw_call(MARKED, account="Moss & Co"), raw_call(PLAIN, account="Olympus")],
        [
            raw_transcript(
                MARKED,
                [
                    ("2002", ["Bill it to ACCT-204817 please, my cell is (415) 555-0134."]),
                    ("1001", ["Noted, the invoice goes to ACCT-204817 this week."]),
                ],
            ),
            raw_transcript(PLAIN, [("2002", ["Pricing works for Olympus."])]),
        ],
    )


async def keyword_hits(sophia: Sophia, text: str) -> list[str]:
    result = await sophia.session(Viewer("cli", user="test")).search(
        build_request(query=text, mode="keyword", limit=20)
    )
    return [hit.text for hit in result.hits]


async def test_stats_count_redactions_and_reindex_re_redacts_with_new_patterns(
    settings: Settings, tmp_path: Path
) -> None:
    folder = marked_folder(tmp_path)
    sophia = await Sophia.open(settings)
    try:
        await sophia.ingest_folder(folder)
        stats = await sophia.stats()
        assert (stats.pii_redactions, stats.calls_with_redactions) == (1, 1)
        # Before the pattern exists the identifier is searchable and stored: the scan sees it.
        assert any("ACCT-204817" in text for text in await keyword_hits(sophia, "ACCT-204817"))
        assert found_on_disk(settings.sophia_data_dir, ["ACCT-204817"])
    finally:
        await sophia.aclose()

    patterned = settings.model_copy(update={"pii_extra_patterns": [r"ACCT-\d{6}"]})
    sophia = await Sophia.open(patterned)
    try:
        summary = await sophia.reindex()
        assert summary.indexed == 2 and summary.redactions == {"custom": 2}
        assert await keyword_hits(sophia, "ACCT-204817") == []
        assert not any("204817" in text for text in await keyword_hits(sophia, "invoice ACCT"))
        stats = await sophia.stats()
        # The phone redacted at ingest still counts after the reindex.
        assert (stats.pii_redactions, stats.calls_with_redactions) == (3, 1)
    finally:
        await sophia.aclose()
    # Gone from every file but the audit log, which is append-only: the question asked before
    # the pattern existed stays as it was logged (questions asked now are redacted).
    assert found_on_disk(settings.sophia_data_dir, ["ACCT-204817", "555-0134"]) == {
        "ACCT-204817": ["audit/audit.jsonl"]
    }
    # The scan does read the index: text that is still there is found.
    assert found_on_disk(settings.sophia_data_dir, ["Pricing works for Olympus"])


def test_sophia_stats_shows_the_redaction_counts(settings: Settings, tmp_path: Path) -> None:
    folder = marked_folder(tmp_path)
    env = {"SOPHIA_DATA_DIR": str(settings.sophia_data_dir), "SOPHIA_EMBEDDER": "hashing"}
    assert CliRunner().invoke(app, ["ingest", "--from-dir", str(folder)], env=env).exit_code == 0
    shown = CliRunner().invoke(app, ["stats"], env={**env, "COLUMNS": "150"})
    assert "PII redactions" in shown.output and "1 in 1 calls" in shown.output
    as_json = json.loads(CliRunner().invoke(app, ["stats", "--json"], env=env).output)
    assert (as_json["pii_redactions"], as_json["calls_with_redactions"]) == (1, 1)
