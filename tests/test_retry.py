"""How long a server asks us to wait: seconds, milliseconds, or an HTTP date read against
the server's own Date header, so that our clock (skewed, or pinned by a test) changes
nothing."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from sophia.core.clock import FixedClock
from sophia.core.retry import retry_after_s

CLOCK = FixedClock(datetime(2026, 11, 23, 9, tzinfo=UTC))


@pytest.mark.parametrize(
    ("headers", "seconds"),
    [
        ({"retry-after": "7"}, 7.0),
        ({"retry-after": " 2.5 "}, 2.5),
        ({"retry-after-ms": "1500", "retry-after": "9"}, 1.5),  # OpenAI's finer header first
        ({"retry-after-ms": "nan", "retry-after": "9"}, 9.0),
        ({"retry-after": "-3"}, 0.0),
        # An HTTP date, against the server's Date: 90 s, whatever our clock says.
        (
            {
                "retry-after": "Wed, 21 Oct 2015 07:29:30 GMT",
                "date": "Wed, 21 Oct 2015 07:28:00 GMT",
            },
            90.0,
        ),
        # No Date header: against our clock.
        ({"retry-after": "Mon, 23 Nov 2026 09:01:00 GMT"}, 60.0),
    ],
)
def test_retry_after_reads_every_form(headers: dict[str, str], seconds: float) -> None:
    assert retry_after_s(headers, CLOCK) == seconds


@pytest.mark.parametrize("value", ["", "soon", "inf", "Mon, 99 Foo 2026"])
def test_an_unreadable_retry_after_asks_nothing(value: str) -> None:
    assert retry_after_s({"retry-after": value}, CLOCK) is None
