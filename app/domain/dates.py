"""Dates a person types or reads: due dates (a teacher picks a day; it ends at midnight in the
school's time zone) and purge dates. Stored as naive UTC, like every other time in the
database."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo


def end_of_day_utc(day: date, zone: str) -> datetime:
    """The last moment of ``day`` in ``zone``, as naive UTC."""
    local = datetime.combine(day, time(23, 59, 59), tzinfo=ZoneInfo(zone))
    return local.astimezone(UTC).replace(tzinfo=None)


def to_local(moment: datetime, zone: str) -> datetime:
    """A stored naive-UTC time in the school's zone (naive again, for display)."""
    return moment.replace(tzinfo=UTC).astimezone(ZoneInfo(zone)).replace(tzinfo=None)


def school_time(moment: datetime | None, zone: str, *, day_only: bool = False) -> str:
    """The one way a person reads a stored time: in the school's zone, with the zone's name.

    ``7 Dec 2026, 14:05 GMT`` (the zone's abbreviation, or its offset such as ``+0530`` where
    the zone has no letters for it); ``day_only`` gives the day alone, ``7 Dec 2026``. A stored
    time is naive UTC; an aware one is converted. None is ``""``.
    """
    if moment is None:
        return ""
    aware = moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
    local = aware.astimezone(ZoneInfo(zone))
    day = f"{local.day} {local:%b %Y}"
    if day_only:
        return day
    name = local.tzname() or ""
    if not name or name[0] in "+-":  # a zone with no letters: tzdata names it "+04", "+0530"
        offset = local.strftime("%z")  # "+0400"
        name = f"UTC{offset[:3]}" + (f":{offset[3:]}" if offset[3:] != "00" else "")
    return f"{day}, {local:%H:%M} {name}"


DATE_EXAMPLE = "2026-07-31"


class BadDate(ValueError):
    """A purge date that can't be used; the message says what to type instead."""


def parse_day(text: str) -> date:
    """``YYYY-MM-DD`` (ISO 8601), nothing else: 07/08/2026 means different days to different
    people, and a purge is no place to guess."""
    text = text.strip()
    try:
        if len(text) != 10:
            raise ValueError(text)
        return date.fromisoformat(text)
    except ValueError:
        raise BadDate(
            f"\u201c{text}\u201d is not a date. Use a date like {DATE_EXAMPLE} (year-month-day)."
        ) from None


def start_of_day_utc(day: date, zone: str) -> datetime:
    """Midnight at the start of ``day`` in the school's time zone, as naive UTC (how times are
    stored)."""
    return (
        datetime.combine(day, time(0, 0), tzinfo=ZoneInfo(zone))
        .astimezone(UTC)
        .replace(tzinfo=None)
    )


def check_cutoff(day: date, today: date) -> None:
    """A purge date must not be in the future: "before 2027-01-01" typed in 2026 would take
    classes archived this morning, whose teachers may still want them back."""
    if day > today:
        raise BadDate(
            f"{day.isoformat()} is in the future. Use a date up to today "
            f"({today.isoformat()}), like {DATE_EXAMPLE}."
        )


def today_in(zone: str, now: datetime | None = None) -> date:
    moment = now or datetime.now(UTC)
    return moment.astimezone(ZoneInfo(zone)).date()


# "about 2022-11-15", "approx. 2022-11-15", "c. 2022-11-15" or "~2022-11-15": an inferred date
_APPROXIMATE = re.compile(
    r"(?:about|approx(?:imately|\.)?|circa|c\.|~)\s*(\d{4}-\d{2}-\d{2})", re.IGNORECASE
)


@dataclass(frozen=True)
class PublishedDate:
    """A lesson's publication date as its data gives it: a day when it is one (year-month-day),
    said to be approximate when the data says so; any other text is shown as written."""

    text: str
    day: date | None
    approximate: bool = False


def published_date(text: str) -> PublishedDate:
    text = text.strip()
    inferred = _APPROXIMATE.fullmatch(text)
    written = inferred.group(1) if inferred else text
    try:
        day = date.fromisoformat(written) if len(written) == 10 else None
    except ValueError:
        day = None
    return PublishedDate(text, day, approximate=day is not None and inferred is not None)
