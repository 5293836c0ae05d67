"""Periods in plain words, across month, quarter and year boundaries and time zones."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from sophia.core.insights.periods import find_period, last_days, read_period

UTC_ZONE = ZoneInfo("UTC")


def days(text: str, now: datetime, zone: ZoneInfo = UTC_ZONE) -> tuple[date, date, str, str]:
    """First and last local day of the period found in `text`, its label, and the rest."""
    period, rest = find_period(text, now, zone)
    assert period is not None, f"no period in {text!r}"
    first = period.start.astimezone(zone).date()
    last = (period.end - timedelta(days=1)).astimezone(zone).date()
    return first, last, period.label, rest


NOV_23 = datetime(2026, 11, 23, 15, tzinfo=UTC)  # a Monday
JAN_2 = datetime(2027, 1, 2, 12, tzinfo=UTC)  # a Saturday, just after a year ends


@pytest.mark.parametrize(
    ("text", "now", "first", "last"),
    [
        ("this week", NOV_23, date(2026, 11, 23), date(2026, 11, 23)),
        ("last week", NOV_23, date(2026, 11, 16), date(2026, 11, 22)),
        ("this month", NOV_23, date(2026, 11, 1), date(2026, 11, 23)),
        ("last month", NOV_23, date(2026, 10, 1), date(2026, 10, 31)),
        ("this quarter", NOV_23, date(2026, 10, 1), date(2026, 11, 23)),
        ("last quarter", NOV_23, date(2026, 7, 1), date(2026, 9, 30)),
        ("Q4", NOV_23, date(2026, 10, 1), date(2026, 11, 23)),
        ("Q1", NOV_23, date(2026, 1, 1), date(2026, 3, 31)),
        ("this year", NOV_23, date(2026, 1, 1), date(2026, 11, 23)),
        # Across the year boundary.
        ("last month", JAN_2, date(2026, 12, 1), date(2026, 12, 31)),
        ("last quarter", JAN_2, date(2026, 10, 1), date(2026, 12, 31)),
        ("Q4", JAN_2, date(2026, 10, 1), date(2026, 12, 31)),
        ("this quarter", JAN_2, date(2027, 1, 1), date(2027, 1, 2)),
        ("last week", JAN_2, date(2026, 12, 21), date(2026, 12, 27)),
        ("this week", JAN_2, date(2026, 12, 28), date(2027, 1, 2)),
        ("last year", JAN_2, date(2026, 1, 1), date(2026, 12, 31)),
        ("in December", JAN_2, date(2026, 12, 1), date(2026, 12, 31)),
        ("Q4 2025", JAN_2, date(2025, 10, 1), date(2025, 12, 31)),
        ("yesterday", JAN_2, date(2027, 1, 1), date(2027, 1, 1)),
        # Month lengths and leap years.
        ("last month", datetime(2028, 3, 31, tzinfo=UTC), date(2028, 2, 1), date(2028, 2, 29)),
        ("last 3 months", datetime(2026, 5, 31, tzinfo=UTC), date(2026, 2, 28), date(2026, 5, 31)),
        ("past 7 days", NOV_23, date(2026, 11, 17), date(2026, 11, 23)),
        ("last 2 weeks", NOV_23, date(2026, 11, 10), date(2026, 11, 23)),
        # Explicit dates.
        ("from 2026-10-01 to 2026-11-01", NOV_23, date(2026, 10, 1), date(2026, 11, 1)),
        ("Oct 1 – Nov 23", NOV_23, date(2026, 10, 1), date(2026, 11, 23)),
        ("between Dec 15 and Jan 1", JAN_2, date(2026, 12, 15), date(2027, 1, 1)),
        ("since Oct 1", NOV_23, date(2026, 10, 1), date(2026, 11, 23)),
        ("since 2026-11-20", NOV_23, date(2026, 11, 20), date(2026, 11, 23)),
        ("on 2026-11-18", NOV_23, date(2026, 11, 18), date(2026, 11, 18)),
    ],
)
def test_periods(text: str, now: datetime, first: date, last: date) -> None:
    assert days(text, now)[:2] == (first, last)


def test_the_period_is_cut_out_of_the_question() -> None:
    _, _, label, rest = days("what pricing objections came up this quarter with Moss & Co?", NOV_23)
    assert label == "Oct 1 – Nov 23"
    assert rest == "what pricing objections came up with Moss & Co?"


def test_labels_name_the_year_when_it_is_not_this_one() -> None:
    assert days("last quarter", JAN_2)[2] == "Oct 1, 2026 – Dec 31, 2026"
    assert days("yesterday", JAN_2)[2] == "Jan 1"


def test_local_time_decides_which_day_it_is() -> None:
    # 23:30 UTC on Dec 31 is already Jan 1 in Tokyo, still Dec 31 in Los Angeles.
    now = datetime(2026, 12, 31, 23, 30, tzinfo=UTC)
    assert days("this month", now, ZoneInfo("Asia/Tokyo"))[:2] == (
        date(2027, 1, 1),
        date(2027, 1, 1),
    )
    assert days("this month", now, ZoneInfo("America/Los_Angeles"))[:2] == (
        date(2026, 12, 1),
        date(2026, 12, 31),
    )
    period, _ = find_period("today", now, ZoneInfo("Asia/Tokyo"))
    assert period is not None and period.start == datetime(
        2027, 1, 1, tzinfo=ZoneInfo("Asia/Tokyo")
    )


def test_no_period_leaves_the_text_alone() -> None:
    assert find_period("pricing objections with Moss & Co", NOV_23, UTC_ZONE) == (
        None,
        "pricing objections with Moss & Co",
    )
    # "may" is a verb here, not the month.
    assert find_period("may I see the pricing objections", NOV_23, UTC_ZONE)[0] is None


def test_a_period_that_has_begun_is_cut_at_today() -> None:
    assert days("this year", NOV_23)[1] == date(2026, 11, 23)
    period, _ = find_period("this year", NOV_23, UTC_ZONE)
    assert period is not None and not period.ahead


@pytest.mark.parametrize(
    ("text", "first", "last", "label"),
    [
        ("in 2031", date(2031, 1, 1), date(2031, 12, 31), "Jan 1, 2031 – Dec 31, 2031"),
        ("next quarter", date(2027, 1, 1), date(2027, 3, 31), "Jan 1, 2027 – Mar 31, 2027"),
        ("next week", date(2026, 11, 30), date(2026, 12, 6), "Nov 30 – Dec 6"),
        ("next month", date(2026, 12, 1), date(2026, 12, 31), "Dec 1 – Dec 31"),
        ("next year", date(2027, 1, 1), date(2027, 12, 31), "Jan 1, 2027 – Dec 31, 2027"),
        ("tomorrow", date(2026, 11, 24), date(2026, 11, 24), "Nov 24"),
        ("since 2027-06-01", date(2027, 6, 1), date(2027, 6, 1), "Jun 1, 2027"),
        ("Q2 2030", date(2030, 4, 1), date(2030, 6, 30), "Apr 1, 2030 – Jun 30, 2030"),
    ],
)
def test_a_period_still_ahead_is_kept_as_said_not_dropped(
    text: str, first: date, last: date, label: str
) -> None:
    """ "next quarter" holds no calls: the answer must say so, not answer from all calls."""
    period, rest = find_period(f"pricing objections {text}", NOV_23, UTC_ZONE)
    assert period is not None and period.ahead and rest == "pricing objections"
    assert days(text, NOV_23)[:3] == (first, last, label)
    assert period.phrase == text and period.said.endswith(f"{text} ({label})")


@pytest.mark.parametrize("text", ["in 2019", "since 2020-01-01", "Q1 2025"])
def test_far_past_periods_are_read(text: str) -> None:
    period, _ = find_period(text, NOV_23, UTC_ZONE)
    assert period is not None and not period.ahead


@pytest.mark.parametrize(
    ("text", "unreadable"),
    [
        ("calls on 2026-13-45", "on 2026-13-45"),
        ("since 2026-02-30", "since 2026-02-30"),
        ("since 9999-12-31", "since 9999-12-31"),  # the calendar's last day: never a crash
        ("from 2026-11-01 to 2026-10-01", "from 2026-11-01 to 2026-10-01"),
    ],
)
def test_a_date_that_cannot_be_read_is_reported_not_ignored(text: str, unreadable: str) -> None:
    reading = read_period(text, NOV_23, UTC_ZONE)
    assert reading.period is None and reading.unreadable == unreadable


def test_last_days_includes_today() -> None:
    period = last_days(7, NOV_23, UTC_ZONE)
    assert period.start.date() == date(2026, 11, 17) and period.label == "Nov 17 – Nov 23"
