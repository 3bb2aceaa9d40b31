"""The dashboard's student list as the teacher chose to see it, and a student's place in it:
what the review page's previous and next follow."""

from __future__ import annotations

from datetime import datetime

import pytest

from app.domain.class_list import ListView, RosterRow, place_in
from app.domain.summaries import StudentRow


def row(student_id: int, name: str, status: str, final: float, active: int | None) -> StudentRow:
    return StudentRow(
        student_id=student_id,
        name=name,
        username=name.lower(),
        status=status,
        counts={},
        auto_score=final,
        final_grade=None,
        final=final,
        possible=10,
        last_activity=datetime(2026, 12, active) if active else None,
    )


CLASS = [
    row(1, "Ada", "submitted", 6, 1),
    row(2, "Ben", "not started", 0, None),
    row(3, "Cy", "in progress", 4, 5),
    row(4, "Dee", "late", 1, 4),
    row(5, "Eve", "submitted", 9, 2),
]


def names(rows) -> list[str]:
    return [r.name for r in rows]


@pytest.mark.parametrize(
    ("args", "order"),
    [
        ({}, ["Ada", "Ben", "Cy", "Dee", "Eve"]),
        ({"sort": "score", "dir": "desc"}, ["Eve", "Ada", "Cy", "Dee", "Ben"]),
        ({"sort": "status"}, ["Ben", "Cy", "Ada", "Eve", "Dee"]),
        ({"sort": "activity", "dir": "desc"}, ["Cy", "Dee", "Eve", "Ada", "Ben"]),
        ({"status": "submitted", "sort": "score"}, ["Ada", "Eve"]),
        (
            {"sort": "nonsense", "dir": "sideways"},
            ["Ada", "Ben", "Cy", "Dee", "Eve"],
        ),
        ({"status": "lost"}, []),  # a status no student has: no one (the page says so)
    ],
)
def test_the_list_is_sorted_and_filtered_as_the_dashboard_shows_it(args, order):
    assert names(ListView.from_args(args).apply(CLASS)) == order


def test_the_view_goes_into_a_web_address_without_its_defaults():
    assert ListView.from_args({}).query() == {}
    assert ListView.from_args({"sort": "name", "dir": "asc"}).query() == {}
    view = ListView.from_args({"sort": "score", "dir": "desc", "status": "late"})
    assert view.query() == {"sort": "score", "dir": "desc", "status": "late"}
    assert ListView.from_args(view.query()) == view


def test_previous_and_next_follow_the_sort():
    view = ListView.from_args({"sort": "score", "dir": "desc"})
    place = place_in(CLASS, view, 1)  # Eve, [Ada], Cy
    assert (place.prev, place.next, place.position, place.total) == ((5, "Eve"), (3, "Cy"), 2, 5)


def test_previous_and_next_stay_inside_the_filter():
    view = ListView.from_args({"status": "submitted"})
    first = place_in(CLASS, view, 1)
    assert (first.prev, first.next, first.position, first.total) == (None, (5, "Eve"), 1, 2)
    last = place_in(CLASS, view, 5)
    assert (last.prev, last.next, last.position) == ((1, "Ada"), None, 2)


def test_a_student_the_filter_leaves_out_still_gets_the_nearest_neighbours_in_it():
    # Cy is in progress: the submitted list goes Ada, Eve; Cy sorts between them by name
    place = place_in(CLASS, ListView.from_args({"status": "submitted"}), 3)
    assert (place.prev, place.next, place.position, place.total) == (
        (1, "Ada"),
        (5, "Eve"),
        None,
        2,
    )


def test_a_bare_roster_is_enough_for_the_name_order_and_a_stranger_has_no_place():
    roster = [RosterRow(2, "ben"), RosterRow(1, "Ada"), RosterRow(3, "Cy")]
    place = place_in(roster, ListView(), 2)
    assert (place.prev, place.next, place.position) == ((1, "Ada"), (3, "Cy"), 2)
    assert place_in(roster, ListView(), 99) is None
    assert not ListView().needs_work
    assert ListView.from_args({"status": "late"}).needs_work
