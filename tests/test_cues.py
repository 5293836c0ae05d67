"""The objection cues: what reads as an objection to buying, what only sounds like one, and
what kind of objection it is."""

from __future__ import annotations

import pytest

from sophia.core.insights.cues import objection
from sophia.core.insights.objection_kinds import objection_kind


@pytest.mark.parametrize(
    "text",
    [
        "We've just been told there's a freeze on all new software spend until February.",
        "The year-end freeze on new vendors.",
        "There's a spending freeze until the new fiscal year.",
        "Legal has the redlines and they won't get to it until after the filing deadline.",
        "The board meets in March, so that won't happen before spring.",
        "And $118,000 is simply a big number for us right now.",
    ],
)
def test_reads_as_an_objection(text: str) -> None:
    assert objection(text) > 0


@pytest.mark.parametrize(
    "text",
    [
        "There is a hiring freeze, so the team stays at twelve.",
        "Our holiday freeze on system changes starts the second week of December.",
        "My screen froze for a second there.",
        "The price is not a concern for us.",
        "We'll get to it tomorrow.",
    ],
)
def test_does_not_read_as_an_objection(text: str) -> None:
    assert objection(text) == 0


def test_a_spend_freeze_that_names_the_budget_is_a_clear_objection() -> None:
    # A clear objection (a cue and money talk) is one the call summary must quote.
    freeze = "There's a freeze on new software spend until the board signs off on the budget."
    assert objection(freeze) >= 1.5


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("There's a freeze on all new software spend until the board signs off.", "timing"),
        ("Legal won't get to it until after the filing deadline.", "timing"),
        ("I can't go over without a three-month wait.", "timing"),
        ("And $118,000 is simply a big number for us right now.", "budget"),
        ("I can't sign up for three years, the board won't go for it.", "contract_term"),
    ],
)
def test_an_objection_has_its_kind(text: str, kind: str) -> None:
    assert objection_kind(text, []) == kind
