"""When in "What did Budrys say on Friday / in March / last week?": a span of document dates.

The time in such a question is a filter on the quoted document's date (its dateline, see
`index.dates`), not a topic: "on Friday" is not what Budrys talked about. Relative phrases are
read against a given day (today, unless a caller passes one), and a weekday or a month means the
latest one not after it ("in March" asked in February means last year's March).

    >>> span = find_timespan("What did Budrys say last week?", today=date(2026, 3, 11))
    >>> span.phrase, span.first.isoformat(), span.last.isoformat(), span.rest
    ('last week', '2026-03-02', '2026-03-08', 'What did Budrys say?')
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, timedelta

_MONTH_NAMES = {name.casefold(): n for n, name in enumerate(calendar.month_name) if name}
_MONTH_NAMES |= {name.casefold(): n for n, name in enumerate(calendar.month_abbr) if name}
_MONTH_NAMES["sept"] = 9
_DAY_NAMES = {name.casefold(): n for n, name in enumerate(calendar.day_name)}
_MONTH = r"(?P<month>" + "|".join(sorted(_MONTH_NAMES, key=len, reverse=True)) + r")\.?"
_YEAR = r"(?P<year>(?:19|20)\d\d)"
_DAY = r"(?P<day>[0-3]?\d)(?:st|nd|rd|th)?"
_COUNT_WORDS = r"few|couple\s+of|two|three|four|five|six|seven|ten"
_UNIT = r"(?P<unit>day|week|month|year)s?"
# Longest forms first: "on March 3, 2026" before "in March".
_PHRASES = [
    ("range", r"(?:from|between)\s+(?P<a>(?:19|20)\d\d-[01]\d-[0-3]\d)\s+(?:to|and|until)\s+"
              r"(?P<b>(?:19|20)\d\d-[01]\d-[0-3]\d)"),
    ("iso", rf"(?:on\s+)?(?P<iso>{_YEAR}-(?P<mnum>[01]\d)-(?P<dnum>[0-3]\d))"),
    ("month_day", rf"on\s+{_MONTH}\s+{_DAY}(?:,?\s+{_YEAR})?"),
    ("day_month", rf"on\s+(?:the\s+)?{_DAY}\s+(?:of\s+)?{_MONTH}(?:,?\s+{_YEAR})?"),
    ("month", rf"(?:in|during)\s+{_MONTH}(?:\s+(?:of\s+)?{_YEAR})?"),
    ("year", rf"(?:in|during)\s+{_YEAR}"),
    ("recent", rf"(?:in|during|over|within)\s+the\s+(?:last|past)\s+(?:(?P<count>\d{{1,3}}|{_COUNT_WORDS})\s+)?"
               rf"{_UNIT}"),
    ("recently", r"(?P<recently>recently|lately)"),
    ("relative", rf"(?P<which>last|this|past|previous)\s+{_UNIT}"),
    ("weekday", r"(?:on\s+)?(?:(?P<last>last)\s+)?(?P<weekday>" + "|".join(_DAY_NAMES) + r")"),
    ("yesterday", r"(?P<yesterday>yesterday|today)"),
    ("since", rf"since\s+(?:{_MONTH}(?:\s+{_YEAR})?|(?P<syear>(?:19|20)\d\d))"),
]
_NUMBERS = {"few": 3, "couple of": 2, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "ten": 10}
RECENT_DAYS = 30  # "recently": the last 30 days
# A time ends the question or comes before its topic: "last week about tariffs", not "the last year
# of the war" nor "in 2025 and beyond"; a bare "Friday" or "today" follows the verb ("said today"),
# so "Joe Friday" and "USA Today" stay names.
_TOPIC_NEXT = re.compile(r"^(?:about|regarding|concerning|on)\b", re.I)
_VERB_BEFORE = re.compile(r"\b(?:say|says|said|saying|state|stated|claim|claimed|told|tell)\s*$", re.I)
_BARE = ("weekday", "yesterday", "recently")


@dataclass(frozen=True)
class Timespan:
    """Document dates from `first` to `last`, both included, and the words that asked for them."""

    first: date
    last: date
    phrase: str  # "last week", as asked
    rest: str  # the question without it: "What did Budrys say?"
    impossible: bool = False  # a day that does not exist ("on June 31"): first and last mean nothing

    def holds(self, iso: str | None) -> bool:
        """Whether a document dated `iso` (YYYY-MM-DD; None when undated) falls in the span."""
        return iso is not None and self.first.isoformat() <= iso[:10] <= self.last.isoformat()

    def describe(self) -> str:
        """'2026-03-02 to 2026-03-08', or one day."""
        first, last = self.first.isoformat(), self.last.isoformat()
        return first if first == last else f"{first} to {last}"


_COMPILED = [(kind, re.compile(rf"(?<![\w-]){body}(?![\w-]|['’]s\b)", re.I)) for kind, body in _PHRASES]


def find_timespan(question: str, today: date | None = None) -> Timespan | None:
    """The span of dates a time phrase in the question asks for, or None when it has none. A day
    that does not exist ("on February 30") gives an `impossible` span, to be said so.

    >>> find_timespan("What did Budrys say in March?", today=date(2026, 2, 1)).describe()
    '2025-03-01 to 2025-03-31'
    >>> find_timespan("What did Budrys say on Friday?", today=date(2026, 3, 11)).describe()
    '2026-03-06'
    >>> find_timespan("What did Budrys say about Friday's vote?") is None
    True
    """
    today = today or date.today()
    for kind, pattern in _COMPILED:
        for m in pattern.finditer(question):
            if not _is_time(question, m, kind):
                continue
            rest = (question[: m.start()].rstrip() + " " + question[m.end() :].lstrip()).strip()
            rest = re.sub(r"\s+([?!.,])", r"\1", rest)
            phrase = " ".join(m.group().split())
            try:
                first, last = _span(kind, m, today)
            except ValueError:
                return Timespan(today, today, phrase, rest, impossible=True)
            return Timespan(first, last, phrase, rest)
    return None


def _is_time(question: str, m: re.Match, kind: str) -> bool:
    """Whether the match is the question's time, not part of its topic or of a name."""
    tail = question[m.end() :].strip(" ?!.")
    if tail and not _TOPIC_NEXT.match(tail):
        return False
    before = question[: m.start()]
    if kind == "relative" and re.search(r"\bthe\s*$", before, re.I):
        return False  # "about the past year": a topic
    text = m.group().casefold()
    if kind in _BARE and not text.startswith(("on ", "last ")):
        return bool(_VERB_BEFORE.search(before))
    return True


