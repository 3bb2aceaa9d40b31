"""Students' privacy: removing a student, deleting a class and purging archived classes delete
every row of theirs, checked generically over every table in the schema (so a table added
later is checked too); a teacher deletes a class only after typing its name; and note text
never reaches the logs, even when a request fails.

Rows are found through the foreign keys of ``db.metadata``: everything that is, or points at
(directly or through other rows), what was removed. After the removal none of those rows may
remain and every other row must: row counts per table drop by exactly that much.
"""

from __future__ import annotations

import logging
import sqlite3
from dataclasses import dataclass
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa
from sqlalchemy.pool import NullPool

from app import saves, services
from app.domain import dates
from app.extensions import db
from app.models import (
    Annotation,
    AnnotationCount,
    Assignment,
    Classroom,
    FinalGrade,
    GradeChange,
    OmissionMark,
    RubricScore,
    Submission,
    User,
)
from app.saves import put
from app.services import deletion
from tests.support.client import login, page_csrf_token, post_quote
from tests.support.factory import highlight, new_id
from tests.support.html import text_of

# ---------------------------------------------------------------- a school full of work


@dataclass
class School:
    """Teacher T has ``here`` (to be deleted: students Sam, only here, and Kim, also in
    teacher U's class) and ``mine_too`` (Lee). Teacher U has ``theirs`` (Kim and Ola)."""

    t: User
    u: User
    here: Classroom
    mine_too: Classroom
    theirs: Classroom
    sam: User
    kim: User
    lee: User
    ola: User


def give_work(assignment: Assignment, student: User, teacher: User) -> None:
    """A bit of everything a student's work can leave: a highlight with a note, an omission
    with a teacher's mark, one the student deleted, a submission, a rubric level with a
    comment, a final grade and its history."""
    note_id, omission_id, thrown_id = new_id(), new_id(), new_id()
    db.session.add_all(
        [
            Annotation(
                id=note_id,
                assignment_id=assignment.id,
                student_id=student.id,
                category="loaded",
                prompt_id="loaded",
                start_offset=0,
                end_offset=4,
                exact="Kyiv",
                note=f"{student.username}'s note",
            ),
            Annotation(
                id=omission_id,
                assignment_id=assignment.id,
                student_id=student.id,
                category="omission",
                prompt_id="omissions",
                note="what about the date?",
            ),
            Annotation(
                id=thrown_id,
                assignment_id=assignment.id,
                student_id=student.id,
                category="source",
                start_offset=0,
                end_offset=4,
                exact="Kyiv",
                deleted_at=datetime(2026, 1, 2),
            ),
            Submission(assignment_id=assignment.id, student_id=student.id),
            AnnotationCount(assignment_id=assignment.id, student_id=student.id, at_most=2),
        ]
    )
    db.session.flush()
    db.session.add_all(
        [
            OmissionMark(annotation_id=omission_id, level="partial"),
            RubricScore(
                assignment_id=assignment.id,
                student_id=student.id,
                prompt_id="loaded",
                level="emergent",
                comment="Look again at the verbs.",
            ),
            FinalGrade(assignment_id=assignment.id, student_id=student.id, score=7, reason="late"),
            GradeChange(
                assignment_id=assignment.id,
                student_id=student.id,
                teacher_id=teacher.id,
                what="final grade",
                new_value="7",
                reason="late",
            ),
        ]
    )
    db.session.commit()


def build_school(make) -> School:
    t, u = make.teacher("t@school.test"), make.teacher("u@school.test")
    here = make.classroom(t, "Period 3 English")
    mine_too = make.classroom(t, "Period 5 English")
    theirs = make.classroom(u, "History")
    sam = make.student("sam.p", classroom=here)
    kim = make.student("kim.l", classroom=here)
    services.enroll(db.session, theirs, kim)
    lee = make.student("lee.o", classroom=mine_too)
    ola = make.student("ola.n", classroom=theirs)
    db.session.commit()
    for classroom, teacher, students in (
        (here, t, (sam, kim)),
        (mine_too, t, (lee,)),
        (theirs, u, (kim, ola)),
    ):
        for _ in range(2):
            assignment = make.assignment(classroom)
            for student in students:
                give_work(assignment, student, teacher)
    return School(t, u, here, mine_too, theirs, sam, kim, lee, ola)


