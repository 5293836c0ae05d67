"""Periods in plain words: "this week", "last month", "Q4", "Oct 1 – Nov 23", "since 2026-10-01".

Every period is a half-open range of local calendar days in SOPHIA_TIMEZONE. One that has
begun ends today at the latest: "this quarter" on Nov 23 means Oct 1 – Nov 23. One that has
not begun ("next quarter", "in 2031") is kept as it was said and marked `ahead`: it holds no
calls, and the answer says so instead of dropping the period. A period phrase is found inside
a longer question and cut out of it, so the rest of the question is the topic; a date that
cannot be read ("2026-13-45") is reported, never silently ignored.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

__all__ = ["Period", "PeriodReading", "find_period", "last_days", "read_period"]

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
# Period phrases that already read as "when" after a verb ("no calls last week").
_SAYS_WHEN = re.compile(
    r"(?:in|on|during|since|from|between|this|last|next|past|the|coming|yesterday|today|"
    r"tomorrow)\b",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Period:
    """[start, end) in local days; `label` is how answers say it ("Oct 1 – Nov 23").

    `phrase` is what the user wrote ("next quarter"), `ahead` is true when it starts after
    today (so it holds no calls yet).
    """

    start: datetime
    end: datetime
    label: str
    phrase: str = ""
    ahead: bool = False

    @property
    def said(self) -> str:
        """The period as the user said it, with its dates, to follow a verb: "last week
        (Nov 16 – Nov 22)", "in Q4 (Oct 1 – Nov 23)", "in Oct 1 – Nov 23"."""
        phrase = self.phrase.strip()
        if not phrase or phrase.casefold() == self.label.casefold():
            return f"in {self.label}"
        lead = "" if _SAYS_WHEN.match(phrase) else "in "
        return f"{lead}{phrase} ({self.label})"


@dataclass(frozen=True)
class PeriodReading:
    """A period found in a text, the text without it, and a date phrase that could not be
    read (the user named a period, but not one that exists)."""

    period: Period | None
    rest: str
    unreadable: str | None = None


def last_days(days: int, now: datetime, zone: ZoneInfo) -> Period:
    """The last `days` calendar days, today included."""
    today = now.astimezone(zone).date()
    return _period(today - timedelta(days=days - 1), today + timedelta(days=1), zone, today)


def find_period(text: str, now: datetime, zone: ZoneInfo) -> tuple[Period | None, str]:
    """The first period named in `text`, and `text` with that phrase removed."""
    reading = read_period(text, now, zone)
    return reading.period, reading.rest


def read_period(text: str, now: datetime, zone: ZoneInfo) -> PeriodReading:
    """The first period named in `text`, the rest of the text, and any unreadable date."""
    today = now.astimezone(zone).date()
    unreadable = None
    spoiled: list[tuple[int, int]] = []  # unreadable phrases: no part of them is a period
    for pattern, build in _PARSERS:
        for match in pattern.finditer(text):
            if any(match.start() < end and start < match.end() for start, end in spoiled):
                continue
            try:
                span = _dated(build(match, today), today)
                period = _period(*span, zone, today) if span else None
            except (OverflowError, ValueError):  # past the calendar's end (year 9999)
                period = None
            if period is None:
                unreadable = unreadable or match[0].strip()
                spoiled.append(match.span())
                continue
            rest = text[: match.start()] + " " + text[match.end() :]
            return PeriodReading(
                replace(period, phrase=match[0].strip()),
                re.sub(r"\s{2,}", " ", rest.strip()),
                unreadable,
            )
    if unreadable is None and (iso := _ISO_LIKE.search(text)):
        unreadable = iso[0]
    return PeriodReading(None, text, unreadable)


def _dated(span: Span, today: date) -> Span:
    """The span cut at today when it has begun; kept whole (at least a day) when it has not."""
    if span is None:
        return None
    first, end = span
    tomorrow = today + timedelta(days=1)
    if first >= tomorrow:  # "since" a day still to come is that day
        return first, max(end, first + timedelta(days=1))
    end = min(end, tomorrow)
    return (first, end) if first < end else None


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
        ahead=first > today,
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
        return date.fromisoformat(value)
    except ValueError:
        return None


def _named_day(month: str, day: str, year: str | None, today: date) -> date | None:
    number = _MONTHS[month.lower().rstrip(".")]
    try:
        if year:
            return date(int(year), number, int(day))
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


def _next(m: re.Match[str], today: date) -> Span:
    unit = m[1].lower()
    if unit == "week":
        start = today - timedelta(days=today.weekday()) + timedelta(weeks=1)
        return start, start + timedelta(weeks=1)
    if unit == "month":
        start = _month_start(today.year, today.month + 1)
        return start, _month_start(start.year, start.month + 1)
    if unit == "quarter":
        start = _month_start(_quarter_start(today).year, _quarter_start(today).month + 3)
        return start, _month_start(start.year, start.month + 3)
    return date(today.year + 1, 1, 1), date(today.year + 2, 1, 1)


def _tomorrow(m: re.Match[str], today: date) -> Span:
    return today + timedelta(days=1), today + timedelta(days=2)


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
    (re.compile(r"\btomorrow\b", re.I), _tomorrow),
    (
        re.compile(r"\b(?:in\s+)?(?:the\s+)?(?:next|coming)\s+(week|month|quarter|year)\b", re.I),
        _next,
    ),
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
    (re.compile(r"\b(?:in|during)\s+((?:19|20)\d\d)\b", re.I), _year),
]
# A date-shaped word no parser could read ("2026-13-45"): the user meant a day.
_ISO_LIKE = re.compile(r"\b\d{4}-\d{1,2}-\d{1,2}\b")
