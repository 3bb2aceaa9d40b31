"""The dashboard's student list as the teacher chose to see it (sorted by a column, one way or
the other, perhaps only one status), carried in the URL so that the review page's previous and
next walk the same list in the same order."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from .work import STATUSES

STATUS_ORDER = {s: i for i, s in enumerate(STATUSES)}
# Rows are the dashboard's ``summaries.StudentRow``; sorting by name reads only ``name`` and
# ``student_id``, so the review page can order a bare roster (``RosterRow``) without scoring.
SORTS: dict[str, Callable[[Any], Any]] = {
    "name": lambda r: (r.name.lower(), r.student_id),
    "status": lambda r: (STATUS_ORDER.get(r.status, 9), r.name.lower()),
    # a student with no grade yet (never started, not graded: a blank) comes before any score
    "score": lambda r: (r.final is not None, r.final or 0.0, r.name.lower()),
    "auto": lambda r: (r.auto_score, r.name.lower()),
    "activity": lambda r: (r.last_activity is None, r.last_activity or datetime.min),
}
NEEDS_WORK = {"status", "score", "auto", "activity"}  # sorts that read more than the roster


@dataclass(frozen=True)
class RosterRow:
    student_id: int
    name: str


@dataclass(frozen=True)
class ListView:
    """How the list is shown. A sort or direction a URL names that isn't one of these is the
    default; a status is kept as given (one no student has lists no one, and the dashboard says
    so in words)."""

    sort: str = "name"
    direction: str = "asc"
    status: str = ""  # "" = everyone

    @classmethod
    def from_args(cls, args: Mapping[str, str]) -> ListView:
        sort = args.get("sort", "name")
        direction = args.get("dir", "asc")
        status = args.get("status", "")
        return cls(
            sort if sort in SORTS else "name",
            direction if direction in ("asc", "desc") else "asc",
            status,
        )

    def query(self) -> dict[str, str]:
        """The view as URL parameters, leaving out what is the default."""
        out = {}
        if self.sort != "name":
            out["sort"] = self.sort
        if self.direction != "asc":
            out["dir"] = self.direction
        if self.status:
            out["status"] = self.status
        return out

    @property
    def is_default(self) -> bool:
        return not self.query()

    @property
    def needs_work(self) -> bool:
        """Whether ordering needs each student's work (status, scores), not the roster alone."""
        return bool(self.status) or self.sort in NEEDS_WORK

    def apply(self, rows: Sequence[Any]) -> list[Any]:
        """The rows sorted and filtered as the dashboard shows them."""
        out = sorted(rows, key=SORTS[self.sort], reverse=self.direction == "desc")
        if self.sort == "activity":  # students with no activity yet come last either way
            out = [r for r in out if r.last_activity] + [r for r in out if not r.last_activity]
        if self.status:
            out = [r for r in out if r.status == self.status]
        return out


@dataclass(frozen=True)
class Place:
    """Where a student is in the list: the review page's previous/next links. ``position`` is
    None when the list (filtered by status) leaves the student out; previous and next are then
    the nearest students of the list on either side of where they would sort."""

    prev: tuple[int, str] | None
    next: tuple[int, str] | None
    position: int | None
    total: int


def place_in(rows: Sequence[Any], view: ListView, student_id: int) -> Place | None:
    """The student's place in the list ``view`` makes of ``rows`` (None: not in the class)."""
    everyone = ListView(view.sort, view.direction).apply(rows)
    at = next((i for i, r in enumerate(everyone) if r.student_id == student_id), None)
    if at is None:
        return None
    shown = view.apply(rows)
    kept = {r.student_id for r in shown}
    before = [r for r in everyone[:at] if r.student_id in kept]
    after = [r for r in everyone[at + 1 :] if r.student_id in kept]
    ids = [r.student_id for r in shown]
    return Place(
        (before[-1].student_id, before[-1].name) if before else None,
        (after[0].student_id, after[0].name) if after else None,
        ids.index(student_id) + 1 if student_id in kept else None,
        len(shown),
    )