@pytest.fixture
def school(make) -> School:
    return build_school(make)


# ---------------------------------------------------------------- finding rows by foreign key


def _pk(table: sa.Table) -> sa.Column:
    (column,) = table.primary_key.columns  # every table has a one-column key
    return column


def _select_in(column: sa.Column, ids: set, select: sa.Column, *where) -> set:
    found: set = set()
    ids = sorted(ids)
    for i in range(0, len(ids), 500):
        found.update(
            db.session.execute(
                sa.select(select).where(column.in_(ids[i : i + 500]), *where)
            ).scalars()
        )
    return found


def rows_of(roots: dict[str, set]) -> dict[str, set]:
    """The ``roots`` ({table: {primary key}}) and every row that points at one of them,
    directly or through other rows, by table. ``sorted_tables`` lists a table after the
    tables it points at, so one pass finds the chains (annotation -> omission mark)."""
    found = {name: set(ids) for name, ids in roots.items()}
    for table in db.metadata.sorted_tables:
        for column in table.columns:
            for fk in column.foreign_keys:
                ids = found.get(fk.column.table.name)
                if ids:
                    found.setdefault(table.name, set()).update(_select_in(column, ids, _pk(table)))
    return {name: ids for name, ids in found.items() if ids}


def work_in(student: User, classroom: Classroom) -> dict[str, set]:
    """Rows of one student's that belong to one class: in any table with a foreign key to
    users and one to assignments or classrooms, the rows pointing at both."""
    assignments = set(
        db.session.execute(sa.select(Assignment.id).filter_by(classroom_id=classroom.id)).scalars()
    )
    roots: dict[str, set] = {}
    for table in db.metadata.sorted_tables:
        people = [
            c
            for c in table.columns
            if any(fk.column.table.name == "users" for fk in c.foreign_keys)
        ]
        scope = [
            c.in_(assignments) if fk.column.table.name == "assignments" else c == classroom.id
            for c in table.columns
            for fk in c.foreign_keys
            if fk.column.table.name in ("assignments", "classrooms")
        ]
        if people and scope:
            roots[table.name] = set(
                db.session.execute(
                    sa.select(_pk(table)).where(
                        sa.or_(*[c == student.id for c in people]), sa.or_(*scope)
                    )
                ).scalars()
            )
    return rows_of(roots)


def still_there(rows: dict[str, set]) -> dict[str, int]:
    db.session.commit()  # a fresh snapshot (SQLite's write-ahead log keeps readers' views)
    tables = db.metadata.tables
    left = {
        name: len(_select_in(_pk(tables[name]), ids, _pk(tables[name])))
        for name, ids in rows.items()
    }
    return {name: n for name, n in left.items() if n}


def counts() -> dict[str, int]:
    db.session.commit()
    return {
        t.name: db.session.execute(sa.select(sa.func.count()).select_from(t)).scalar_one()
        for t in db.metadata.sorted_tables
    }


def only_these_went(before: dict[str, int], gone: dict[str, set]) -> None:
    """Every row counted in ``gone`` was deleted, and nothing else."""
    assert still_there(gone) == {}
    expected = {name: n - len(gone.get(name, ())) for name, n in before.items()}
    assert counts() == expected


# a student's rows are in all of these; a table added later is checked all the same
STUDENT_TABLES = {
    "users",
    "enrollments",
    "annotations",
    "annotation_counts",
    "omission_marks",
    "submissions",
    "rubric_scores",
    "final_grades",
    "grade_changes",
}
CLASS_TABLES = STUDENT_TABLES - {"users"} | {"classrooms", "assignments"}


