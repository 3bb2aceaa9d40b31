"""Teacher pages (just enough for students to reach a lesson; the rest is the next issue)."""

from __future__ import annotations

from datetime import datetime, time

from flask import Blueprint, Flask, abort, current_app, flash, redirect, render_template, url_for
from flask_login import current_user

from .. import services
from ..extensions import db
from .forms import AssignForm, ClassroomForm, csrf_message
from .main import form_view, teacher_required

bp = Blueprint("teacher", __name__, url_prefix="/teacher")


@bp.before_request
@teacher_required
def only_teachers() -> None:
    return None


def _lessons():
    return services.current_lessons(current_app.config["LESSONS_DIR"])


@bp.route("/", methods=["GET", "POST"])
@form_view
def home():
    form = ClassroomForm()
    if form.validate_on_submit():
        c = services.create_classroom(db.session, current_user, form.name.data)
        db.session.commit()
        flash(f"Class created. Its join code is {c.join_code}.", "success")
        return redirect(url_for("teacher.classroom", classroom_id=c.id))
    lessons = _lessons()
    return render_template(
        "teacher/home.html", form=form, csrf_error=csrf_message(form),
        classes=services.teacher_classrooms(db.session, current_user),
        lessons=list(lessons.lessons.values()), problems=lessons.problems,
    )


@bp.route("/classes/<int:classroom_id>", methods=["GET", "POST"])
@form_view
def classroom(classroom_id: int):
    c = services.teacher_classroom(db.session, current_user, classroom_id)
    if c is None:
        abort(404)
    lessons = _lessons()
    form = AssignForm()
    form.lesson.choices = [(lesson.id, lesson.title) for lesson in lessons.lessons.values()]
    if form.validate_on_submit():
        lesson = lessons.lessons[form.lesson.data]
        due = datetime.combine(form.due.data, time(23, 59)) if form.due.data else None
        services.assign_lesson(db.session, c, lesson, due)
        db.session.commit()
        flash(f"Assigned \u201c{lesson.title}\u201d.", "success")
        return redirect(url_for("teacher.classroom", classroom_id=c.id))
    return render_template("teacher/classroom.html", classroom=c, form=form,
                           csrf_error=csrf_message(form), problems=lessons.problems)


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
