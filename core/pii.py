"""PII redaction, applied before text is chunked, embedded or stored.

Patterns are deliberately conservative about what they take: a sales call is full of
numbers (prices, seat counts, dates, order numbers) that must survive. A digit run counts as
a card number only when it passes the Luhn check, and as a phone number only in a shape
people actually write phone numbers in.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

__all__ = ["Redaction", "redact_pii"]

_EMAIL = re.compile(r"\b[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}\b")
_SSN = re.compile(r"\b(?!000|666|9\d\d)\d{3}([- ])(?!00)\d{2}\1(?!0000)\d{4}\b")
# 13-19 digits, optionally grouped by single spaces or dashes; Luhn decides.
_CARD = re.compile(r"\b\d(?:[ -]?\d){12,18}\b")
_PHONE_PATTERNS = (
    # International: +CC then 6-14 more digits in groups.
    re.compile(r"(?<![\w+])\+\d{1,3}(?:[ .-]?\(?\d{1,4}\)?){2,5}\d(?!\w)"),
    # North American: (415) 555-0134, 415-555-0134, 415.555.0134, 415 555 0134, 1-415-...
    re.compile(r"(?<![\w+])(?:1[ .-])?(?:\(\d{3}\) ?|\d{3}[ .-])\d{3}[ .-]\d{4}(?!\w)"),
)

PLACEHOLDERS = {"email": "[EMAIL]", "ssn": "[SSN]", "card": "[CARD]", "phone": "[PHONE]"}


@dataclass(frozen=True)
class Redaction:
    """Redacted text and how many of each kind were removed."""

    text: str
    counts: Counter[str]


def redact_pii(text: str) -> Redaction:
    """Replace emails, SSNs, Luhn-valid card numbers and phone numbers with placeholders."""
    counts: Counter[str] = Counter()

    def replace(kind: str, pattern: re.Pattern[str], value: str) -> str:
        def substitute(match: re.Match[str]) -> str:
            if kind == "card" and not _luhn_valid(match.group(0)):
                return match.group(0)
            counts[kind] += 1
            return PLACEHOLDERS[kind]

        return pattern.sub(substitute, value)

    # Order matters: emails first (they may contain digits), cards before phones (a card
    # number grouped in fours would otherwise look like a phone number).
    text = replace("email", _EMAIL, text)
    text = replace("ssn", _SSN, text)
    text = replace("card", _CARD, text)
    for pattern in _PHONE_PATTERNS:
        text = replace("phone", pattern, text)
    return Redaction(text, counts)


def _luhn_valid(candidate: str) -> bool:
    digits = [int(c) for c in candidate if c.isdigit()]
    if not 13 <= len(digits) <= 19:
        return False
    total = 0
    for position, digit in enumerate(reversed(digits)):
        if position % 2:
            digit *= 2
            if digit > 9:
                digit -= 9
        total += digit
    return total % 10 == 0
