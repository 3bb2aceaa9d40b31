"""Due dates: a teacher picks a day; it ends at midnight in the school's time zone. Stored
as naive UTC, like every other time in the database."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo


def end_of_day_utc(day: date, zone: str) -> datetime:
    """The last moment of ``day`` in ``zone``, as naive UTC."""
    local = datetime.combine(day, time(23, 59, 59), tzinfo=ZoneInfo(zone))
    return local.astimezone(UTC).replace(tzinfo=None)


def to_local(moment: datetime, zone: str) -> datetime:
    """A stored naive-UTC time in the school's zone (naive again, for display)."""
    return moment.replace(tzinfo=UTC).astimezone(ZoneInfo(zone)).replace(tzinfo=None)
