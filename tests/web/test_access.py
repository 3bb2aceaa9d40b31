"""Who may see and change what: everything is class-scoped, a student never sees a classmate's
work, and teachers and students keep to their own pages."""

from __future__ import annotations

from datetime import datetime

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.models import Annotation
from tests.support.client import ApiClient, login, page_csrf_token
from tests.support.factory import highlight, new_id


def body(lesson, note: str = "mine") -> dict:
    return highlight(
        lesson, "top officials in Washington", category="source", prompt="sources", note=note
    )


def row(annotation_id: str) -> Annotation:
    db.session.expire_all()
    return db.session.execute(sa.select(Annotation).filter_by(id=annotation_id)).scalar_one()


@pytest.fixture
def classmate(app, make, work, lesson):
    """A classmate of work.student, logged in on their own browser, with one annotation."""
    student = make.student(classroom=work.classroom)
    api = ApiClient(app.test_client()).login(student)
    uid = new_id()
    assert api.put(work.assignment, uid, body(lesson, "classmate's secret note")).status_code == 201
    return api, uid


# ---------------------------------------------------------------- classmates


def test_student_cannot_read_classmates_notes(work, classmate, lesson):
    mine = new_id()
    work.api.put(work.assignment, mine, body(lesson))
    listing = work.api.get(work.assignment)
    assert [a["id"] for a in listing.get_json()["annotations"]] == [mine]
    assert "classmate's secret note" not in listing.get_data(as_text=True)


def test_student_cannot_overwrite_a_classmates_annotation(work, classmate, lesson):
    _, theirs = classmate
    before = row(theirs)
    snapshot = (before.note, before.version, before.student_id, before.deleted_at)
    resp = work.api.put(work.assignment, theirs, body(lesson, "overwritten"))
    assert resp.status_code == 404
    assert "classmate's secret note" not in resp.get_data(as_text=True)
    after = row(theirs)
    assert (after.note, after.version, after.student_id, after.deleted_at) == snapshot


def test_student_cannot_overwrite_a_classmates_annotation_even_with_if_match(
    work, classmate, lesson
):
    _, theirs = classmate
    resp = work.api.put(work.assignment, theirs, body(lesson, "overwritten"), if_match=1)
    assert resp.status_code == 404
    assert row(theirs).note == "classmate's secret note"


def test_student_cannot_delete_a_classmates_annotation(work, classmate):
    _, theirs = classmate
    resp = work.api.delete(work.assignment, theirs)
    assert resp.status_code == 404
    after = row(theirs)
    assert after.deleted_at is None
    assert after.version == 1


def test_student_cannot_delete_a_classmates_annotation_through_the_page_form(
    work, classmate, client
):
    _, theirs = classmate
    token = page_csrf_token(client, f"/student/assignments/{work.assignment.id}")
    resp = client.post(
        f"/student/assignments/{work.assignment.id}/annotations/{theirs}/delete",
        data={"csrf_token": token},
    )
    assert resp.status_code == 404
    assert row(theirs).deleted_at is None


def test_the_classmate_still_sees_their_own_work_untouched(work, classmate, lesson):
    api, theirs = classmate
    work.api.put(work.assignment, theirs, body(lesson, "overwritten"))
    work.api.delete(work.assignment, theirs)
    [only] = api.mine(work.assignment)
    assert (only["id"], only["note"], only["version"]) == (theirs, "classmate's secret note", 1)


def test_a_uuid_used_on_one_assignment_cannot_be_moved_to_another(work, make, lesson):
    second = make.assignment(work.classroom)
    uid = new_id()
    assert work.api.put(work.assignment, uid, body(lesson)).status_code == 201
    assert work.api.put(second, uid, body(lesson, "moved")).status_code == 404
    assert work.api.delete(second, uid).status_code == 404
    assert row(uid).assignment_id == work.assignment.id
    assert work.api.mine(second) == []


