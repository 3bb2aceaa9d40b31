"""Class management and rosters, under ``/teacher``: rename, archive, new join code, delete
the class (for good, after typing its name), import a roster file, reset a student's password,
remove a student. Only the class's own teacher: anyone else's class is 404, students get 403.
(A student given a one-time password chooses their own in ``auth``.)

A roster import says which of its usernames someone outside the teacher's classes has; those
answers count toward a per-teacher limit (``limits.roster_taken``), past which the import is
refused whole, so a stranger with a teacher account can't list which usernames exist.

Pages that show one-time passwords are answers to the POST that made them, sent with
``Cache-Control: no-store``; the plain passwords are never stored anywhere.
"""

from __future__ import annotations

from flask import (
    Blueprint,
    Flask,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user
from sqlalchemy.exc import IntegrityError
from werkzeug.exceptions import RequestEntityTooLarge

from ..domain.roster import LABELS, MAX_BYTES, MAX_ROWS, parse_roster
from ..extensions import db
from ..models import Classroom
from ..services import deletion, rosters
from ..services.errors import FieldError
from .errors import MESSAGES
from .forms import (
    ActionForm,
    ClassroomForm,
    DeleteClassForm,
    RosterEntryForm,
    RosterFileForm,
    csrf_message,
)
from .loaders import roster_entry, teacher_classroom
from .main import only_for
from .policy import form_view
from .security import limits

bp = only_for("teacher", Blueprint("roster", __name__, url_prefix="/teacher"))

UPLOAD_LIMIT = MAX_BYTES + 64 * 1024  # the file plus the rest of the form
EXPIRED = "The page was open too long, so for your safety nothing was changed. Try again."


# ---------------------------------------------------------------- helpers


def _to_class(classroom: Classroom):
    return redirect(url_for("teacher.classroom", classroom_id=classroom.id))


def _no_store(body: str, status: int = 200):
    """A page with one-time passwords: never kept by the browser or a proxy."""
    resp = make_response(body, status)
    resp.headers["Cache-Control"] = "no-store"
    return resp


# ---------------------------------------------------------------- the class


@bp.route("/classes/<id:classroom_id>/settings", methods=["GET", "POST"])
@form_view
def settings(classroom_id: int):
    c = teacher_classroom(classroom_id)
    form = ClassroomForm(obj=c)
    if form.validate_on_submit():
        rosters.rename_classroom(db.session, c, form.name.data)
        db.session.commit()
        flash(f"Renamed to \u201c{c.name}\u201d.", "success")
        return _to_class(c)
    status = 422 if request.method == "POST" else 200
    return render_template(
        "teacher/roster_settings.html", classroom=c, form=form, csrf_error=csrf_message(form)
    ), status


def _class_action(classroom_id: int, action, message: str):
    c = teacher_classroom(classroom_id)
    if ActionForm().validate_on_submit():
        action(db.session, c)
        db.session.commit()
        flash(message.format(c=c), "success")
    else:
        flash(EXPIRED, "error")
    return _to_class(c)


@bp.post("/classes/<id:classroom_id>/archive")
@form_view
def archive(classroom_id: int):
    return _class_action(
        classroom_id,
        rosters.archive_classroom,
        "Archived. Its code no longer lets anyone join, and its lessons are "
        "hidden from students until you unarchive it.",
    )


@bp.post("/classes/<id:classroom_id>/unarchive")
@form_view
def unarchive(classroom_id: int):
    return _class_action(
        classroom_id,
        rosters.unarchive_classroom,
        "Unarchived: students can join and see its lessons again.",
    )


@bp.post("/classes/<id:classroom_id>/join-code")
@form_view
def new_join_code(classroom_id: int):
    return _class_action(
        classroom_id,
        rosters.regenerate_join_code,
        "New join code: {c.join_code}. The old code no longer works.",
    )


@bp.route("/classes/<id:classroom_id>/delete", methods=["GET", "POST"])
@form_view
def delete_class(classroom_id: int):
    """Delete the class and everything in it, for good (see ``services.deletion``): a
    confirmation page first, where the teacher types the class name."""
    c = teacher_classroom(classroom_id)
    form = DeleteClassForm(c)
    if form.validate_on_submit():
        name = c.name
        gone = deletion.delete_classroom(db.session, c)
        db.session.commit()
        flash(_deleted_message(name, gone), "success")
        return redirect(url_for("teacher.home"))
    status = 422 if request.method == "POST" else 200
    return render_template(
        "teacher/class_delete.html",
        classroom=c,
        form=form,
        summary=deletion.contents(db.session, [c]),
        csrf_error=csrf_message(form),
    ), status


def _count(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def _deleted_message(name: str, gone: deletion.Deletion) -> str:
    message = (
        f"Deleted \u201c{name}\u201d with its {_count(gone.assignments, 'assignment')} "
        f"and all its students' work."
    )
    if gone.accounts:
        message += (
            f" {_count(gone.accounts, 'student account')} in no other class "
            f"{'was' if gone.accounts == 1 else 'were'} deleted too."
        )
    return message


# ---------------------------------------------------------------- importing


def _import_page(
    c: Classroom,
    form: RosterFileForm,
    error: str | None,
    status: int,
    headers: dict[str, str] | None = None,
):
    return (
        render_template(
            "teacher/roster_import.html",
            classroom=c,
            form=form,
            error=error,
            csrf_error=csrf_message(form),
            max_rows=MAX_ROWS,
            max_mb=MAX_BYTES // (1024 * 1024),
        ),
        status,
        headers or {},
    )


def _paused(c: Classroom, form: RosterFileForm, wait: float):
    """Too many taken usernames from this teacher: nothing imported, come back later."""
    return _import_page(c, form, limits.too_many_taken(wait), 429, limits.retry_after(wait))


@bp.route("/classes/<id:classroom_id>/roster/import", methods=["GET", "POST"])
@form_view
def import_roster(classroom_id: int):
    c = teacher_classroom(classroom_id)
    request.max_content_length = UPLOAD_LIMIT
    form = RosterFileForm()
    if not form.validate_on_submit():
        return _import_page(c, form, None, 422 if request.method == "POST" else 200)
    wait = limits.roster_taken_wait(current_user.id)
    if wait:
        return _paused(c, form, wait)
    parsed = parse_roster(form.file.data.read(MAX_BYTES + 1))
    if parsed.refused:
        return _import_page(c, form, parsed.file_problem, 422)
    try:
        result = rosters.import_roster(db.session, c, parsed)
        wait = limits.roster_taken(current_user.id, result.taken)
        if wait:  # past the limit: this file tells nothing about which usernames exist
            db.session.rollback()
            return _paused(c, form, wait)
        db.session.commit()
    except IntegrityError:  # someone took one of these usernames a moment ago
        db.session.rollback()
        return _import_page(
            c,
            form,
            "Another account was created with one of these usernames "
            "at the same moment. Nothing was imported: upload the file again.",
            409,
        )
    except Exception:
        db.session.rollback()  # all or nothing
        raise
    return _no_store(
        render_template(
            "teacher/roster_imported.html",
            classroom=c,
            result=result,
            columns=[(LABELS[key], header) for key, header in parsed.columns.items()],
            login_url=url_for("auth.login", _external=True),
        )
    )


@bp.errorhandler(RequestEntityTooLarge)
def too_large(e: RequestEntityTooLarge):
    if request.endpoint == "roster.import_roster":
        c = teacher_classroom((request.view_args or {})["classroom_id"])
        return _import_page(
            c,
            RosterFileForm(formdata=None),
            f"The file is larger than {MAX_BYTES // (1024 * 1024)} MB. Split it "
            "into smaller files.",
            413,
        )
    return render_template("errors/error.html", status=413, message=MESSAGES[413]), 413


@bp.get("/classes/<id:classroom_id>/roster/example.csv")
def example_csv(classroom_id: int):
    teacher_classroom(classroom_id)
    body = (
        "name,username,sis_user_id,sis_login_id,section\r\n"
        "Amira Khan,amira.k,S1001,amira.khan,Period 3\r\n"
        "Ben O'Neill,ben.oneill,S1002,ben.oneill,Period 3\r\n"
    )
    resp = make_response("\ufeff" + body)
    resp.headers["Content-Type"] = "text/csv; charset=utf-8"
    resp.headers["Content-Disposition"] = 'attachment; filename="roster-example.csv"'
    return resp


# ---------------------------------------------------------------- one student


def _saved_message(name: str, changed: list[str]) -> str:
    if not changed:
        return f"Nothing was changed for {name}."
    labels = [rosters.ENTRY_LABELS[f] for f in changed]
    what = labels[0] if len(labels) == 1 else ", ".join(labels[:-1]) + " and " + labels[-1]
    return f"Saved {name}: {what} changed."


@bp.route("/classes/<id:classroom_id>/students/<id:student_id>/edit", methods=["GET", "POST"])
@form_view
def edit_student(classroom_id: int, student_id: int):
    """A student's name, SIS ids and section in this class."""
    c = teacher_classroom(classroom_id)
    entry = roster_entry(c, student_id)
    may_rename = rosters.only_in_teachers_classes(db.session, current_user, entry.student)
    form = RosterEntryForm(obj=rosters.EntryValues.of(entry))
    if not may_rename:
        form.name.render_kw = {"readonly": True}
    if form.validate_on_submit():
        values = rosters.EntryValues(
            form.name.data,
            form.sis_user_id.data or None,
            form.sis_login_id.data or None,
            form.section.data or None,
        )
        try:
            changed = rosters.edit_entry(db.session, current_user, entry, values)
        except FieldError as e:  # raised before anything is changed
            form[e.field].errors.append(e.message)
        else:
            db.session.commit()
            flash(_saved_message(entry.student.display_name, changed), "success")
            return _to_class(c)
    status = 422 if request.method == "POST" else 200
    return render_template(
        "teacher/roster_edit.html",
        classroom=c,
        student=entry.student,
        form=form,
        may_rename=may_rename,
        name_shared=rosters.NAME_SHARED.format(name=entry.student.display_name),
        csrf_error=csrf_message(form),
    ), status


@bp.route(
    "/classes/<id:classroom_id>/students/<id:student_id>/reset-password", methods=["GET", "POST"]
)
@form_view
def reset_password(classroom_id: int, student_id: int):
    c = teacher_classroom(classroom_id)
    entry = roster_entry(c, student_id)
    if not rosters.only_in_teachers_classes(db.session, current_user, entry.student):
        flash(
            f"{entry.student.display_name} is also in another teacher's class, so their "
            "password can't be reset from here: ask that teacher to reset it.",
            "error",
        )
        return _to_class(c)
    form = ActionForm()
    if form.validate_on_submit():
        card = rosters.reset_password(db.session, entry.student)
        db.session.commit()
        return _no_store(
            render_template(
                "teacher/roster_reset.html",
                classroom=c,
                student=entry.student,
                card=card,
                login_url=url_for("auth.login", _external=True),
            )
        )
    return render_template(
        "teacher/roster_reset.html",
        classroom=c,
        student=entry.student,
        form=form,
        csrf_error=csrf_message(form),
    )


@bp.route("/classes/<id:classroom_id>/students/<id:student_id>/remove", methods=["GET", "POST"])
@form_view
def remove_student(classroom_id: int, student_id: int):
    c = teacher_classroom(classroom_id)
    entry = roster_entry(c, student_id)
    form = ActionForm()
    if form.validate_on_submit():
        name = entry.student.display_name
        deleted = rosters.remove_student(db.session, c, entry.student)
        db.session.commit()
        flash(
            f"{name} was removed from {c.name} and their work in it deleted"
            + (
                " (they were in no other class, so their account was deleted too)."
                if deleted
                else "."
            ),
            "success",
        )
        return _to_class(c)
    summary = rosters.removal_summary(db.session, c, entry.student)
    return render_template(
        "teacher/roster_remove.html",
        classroom=c,
        student=entry.student,
        summary=summary,
        form=form,
        csrf_error=csrf_message(form),
    )


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
