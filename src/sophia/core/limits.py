"""Hard limits on what Sophia accepts and returns, in one place.

Every number, date and text that enters from Gong, a folder or a user is bounded here: a
value outside these bounds is refused with a reason (a record is quarantined, a request is a
400 that names the field) instead of overflowing somewhere deeper.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime

__all__ = [
    "EARLIEST_DAY",
    "LATEST_DAY",
    "MAX_CALL_MS",
    "MAX_CHUNK_CHARS",
    "MAX_DURATION_S",
    "MAX_NAME_CHARS",
    "MAX_RESPONSE_BYTES",
    "MAX_SENTENCE_CHARS",
    "MAX_TITLE_CHARS",
    "clean_text",
    "day_in_range",
    "instant_in_range",
]

# Calls start between these days (inclusive): older than any recording software, and far
# enough ahead for a scheduled call; anything outside is a corrupt date.
EARLIEST_DAY = date(1990, 1, 1)
LATEST_DAY = date(2099, 12, 31)
# No call lasts a week: longer durations and sentence offsets are corrupt numbers.
MAX_DURATION_S = 7 * 24 * 3600
MAX_CALL_MS = MAX_DURATION_S * 1000
# Display texts: a speaker name, a call title.
MAX_NAME_CHARS = 200
MAX_TITLE_CHARS = 500
# One transcript sentence: Gong's are a few hundred characters; far longer is not speech.
MAX_SENTENCE_CHARS = 10_000
# A chunk is sized in tokens, and also in characters: text without spaces can be one
# "word" of millions of characters, which no token count would split.
MAX_CHUNK_CHARS = 4000
# The largest search response body (100 hits of full chunks fit comfortably).
MAX_RESPONSE_BYTES = 2_000_000

_SURROGATES = re.compile("[\ud800-\udfff]")
_EARLIEST = datetime(EARLIEST_DAY.year, EARLIEST_DAY.month, EARLIEST_DAY.day, tzinfo=UTC)
_LATEST = datetime(LATEST_DAY.year + 1, 1, 1, tzinfo=UTC)


def clean_text(value: object, limit: int | None = None) -> str:
    """`value` as text that every encoder accepts: lone surrogates (invalid UTF-16 halves
    that JSON can carry) and NULs become U+FFFD; cut to `limit` characters if given."""
    text = str(value)
    text = _SURROGATES.sub("\ufffd", text).replace("\x00", "\ufffd")
    if limit is not None and len(text) > limit:
        text = text[: limit - 1] + "…"
    return text


def instant_in_range(moment: datetime) -> bool:
    """True for an aware instant between EARLIEST_DAY and LATEST_DAY (UTC)."""
    return _EARLIEST <= moment < _LATEST


def day_in_range(day: date) -> bool:
    """True for a calendar day between EARLIEST_DAY and LATEST_DAY."""
    return EARLIEST_DAY <= day <= LATEST_DAY
