"""One reading of call ids and Gong call links for every surface (CLI, Slack, REST, `ask`)."""

from __future__ import annotations

import re

import pytest

from sophia.api.schemas import AnalyzeCallIn
from sophia.core.callrefs import CALL_REF, call_id_in, call_id_of
from sophia.core.errors import BadQuery

CALL = "7964471811250078217"

# (what was given, the call id read from it, or the words of the error)
ARGUMENTS = [
    (CALL, CALL),
    (f"  {CALL} ", CALL),
    ("abc_DEF-1", "abc_DEF-1"),
    (f"https://app.gong.io/call?id={CALL}", CALL),
    (f"https://us-49467.app.gong.io/call?id={CALL}&x=1", CALL),
    (f"https://us-4.app.gong.io/call?id={CALL}&tab=transcript", CALL),
    (f"https://app.gong.io:8443/call?tab=x&id={CALL}#t=10", CALL),
    # The CLI once read only digits out of a link; the bot and the API read any id.
    ("https://app.gong.io/call?id=abc_DEF-1", "abc_DEF-1"),
    ("https://app.gong.io/calls/", "has no call id"),
    ("https://app.gong.io/call?tid=123", "has no call id"),
    (f"https://app.gong.io/call?id={CALL} please", "has no call id"),
    ("last tuesday's call", "is not a Gong call id"),
    ("x' OR '1'='1", "is not a Gong call id"),
    ("1; drop", "is not a Gong call id"),
    ("a" * 65, "is not a Gong call id"),
    ("", "is not a Gong call id"),
]


@pytest.mark.parametrize(("given", "expected"), ARGUMENTS)
def test_a_call_argument_is_an_id_or_a_call_link(given: str, expected: str) -> None:
    if " " in expected or expected == "":
        with pytest.raises(BadQuery, match=re.escape(expected)):
            call_id_of(given)
    else:
        assert call_id_of(given) == expected


@pytest.mark.parametrize(("given", "expected"), ARGUMENTS)
def test_the_rest_schema_accepts_exactly_what_the_parser_reads(given: str, expected: str) -> None:
    # The pattern documents the REST field; it must agree with the one parser.
    readable = " " not in expected and given == given.strip()
    assert (re.fullmatch(CALL_REF, given) is not None) == readable
    if readable:
        assert AnalyzeCallIn(call_id=given).id == expected


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        (f"analyze call {CALL}", CALL),
        (f"what happened on Call {CALL}?", CALL),
        (f"summarize https://app.gong.io/call?id={CALL}&tab=x.", CALL),
        ("summarize (https://app.gong.io/call?id=abc_DEF-1)", "abc_DEF-1"),
        ("what did the call 12 say about pricing", None),
        ("call notes from Moss & Co", None),
        ("see https://example.com/page?id=", None),
        ("pricing objections this quarter", None),
    ],
)
def test_a_question_names_a_call_by_link_or_by_call_and_its_number(
    sentence: str, expected: str | None
) -> None:
    assert call_id_in(sentence) == expected
