"""Gong call references as people give them: a call id, or a pasted link to the call's page.

One reading for every surface (a CLI argument, `/gong call`, a REST body, a question asked
in words), so that a link accepted on one is accepted on all.
"""

from __future__ import annotations

import re

from sophia.core.errors import BadQuery

__all__ = ["CALL_ID", "CALL_REF", "call_id_in", "call_id_of", "is_call_id"]

# What a Gong call id may be, here and in every store filter.
CALL_ID = r"[0-9A-Za-z_-]{1,64}"
# A Gong call page, https://<host>[:port][/path]?[params&]id=<call id>[&params][#fragment], in
# plain ASCII URL characters (RFC 3986), so that Python and the regex dialects that read the
# REST schema (pydantic's Rust, ECMAScript) agree on it.
_PCHAR = r"[A-Za-z0-9._~%!$'()*+,;=:@/-]"
CALL_URL = (
    rf"https?://[A-Za-z0-9.-]+(?::[0-9]{{1,5}})?{_PCHAR}*\?(?:{_PCHAR}*&)*id={CALL_ID}"
    rf"(?:[&#][A-Za-z0-9._~%!$'()*+,;=:@/?&#-]*)?"
)
# A call argument: an id or a call link, nothing around it.
CALL_REF = rf"(?:{CALL_ID}|{CALL_URL})"

_ID = re.compile(CALL_ID)
_URL = re.compile(CALL_URL)
_LINKED_ID = re.compile(rf"[?&]id=({CALL_ID})")
# In a sentence, a bare id only counts after the word "call", and only a numeric one (as Gong
# gives them): "call notes" names no call.
_IN_WORDS = re.compile(r"https?://\S+|\bcall\s+(\d{6,20})\b", re.IGNORECASE)
# What a sentence may put right after a link.
_TRAILING = ".,;:!?)]}>'\"”’»"


def is_call_id(text: str) -> bool:
    """True when `text` is a well-formed Gong call id."""
    return _ID.fullmatch(text) is not None


def call_id_of(reference: str) -> str:
    """The call id in a call argument: the id itself, or the `id` of a pasted call link.

    Raises `BadQuery`, saying what was wrong, for anything else.
    """
    text = reference.strip()
    if is_call_id(text):
        return text
    if "://" in text:
        call_id = _linked(text)
        if call_id is None:
            raise BadQuery(f"the link “{text}” has no call id (…/call?id=…).")
        return call_id
    raise BadQuery(f"“{text}” is not a Gong call id or call link.")


def call_id_in(sentence: str) -> str | None:
    """The call a sentence names ("analyze call 7964…", or a pasted call link), if any."""
    for found in _IN_WORDS.finditer(sentence):
        call_id = found[1] or _linked(found[0].rstrip(_TRAILING))
        if call_id is not None:
            return call_id
    return None


def _linked(url: str) -> str | None:
    if _URL.fullmatch(url) is None:
        return None
    found = _LINKED_ID.search(url)
    return found[1] if found else None
