"""Venues' weekly hours: reading them, checking them, and whether a place is open now (no Flask)."""

from __future__ import annotations

import datetime as dt
import re
from zoneinfo import ZoneInfo

import pytest

from app.content import load_content
from app.opening_hours import LOCAL_TIME, HoursError, Period, opening_status, parse_hours, parse_line

from .factories import service, write_content

LONDON = LOCAL_TIME
MON, TUE, WED, THU, FRI, SAT, SUN = range(7)


def at(year, month, day, hour, minute=0, zone=LONDON) -> dt.datetime:
    return dt.datetime(year, month, day, hour, minute, tzinfo=zone)


@pytest.mark.parametrize(("line", "periods"), [
    ("Mon-Fri 09:00-17:00", [Period(day, 540, 1020) for day in range(5)]),
    ("Tue, Thu 15:00-20:00", [Period(TUE, 900, 1200), Period(THU, 900, 1200)]),
    ("sat-mon 22:00-24:00", [Period(SAT, 1320, 1440), Period(SUN, 1320, 1440), Period(MON, 1320, 1440)]),
    ("Wednesday 9:30 - 11:30", [Period(WED, 570, 690)]),
    ("Mon, Wed-Fri   10:00-13:00", [Period(MON, 600, 780), Period(WED, 600, 780), Period(THU, 600, 780),
                                    Period(FRI, 600, 780)]),
])
def test_lines_are_read_as_weekly_periods(line, periods):
    assert parse_line(line) == periods


@pytest.mark.parametrize(("line", "message"), [
    ("Mon 9-5", "is not days and times"),
    ("Mondays 9am to 5pm", "is not days and times"),
    ("Mon 25:00-26:00", "'25:00' in 'Mon 25:00-26:00' is not a time"),
    ("Mon 09:60-10:00", "is not a time"),
    ("Xyz 09:00-10:00", "'Xyz' in 'Xyz 09:00-10:00' is not a day"),
    ("Mo 09:00-10:00", "'Mo' in 'Mo 09:00-10:00' is not a day"),
    ("Mon 10:00-09:00", "closes before it opens"),
    ("Fri 22:00-02:00", "split it"),
    ("Mon,,Tue 09:00-10:00", "empty day"),
])
def test_unreadable_lines_say_why(line, message):
    with pytest.raises(HoursError, match=re.escape(message)):
        parse_line(line)


FOODBANK = [("Hale Village", parse_hours(["Mon, Thu 12:00-15:00"])),
            ("St Anne's", parse_hours(["Tue 10:00-13:00", "Fri 16:00-18:00"]))]


def test_open_now_says_until_when_and_where():
    # Tuesday 8 December 2026, 11:30 in London.
    status = opening_status(FOODBANK, at(2026, 12, 8, 11, 30))
    assert status.open and status.venue == "St Anne's"
    assert status.until == at(2026, 12, 8, 13, 0)
    assert status.changes_at == status.until


def test_closed_now_says_when_it_next_opens_across_venues():
    # Tuesday 13:00 exactly: St Anne's has just closed; the next opening is Thursday at Hale Village.
    status = opening_status(FOODBANK, at(2026, 12, 8, 13, 0))
    assert not status.open
    assert (status.venue, status.next_opening) == ("Hale Village", at(2026, 12, 10, 12, 0))
    # Saturday: the next opening is Monday.
    assert opening_status(FOODBANK, at(2026, 12, 12, 9, 0)).next_opening == at(2026, 12, 14, 12, 0)
    # Before opening on the same day.
    assert opening_status(FOODBANK, at(2026, 12, 7, 8, 0)).next_opening == at(2026, 12, 7, 12, 0)


