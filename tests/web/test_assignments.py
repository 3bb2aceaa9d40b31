"""A class's assignments through the Flask test client (CSRF on): assigning a lesson the class
already has is asked about first; an assignment can be archived (students stop seeing it, its
work is kept) and brought back, or deleted with its students' work after a confirmation page
that says how many students' work goes."""

from __future__ import annotations

import pytest

from app.extensions import db
from app.models import Assignment
from tests.support.client import login, page_csrf_token
from tests.support.factory import highlight, new_id
from tests.support.html import flash_messages, text_of
from tests.web.test_privacy import School, build_school, counts, only_these_went, rows_of


@pytest.fixture
def school(make) -> School:
    return build_school(make)


def _teacher(app, user):
    client = app.test_client()
    assert login(client, user).status_code == 302
    return client


def _post(client, url: str, data: dict | None = None, page: str | None = None):
    token = page_csrf_token(client, page or url)
    return client.post(url, data={"csrf_token": token, **(data or {})})


def _assignments(classroom_id: int) -> list[int]:
    return list(
        db.session.execute(
            db.select(Assignment.id).filter_by(classroom_id=classroom_id).order_by(Assignment.id)
        ).scalars()
    )


# ---------------------------------------------------------------- assigning twice


def test_assigning_a_lesson_the_class_already_has_asks_first_and_assigns_nothing(app, make, lesson):
    work = make.classwork(lesson)
    first = work.assignment
    first.created_at = first.created_at.replace(month=12, day=3, hour=12)
    db.session.commit()
    client = _teacher(app, work.teacher)
    url = f"/teacher/classes/{work.classroom.id}"
    resp = _post(client, url, {"lesson": lesson.id})
    assert resp.status_code == 200
    text = text_of(resp)
    assigned = f"assigned 3 Dec {first.created_at.year}"
    assert (
        f"This class already has \u201c{lesson.title}\u201d ({assigned}). Assign it again?" in text
    )
    assert f'name="again" type="hidden" value="{lesson.id}"' in resp.get_data(as_text=True)
    assert "Assign it again" in text
    assert _assignments(work.classroom.id) == [first.id]


def test_confirming_assigns_the_lesson_again(app, make, lesson):
    work = make.classwork(lesson)
    client = _teacher(app, work.teacher)
    url = f"/teacher/classes/{work.classroom.id}"
    resp = _post(client, url, {"lesson": lesson.id, "again": lesson.id})
    assert resp.status_code == 302
    assert len(_assignments(work.classroom.id)) == 2
    assert f"Assigned \u201c{lesson.title}\u201d." in flash_messages(client.get(url))


def test_a_confirmation_for_another_lesson_does_not_count(app, make, lesson):
    work = make.classwork(lesson)
    client = _teacher(app, work.teacher)
    url = f"/teacher/classes/{work.classroom.id}"
    resp = _post(client, url, {"lesson": lesson.id, "again": "some-other-lesson"})
    assert resp.status_code == 200
    assert "Assign it again?" in text_of(resp)
    assert len(_assignments(work.classroom.id)) == 1


def test_a_lesson_the_class_does_not_have_is_assigned_at_once(app, make, lesson):
    teacher = make.teacher()
    classroom = make.classroom(teacher)
    other = make.classroom(teacher, "Period 5")
    make.assignment(other, lesson)  # another class's assignment is no duplicate
    client = _teacher(app, teacher)
    resp = _post(client, f"/teacher/classes/{classroom.id}", {"lesson": lesson.id})
    assert resp.status_code == 302
    assert len(_assignments(classroom.id)) == 1


# ---------------------------------------------------------------- archiving


def test_archiving_hides_an_assignment_from_students_and_keeps_its_work(app, make, lesson):
    work = make.classwork(lesson)
    sam = work.student("Sam Park")
    work.mark(sam, "vented its anger", "loaded", note="furious")
    a_id, c_id = work.assignment.id, work.classroom.id
    before = counts()
    student = app.test_client()
    assert login(student, sam).status_code == 302
    assert lesson.title in text_of(student.get("/student/"))

    client = _teacher(app, work.teacher)
    resp = _post(client, f"/teacher/assignments/{a_id}/archive", page=f"/teacher/classes/{c_id}")
    assert resp.status_code == 302
    assert resp.headers["Location"] == f"/teacher/classes/{c_id}"
    assert counts() == before  # nothing deleted
    assert db.session.get(Assignment, a_id).archived_at is not None
    page = client.get(f"/teacher/classes/{c_id}")
    assert f"Archived \u201c{lesson.title}\u201d: students no longer see it" in " ".join(
        flash_messages(page)
    )
    text = text_of(page)
    assert "Every lesson of this class is archived." in text
    assert "Archived Students don't see these" in text
    assert "Unarchive" in text

    assert lesson.title not in text_of(student.get("/student/"))
    assert student.get(f"/student/assignments/{a_id}").status_code == 404
    token = page_csrf_token(student, "/student/")
    uid = new_id()

    def put():
        return student.put(
            f"/api/assignments/{a_id}/annotations/{uid}",
            json=highlight(lesson, "pointed out", category="loaded", prompt="loaded"),
            headers={"X-CSRFToken": token},
        )

    assert put().status_code == 404

    resp = _post(client, f"/teacher/assignments/{a_id}/unarchive", page=f"/teacher/classes/{c_id}")
    assert resp.status_code == 302
    assert db.session.get(Assignment, a_id).archived_at is None
    assert lesson.title in text_of(student.get("/student/"))
    assert counts() == before
    assert put().status_code == 201  # open again: the same save goes through


