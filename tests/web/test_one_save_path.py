"""An annotation is written one way: the API, the no-JavaScript form and the tests' seeders all
save through ``saves.put_annotation``, whose every write goes through a backend."""

from __future__ import annotations

import sqlalchemy as sa

from app.extensions import db
from app.models import Annotation
from app.saves import backends
from tests.support.client import ApiClient, post_quote
from tests.support.factory import highlight, new_id


def test_the_api_the_form_and_the_seeders_all_save_through_the_one_save_path(
    app, client, make, lesson, monkeypatch
):
    classroom = make.classroom()
    assignment = make.assignment(classroom)
    student = make.student(classroom=classroom)
    real_write = backends.write
    written: list[str] = []

    def write(engine, attempt):
        result = real_write(engine, attempt)
        if result is not None:  # not an attempt that decides again (PostgreSQL's first count)
            written.append(attempt.new["note"])
        return result

    monkeypatch.setattr(backends, "write", write)
    api = ApiClient(client).login(student)
    body = highlight(lesson, "vented its anger", note="from the API")
    assert api.put(assignment, new_id(), body).status_code == 201
    page = f"/student/assignments/{assignment.id}"
    resp = post_quote(client, page, quote="pointed out", note="from the form")
    assert resp.status_code == 302
    make.annotation(assignment, student, highlight(lesson, "Kiev", note="from the factory"))
    k = make.classwork(lesson)
    k.mark(k.student("Sam Seed"), "top US general", "source", note="from a class's work")
    assert written == ["from the API", "from the form", "from the factory", "from a class's work"]
    notes = db.session.execute(sa.select(Annotation.note).order_by(Annotation.created_at))
    assert list(notes.scalars()) == written
