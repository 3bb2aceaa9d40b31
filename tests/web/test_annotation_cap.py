"""The most annotations a student may keep on one assignment (``ANNOTATIONS_MAX``, default 300):
one more is refused with a reason, by the API (422, ``too_many``) and the no-JavaScript form
alike, on both databases; edits, retries and deletions go on as before. (10,000 near-maximum
annotations made a 72 MB lesson page.) SQLite counts them under its write lock; PostgreSQL
checks and adds one to a count kept per student and assignment (``annotation_counts``)."""

from __future__ import annotations

import re
import threading
from html import unescape

import pytest
import sqlalchemy as sa

from app import create_app
from app.extensions import db
from app.models import Annotation, AnnotationCount
from app.saves import NotMember, postgres
from tests.conftest import TEST_DB_URL, _base_config
from tests.support.client import ApiClient, post_quote
from tests.support.factory import highlight, new_id, omission

CAP = 3
MESSAGE = "You already have 3 annotations on this lesson, the most one lesson can keep."


def kept(assignment, student) -> int:
    db.session.expire_all()
    return db.session.execute(
        sa.select(sa.func.count())
        .select_from(Annotation)
        .where(
            Annotation.assignment_id == assignment.id,
            Annotation.student_id == student.id,
            Annotation.deleted_at.is_(None),
        )
    ).scalar_one()


@pytest.fixture
def full(app, work, lesson):
    """``work``'s student with CAP annotations (the cap lowered to CAP) and their ids."""
    app.config["ANNOTATIONS_MAX"] = CAP
    ids = [new_id() for _ in range(CAP)]
    for i, uid in enumerate(ids):
        body = highlight(lesson, "vented its anger", category="loaded", note=f"note {i}")
        assert work.api.put(work.assignment, uid, body).status_code == 201
    return ids


def body(lesson, note: str = "one more") -> dict:
    return highlight(lesson, "pointed out", category="loaded", note=note)


def test_the_default_cap_is_300():
    assert create_app(_base_config("sqlite://")).config["ANNOTATIONS_MAX"] == 300


def test_one_more_annotation_is_refused_with_a_reason_in_the_one_error_shape(full, work, lesson):
    for make in (lambda: body(lesson), lambda: omission("The other side's view")):
        resp = work.api.put(work.assignment, new_id(), make())
        assert resp.status_code == 422
        assert resp.get_json() == {
            "error": MESSAGE + " Delete one you no longer need, then add this one again.",
            "fields": {},
            "code": "too_many",
            "limit": CAP,
        }
    assert kept(work.assignment, work.student) == CAP


def test_at_the_cap_edits_and_retries_still_save(full, work, lesson):
    edited = body(lesson, "edited")
    assert work.api.put(work.assignment, full[0], edited, if_match=1).status_code == 200
    assert work.api.put(work.assignment, full[0], edited, if_match=1).status_code == 200  # retry
    assert work.api.put(work.assignment, full[1], body(lesson, "no If-Match")).status_code == 200
    assert kept(work.assignment, work.student) == CAP


def test_deleting_one_makes_room_and_bringing_it_back_needs_room(full, work, lesson):
    assert work.api.delete(work.assignment, full[0], if_match=1).status_code == 204
    assert work.api.put(work.assignment, new_id(), body(lesson)).status_code == 201
    # the deleted one, saved again (an undo), would be one too many now
    resp = work.api.put(work.assignment, full[0], body(lesson, "back"), if_match=2)
    assert (resp.status_code, resp.get_json()["code"]) == (422, "too_many")
    resp = work.api.put(work.assignment, full[0], body(lesson, "back"))
    assert (resp.status_code, resp.get_json()["code"]) == (422, "too_many")
    assert kept(work.assignment, work.student) == CAP


def test_the_cap_is_per_student_and_per_assignment(full, app, work, make, lesson):
    classmate = make.student(classroom=work.classroom)
    other = ApiClient(app.test_client()).login(classmate)
    assert other.put(work.assignment, new_id(), body(lesson)).status_code == 201
    second = make.assignment(work.classroom)
    assert work.api.put(second, new_id(), body(lesson)).status_code == 201


