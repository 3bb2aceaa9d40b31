"""Student pages: my assignments, and the lesson page where the annotating happens."""

from __future__ import annotations

import uuid as uuidlib
from functools import lru_cache
from pathlib import Path
from typing import Any

from flask import (
    Blueprint,
    Flask,
    abort,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    url_for,
)
from flask_login import current_user

from .. import saves, services
from ..domain.anchoring import AnchorError, anchor_quote
from ..domain.annotations import Invalid, quote_form_payload
from ..domain.feedback import feedback_page
from ..domain.lessons import Lesson
from ..extensions import db
from ..models import Submission
from ..services import grading
from . import present
from .forms import ActionForm, QuoteAnnotationForm, csrf_message, form_field
from .loaders import annotation_id, student_assignment
from .main import only_for
from .policy import choose_password_first, form_view, must_choose_password, writes_itself

bp = only_for("student", Blueprint("student", __name__, url_prefix="/student"))


@bp.get("/")
def home():
    rows = services.student_assignments(db.session, current_user)
    classes = services.student_classrooms(db.session, current_user)
    grades = grading.released_grades(
        db.session, current_user, [(r.assignment, r.submission) for r in rows if r.feedback_ready]
    )
    return render_template("student/home.html", rows=rows, classes=classes, grades=grades)


@bp.get("/my-work.json")
def download_my_work():
    """A student's own data, all of it, as a file they can keep."""
    resp = jsonify(services.my_work(db.session, current_user))
    resp.headers["Content-Disposition"] = 'attachment; filename="my-work.json"'
    resp.headers["Cache-Control"] = "no-store"
    return resp


def _quote_form(lesson, form: QuoteAnnotationForm | None = None) -> QuoteAnnotationForm:
    form = form or QuoteAnnotationForm()
    form.prompt.choices = [(p.id, p.short) for p in lesson.prompts]
    return form


def _render_lesson(
    a, form: QuoteAnnotationForm | None = None, status: int = 200, form_error: str | None = None
):
    lesson = services.lesson_of(a)
    annotations = services.student_annotations(db.session, a, current_user)
    submission = services.submission_of(db.session, a, current_user)
    # None until the teacher releases feedback: no score or key content before that
    feedback = grading.released_feedback(db.session, a, current_user, lesson, submission)
    page = lesson_page(
        lesson,
        a,
        submission=submission,
        annotations=[present.annotation_json(x) for x in annotations],
        form=form,
        form_error=form_error,
        feedback=feedback,
    )
    if feedback is not None and submission is not None:
        # the page shows released feedback: from now on the release can't be undone
        grading.feedback_seen(db.session, submission)
    # the offline helper (static/js/sw.js) keeps a copy only of its own student's pages
    return page, status, {"X-Read-Closely-User": str(current_user.id)}


def lesson_page(
    lesson: Lesson,
    assignment: Any,
    *,
    submission: Submission | None = None,
    annotations: list[dict] | None = None,
    form: QuoteAnnotationForm | None = None,
    form_error: str | None = None,
    feedback: grading.Feedback | None = None,
    preview: Any = None,
) -> str:
    """The lesson page (templates/student/lesson.html): a student's, or with ``preview`` (see
    web/preview.py, whose stand-in is then ``assignment`` too) a teacher's preview of it."""
    return render_template(
        "student/lesson.html",
        assignment=assignment,
        lesson=lesson,
        submission=submission,
        annotations=annotations or [],
        quote_form=_quote_form(lesson, form),
        action_form=ActionForm(),
        form_error=form_error,
        note_max=current_app.config["NOTE_MAX_CHARS"],
        offline_files=_offline_files(),
        feedback=feedback,
        shown=feedback and feedback_page(lesson, feedback.work, feedback.scored),
        preview=preview,
    )


def _offline_files() -> list[str]:
    """Every script and stylesheet, for the lesson page's offline copy (static/js/sw.js)."""
    return [url_for("static", filename=name) for name in _static_files(current_app.static_folder)]


@lru_cache(maxsize=4)
def _static_files(folder: str) -> tuple[str, ...]:
    root = Path(folder)
    return tuple(
        p.relative_to(root).as_posix()
        for sub in ("js", "css")
        for p in sorted((root / sub).rglob("*.*"))  # js/lesson/ holds the reader's modules
        if p.name != "sw.js"
    )


@bp.get("/assignments/<id:assignment_id>")
def lesson(assignment_id: int):
    return _render_lesson(student_assignment(assignment_id))


@bp.post("/assignments/<id:assignment_id>/quote")
@form_view
@writes_itself
def annotate_by_quote(assignment_id: int):
    """Annotate without JavaScript: the server anchors the typed words."""
    a = student_assignment(assignment_id)
    lesson = services.lesson_of(a)
    form = _quote_form(lesson)
    if not form.validate_on_submit():
        return _render_lesson(a, form, 422, csrf_message(form))
    payload = quote_form_payload(lesson, form.data)
    quote = (form.quote.data or "").strip()
    try:
        if quote:
            t = anchor_quote(lesson.text, quote, form.occurrence.data)
            payload["target"] = {"start": t.start, "end": t.end, "exact": t.exact}
        student = saves.Student(current_user.id, current_user.session_version)
        saves.put_annotation(db.session, student, a.id, str(uuidlib.uuid4()), payload, None)
    except AnchorError as e:
        form.quote.errors.append(str(e))
        return _render_lesson(a, form, 422)
    except Invalid as e:
        for key, message in e.fields.items():
            form_field(form, key).errors.append(message)
        return _render_lesson(a, form, 422)
    except services.WorkClosed:
        return _render_lesson(a, form, 409, "You already submitted this lesson.")
    except services.TooMany as e:  # the form's own error: it opens, with what was typed
        form.form_errors.append(e.message)
        return _render_lesson(a, form, 422)
    except saves.NotMember:  # a new one-time password, or removed from the class, a moment ago
        if must_choose_password():
            return choose_password_first()
        abort(404)
    flash("Saved.", "success")
    return redirect(url_for("student.lesson", assignment_id=a.id) + "#my-annotations")


@bp.post("/assignments/<id:assignment_id>/annotations/<uuid>/delete")
@form_view
def delete_annotation(assignment_id: int, uuid: str):
    a = student_assignment(assignment_id)
    form = ActionForm()
    if not form.validate_on_submit():
        return _render_lesson(a, None, 400, csrf_message(form))
    try:
        services.delete_annotation(db.session, a, current_user, annotation_id(uuid), None)
    except services.NotYours:
        abort(404)
    except services.WorkClosed:
        return _render_lesson(a, None, 409, "You already submitted this lesson.")
    db.session.commit()
    flash("Deleted.", "success")
    return redirect(url_for("student.lesson", assignment_id=a.id) + "#my-annotations")


@bp.post("/assignments/<id:assignment_id>/submit")
@form_view
def submit(assignment_id: int):
    a = student_assignment(assignment_id)
    form = ActionForm()
    if not form.validate_on_submit():
        return _render_lesson(a, None, 400, csrf_message(form))
    try:
        services.submit(db.session, a, current_user)
    except services.WorkClosed:
        return _render_lesson(a, None, 409, "Feedback for this lesson is already released.")
    db.session.commit()
    flash("Submitted. Well done! Your teacher can now see your work.", "success")
    return redirect(url_for("student.lesson", assignment_id=a.id))


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
