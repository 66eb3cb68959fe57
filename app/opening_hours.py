"""Venues' weekly opening hours: reading them from entries and saying whether a place is open now.

A venue's ``hours`` is a list of lines such as ``Mon-Fri 09:00-17:00`` or
``Tue, Thu 15:00-20:00``: the days (names, ranges, or a comma-separated mix),
then the times it opens and closes, on the 24-hour clock (``24:00`` is
midnight at the end of the day; a period may not run past midnight). The
free-text ``schedule`` beside it keeps what a weekly pattern cannot say (term
time, bank holidays, the first Saturday of the month).

Times are wall-clock times in the council's time zone (Europe/London), so a
period keeps its hours across the change to and from summer time. No Flask
here: the service page calls :func:`opening_status` on every request, because
its answer changes with the clock (see :attr:`OpeningStatus.changes_at`).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from zoneinfo import ZoneInfo

LOCAL_TIME = ZoneInfo("Europe/London")
ALWAYS = dt.datetime.max.replace(tzinfo=LOCAL_TIME)  # "closes" of a place that never closes
DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")  # index = date.weekday()
EXAMPLE = "Mon-Fri 09:00-17:00"

_LINE = re.compile(r"^(?P<days>[A-Za-z][A-Za-z ,\-]*?)\s+"
                   r"(?P<opens>\d{1,2}:\d{2})\s*-\s*(?P<closes>\d{1,2}:\d{2})$")
_TIME = re.compile(r"^(\d{1,2}):(\d{2})$")


class HoursError(ValueError):
    """A line of ``hours`` that cannot be read; the message says why, in an editor's words."""


@dataclass(frozen=True)
class Period:
    """Open on ``day`` (0 = Monday) from ``opens`` to ``closes``, in minutes after midnight."""

    day: int
    opens: int
    closes: int


def _minutes(text: str, line: str) -> int:
    match = _TIME.match(text)
    hours, minutes = int(match[1]), int(match[2])
    if minutes > 59 or hours > 24 or (hours == 24 and minutes):
        raise HoursError(f"'{text}' in '{line}' is not a time; use 24-hour times such as 09:30 or 17:00")
    return hours * 60 + minutes


def _day(name: str, line: str) -> int:
    key = name.strip().lower()[:3]
    if len(name.strip()) < 3 or key not in DAYS:
        raise HoursError(f"'{name.strip()}' in '{line}' is not a day; "
                         "use Mon, Tue, Wed, Thu, Fri, Sat or Sun")
    return DAYS.index(key)


def parse_line(line: str) -> list[Period]:
    """The periods one line of ``hours`` gives (one per day it names); :class:`HoursError` if unreadable."""
    text = " ".join(str(line).split())
    match = _LINE.match(text)
    if not match:
        raise HoursError(f"'{text}' is not days and times; "
                         f"write it like '{EXAMPLE}' or 'Tue, Thu 15:00-20:00'")
    opens, closes = _minutes(match["opens"], text), _minutes(match["closes"], text)
    if closes <= opens:
        raise HoursError(f"'{text}' closes before it opens; a period cannot run past midnight "
                         f"(split it: 'Fri 22:00-24:00' and 'Sat 00:00-02:00')")
    days: list[int] = []
    for part in match["days"].split(","):
        if not part.strip():
            raise HoursError(f"'{text}' has an empty day between commas")
        first, _dash, last = part.partition("-")
        start = _day(first, text)
        end = _day(last, text) if _dash else start
        span = (end - start) % 7 + 1  # Sat-Mon wraps round the week
        days += [(start + offset) % 7 for offset in range(span) if (start + offset) % 7 not in days]
    return [Period(day, opens, closes) for day in days]


def parse_hours(lines: list[str]) -> list[Period]:
    """Every period of a venue's ``hours``, sorted by day and time."""
    periods = [period for line in lines for period in parse_line(line)]
    return sorted(periods, key=lambda period: (period.day, period.opens))


@dataclass(frozen=True)
class OpeningStatus:
    """What a family needs to know now: open (until when, where) or when it next opens."""

    open: bool
    venue: str                   # the venue open now, or the one opening next
    until: dt.datetime | None    # when it is open: the time it closes (None: open all day, every day)
    next_opening: dt.datetime | None  # when it is closed: the next time it opens (None: never)
    changes_at: dt.datetime | None    # when this answer stops being true (for caching)


def _at(day: dt.date, minutes: int) -> dt.datetime:
    """Wall-clock ``minutes`` after midnight of ``day`` in London (1440 is the next midnight)."""
    if minutes >= 1440:
        return dt.datetime.combine(day + dt.timedelta(days=1), dt.time(0), tzinfo=LOCAL_TIME)
    return dt.datetime.combine(day, dt.time(minutes // 60, minutes % 60), tzinfo=LOCAL_TIME)


def opening_status(venues: list[tuple[str, list[Period]]], now: dt.datetime) -> OpeningStatus | None:
    """Whether any of ``venues`` (name, periods) is open at ``now``; None when none has hours.

    ``now`` may be in any time zone; the periods are read as Europe/London wall-clock times.
    Periods of one venue that meet (09:00-13:00, 13:00-17:00) count as one opening.
    """
    if not any(periods for _name, periods in venues):
        return None
    local = now.astimezone(LOCAL_TIME)
    minute = local.hour * 60 + local.minute
    best_open: tuple[dt.datetime, str] | None = None
    best_next: tuple[dt.datetime, str] | None = None
    for name, periods in venues:
        closes = _open_until(periods, local.date(), minute)
        if closes and (best_open is None or closes > best_open[0]):
            best_open = (closes, name)
        upcoming = _next_opening(periods, local, minute)
        if upcoming and (best_next is None or upcoming < best_next[0]):
            best_next = (upcoming, name)
    if best_open:
        closes = None if best_open[0] == ALWAYS else best_open[0]
        return OpeningStatus(True, best_open[1], closes, None, closes)
    when, name = best_next if best_next else (None, "")
    return OpeningStatus(False, name, None, when, when)


def _open_until(periods: list[Period], day: dt.date, minute: int) -> dt.datetime | None:
    """When the venue closes if it is open at ``minute`` of ``day``, following periods that meet."""
    current = next((p for p in periods if p.day == day.weekday() and p.opens <= minute < p.closes), None)
    if current is None:
        return None
    closes = current.closes
    for _ in range(15):  # follow on through periods that start as this one ends, past midnight too
        if closes >= 1440:
            day, closes = day + dt.timedelta(days=1), 0
        weekday = day.weekday()
        following = next((p for p in periods if p.day == weekday and p.opens <= closes < p.closes), None)
        if following is None:
            return _at(day, closes)
        closes = following.closes
    return ALWAYS  # a week and more without closing


def _next_opening(periods: list[Period], local: dt.datetime, minute: int) -> dt.datetime | None:
    for offset in range(8):
        day = local.date() + dt.timedelta(days=offset)
        starts = sorted(p.opens for p in periods if p.day == day.weekday() and (offset or p.opens > minute))
        if starts:
            return _at(day, starts[0])
    return None