def test_every_table_in_the_database_is_in_the_models(app):
    """The checks below walk ``db.metadata``: a table only a migration made would escape."""
    live = set(sa.inspect(db.engine).get_table_names()) - {"alembic_version"}
    assert live == set(db.metadata.tables)


def test_the_foreign_keys_in_the_database_cascade_as_the_models_say(app):
    """The migrations made the cascades the models declare (a model saying CASCADE over a
    table without it deletes nothing on PostgreSQL and fails on SQLite)."""
    inspector = sa.inspect(db.engine)
    for table in db.metadata.sorted_tables:
        declared = {
            (fk.parent.name, fk.column.table.name, (fk.ondelete or "").upper())
            for fk in table.foreign_keys
        }
        live = {
            (
                fk["constrained_columns"][0],
                fk["referred_table"],
                (fk["options"].get("ondelete") or "").upper(),
            )
            for fk in inspector.get_foreign_keys(table.name)
        }
        assert live == declared, table.name
        for column, target, ondelete in live:
            if target in ("users", "classrooms", "assignments", "annotations") and not (
                table.name == "grade_changes" and column == "teacher_id"
            ):
                assert ondelete == "CASCADE", (table.name, column)


# ---------------------------------------------------------------- removing a student


def _teacher_client(app, user):
    client = app.test_client()
    assert login(client, user).status_code == 302
    return client


def _post(client, url: str, data: dict | None = None):
    return client.post(url, data={"csrf_token": page_csrf_token(client, url), **(data or {})})


def test_removing_a_student_in_no_other_class_leaves_no_row_of_theirs(app, school):
    sam_id = school.sam.id
    gone = rows_of({"users": {sam_id}})
    assert set(gone) >= STUDENT_TABLES, "the test data misses a table"
    before = counts()
    client = _teacher_client(app, school.t)
    resp = _post(client, f"/teacher/classes/{school.here.id}/students/{sam_id}/remove")
    assert resp.status_code == 302
    only_these_went(before, gone)
    assert rows_of({"users": {sam_id}}) == {"users": {sam_id}}  # nothing points at them


def test_removing_a_student_who_is_in_another_class_deletes_only_their_work_here(app, school):
    gone = work_in(school.kim, school.here)
    assert set(gone) >= STUDENT_TABLES - {"users"}
    kept = work_in(school.kim, school.theirs)
    assert set(kept) >= STUDENT_TABLES - {"users"}
    before = counts()
    client = _teacher_client(app, school.t)
    resp = _post(client, f"/teacher/classes/{school.here.id}/students/{school.kim.id}/remove")
    assert resp.status_code == 302
    only_these_went(before, gone)
    assert work_in(school.kim, school.theirs) == kept


# ---------------------------------------------------------------- deleting a class


def delete_url(classroom: Classroom) -> str:
    return f"/teacher/classes/{classroom.id}/delete"


def test_the_settings_page_offers_deleting_the_class(app, school):
    client = _teacher_client(app, school.t)
    page = client.get(f"/teacher/classes/{school.here.id}/settings").get_data(as_text=True)
    assert f'href="{delete_url(school.here)}"' in page


def test_the_confirmation_page_says_what_goes_and_offers_the_grades_first(app, school):
    client = _teacher_client(app, school.t)
    before = counts()
    resp = client.get(delete_url(school.here))
    assert resp.status_code == 200
    text = text_of(resp)
    assert "Delete Period 3 English for good?" in text
    assert "All your students' work in this class will be deleted for good" in text
    assert (
        "2 assignments and the work of 2 students on them: 8 annotations, "
        "4 submitted lessons" in text
    )  # the thrown-away annotations are not counted
    assert "1 student is in no other class, so their account will be deleted too" in text
    assert "Download the grades first" in text
    page = resp.get_data(as_text=True)
    for a in school.here.assignments:
        assert f"/teacher/assignments/{a.id}/export/grades.csv" in page
    assert "Archive it instead" in text  # not archived yet
    assert 'name="name"' in page
    assert "Type “Period 3 English”, exactly" in text
    assert counts() == before  # a GET changes nothing


