"""The teacher's lesson library under ``/teacher/lessons``: every lesson they may use (built-in,
their own, shared by colleagues), searchable, each readable with its answer key. Teachers
only; another teacher's unshared lesson is a 404."""

from __future__ import annotations

from flask import Blueprint, Flask, current_app, render_template, request
from flask_login import current_user

from .. import services
from ..domain.dates import published_date
from ..domain.lessons import LessonSet
from ..domain.lessons.model import block_elements
from ..domain.overlay import key_pieces
from ..extensions import db
from ..services import library
from .forms import ActionForm, LessonSearchForm
from .loaders import found, readable_lesson
from .main import only_for

bp = only_for("teacher", Blueprint("lessons", __name__, url_prefix="/teacher/lessons"))


def _builtin() -> LessonSet:
    return services.current_lessons(current_app.config["LESSONS_DIR"])


@bp.get("")
def index():
    form = LessonSearchForm(request.args)
    query = (form.q.data or "").strip() if form.validate() else ""
    found_lessons = library.library(db.session, current_user, _builtin(), query)
    return render_template("teacher/lessons.html", form=form, query=query, library=found_lessons)


def _read(entry: library.Entry):
    lesson = entry.lesson
    return render_template(
        "teacher/lessons_read.html",
        entry=entry,
        lesson=lesson,
        pieces=key_pieces(lesson),
        categories={c.id: c for c in lesson.categories},
        form=ActionForm(),
    )


@bp.get("/builtin/<lesson_slug>")
def builtin(lesson_slug: str):
    lesson = found(_builtin().lessons.get(lesson_slug))
    return _read(library.builtin_entry(lesson, library.classes_using(db.session, current_user)))


@bp.get("/authored/<id:authored_id>")
def authored(authored_id: int):
    row = readable_lesson(authored_id)
    uses = library.classes_using(db.session, current_user)
    return _read(library.authored_entry(row, current_user, uses))


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
    # a lesson's date as its data gives it, wherever a teacher page shows one
    app.add_template_filter(published_date, "published_date")
    # the elements a block of the article is shown in (templates/_article.html)
    app.add_template_global(block_elements, "block_elements")
