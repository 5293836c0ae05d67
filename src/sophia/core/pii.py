"""PII redaction, applied before text is chunked, embedded or stored.

Patterns are deliberately conservative about what they take: a sales call is full of
numbers (prices, seat counts, dates, order numbers) that must survive. A digit run counts as
a card number only when it passes the Luhn check, and as a phone number only in a shape
people actually write phone numbers in.
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from sophia.core.models import Call, GongContent, Monologue

__all__ = [
    "PLACEHOLDERS",
    "Redaction",
    "Redactor",
    "placeholder_count",
    "redact_call",
    "redact_pii",
    "redactions_in",
]

# Part of every content hash (with the extra patterns): bump it when the built-in rules
# change, so the next ingest redoes each call it sees (`sophia reindex` redoes them all).
RULES_VERSION = "pii-v2"

_EMAIL = re.compile(r"\b[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}\b")
_SSN = re.compile(r"\b(?!000|666|9\d\d)\d{3}([- ])(?!00)\d{2}\1(?!0000)\d{4}\b")
# 13-19 digits, optionally grouped by single spaces or dashes; Luhn decides.
_CARD = re.compile(r"\b\d(?:[ -]?\d){12,18}\b")
# An extension said with a number ("x22", "ext. 5") goes with it.
_EXTENSION = r"(?:\s?(?:x|ext\.?|extension)\s?\d{1,6})?"
_PHONE_PATTERNS = (
    # International: +CC (or the 00 dialling prefix) then 6-14 more digits in groups.
    re.compile(
        r"(?<![\w+])(?:\+|00(?=[1-9]))\d{1,3}(?:[ .-]?\(?\d{1,4}\)?){2,5}\d"
        + _EXTENSION
        + r"(?!\w)"
    ),
    # North American: (415) 555-0134, 415-555-0134, 415.555.0134, 415 555 0134, 1-415-...
    re.compile(
        r"(?<![\w+])(?:1[ .-])?(?:\(\d{3}\) ?|\d{3}[ .-])\d{3}[ .-]\d{4}" + _EXTENSION + r"(?!\w)"
    ),
    # Bare digit runs only where the words around them say it is a phone number.
    re.compile(
        r"(?i)\b(?:phone|cell|mobile|call me|text me|reach me|dial|tel)\b[^\d\n]{0,20}"
        r"(?P<pii>\+?\d{10,15})(?!\w)"
    ),
)
# Nine digits without separators are an SSN only when someone says so.
_SSN_SAID = re.compile(
    r"(?i)\b(?:ssn|social security(?: number)?)\b[^\d\n]{0,20}(?P<pii>\d{9})(?!\w)"
)

PLACEHOLDERS = {
    "email": "[EMAIL]",
    "ssn": "[SSN]",
    "card": "[CARD]",
    "phone": "[PHONE]",
    "custom": "[REDACTED]",
}
_ANY_PLACEHOLDER = re.compile("|".join(re.escape(p) for p in PLACEHOLDERS.values()))


@dataclass(frozen=True)
class Redaction:
    """Redacted text and how many of each kind were removed."""

    text: str
    counts: Counter[str]


class Redactor:
    """The built-in rules plus PII_EXTRA_PATTERNS (their matches become `[REDACTED]`)."""

    def __init__(self, extra_patterns: Sequence[str] = ()) -> None:
        self._extra = tuple(re.compile(pattern) for pattern in extra_patterns)
        fingerprint = hashlib.sha256("\n".join(extra_patterns).encode()).hexdigest()[:12]
        # Changes when the rules or the extra patterns change: part of each call's content
        # hash, so a changed call is redacted again with today's rules.
        self.version = f"{RULES_VERSION}+{fingerprint}" if extra_patterns else RULES_VERSION

    def redact(self, text: str) -> Redaction:
        """`text` with every match replaced by its placeholder, and the counts by kind."""
        counts: Counter[str] = Counter()

        def replace(kind: str, pattern: re.Pattern[str], value: str) -> str:
            def substitute(match: re.Match[str]) -> str:
                group = "pii" if "pii" in pattern.groupindex else 0
                found = match.group(group)
                if kind == "card" and not _luhn_valid(found):
                    return match.group(0)
                counts[kind] += 1
                start, end = match.span(group)
                whole = match.group(0)
                offset = match.start(0)
                return whole[: start - offset] + PLACEHOLDERS[kind] + whole[end - offset :]

            return pattern.sub(substitute, value)

        # Order matters: the operator's own patterns first (their identifiers may hold
        # digits a phone rule would take half of), then emails (they may contain digits),
        # cards before phones (a card number grouped in fours looks like a phone number).
        for pattern in self._extra:
            text = replace("custom", pattern, text)
        text = replace("email", _EMAIL, text)
        text = replace("ssn", _SSN, text)
        text = replace("ssn", _SSN_SAID, text)
        text = replace("card", _CARD, text)
        for pattern in _PHONE_PATTERNS:
            text = replace("phone", pattern, text)
        return Redaction(text, counts)


_BUILT_IN = Redactor()


def redact_pii(text: str) -> Redaction:
    """Replace emails, SSNs, Luhn-valid card numbers and phone numbers with placeholders."""
    return _BUILT_IN.redact(text)


def placeholder_count(text: str) -> int:
    """How many redaction placeholders `text` holds (from this run or an earlier one)."""
    return len(_ANY_PLACEHOLDER.findall(text))


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


def redact_call(call: Call, redactor: Redactor | None = None) -> tuple[Call, Counter[str]]:
    """The call with PII removed from every text we keep: transcript, title, Gong content."""
    counts: Counter[str] = Counter()
    redactor = redactor or Redactor()

    def clean(text: str) -> str:
        redaction = redactor.redact(text)
        counts.update(redaction.counts)
        return redaction.text

    monologues = tuple(
        Monologue(
            speaker_id=m.speaker_id,
            topic=m.topic,
            sentences=tuple(s.model_copy(update={"text": clean(s.text)}) for s in m.sentences),
        )
        for m in call.monologues
    )
    details = call.details.model_copy(
        update={
            "title": clean(call.details.title),
            "content": _clean_content(call.details.content, clean),
        }
    )
    return Call(details=details, monologues=monologues), counts


def redactions_in(call: Call) -> int:
    """Redaction placeholders in the texts `redact_call` cleans."""
    texts = [call.details.title, *(s.text for m in call.monologues for s in m.sentences)]
    content = call.details.content
    if content is not None:
        texts.extend([content.brief or "", *content.key_points])
    return sum(placeholder_count(text) for text in texts)


def _clean_content(content: GongContent | None, clean: Callable[[str], str]) -> GongContent | None:
    if content is None:
        return None
    return content.model_copy(
        update={
            "brief": clean(content.brief) if content.brief else None,
            "key_points": tuple(clean(point) for point in content.key_points),
        }
    )
