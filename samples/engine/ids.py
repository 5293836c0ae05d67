"""Stable ids, money and the small text tests every part shares."""

from __future__ import annotations

import hashlib
import re
import string
from datetime import datetime


def gong_id(*parts: str) -> str:
    """A 19-digit numeric string, stable for the same parts (Gong ids exceed 2**53)."""
    digest = hashlib.sha256("\x1f".join(("gong", *parts)).encode()).digest()
    return str(10**18 + int.from_bytes(digest[:8], "big") % (9 * 10**18))


_BASE62 = string.digits + string.ascii_uppercase + string.ascii_lowercase


def sf_id(prefix: str, name: str) -> str:
    """An 18-character Salesforce-looking id: key prefix, pod, zeros, then 8 hashed chars."""
    n = int.from_bytes(hashlib.sha256(f"sf\x1f{prefix}\x1f{name}".encode()).digest()[:8], "big")
    tail = ""
    for _ in range(8):
        n, r = divmod(n, 62)
        tail += _BASE62[r]
    return f"{prefix}5g00000{tail}"


def money(n: int) -> str:
    return f"${n:,}"


def sentence_key(text: str) -> str:
    """What makes two sentences "the same": their words, ignoring case and punctuation."""
    return " ".join(re.findall(r"[a-z0-9$%]+", text.lower()))


def luhn_ok(number: str) -> bool:
    digits = [int(ch) for ch in number if ch.isdigit()]
    total = 0
    for position, digit in enumerate(reversed(digits)):
        if position % 2:
            digit = digit * 2 - 9 if digit > 4 else digit * 2
        total += digit
    return total % 10 == 0


def phrase_in(phrase: str, text: str, case_sensitive: bool) -> bool:
    flags = 0 if case_sensitive else re.IGNORECASE
    return re.search(rf"(?<!\w){re.escape(phrase)}(?!\w)", text, flags) is not None


def iso(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")
