"""Due dates end at midnight in the school's time zone."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from app.domain.dates import end_of_day_utc, to_local


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