def test_deleting_a_class_deletes_everything_in_it_and_students_left_in_no_class(app, school):
    here_id = school.here.id
    gone = rows_of({"classrooms": {here_id}, "users": {school.sam.id}})
    assert set(gone) >= CLASS_TABLES | {"users"}
    kept_kim = work_in(school.kim, school.theirs)
    before = counts()
    client = _teacher_client(app, school.t)
    resp = _post(client, delete_url(school.here), {"name": "  Period 3 English "})
    assert resp.status_code == 302
    assert resp.headers["Location"] == "/teacher/"
    only_these_went(before, gone)
    # Kim is still in teacher U's class, with that work; Lee's class is untouched
    assert db.session.get(User, school.kim.id) is not None
    assert work_in(school.kim, school.theirs) == kept_kim
    home = text_of(client.get("/teacher/"))
    assert (
        "Deleted “Period 3 English” with its 2 assignments and all its students' work. "
        "1 student account in no other class was deleted too."
    ) in home
    assert client.get(f"/teacher/classes/{here_id}").status_code == 404


@pytest.mark.parametrize("typed", ["", "Period 3", "period 3 english", "Period 5 English"])
def test_a_wrong_or_missing_class_name_deletes_nothing(app, school, typed):
    before = counts()
    client = _teacher_client(app, school.t)
    resp = _post(client, delete_url(school.here), {"name": typed})
    assert resp.status_code == 422
    text = text_of(resp)
    assert (
        "Type the class name to confirm."
        if not typed
        else "That isn't the class name. Type “Period 3 English” exactly, or cancel."
    ) in text
    assert f'value="{typed}"' in resp.get_data(as_text=True) or not typed  # typing kept
    assert counts() == before


def test_an_expired_form_deletes_nothing_and_says_so(app, school):
    before = counts()
    client = _teacher_client(app, school.t)
    resp = client.post(
        delete_url(school.here), data={"csrf_token": "stale", "name": "Period 3 English"}
    )
    assert resp.status_code == 422
    assert "the form expired" in text_of(resp)
    assert counts() == before


def test_another_teacher_gets_404_and_deletes_nothing(app, school):
    before = counts()
    client = _teacher_client(app, school.u)
    assert client.get(delete_url(school.here)).status_code == 404
    token = page_csrf_token(client, "/teacher/")
    resp = client.post(
        delete_url(school.here), data={"csrf_token": token, "name": "Period 3 English"}
    )
    assert resp.status_code == 404
    assert counts() == before


def test_students_get_403_and_anonymous_people_are_sent_to_log_in(app, school):
    before = counts()
    student = app.test_client()
    assert login(student, school.sam).status_code == 302
    token = page_csrf_token(student, "/student/")
    for method in ("GET", "POST"):
        resp = student.open(
            delete_url(school.here),
            method=method,
            data={"csrf_token": token, "name": "Period 3 English"},
        )
        assert resp.status_code == 403
        resp = app.test_client().open(
            delete_url(school.here), method=method, data={"name": "Period 3 English"}
        )
        assert resp.status_code == 302
        assert resp.headers["Location"].startswith("/login")
    assert counts() == before


def test_an_archived_class_can_be_deleted_too(app, school):
    here_id = school.here.id
    school.here.archived_at = datetime(2026, 6, 30)
    db.session.commit()
    client = _teacher_client(app, school.t)
    assert "Archive it instead" not in text_of(client.get(delete_url(school.here)))
    assert _post(client, delete_url(school.here), {"name": "Period 3 English"}).status_code == 302
    assert db.session.get(Classroom, here_id) is None


# ---------------------------------------------------------------- the checks can fail


