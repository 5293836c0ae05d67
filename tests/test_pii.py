"""PII redaction: what must go, and the numbers a sales call needs that must stay."""

from __future__ import annotations

import pytest

from core.pii import redact_pii


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