def test_the_no_javascript_form_says_why_and_keeps_what_was_typed(full, work):
    client, page = work.api.client, f"/student/assignments/{work.assignment.id}"
    resp = post_quote(client, page, quote="pointed out", note="typed at the cap")
    assert resp.status_code == 422
    html = unescape(resp.get_data(as_text=True))
    assert MESSAGE in html
    assert "typed at the cap" in html
    assert re.search(r'<details class="quote-form" id="quote-form"\s+open>', html)  # shown
    assert kept(work.assignment, work.student) == CAP


def test_a_new_annotations_count_reads_the_kept_index_alone_and_stops_at_the_cap(app, work, lesson):
    """SQLite's saves that add one, and PostgreSQL's when the student's count has no room,
    count the student's kept annotations: from the partial index ``ix_annotations_kept`` (no
    row read to see whether it was deleted), never further than asked. The count used to read
    every row the student ever made on the assignment."""
    from app.saves.statements import KEPT, PSYCOPG, SQLITE, Form

    for _ in range(3):
        assert work.api.put(work.assignment, new_id(), body(lesson)).status_code == 201
    params = {"assignment": work.assignment.id, "student": work.student.id, "cap": 2}
    sqlite = db.engine.dialect.name == "sqlite"
    form = Form.of(sa.select(KEPT), SQLITE if sqlite else PSYCOPG)
    db.session.rollback()
    with db.engine.connect() as conn:
        cursor = conn.connection.driver_connection.cursor()
        if sqlite:
            cursor.execute(f"EXPLAIN QUERY PLAN {form.sql}", form.params(params))
            plan = " ".join(str(r[-1]) for r in cursor.fetchall())
            assert "USING COVERING INDEX ix_annotations_kept" in plan, plan
        else:
            cursor.execute("SET enable_seqscan = off")  # a test's few rows: no sequential scan
            cursor.execute(f"EXPLAIN {form.sql}", form.params(params))
            plan = " ".join(r[0] for r in cursor.fetchall())
            assert "Index Only Scan using ix_annotations_kept" in plan, plan
            assert "Limit" in plan, plan
        cursor.execute(form.sql, form.params(params))
        assert cursor.fetchone()[0] == 2  # three kept, counted up to the cap
        cursor.close()


# ---------------------------------------------------------------- PostgreSQL's count

on_postgresql = pytest.mark.skipif(
    not TEST_DB_URL,
    reason="PostgreSQL keeps a count per student and assignment (SQLite counts under its lock)",
)


def count_of(assignment, student) -> int | None:
    """The student's row of ``annotation_counts`` on the assignment (None: no row)."""
    db.session.expire_all()
    return db.session.execute(
        sa.select(AnnotationCount.at_most).filter_by(
            assignment_id=assignment.id, student_id=student.id
        )
    ).scalar_one_or_none()


@on_postgresql
def test_a_new_annotation_on_postgresql_checks_one_count_not_each_kept_annotation(
    app, work, lesson, monkeypatch
):
    """The statement that makes a new annotation used to count the student's kept ones, and
    PostgreSQL visits each of them (``Heap Fetches``) until a vacuum marks the table's new
    pages all visible: twice the server's time per save with a hundred kept, a fifth fewer
    saves a second at 8 students. It reads and changes one row of ``annotation_counts``."""
    for _ in range(3):
        assert work.api.put(work.assignment, new_id(), body(lesson)).status_code == 201
    ran: list = []
    real = postgres.PostgresBackend._run
    monkeypatch.setattr(
        postgres.PostgresBackend,
        "_run",
        lambda self, form, params: ran.append((form, params)) or real(self, form, params),
    )
    assert work.api.put(work.assignment, new_id(), body(lesson)).status_code == 201
    [(form, params)] = ran  # one statement: the gate, the count and the INSERT
    assert count_of(work.assignment, work.student) == 4
    db.session.rollback()
    with db.engine.connect() as conn:
        cursor = conn.connection.driver_connection.cursor()
        cursor.execute(f"EXPLAIN {form.sql}", form.params({**params, "uuid": new_id()}))
        plan = "\n".join(r[0] for r in cursor.fetchall())
        cursor.close()
    assert "ix_annotations_kept" not in plan, plan
    assert " mine" not in plan, plan  # the kept annotations' alias in the old count
    assert "on annotation_counts" in plan, plan