def _delete_without_foreign_keys(classroom_id: int) -> None:
    """Delete a class row with the database's foreign keys switched off for one connection,
    as if the cascades were missing."""
    db.session.commit()
    if db.engine.dialect.name == "sqlite":  # a plain connection: foreign keys are off
        conn = sqlite3.connect(db.engine.url.database)
        with conn:
            conn.execute("DELETE FROM classrooms WHERE id = ?", (classroom_id,))
        conn.close()
        return
    engine = sa.create_engine(db.engine.url, poolclass=NullPool)
    with engine.connect() as conn:
        conn.exec_driver_sql("SET LOCAL session_replication_role = replica")  # no triggers
        conn.execute(sa.delete(Classroom).where(Classroom.id == classroom_id))
        conn.commit()
    engine.dispose()


def test_the_row_checks_catch_rows_left_behind(app, school):
    gone = rows_of({"classrooms": {school.here.id}})
    before = counts()
    _delete_without_foreign_keys(school.here.id)
    left = still_there(gone)
    assert set(left) == CLASS_TABLES - {"classrooms"}  # orphans everywhere
    with pytest.raises(AssertionError):
        only_these_went(before, gone)


# ---------------------------------------------------------------- purging archived classes


def test_purge_dates_are_year_month_day_and_never_in_the_future():
    assert dates.parse_day(" 2026-07-31 ") == datetime(2026, 7, 31).date()
    for bad in ("31/07/2026", "2026-7-31", "2026-02-30", "yesterday", "", "2026-07-31T00:00"):
        with pytest.raises(dates.BadDate, match="Use a date like 2026-07-31"):
            dates.parse_day(bad)
    today = datetime(2026, 11, 25).date()
    dates.check_cutoff(today, today)
    with pytest.raises(dates.BadDate, match="2026-11-26 is in the future"):
        dates.check_cutoff(datetime(2026, 11, 26).date(), today)


def test_the_cutoff_is_the_start_of_that_day_in_the_schools_time_zone():
    day = datetime(2026, 7, 31).date()
    assert dates.start_of_day_utc(day, "UTC") == datetime(2026, 7, 31)
    assert dates.start_of_day_utc(day, "America/New_York") == datetime(2026, 7, 31, 4)
    assert dates.start_of_day_utc(day, "Asia/Tokyo") == datetime(2026, 7, 30, 15)
    moment = datetime(2026, 7, 31, 2, tzinfo=UTC)  # still the 30th in New York
    assert dates.today_in("America/New_York", moment) == datetime(2026, 7, 30).date()


def test_only_classes_archived_before_the_cutoff_are_listed(app, school):
    school.here.archived_at = datetime(2026, 6, 30, 23, 59)
    school.theirs.archived_at = datetime(2026, 7, 1)
    db.session.commit()
    listed = deletion.archived_before(db.session, datetime(2026, 7, 1))
    assert [c.id for c in listed] == [school.here.id]  # never one not archived (mine_too)
    found = deletion.contents(db.session, listed)
    assert (
        found.students,
        found.assignments,
        found.annotations,
        found.submissions,
        found.accounts,
    ) == (2, 2, 8, 4, 1)


# ---------------------------------------------------------------- logs never hold notes


MARKER = "ZQX-private-note-4417"


def _leaks(records: list[logging.LogRecord]) -> list[str]:
    formatter = logging.Formatter("%(name)s %(levelname)s %(message)s")
    found = []
    for record in records:
        text = " ".join(
            str(part)
            for part in (
                formatter.format(record),
                record.msg,
                record.args,
                record.exc_text,
                record.stack_info,
                vars(record),
            )
        )
        if MARKER in text:
            found.append(f"{record.name} {record.levelname}: {record.getMessage()[:200]}")
    return found


def _listen_to_every_logger(monkeypatch) -> None:
    """Alembic's logging set-up (run by the test migrations) switches off every logger that
    existed before it, the app's included: switch them back on for this test."""
    for logger in list(logging.root.manager.loggerDict.values()):
        if isinstance(logger, logging.Logger) and logger.disabled:
            monkeypatch.setattr(logger, "disabled", False)