def test_an_expired_form_archives_nothing(app, make, lesson):
    work = make.classwork(lesson)
    client = _teacher(app, work.teacher)
    resp = client.post(
        f"/teacher/assignments/{work.assignment.id}/archive", data={"csrf_token": "stale"}
    )
    assert resp.status_code == 302
    assert db.session.get(Assignment, work.assignment.id).archived_at is None


# ---------------------------------------------------------------- deleting


def delete_url(assignment_id: int) -> str:
    return f"/teacher/assignments/{assignment_id}/delete"


def test_the_class_page_links_to_deleting_each_assignment(app, school):
    client = _teacher(app, school.t)
    page = client.get(f"/teacher/classes/{school.here.id}").get_data(as_text=True)
    for a in school.here.assignments:
        assert f'href="{delete_url(a.id)}"' in page


def test_the_confirmation_page_names_how_many_students_work_goes(app, school):
    a = school.here.assignments[0]
    before = counts()
    resp = _teacher(app, school.t).get(delete_url(a.id))
    assert resp.status_code == 200
    text = text_of(resp)
    assert f"Delete \u201c{a.lesson_version.title}\u201d for good?" in text
    # Sam and Kim: 2 kept annotations each (their thrown-away one is not counted)
    assert "2 students have work on it, which will be deleted for good" in text
    assert "4 annotations and 2 submitted lessons" in text
    assert f"/teacher/assignments/{a.id}/export/grades.csv" in resp.get_data(as_text=True)
    assert "I understand that my students' work on it will be deleted for good" in text
    assert counts() == before  # a GET changes nothing


def test_deleting_an_assignment_deletes_all_its_rows_and_nothing_else(app, school):
    a = school.here.assignments[0]
    a_id, c_id, title = a.id, school.here.id, a.lesson_version.title
    gone = rows_of({"assignments": {a_id}})
    assert {"annotations", "omission_marks", "submissions", "rubric_scores"} <= set(gone)
    assert {"final_grades", "grade_changes"} <= set(gone)
    before = counts()
    client = _teacher(app, school.t)
    resp = _post(client, delete_url(a_id), {"understood": "y"})
    assert resp.status_code == 302
    assert resp.headers["Location"] == f"/teacher/classes/{c_id}"
    only_these_went(before, gone)
    assert (
        f"Deleted \u201c{title}\u201d and the work of 2 students on it: 4 annotations, "
        "2 submitted lessons, and every mark and grade."
    ) in flash_messages(client.get(f"/teacher/classes/{c_id}"))
    assert client.get(f"/teacher/assignments/{a_id}").status_code == 404


def test_work_is_not_deleted_without_the_box_ticked(app, school):
    a = school.here.assignments[0]
    before = counts()
    resp = _post(_teacher(app, school.t), delete_url(a.id))
    assert resp.status_code == 422
    assert "Tick the box to say you understand the work will be deleted" in text_of(resp)
    assert 'aria-invalid="true"' in resp.get_data(as_text=True)
    assert counts() == before


def test_an_assignment_nobody_started_goes_with_the_button_alone(app, make, lesson):
    work = make.classwork(lesson)
    work.student("Sam Park")
    client = _teacher(app, work.teacher)
    page = client.get(delete_url(work.assignment.id))
    assert "No student has started it" in text_of(page)
    assert 'name="understood"' not in page.get_data(as_text=True)
    resp = _post(client, delete_url(work.assignment.id))
    assert resp.status_code == 302
    assert _assignments(work.classroom.id) == []
    assert f"Deleted \u201c{lesson.title}\u201d. No student had started it." in flash_messages(
        client.get(f"/teacher/classes/{work.classroom.id}")
    )


def test_an_expired_form_deletes_no_assignment(app, school):
    a = school.here.assignments[0]
    before = counts()
    resp = _teacher(app, school.t).post(
        delete_url(a.id), data={"csrf_token": "stale", "understood": "y"}
    )
    assert resp.status_code == 422
    assert "the form expired" in text_of(resp)
    assert counts() == before


def test_another_teacher_cannot_delete_or_archive_an_assignment(app, school):
    a = school.here.assignments[0]
    before = counts()
    client = _teacher(app, school.u)
    assert client.get(delete_url(a.id)).status_code == 404
    token = page_csrf_token(client, "/teacher/")
    for url in (delete_url(a.id), f"/teacher/assignments/{a.id}/archive"):
        resp = client.post(url, data={"csrf_token": token, "understood": "y"})
        assert resp.status_code == 404
    assert counts() == before
    assert db.session.get(Assignment, a.id).archived_at is None
