"""Opening hours in the reader's words: "Open now, until 15:00", and a venue's week.

The answer is worked out on every request by :func:`app.opening_hours.opening_status`;
:func:`cache_seconds` says how long a page showing it may be kept.
"""

from __future__ import annotations

import datetime as dt

from babel.dates import format_date, format_time
from flask_babel import get_locale
from flask_babel import gettext as _

from ..opening_hours import LOCAL_TIME, OpeningStatus, Period


def now() -> dt.datetime:
    return dt.datetime.now(LOCAL_TIME)


def _time(value: dt.time) -> str:
    return format_time(value, "short", locale=get_locale())


def _minutes_text(minutes: int) -> str:
    return _time(dt.time(0) if minutes >= 1440 else dt.time(minutes // 60, minutes % 60))


def _day_name(weekday: int) -> str:
    # 2024-01-01 was a Monday.
    return format_date(dt.date(2024, 1, 1 + weekday), "EEEE", locale=get_locale())


def _midnight_after(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day + dt.timedelta(days=1), dt.time(0), tzinfo=LOCAL_TIME)


def status_text(status: OpeningStatus, today: dt.date) -> str:
    """One sentence: open until when, or when it next opens."""
    if status.open and status.until is None:
        return _("Open now: open all day, every day")
    if status.open and status.until.date() != today and status.until != _midnight_after(today):
        return _("Open now, until %(time)s on %(day)s",
                 time=_time(status.until.time()), day=_day_name(status.until.weekday()))
    if status.open:
        return _("Open now, until %(time)s", time=_time(status.until.time()))
    if status.next_opening is None:
        return _("Closed now")
    when = status.next_opening
    if when.date() == today:
        return _("Closed now. Opens today at %(time)s", time=_time(when.time()))
    if when.date() == today + dt.timedelta(days=1):
        return _("Closed now. Opens tomorrow at %(time)s", time=_time(when.time()))
    return _("Closed now. Opens on %(day)s at %(time)s",
             day=_day_name(when.weekday()), time=_time(when.time()))


def weekly_hours(periods: list[Period]) -> list[tuple[str, str]]:
    """(days, times) for the days a venue opens, Monday first, days in a row with the same times
    together: [("Monday–Friday", "09:00–17:00"), ("Saturday", "10:00–13:00, 16:00–18:00")]."""
    runs: list[list] = []  # [first day, last day, times]
    for weekday in range(7):
        times = ", ".join(f"{_minutes_text(period.opens)}\u2013{_minutes_text(period.closes)}"
                          for period in periods if period.day == weekday)
        if times and runs and runs[-1][1] == weekday - 1 and runs[-1][2] == times:
            runs[-1][1] = weekday
        elif times:
            runs.append([weekday, weekday, times])
    return [(_day_name(first) if first == last else f"{_day_name(first)}\u2013{_day_name(last)}", times)
            for first, last, times in runs]


def cache_seconds(status: OpeningStatus | None, at: dt.datetime, longest: int) -> int:
    """How long a page showing ``status`` may be cached: ``longest``, or less if the answer changes sooner."""
    if status is None or status.changes_at is None:
        return longest
    return max(0, min(longest, int((status.changes_at - at).total_seconds())))
