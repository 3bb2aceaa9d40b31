"""Every id in a URL that names nothing is a 404, never a 500: ids past what the ``id`` columns
hold (PostgreSQL's INTEGER is 32-bit: 2**31 once answered "integer out of range"), and
annotation ids that aren't UUIDs (a NUL byte once reached PostgreSQL). Generated from the URL
map, so a new route is covered as it is added. Requests come from the owner of everything
the URL names (the class's teacher, a student in it), so only the id can be the reason."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from app import models
from app.web.loaders import ID_MAX, IdConverter, largest, up_to
from tests.support.client import login
from tests.support.factory import highlight
from tests.support.routes import all_routes

ARGUMENT = re.compile(r"<(?:(\w+):)?(\w+)>")
ID_CONVERTERS = ("id", "int")  # "int": how routes named ids before the ``id`` converter
TOO_LARGE = (2**31, 2**63)
NOT_UUIDS = ("%00", "not-a-uuid", "1" * 36)


ROUTES = all_routes()


def _args(rule: str, converters: tuple[str, ...] | None = None) -> list[str]:
    return [
        name for conv, name in ARGUMENT.findall(rule) if converters is None or conv in converters
    ]


ID_CASES = [
    (endpoint, method, rule, name, bad)
    for endpoint, method, rule in ROUTES
    for name in _args(rule, ID_CONVERTERS)
    for bad in TOO_LARGE
]
UUID_CASES = [
    (endpoint, method, rule, "uuid", bad)
    for endpoint, method, rule in ROUTES
    if "uuid" in _args(rule)
    for bad in NOT_UUIDS
]


@pytest.fixture
def world(app, make, lesson):
    app.config["WTF_CSRF_ENABLED"] = False
    teacher = make.teacher()
    classroom = make.classroom(teacher)
    assignment = make.assignment(classroom)
    student = make.student(classroom=classroom)
    body = highlight(lesson, "vented its anger", category="loaded", prompt="loaded")
    uid = make.annotation(assignment, student, body)
    return {
        "teacher": teacher,
        "student": student,
        "lesson": lesson,
        "values": {
            "assignment_id": assignment.id,
            "classroom_id": classroom.id,
            "student_id": student.id,
            "uuid": uid,
            "prompt_id": "loaded",
            "kind": "grades.csv",
        },
    }


def _request(client, world, endpoint: str, method: str, rule: str, name: str, bad: object):
    owner = (
        world["teacher"] if endpoint.split(".")[0] in ("teacher", "roster") else world["student"]
    )
    assert login(client, owner).status_code == 302
    values = {**world["values"], name: bad}
    url = ARGUMENT.sub(lambda m: str(values[m.group(2)]), rule)
    body = None
    if method == "PUT":
        body = highlight(world["lesson"], "pointed out", category="loaded", prompt="loaded")
    if body:
        return url, client.open(url, method=method, json=body)
    return url, client.open(url, method=method, data={} if method == "POST" else None)


@pytest.mark.parametrize(
    ("endpoint", "method", "rule", "name", "bad"),
    ID_CASES,
    ids=[f"{m} {e} {n}={b}" for e, m, _, n, b in ID_CASES],
)
def test_an_id_past_what_the_columns_hold_is_404(client, world, endpoint, method, rule, name, bad):
    url, resp = _request(client, world, endpoint, method, rule, name, bad)
    assert resp.status_code == 404, f"{method} {url}: {resp.status_code}"


@pytest.mark.parametrize(
    ("endpoint", "method", "rule", "name", "bad"),
    UUID_CASES,
    ids=[f"{m} {e} uuid={b}" for e, m, _, _, b in UUID_CASES],
)
def test_an_annotation_id_that_is_no_uuid_is_404(client, world, endpoint, method, rule, name, bad):
    url, resp = _request(client, world, endpoint, method, rule, name, bad)
    assert resp.status_code == 404, f"{method} {url}: {resp.status_code}"


def test_the_routes_with_ids_are_all_covered():
    assert {e for e, *_ in ID_CASES} >= {
        "student.lesson",
        "api.put_annotation",
        "teacher.review",
        "roster.remove_student",
        "teacher.move",
    }
    assert {e for e, *_ in UUID_CASES} == {
        "api.put_annotation",
        "api.delete_annotation",
        "student.delete_annotation",
        "teacher.mark_omission",
    }


def test_every_integer_id_column_holds_what_the_bound_says():
    """One bound serves every route: every table's integer id has the same type."""
    ids = [
        table.c.id
        for table in models.db.metadata.tables.values()
        if "id" in table.c and isinstance(table.c.id.type, sa.Integer)
    ]
    assert len(ids) > 5
    assert {largest(column) for column in ids} == {ID_MAX} == {2**31 - 1}


def test_the_largest_id_is_still_found(client, world):
    assert login(client, world["student"]).status_code == 302
    assert client.get(f"/student/assignments/{ID_MAX}").status_code == 404
    ok = client.get(f"/student/assignments/{world['values']['assignment_id']}")
    assert ok.status_code == 200


@pytest.mark.parametrize("n", [1, 9, 10, 30, 99, 100, 101, 1234])
def test_the_id_pattern_takes_exactly_one_to_its_bound(n):
    taken = [i for i in range(n * 3 + 20) if re.fullmatch(up_to(n), str(i))]
    assert taken == list(range(1, n + 1))


def test_the_id_pattern_takes_the_bound_and_nothing_past_it():
    pattern = IdConverter.regex
    assert re.fullmatch(pattern, str(ID_MAX))
    assert re.fullmatch(pattern, "0042")
    for past in (ID_MAX + 1, 2147483650, 2999999999, 10**10, 2**63):
        assert not re.fullmatch(pattern, str(past))