@on_postgresql
def test_the_count_follows_saves_deletions_and_bringing_back(app, work, lesson):
    app.config["ANNOTATIONS_MAX"] = CAP
    a, b = new_id(), new_id()
    assert count_of(work.assignment, work.student) is None  # none until the first save
    assert work.api.put(work.assignment, a, body(lesson, "a")).status_code == 201
    assert count_of(work.assignment, work.student) == 1  # counted (none), then one more
    assert work.api.put(work.assignment, b, body(lesson, "b")).status_code == 201
    assert work.api.put(work.assignment, a, body(lesson, "a2"), if_match=1).status_code == 200
    assert count_of(work.assignment, work.student) == 2  # an edit adds none
    assert work.api.delete(work.assignment, a, if_match=2).status_code == 204
    assert count_of(work.assignment, work.student) == 2  # left above the 1 kept
    assert work.api.put(work.assignment, a, body(lesson, "back"), if_match=3).status_code == 200
    assert count_of(work.assignment, work.student) == 3  # brought back: one more (2 kept)
    # at the cap by the count, not by what is kept: counted again, and there is room
    assert work.api.put(work.assignment, new_id(), body(lesson, "c")).status_code == 201
    assert (count_of(work.assignment, work.student), kept(work.assignment, work.student)) == (3, 3)
    resp = work.api.put(work.assignment, new_id(), body(lesson, "d"))
    assert (resp.status_code, resp.get_json()["code"]) == (422, "too_many")
    assert count_of(work.assignment, work.student) == 3


@on_postgresql
def test_a_count_above_what_is_kept_is_counted_again_not_obeyed(app, work, lesson):
    """``at_most`` may be high (a lowered cap, a deletion, a save whose id was taken
    meanwhile): at the cap the save counts, writes the true count and goes on."""
    app.config["ANNOTATIONS_MAX"] = CAP
    assert work.api.put(work.assignment, new_id(), body(lesson)).status_code == 201
    db.session.execute(sa.update(AnnotationCount).values(at_most=10**6))
    db.session.commit()
    assert work.api.put(work.assignment, new_id(), body(lesson)).status_code == 201
    assert count_of(work.assignment, work.student) == 2


@on_postgresql
def test_a_students_saves_at_the_same_moment_stop_at_the_cap(app, work, lesson, make):
    """Eight new annotations sent at once from eight sessions of one student: the count's row
    lock lets exactly CAP of them in, whichever they are, and refuses the rest."""
    app.config["ANNOTATIONS_MAX"] = CAP
    tabs = [ApiClient(app.test_client()).login(work.student) for _ in range(8)]
    aid = work.assignment.id
    start = threading.Barrier(len(tabs))
    answers: list[int] = []

    def save(tab: ApiClient) -> None:
        start.wait()
        answers.append(tab.put(aid, new_id(), body(lesson)).status_code)

    threads = [threading.Thread(target=save, args=(tab,)) for tab in tabs]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert sorted(answers) == [201] * CAP + [422] * (len(tabs) - CAP)
    assert kept(work.assignment, work.student) == CAP
    assert count_of(work.assignment, work.student) == CAP


@on_postgresql
def test_counting_for_an_assignment_deleted_meanwhile_is_a_404_not_a_500(app, work):
    """The count's row is made for the assignment the gate found; deleted since, the save is
    answered as for any assignment that isn't there."""
    raw = postgres.save_engine().raw_connection()
    try:
        backend = postgres.PostgresBackend(raw.driver_connection)
        params = {"assignment": 2**31 - 1, "student": work.student.id, "cap": CAP}
        with pytest.raises(NotMember):
            backend.kept(params)
    finally:
        raw.close()