def test_periods_that_meet_count_as_one_opening_even_past_midnight():
    late = [("Club", parse_hours(["Fri 18:00-24:00", "Sat 00:00-02:00",
                                  "Mon 09:00-13:00", "Mon 13:00-17:00"]))]
    assert opening_status(late, at(2026, 12, 11, 23, 0)).until == at(2026, 12, 12, 2, 0)
    assert opening_status(late, at(2026, 12, 14, 10, 0)).until == at(2026, 12, 14, 17, 0)
    always = [("Line", parse_hours(["Mon-Sun 00:00-24:00"]))]
    status = opening_status(always, at(2026, 12, 14, 10, 0))
    assert status.open and status.until is None and status.changes_at is None


def test_times_are_london_wall_clock_whatever_zone_now_is_in():
    # 08:30 UTC on a July Tuesday is 09:30 in London (summer time): open at 09:00-17:00.
    office = [("Office", parse_hours(["Tue 09:00-17:00"]))]
    summer = opening_status(office, dt.datetime(2026, 7, 7, 8, 30, tzinfo=dt.UTC))
    assert summer.open and summer.until == at(2026, 7, 7, 17, 0)
    assert summer.until.utcoffset() == dt.timedelta(hours=1)
    # 08:30 UTC on a January Tuesday is 08:30 in London: still closed.
    winter = opening_status(office, dt.datetime(2027, 1, 5, 8, 30, tzinfo=dt.UTC))
    assert not winter.open and winter.next_opening == at(2027, 1, 5, 9, 0)
    # From New York (5 hours behind in January): 04:00 there is 09:00 in London.
    new_york = opening_status(office, dt.datetime(2027, 1, 5, 4, 0, tzinfo=ZoneInfo("America/New_York")))
    assert new_york.open


def test_the_clocks_going_forward_keep_the_wall_clock_hours():
    # Sunday 29 March 2026: the clocks go forward at 01:00 GMT. A 09:00-17:00 Sunday stays 09:00 BST.
    sunday = [("Centre", parse_hours(["Sun 09:00-17:00"]))]
    status = opening_status(sunday, dt.datetime(2026, 3, 29, 7, 30, tzinfo=dt.UTC))  # 08:30 BST
    assert not status.open and status.next_opening == at(2026, 3, 29, 9, 0)
    assert (status.next_opening - dt.datetime(2026, 3, 29, 7, 30, tzinfo=dt.UTC)) == dt.timedelta(minutes=30)


def test_no_hours_means_no_answer():
    assert opening_status([("Hall", [])], at(2026, 12, 8, 11, 0)) is None
    assert opening_status([], at(2026, 12, 8, 11, 0)) is None


def test_check_reports_bad_hours_with_path_line_and_field(tmp_path):
    root = write_content(tmp_path / "content", [service("club", venues=[
        {"name": "Hall", "address": "1 Road", "postcode": "N17 6BB",
         "hours": ["Mon-Fri 09:00-17:00", "Sat 9am-1pm", "Sun 14:00-12:00"]},
    ])])
    problems = [str(problem) for problem in load_content(root, today=dt.date(2026, 11, 22)).problems]
    path_line = re.compile(r"services/club\.md:(\d+): venues\[0\]\.hours\[(\d)\]: (.*)")
    found = {match[2]: (int(match[1]), match[3]) for match in map(path_line.search, problems) if match}
    assert set(found) == {"1", "2"}, problems
    assert "is not days and times" in found["1"][1]
    assert "closes before it opens" in found["2"][1]
    lines = (root / "services" / "club.md").read_text().splitlines()
    assert "Sat 9am-1pm" in lines[found["1"][0] - 1]


def test_good_hours_are_kept_and_published_with_the_venue(tmp_path):
    root = write_content(tmp_path / "content", [service("club", venues=[
        {"name": "Hall", "address": "1 Road", "postcode": "N17 6BB", "hours": ["Mon-Fri   09:00-17:00"],
         "schedule": "Not bank holidays"},
    ])])
    content = load_content(root, today=dt.date(2026, 11, 22))
    assert content.problems == []
    assert content.services["club"].venues[0].hours == ["Mon-Fri 09:00-17:00"]
