"""Writing lessons in the browser: the editor of a teacher's own lesson (its details, article,
prompts and a key built by highlighting), its saves and checks, publishing, duplicating and
exporting. Only a lesson's author edits it; a colleague's shared lesson can be duplicated."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import (
    Blueprint,
    Flask,
    Response,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user
from flask_wtf.csrf import generate_csrf

from .. import services
from ..domain.lessons import BUILTIN_CATEGORIES, FIELD_SETS, LessonSet, Parsed
from ..domain.lessons.draft import TooDeep
from ..domain.lessons.export import data_to_toml, lesson_data
from ..extensions import db
from ..models import AuthoredLesson
from ..services import library
from . import preview
from .errors import json_body, json_error
from .forms import ActionForm, ShareForm
from .loaders import found, own_lesson, readable_lesson
from .main import only_for

bp = only_for("teacher", Blueprint("authoring", __name__, url_prefix="/teacher/lessons"))

DRAFT_LIMIT = 2 * 1024 * 1024  # a request body: the largest lesson with room for JSON's escapes


def _builtin() -> LessonSet:
    return services.current_lessons(current_app.config["LESSONS_DIR"])


def check_result(row: AuthoredLesson, parsed: Parsed) -> dict[str, Any]:
    """What the editor is told after each save: the stored copy, its problems, and where each
    key item and decoy sits in the text (code points; the page converts them)."""
    read = parsed.read
    return {
        "revision": row.revision,
        "status": row.status,
        "lesson": library.data_of(row),
        "problems": [
            {"item": p.item, "message": p.message, "severity": p.severity} for p in parsed.problems
        ],
        "places": {
            "key": {k.id: k.spans for k in read.key if not k.is_omission},
            "decoys": {d.id: [[d.start, d.end]] for d in read.decoys if d.end > d.start},
        },
    }


@bp.get("/authored/<id:authored_id>/edit")
def edit(authored_id: int):
    row = own_lesson(authored_id)
    page: dict[str, Any] = {
        "saveUrl": url_for(".save", authored_id=row.id),
        "csrfToken": generate_csrf(),
        "builtinCategories": [{"id": cid, **c} for cid, c in BUILTIN_CATEGORIES.items()],
        "fieldSets": {cid: [f["name"] for f in fields] for cid, fields in FIELD_SETS.items()},
        **check_result(row, library.checked(row)),
    }
    return render_template("teacher/lesson_edit.html", row=row, page=page, form=ActionForm())


@bp.post("/authored/<id:authored_id>/draft")
def save(authored_id: int):
    """The editor's save: the whole lesson as JSON ``{"revision": n, "lesson": {...}}``; the
    answer is the check of what was stored."""
    row = own_lesson(authored_id)
    request.max_content_length = DRAFT_LIMIT
    body = json_body()
    data = body.get("lesson") if isinstance(body, dict) else None
    revision = body.get("revision") if isinstance(body, dict) else None
    if not isinstance(data, dict) or isinstance(revision, bool) or not isinstance(revision, int):
        return json_error(400, "That save was not a lesson. Reload the page and try again.")
    try:
        parsed = library.save_draft(db.session, row, data, revision)
    except TooDeep:
        db.session.rollback()
        return json_error(400, "That save was not a lesson. Reload the page and try again.")
    except library.DraftConflict:
        db.session.rollback()
        return json_error(
            409,
            "This lesson was changed in another tab or window. Reload the page to see the "
            "latest copy (what you typed here is still on this page until you do).",
            code="conflict",
        )
    db.session.commit()
    return check_result(row, parsed)


def _changed(run: Callable[[], object], expired: str, back: str) -> Any:
    """Run one change to the library behind the form's token and commit it: None when done,
    else a redirect to ``back`` saying why not (an expired form, or the library's reason)."""
    if not ActionForm().validate_on_submit():
        flash(expired, "error")
        return redirect(back)
    try:
        run()
    except library.LibraryError as e:
        db.session.rollback()
        flash(str(e), "error")
        return redirect(back)
    db.session.commit()
    return None


@bp.post("/authored/<id:authored_id>/publish")
def publish(authored_id: int):
    row = own_lesson(authored_id)
    refused = _changed(
        lambda: library.publish(db.session, row),
        "That form had expired, so nothing was published. Publish again.",
        url_for(".edit", authored_id=row.id),
    )
    if refused:
        return refused
    flash(
        "Published. Assign it from a class page; classes that have an older version keep "
        "theirs until you move them.",
        "success",
    )
    return redirect(url_for("lessons.authored", authored_id=row.id))


@bp.post("/authored/<id:authored_id>/share")
def share(authored_id: int):
    row = own_lesson(authored_id)
    form = ShareForm()
    if form.validate_on_submit():
        row.shared = form.shared.data == "yes"
        db.session.commit()
        flash(
            "Shared: other teachers on this server can read, duplicate and assign it."
            if row.shared
            else "No longer shared. Classes that already have it keep it.",
            "success",
        )
    else:
        flash("That form had expired, so nothing changed. Try again.", "error")
    return redirect(url_for("lessons.authored", authored_id=row.id))


@bp.post("/authored/<id:authored_id>/delete")
def delete(authored_id: int):
    row = own_lesson(authored_id)
    refused = _changed(
        lambda: library.delete(db.session, row),
        "That form had expired, so nothing was deleted. Try again.",
        url_for("lessons.authored", authored_id=row.id),
    )
    if refused:
        return refused
    flash("Lesson deleted.", "success")
    return redirect(url_for("lessons.index"))


def _duplicated(data: dict[str, Any]) -> Any:
    if not ActionForm().validate_on_submit():
        flash("That form had expired, so nothing was copied. Try again.", "error")
        return redirect(request.referrer or url_for("lessons.index"))
    row = library.duplicate(db.session, current_user, data, _builtin())
    db.session.commit()
    flash("A copy is ready for you to adapt. Only you can see it until you share it.", "success")
    return redirect(url_for(".edit", authored_id=row.id))


@bp.post("/builtin/<lesson_slug>/duplicate")
def duplicate_builtin(lesson_slug: str):
    return _duplicated(lesson_data(found(_builtin().lessons.get(lesson_slug))))


@bp.post("/authored/<id:authored_id>/duplicate")
def duplicate_authored(authored_id: int):
    return _duplicated(library.data_of(readable_lesson(authored_id)))


def _toml_file(name: str, body: str) -> Response:
    return Response(
        body,
        mimetype="application/toml",
        headers={"Content-Disposition": f'attachment; filename="{name}.toml"'},
    )


@bp.get("/builtin/<lesson_slug>/export")
def export_builtin(lesson_slug: str):
    lesson = found(_builtin().lessons.get(lesson_slug))
    return _toml_file(lesson.id, data_to_toml(lesson_data(lesson)))


@bp.get("/authored/<id:authored_id>/export")
def export_authored(authored_id: int):
    row = readable_lesson(authored_id)
    return _toml_file(row.lesson_id, data_to_toml(library.data_of(row)))


# Previews: the student's lesson page for a lesson as it is now (a draft's current content,
# with its problems), before and after feedback is released; nothing is stored.


@bp.get("/authored/<id:authored_id>/preview")
def preview_authored(authored_id: int):
    lesson, problems = preview.as_it_is(own_lesson(authored_id))
    return preview.as_student(lesson, preview.authored_links(authored_id), problems)


@bp.get("/authored/<id:authored_id>/preview/feedback")
def preview_feedback_authored(authored_id: int):
    lesson, problems = preview.as_it_is(own_lesson(authored_id))
    if problems:  # a key with errors scores nothing a student would see
        flash(
            "Feedback can be previewed once the check finds no problems to fix: "
            "fix the ones shown in the editor first.",
            "error",
        )
        return redirect(url_for(".edit", authored_id=authored_id))
    return preview.with_feedback(lesson, preview.authored_links(authored_id), problems)


@bp.get("/builtin/<lesson_slug>/preview")
def preview_builtin(lesson_slug: str):
    lesson = found(_builtin().lessons.get(lesson_slug))
    return preview.as_student(lesson, preview.builtin_links(lesson.id), 0)


@bp.get("/builtin/<lesson_slug>/preview/feedback")
def preview_feedback_builtin(lesson_slug: str):
    lesson = found(_builtin().lessons.get(lesson_slug))
    return preview.with_feedback(lesson, preview.builtin_links(lesson.id), 0)


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