def _span(kind: str, m: re.Match, today: date) -> tuple[date, date]:
    g = m.groupdict()
    if kind == "range":
        first, last = date.fromisoformat(g["a"]), date.fromisoformat(g["b"])
        if first > last:
            raise ValueError(f"{first} is after {last}")
        return first, last
    if kind == "recently":
        return today - timedelta(days=RECENT_DAYS - 1), today
    if kind == "iso":
        day = date(int(g["year"]), int(g["mnum"]), int(g["dnum"]))
        return day, day
    if kind in ("month_day", "day_month"):
        month, day_n = _MONTH_NAMES[g["month"].casefold().rstrip(".")], int(g["day"])
        if g.get("year"):
            day = date(int(g["year"]), month, day_n)
        else:  # the latest such day: "February 29" asked in 2026 is 2024's
            day = _latest(month, day_n, today)
        return day, day
    if kind == "month":
        month = _MONTH_NAMES[g["month"].casefold().rstrip(".")]
        year = int(g["year"]) if g.get("year") else today.year if month <= today.month else today.year - 1
        return date(year, month, 1), date(year, month, calendar.monthrange(year, month)[1])
    if kind == "year":
        return date(int(g["year"]), 1, 1), date(int(g["year"]), 12, 31)
    if kind == "recent":
        word = " ".join((g["count"] or "1").casefold().split())
        count = int(word) if word.isdigit() else _NUMBERS[word]
        if count < 1:
            raise ValueError("the last 0 days")
        return _back(today, g["unit"].casefold(), count), today
    if kind == "relative":
        return _relative(g["which"].casefold(), g["unit"].casefold(), today)
    if kind == "weekday":
        back = (today.weekday() - _DAY_NAMES[g["weekday"].casefold()]) % 7
        if g.get("last") and back == 0:
            back = 7
        day = today - timedelta(days=back)
        return day, day
    if kind == "yesterday":
        day = today - timedelta(days=1 if g["yesterday"].casefold() == "yesterday" else 0)
        return day, day
    # since
    if g.get("syear"):
        return date(int(g["syear"]), 1, 1), today
    month = _MONTH_NAMES[g["month"].casefold().rstrip(".")]
    year = int(g["year"]) if g.get("year") else today.year if month <= today.month else today.year - 1
    return date(year, month, 1), today


def _latest(month: int, day: int, today: date) -> date:
    """The latest `month`/`day` not after today; ValueError when no year has it (June 31)."""
    for year in range(today.year, today.year - 9, -1):
        try:
            candidate = date(year, month, day)
        except ValueError:
            continue
        if candidate <= today:
            return candidate
    raise ValueError(f"no day {day} in month {month}")


def _relative(which: str, unit: str, today: date) -> tuple[date, date]:
    """"last week" (the calendar week before this one, Monday to Sunday), "this month", "past year"
    (the 365 days up to today)."""
    if which == "past":
        return _back(today, unit, 1), today
    previous = which in ("last", "previous")
    if unit == "day":
        day = today - timedelta(days=1 if previous else 0)
        return day, day
    if unit == "week":
        monday = today - timedelta(days=today.weekday()) - timedelta(weeks=1 if previous else 0)
        return monday, monday + timedelta(days=6)
    if unit == "month":
        year, month = (today.year, today.month - 1) if previous else (today.year, today.month)
        if month == 0:
            year, month = year - 1, 12
        return date(year, month, 1), date(year, month, calendar.monthrange(year, month)[1])
    year = today.year - 1 if previous else today.year
    return date(year, 1, 1), date(year, 12, 31)


def _back(today: date, unit: str, count: int) -> date:
    """The first day of the last `count` days, weeks, months or years up to today."""
    days = {"day": 1, "week": 7, "month": 30, "year": 365}[unit] * count
    return today - timedelta(days=days - 1)
