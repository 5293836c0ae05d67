"""Periods in plain words: "this week", "last month", "Q4", "Oct 1 – Nov 23", "since 2026-10-01".

Every period is a half-open range of local calendar days in SOPHIA_TIMEZONE, never reaching
past today: "this quarter" on Nov 23 means Oct 1 – Nov 23. A period phrase is found inside a
longer question and cut out of it, so the rest of the question is the topic.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from core.errors import BadQuery
from core.limits import EARLIEST_DAY, LATEST_DAY, day_in_range

__all__ = ["Period", "find_period", "last_days"]

_MONTHS = {
    name: number
    for number, names in enumerate(
        [
            ("jan", "january"),
            ("feb", "february"),
            ("mar", "march"),
            ("apr", "april"),
            ("may",),
            ("jun", "june"),
            ("jul", "july"),
            ("aug", "august"),
            ("sep", "sept", "september"),
            ("oct", "october"),
            ("nov", "november"),
            ("dec", "december"),
        ],
        start=1,
    )
    for name in names
}
_MONTH = (
    r"(jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|"
    r"sept?(?:ember)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?"
)
_ISO = r"(\d{4}-\d{2}-\d{2})"
_DAY = rf"{_MONTH}\s+(\d{{1,2}})(?:st|nd|rd|th)?(?:,?\s+(\d{{4}}))?"
_TO = r"\s*(?:to|and|until|till|through|thru|–|—|-)\s*"
_UNIT_DAYS = {"day": 1, "week": 7}


@dataclass(frozen=True)
class Period:
    """[start, end) in local days; `label` is how answers say it ("Oct 1 – Nov 23")."""

    start: datetime
    end: datetime
    label: str


def last_days(days: int, now: datetime, zone: ZoneInfo) -> Period:
    """The last `days` calendar days, today included."""
    today = now.astimezone(zone).date()
    return _period(today - timedelta(days=days - 1), today + timedelta(days=1), zone, today)


def find_period(text: str, now: datetime, zone: ZoneInfo) -> tuple[Period | None, str]:
    """The first period named in `text`, and `text` with that phrase removed."""
    today = now.astimezone(zone).date()
    for pattern, build in _PARSERS:
        match = pattern.search(text)
        if match is None:
            continue
        try:
            span = build(match, today)
        except (ValueError, OverflowError):  # "Q1 9999", "last 99999999 days"
            raise BadQuery(
                f"{match[0]!r} is outside the dates Sophia can search "
                f"({EARLIEST_DAY.isoformat()} to {LATEST_DAY.isoformat()})."
            ) from None
        if span is None:
            continue
        first, end = span
        end = min(end, today + timedelta(days=1))
        if first >= end:
            continue
        rest = (text[: match.start()] + " " + text[match.end() :]).strip()
        return _period(first, end, zone, today), re.sub(r"\s{2,}", " ", rest)
    return None, text


def _period(first: date, end: date, zone: ZoneInfo, today: date) -> Period:
    last = end - timedelta(days=1)
    same_year = first.year == last.year == today.year

    def day(d: date) -> str:
        text = f"{d:%b} {d.day}"
        return text if same_year else f"{text}, {d.year}"

    label = day(first) if first == last else f"{day(first)} – {day(last)}"
    return Period(
        start=datetime.combine(first, time.min, zone),
        end=datetime.combine(end, time.min, zone),
        label=label,
    )


# --- parsers: each turns a match into [first day, end day) or None ----------------------

Span = tuple[date, date] | None


def _month_start(year: int, month: int) -> date:
    return date(year + (month - 1) // 12, (month - 1) % 12 + 1, 1)


def _quarter_start(day: date) -> date:
    return date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)


def _year_before(day: date) -> date:
    # Feb 29 has no twin in the year before.
    return day.replace(year=day.year - 1, day=min(day.day, 28) if day.month == 2 else day.day)


def _iso(value: str) -> date | None:
    try:
        return _in_range(date.fromisoformat(value), value)
    except ValueError:
        return None


def _in_range(day: date, said: str) -> date:
    """`day`, if it is one Sophia can search; a question naming another is a bad query."""
    if not day_in_range(day):
        raise BadQuery(
            f"The date {said} is outside the dates Sophia can search "
            f"({EARLIEST_DAY.isoformat()} to {LATEST_DAY.isoformat()})."
        )
    return day


def _named_day(month: str, day: str, year: str | None, today: date) -> date | None:
    number = _MONTHS[month.lower().rstrip(".")]
    try:
        if year:
            return _in_range(date(int(year), number, int(day)), f"{month} {day} {year}")
        guess = date(today.year, number, int(day))
    except ValueError:
        return None
    # Without a year, "Dec 15" said in January means last December.
    return guess if guess <= today else _year_before(guess)


def _iso_range(m: re.Match[str], today: date) -> Span:
    first, last = _iso(m[1]), _iso(m[2])
    return (first, last + timedelta(days=1)) if first and last else None


def _named_range(m: re.Match[str], today: date) -> Span:
    last = _named_day(m[4], m[5], m[6], today)
    first = _named_day(m[1], m[2], m[3] or (str(last.year) if last else None), today)
    if first and last and first > last and not m[3]:
        first = _year_before(first)  # "Dec 15 – Jan 1": the December before
    return (first, last + timedelta(days=1)) if first and last else None


def _since(m: re.Match[str], today: date) -> Span:
    first = _iso(m[1]) if m[1] else _named_day(m[2], m[3], m[4], today)
    return (first, today + timedelta(days=1)) if first else None


def _single_iso(m: re.Match[str], today: date) -> Span:
    day = _iso(m[1])
    return (day, day + timedelta(days=1)) if day else None


def _relative_day(m: re.Match[str], today: date) -> Span:
    day = today if m[1].lower() == "today" else today - timedelta(days=1)
    return day, day + timedelta(days=1)


def _this_or_last(m: re.Match[str], today: date) -> Span:
    last, unit = m[1].lower() in ("last", "previous", "past"), m[2].lower()
    if unit == "week":
        start = today - timedelta(days=today.weekday())
        return (start - timedelta(weeks=1), start) if last else (start, today + timedelta(days=1))
    if unit == "month":
        start = today.replace(day=1)
        previous = _month_start(start.year, start.month - 1)
        return (previous, start) if last else (start, today + timedelta(days=1))
    if unit == "quarter":
        start = _quarter_start(today)
        previous = _month_start(start.year, start.month - 3)
        return (previous, start) if last else (start, today + timedelta(days=1))
    start = date(today.year, 1, 1)
    return (date(today.year - 1, 1, 1), start) if last else (start, today + timedelta(days=1))


def _last_n(m: re.Match[str], today: date) -> Span:
    count, unit = int(m[1]), m[2].lower().rstrip("s")
    if unit == "month":
        # Same day of month, `count` months back (clamped to the month's length).
        start = _month_start(today.year, today.month - count)
        day = min(today.day, ((_month_start(start.year, start.month + 1)) - timedelta(days=1)).day)
        return start.replace(day=day), today + timedelta(days=1)
    days = count * _UNIT_DAYS[unit]
    return today - timedelta(days=days - 1), today + timedelta(days=1)


def _quarter(m: re.Match[str], today: date) -> Span:
    number = int(m[1])
    year = int(m[2]) if m[2] else today.year
    start = date(year, 3 * (number - 1) + 1, 1)
    if not m[2] and start > today:
        start = start.replace(year=year - 1)  # "Q4" in February: the Q4 that just ended
    return start, _month_start(start.year, start.month + 3)


def _month(m: re.Match[str], today: date) -> Span:
    number = _MONTHS[m[1].lower().rstrip(".")]
    year = int(m[2]) if m[2] else today.year
    start = date(year, number, 1)
    if not m[2] and start > today:
        start = start.replace(year=year - 1)
    return start, _month_start(start.year, start.month + 1)


def _year(m: re.Match[str], today: date) -> Span:
    year = int(m[1])
    return date(year, 1, 1), date(year + 1, 1, 1)


_PARSERS: list[tuple[re.Pattern[str], Callable[[re.Match[str], date], Span]]] = [
    (re.compile(rf"(?:\b(?:from|between)\s+)?{_ISO}{_TO}{_ISO}", re.I), _iso_range),
    (re.compile(rf"(?:\b(?:from|between)\s+)?\b{_DAY}{_TO}{_DAY}", re.I), _named_range),
    (re.compile(rf"\bsince\s+(?:{_ISO}|{_DAY})", re.I), _since),
    (re.compile(rf"\b(?:on\s+)?{_ISO}", re.I), _single_iso),
    (re.compile(r"\b(today|yesterday)\b", re.I), _relative_day),
    (re.compile(r"\b(this|last|previous|past)\s+(week|month|quarter|year)\b", re.I), _this_or_last),
    (
        re.compile(
            r"\b(?:in\s+)?(?:the\s+)?(?:last|past)\s+(\d{1,3})\s+(days?|weeks?|months?)\b", re.I
        ),
        _last_n,
    ),
    (re.compile(r"\b(?:in\s+)?q([1-4])(?:\s+(\d{4}))?\b", re.I), _quarter),
    (re.compile(rf"\b(?:in|during|for|from)\s+{_MONTH}(?:\s+(\d{{4}}))?\b", re.I), _month),
    (re.compile(rf"\b{_MONTH}\s+(\d{{4}})\b", re.I), _month),
    (re.compile(r"\b(?:in|during)\s+(20\d\d)\b", re.I), _year),
]
