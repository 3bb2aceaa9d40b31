"""Due dates end at midnight in the school's time zone."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from app.domain.dates import end_of_day_utc, school_time, to_local


@pytest.mark.parametrize(
    ("zone", "utc"),
    [
        ("UTC", datetime(2026, 11, 24, 23, 59, 59)),
        ("America/New_York", datetime(2026, 11, 25, 4, 59, 59)),  # EST, UTC-5
        ("Europe/Berlin", datetime(2026, 11, 24, 22, 59, 59)),  # CET, UTC+1
    ],
)
def test_a_due_day_ends_at_local_midnight(zone, utc):
    assert end_of_day_utc(date(2026, 11, 24), zone) == utc


def test_an_evening_submission_in_new_york_is_on_time():
    due = end_of_day_utc(date(2026, 11, 24), "America/New_York")
    evening = datetime(2026, 11, 25, 2, 30)  # 21:30 in New York, stored as UTC
    assert evening <= due
    assert to_local(due, "America/New_York").date() == date(2026, 11, 24)


@pytest.mark.parametrize(
    ("zone", "written"),
    [
        ("UTC", "7 Dec 2026, 14:05 UTC"),
        ("Europe/London", "7 Dec 2026, 14:05 GMT"),
        ("America/New_York", "7 Dec 2026, 09:05 EST"),
        ("Australia/Adelaide", "8 Dec 2026, 00:35 ACDT"),  # the next day there
        ("Asia/Dubai", "7 Dec 2026, 18:05 UTC+04"),  # a zone with no letters for its name
        ("Asia/Kathmandu", "7 Dec 2026, 19:50 UTC+05:45"),
    ],
)
def test_a_stored_time_is_read_in_the_schools_zone_with_its_name(zone, written):
    assert school_time(datetime(2026, 12, 7, 14, 5), zone) == written


def test_summer_time_has_its_own_name_and_a_day_can_be_given_alone():
    assert school_time(datetime(2026, 7, 7, 14, 5), "America/New_York") == "7 Jul 2026, 10:05 EDT"
    assert school_time(datetime(2026, 12, 8, 2, 0), "America/New_York", day_only=True) == (
        "7 Dec 2026"
    )
    assert school_time(None, "America/New_York") == ""