def test_note_text_never_reaches_the_logs(app, work, lesson, caplog, monkeypatch):
    _listen_to_every_logger(monkeypatch)
    caplog.set_level(logging.DEBUG)
    caplog.set_level(logging.DEBUG, logger=app.logger.name)
    api, assignment = work.api, work.assignment
    uid = new_id()
    body = highlight(
        lesson, "vented its anger", category="loaded", prompt="loaded", note=f"{MARKER} created"
    )
    assert api.put(assignment, uid, body).status_code == 201
    body["note"] = f"{MARKER} edited"
    assert api.put(assignment, uid, body, if_match=1).status_code == 200
    assert (
        api.put(assignment, uid, {**body, "note": f"{MARKER} stale"}, if_match=1).status_code == 409
    )  # conflict
    too_long = {**body, "note": MARKER * 200}
    assert api.put(assignment, new_id(), too_long).status_code == 422
    bad_target = {
        **body,
        "note": f"{MARKER} bad target",
        "target": {"start": 0, "end": 5, "exact": "not in the article"},
    }
    assert api.put(assignment, new_id(), bad_target).status_code == 422

    # a database refusing a row: SQLAlchemy's message lists the statement's parameters, and
    # PostgreSQL's lists the failing row, note included
    real_values = put.annotation_values

    def broken_values(data):
        return {**real_values(data), "start_offset": -1}  # breaks the start_not_negative check

    monkeypatch.setattr(put, "annotation_values", broken_values)
    resp = api.put(assignment, new_id(), {**body, "note": f"{MARKER} db error"})
    assert resp.status_code == 500
    assert MARKER not in resp.get_data(as_text=True)
    monkeypatch.setattr(put, "annotation_values", real_values)

    # a bug whose message quotes what it was given, through the API and the no-JS form (both
    # save through saves.put_annotation)
    real_save = saves.put_annotation

    def buggy_save(session, student_id, assignment_id, uuid, payload, if_match):
        raise RuntimeError(f"could not save {payload['note']!r}")

    monkeypatch.setattr(saves, "put_annotation", buggy_save)
    assert api.put(assignment, new_id(), {**body, "note": f"{MARKER} bug"}).status_code == 500
    page = f"/student/assignments/{assignment.id}"
    resp = post_quote(api.client, page, quote="vented its anger", note=f"{MARKER} form bug")
    assert resp.status_code == 500

    # a kind of error whose message is logged (it usually names code): what the request
    # carried is blanked out of it
    def typo_save(session, student_id, assignment_id, uuid, payload, if_match):
        raise TypeError(f"can't concatenate str and int: {payload['note']}")

    monkeypatch.setattr(saves, "put_annotation", typo_save)
    assert api.put(assignment, new_id(), {**body, "note": f"{MARKER} typo"}).status_code == 500
    monkeypatch.setattr(saves, "put_annotation", real_save)

    # the pages and files that show the notes
    assert MARKER in api.client.get(page).get_data(as_text=True)
    assert MARKER in api.client.get("/student/my-work.json").get_data(as_text=True)
    teacher = _teacher_client(app, work.teacher)
    base = f"/teacher/assignments/{assignment.id}"
    for url in (
        f"{base}/students/{work.student.id}",
        f"{base}/export/annotations.csv",
        f"{base}/export/annotations.jsonld",
    ):
        resp = teacher.get(url)
        assert resp.status_code == 200, url
        assert MARKER in resp.get_data(as_text=True), url
    assert teacher.get(base).status_code == 200

    assert _leaks(caplog.records) == []
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert len(errors) == 4  # the four failures were logged, with where they happened
    logged = "\n".join(r.getMessage() for r in errors)
    for expected in (
        "IntegrityError: ",
        "ck_annotations_start_not_negative",
        "in put_annotation",
        "in annotate_by_quote",
        "RuntimeError: (message withheld",
        "TypeError: can't concatenate str and int: [request text]",
    ):
        assert expected in logged