def test_the_lesson_page_shows_only_the_students_own_notes(work, classmate, lesson, client):
    work.api.put(work.assignment, new_id(), body(lesson, "my own note"))
    page = client.get(f"/student/assignments/{work.assignment.id}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "my own note" in html
    assert "classmate" not in html


# ---------------------------------------------------------------- outside the class


@pytest.fixture
def outsider(app, make):
    """A student in another class, logged in on their own browser."""
    other_class = make.classroom(name="Period 5")
    student = make.student(classroom=other_class)
    client = app.test_client()
    return ApiClient(client).login(student)


def test_a_student_outside_the_class_gets_404_from_the_api(work, outsider, lesson):
    uid = new_id()
    work.api.put(work.assignment, uid, body(lesson))
    a = work.assignment
    assert outsider.get(a).status_code == 404
    assert outsider.put(a, new_id(), body(lesson)).status_code == 404
    assert outsider.put(a, uid, body(lesson, "hijack")).status_code == 404
    assert outsider.delete(a, uid).status_code == 404
    assert outsider.submit(a).status_code == 404
    assert row(uid).note == "mine"
    assert db.session.execute(sa.select(sa.func.count()).select_from(Annotation)).scalar() == 1


def test_a_student_outside_the_class_gets_404_for_the_lesson_page(work, outsider):
    page = outsider.client.get(f"/student/assignments/{work.assignment.id}")
    assert page.status_code == 404
    assert "kiev" not in page.get_data(as_text=True).lower()


def test_a_student_outside_the_class_cannot_annotate_by_quote(work, outsider):
    token = page_csrf_token(outsider.client, "/student/")
    resp = outsider.client.post(
        f"/student/assignments/{work.assignment.id}/quote",
        data={"csrf_token": token, "prompt": "sources", "quote": "top officials in Washington"},
    )
    assert resp.status_code == 404
    assert db.session.execute(sa.select(Annotation)).first() is None


def test_an_archived_class_closes_its_assignments(work, lesson):
    work.classroom.archived_at = datetime(2023, 6, 30)
    db.session.commit()
    assert work.api.get(work.assignment).status_code == 404
    assert work.api.put(work.assignment, new_id(), body(lesson)).status_code == 404


# ---------------------------------------------------------------- roles


def test_a_teacher_calling_the_student_api_gets_404(work, app, lesson):
    teacher_api = ApiClient(app.test_client()).login(work.teacher)
    a = work.assignment
    assert teacher_api.get(a).status_code == 404
    assert teacher_api.put(a, new_id(), body(lesson)).status_code == 404
    assert teacher_api.delete(a, new_id()).status_code == 404
    assert teacher_api.submit(a).status_code == 404
    assert db.session.execute(sa.select(Annotation)).first() is None


@pytest.mark.parametrize(
    "path", ["/student/", "/student/assignments/{a}", "/teacher/", "/teacher/classes/{c}"]
)
def test_someone_not_logged_in_is_sent_to_log_in_from_pages(app, make, path):
    a = make.assignment()
    url = path.format(a=a.id, c=a.classroom_id)
    resp = app.test_client().get(url)
    assert resp.status_code == 302
    assert resp.headers["Location"].startswith("/login")
    assert "next=" in resp.headers["Location"]


@pytest.mark.parametrize("path", ["/api/assignments/{a}/annotations", "/api/csrf-token"])
def test_someone_not_logged_in_gets_401_from_the_api(app, make, path):
    a = make.assignment()
    resp = app.test_client().get(path.format(a=a.id))
    assert resp.status_code == 401
    assert resp.is_json


@pytest.mark.parametrize("path", ["/teacher/", "/teacher/classes/{c}"])
def test_a_student_opening_teacher_pages_gets_403(work, client, path):
    resp = client.get(path.format(c=work.classroom.id))
    assert resp.status_code == 403


@pytest.mark.parametrize("path", ["/student/", "/student/assignments/{a}"])
def test_a_teacher_opening_student_pages_gets_403(work, app, path):
    teacher = app.test_client()
    assert login(teacher, work.teacher).status_code == 302
    resp = teacher.get(path.format(a=work.assignment.id))
    assert resp.status_code == 403


def test_a_teacher_cannot_open_another_teachers_class(app, make, lesson):
    mine = make.classroom(make.teacher(), name="Ms X's class")
    theirs = make.classroom(make.teacher(), name="Mr Y's class")
    teacher_x = app.test_client()
    assert login(teacher_x, mine.teacher).status_code == 302
    assert teacher_x.get(f"/teacher/classes/{mine.id}").status_code == 200
    resp = teacher_x.get(f"/teacher/classes/{theirs.id}")
    assert resp.status_code == 404
    assert theirs.join_code not in resp.get_data(as_text=True)


def test_a_teacher_cannot_assign_a_lesson_to_another_teachers_class(app, make, lesson):
    mine = make.classroom(make.teacher())
    theirs = make.classroom(make.teacher())
    teacher_x = app.test_client()
    login(teacher_x, mine.teacher)
    token = page_csrf_token(teacher_x, f"/teacher/classes/{mine.id}")
    resp = teacher_x.post(
        f"/teacher/classes/{theirs.id}", data={"csrf_token": token, "lesson": lesson.id}
    )
    assert resp.status_code == 404
    db.session.expire_all()
    assert theirs.assignments == []


@pytest.mark.parametrize("huge", [2**63, 10**30])
def test_an_id_too_large_for_the_database_is_404_not_a_crash(work, app, client, lesson, huge):
    assert work.api.get(huge).status_code == 404
    assert work.api.put(huge, new_id(), body(lesson)).status_code == 404
    assert client.get(f"/student/assignments/{huge}").status_code == 404
    teacher = app.test_client()
    login(teacher, work.teacher)
    assert teacher.get(f"/teacher/classes/{huge}").status_code == 404
