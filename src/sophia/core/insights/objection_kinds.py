"""What an objection is about: a competitor, a discount, the contract's term, timing, the price.

A dashboard counts objections by kind; the first kind whose words a sentence holds wins, in
the order below, so "DealForge quoted $98 a seat" is a competitor objection, not a price one.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from sophia.core.insights.competitor_catalog import Competitor, named_in
from sophia.core.insights.cues import PRICING

__all__ = ["OBJECTION_KINDS", "objection_kind"]

_KINDS: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (kind, re.compile(pattern, re.IGNORECASE))
    for kind, pattern in (
        ("discount", r"\bdiscount|\b\d+\s?(?:%|percent) off\b|\boff (?:the )?list\b"),
        ("price_lock", r"\bprices? locked\b|\block(?:ed)? (?:in )?(?:the |our )?prices?\b"),
        (
            "contract_term",
            r"\b(?:one|two|three|four|five|multi|\d+)[- ]years?\b(?! ago)"
            r"|\b(?:two|three|four|five|\d+) years\b(?! ago)|\bcommitment\b|\blocked in\b",
        ),
        ("renewal_uplift", r"\buplift\b|\bprice (?:increase|hike)\b"),
        ("fees", r"\b(?:implementation|setup|set-up|onboarding|professional services) fees?\b"),
        ("per_seat", r"\bper[- ](?:seat|user|licen[cs]e)\b|\bseat[- ]based\b"),
        # Not now rather than not at this price: a freeze, a queue, a wait.
        (
            "timing",
            r"\bfreeze\b|\bfrozen\b|\bon hold\b|\bwon't (?:get to|happen)\b|\buntil after\b"
            r"|\b(?:month|week)s?(?:'s)? wait\b",
        ),
        (
            "budget",
            r"\bbudget|\bapproved\b|\bafford|\bexpensive\b|\bbig number\b|\bstretch\b"
            r"|\bmore than (?:I|we) (?:expected|planned)\b",
        ),
    )
)

# Every kind a row can carry: the ones above, "competitor" first, "price" for other talk of
# money, and "other" for objections that are not about price at all.
OBJECTION_KINDS = ("competitor", *(kind for kind, _ in _KINDS), "price", "other")

_MONEY = re.compile(r"\$\s?\d|\bdollars?\b")


def objection_kind(text: str, catalog: Sequence[Competitor]) -> str:
    """The kind of the objection in `text` (one of OBJECTION_KINDS)."""
    if named_in(text, catalog):
        return "competitor"
    for kind, pattern in _KINDS:
        if pattern.search(text):
            return kind
    if PRICING.search(text) or _MONEY.search(text):
        return "price"
    return "other"
