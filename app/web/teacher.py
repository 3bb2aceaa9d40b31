"""Teacher pages: classes, assigning (warned before a lesson the class already has), archiving
and deleting an assignment, the class dashboard, reviewing and marking a student."""

from __future__ import annotations

from flask import (
    Blueprint,
    Flask,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    stream_with_context,
    url_for,
)
from flask_login import current_user
from markupsafe import Markup

from .. import services
from ..domain.dates import end_of_day_utc, to_local
from ..domain.overlay import heat_legend, heat_runs
from ..domain.releasing import release_plan
from ..domain.scoring import score_work
from ..domain.summaries import answers_to_mark, distribution_svg, summarise
from ..extensions import db
from ..services import class_work, classes, deletion, exports, grading, library, moving, rosters
from . import review_page
from .forms import (
    ActionForm,
    AssignForm,
    ClassroomForm,
    DeleteAssignmentForm,
    DueForm,
    FinalGradeForm,
    MoveForm,
    OmissionMarkForm,
    RosterFileForm,
    csrf_message,
)
from .loaders import annotation_id, found, teacher_assignment, teacher_classroom
from .main import only_for, when
from .policy import form_view

bp = only_for("teacher", Blueprint("teacher", __name__, url_prefix="/teacher"))


def _due(day):
    """The chosen day ends at midnight in the school's time zone (SCHOOL_TIMEZONE)."""
    return end_of_day_utc(day, current_app.config["SCHOOL_TIMEZONE"]) if day else None


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
        "teacher/home.html",
        form=form,
        csrf_error=csrf_message(form),
        classes=services.teacher_classrooms(db.session, current_user),
        lessons=list(lessons.lessons.values()),
        problems=lessons.problems,
    )


@bp.route("/classes/<id:classroom_id>", methods=["GET", "POST"])
@form_view
def classroom(classroom_id: int):
    c = teacher_classroom(classroom_id)
    lessons = _lessons()
    assignable = library.assignable(db.session, current_user, lessons)
    form = AssignForm()
    form.lesson.choices = [(lesson.id, lesson.title) for lesson in assignable.values()]
    again = None
    if form.validate_on_submit():
        lesson = assignable[form.lesson.data]
        twin = classes.already_assigned(db.session, c, lesson.id)
        if twin is None or form.again.data == lesson.id:
            services.assign_lesson(db.session, c, lesson, _due(form.due.data))
            db.session.commit()
            flash(f"Assigned \u201c{lesson.title}\u201d.", "success")
            return redirect(url_for("teacher.classroom", classroom_id=c.id))
        # nothing assigned yet: the same form comes back, asking, with the lesson to confirm
        form.again.data = lesson.id
        again = (
            f"This class already has \u201c{lesson.title}\u201d "
            f"(assigned {when(twin.created_at, day_only=True)}). Assign it again?"
        )
    return render_template(
        "teacher/classroom.html",
        classroom=c,
        active=[a for a in c.assignments if a.archived_at is None],
        archived=[a for a in c.assignments if a.archived_at is not None],
        form=form,
        again=again,
        csrf_error=csrf_message(form),
        problems=lessons.problems,
        roster=rosters.roster(db.session, c),
        newer=moving.newer_versions(db.session, c.assignments, lessons),
        released=grading.released_assignments(db.session, c.assignments),
        rename_form=ClassroomForm(formdata=None, obj=c),
        upload_form=RosterFileForm(formdata=None),
    )


# ---------------------------------------------------------------- one assignment


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


@bp.route("/assignments/<id:assignment_id>/delete", methods=["GET", "POST"])
@form_view
def delete_assignment(assignment_id: int):
    """Delete the assignment and its students' work, for good (``services.deletion``): a
    confirmation page first, naming how many students' work goes with it."""
    a = teacher_assignment(assignment_id)
    summary = deletion.assignment_contents(db.session, a)
    form = DeleteAssignmentForm(summary.students > 0)
    if form.validate_on_submit():
        title, classroom_id = a.lesson_version.title, a.classroom_id
        gone = deletion.delete_assignment(db.session, a)
        db.session.commit()
        message = f"Deleted \u201c{title}\u201d"
        if gone.students:
            message += (
                f" and the work of {_plural(gone.students, 'student')} on it: "
                f"{_plural(gone.annotations, 'annotation')}, "
                f"{_plural(gone.submissions, 'submitted lesson')}, and every mark and grade."
            )
        else:
            message += ". No student had started it."
        flash(message, "success")
        return redirect(url_for("teacher.classroom", classroom_id=classroom_id))
    return render_template(
        "teacher/assignment_delete.html",
        assignment=a,
        summary=summary,
        form=form,
        csrf_error=csrf_message(form),
    ), 422 if request.method == "POST" else 200


def _assignment_action(assignment_id: int, action, message: str):
    a = teacher_assignment(assignment_id)
    if ActionForm().validate_on_submit():
        action(db.session, a)
        db.session.commit()
        flash(message.format(title=a.lesson_version.title), "success")
    else:
        flash("This page was open a long time: press the button again.", "error")
    return redirect(url_for("teacher.classroom", classroom_id=a.classroom_id))


@bp.post("/assignments/<id:assignment_id>/archive")
@form_view
def archive_assignment(assignment_id: int):
    return _assignment_action(
        assignment_id,
        classes.archive_assignment,
        "Archived \u201c{title}\u201d: students no longer see it, and their work is kept. "
        "It is listed under \u201cArchived\u201d.",
    )


@bp.post("/assignments/<id:assignment_id>/unarchive")
@form_view
def unarchive_assignment(assignment_id: int):
    return _assignment_action(
        assignment_id,
        classes.unarchive_assignment,
        "Unarchived \u201c{title}\u201d: students see it again.",
    )


@bp.get("/assignments/<id:assignment_id>")
def dashboard(assignment_id: int):
    """What did the class understand? Progress, key items, heatmap, confusion, distribution."""
    a = teacher_assignment(assignment_id)
    lesson = services.lesson_of(a)
    works = class_work.load_works(db.session, a)
    summary = summarise(lesson, works, a.due_at)
    view = review_page.list_view()
    heat = request.args.get("heat", "all")
    if heat not in summary.heatmap:
        heat = "all"
    return render_template(
        "teacher/dashboard.html",
        assignment=a,
        lesson=lesson,
        summary=summary,
        rows=view.apply(summary.rows),
        sort=view.sort,
        direction=view.direction,
        status=view.status,
        view=view.query(),
        heat=heat,
        legend=heat_legend(summary.heat_max.get(heat, 0)),
        runs=heat_runs(lesson, summary.words, summary.heatmap[heat]),
        chart=Markup(distribution_svg(summary)),  # noqa: S704  (built with html.escape)
        due_form=DueForm(
            due=to_local(a.due_at, current_app.config["SCHOOL_TIMEZONE"]).date()
            if a.due_at
            else None
        ),
        action_form=ActionForm(),
        plan=release_plan(works),
        categories={c.id: c for c in lesson.categories},
        to_mark=answers_to_mark(lesson, works),
        canvas_unmatched=exports.canvas_unmatched(works),
        newer=moving.newer_version(db.session, a, _lessons()),
    )


@bp.post("/assignments/<id:assignment_id>/due")
@form_view
def set_due(assignment_id: int):
    a = teacher_assignment(assignment_id)
    form = DueForm()
    if form.validate_on_submit():
        grading.set_due(a, _due(form.due.data))
        db.session.commit()
        flash("Due date saved." if form.due.data else "Due date removed.", "success")
    else:
        flash(csrf_message(form) or "That isn't a date. Use the date picker.", "error")
    return redirect(url_for("teacher.dashboard", assignment_id=a.id))


RELEASE_TO = ("everyone", "submitted")


@bp.route("/assignments/<id:assignment_id>/release", methods=["GET", "POST"])
@form_view
def release(assignment_id: int):
    """Release feedback: first who it reaches and whose work it closes (GET), then the release
    (POST) to everyone or only to the students who submitted."""
    a = teacher_assignment(assignment_id)
    plan = grading.plan(db.session, a)
    form = ActionForm()
    error = None
    if request.method == "POST":
        who = request.form.get("who", "")
        if not form.validate_on_submit():
            error = csrf_message(form)
        elif who not in RELEASE_TO:
            error = "Choose who gets the feedback: everyone, or only those who submitted."
        elif problem := plan.nothing_to_release(everyone=who == "everyone"):
            error = problem
        else:
            count = grading.release(db.session, a, everyone=who == "everyone")
            db.session.commit()
            message = plan.released_message(count, everyone=who == "everyone")
            flash(message, "success")
            return redirect(url_for("teacher.dashboard", assignment_id=a.id))
    return render_template(
        "teacher/release.html", assignment=a, plan=plan, error=error
    ), 422 if request.method == "POST" else 200


@bp.post("/assignments/<id:assignment_id>/release/undo")
@form_view
def undo_release(assignment_id: int):
    """Take released feedback back, while no student has opened it."""
    a = teacher_assignment(assignment_id)
    if not ActionForm().validate_on_submit():
        flash("This page was open a long time: press Undo again.", "error")
        return redirect(url_for("teacher.dashboard", assignment_id=a.id))
    try:
        count = grading.undo_release(db.session, a)
    except grading.UndoRefused as e:
        flash(e.message, "error")
    else:
        db.session.commit()
        flash(
            f"Release undone: feedback is hidden again from {_plural(count, 'student')}. "
            "Work the release had closed is open again; submitted work stays submitted.",
            "success",
        )
    return redirect(url_for("teacher.dashboard", assignment_id=a.id))


@bp.route("/assignments/<id:assignment_id>/move", methods=["GET", "POST"])
@form_view
def move(assignment_id: int):
    """Move the assignment to the newer version of its lesson: first what the move does to
    the students' work (GET), then the move (POST, naming the version reviewed)."""
    a = teacher_assignment(assignment_id)
    form = MoveForm()
    if form.validate_on_submit():
        try:
            plan = moving.apply(db.session, a, _lessons(), form.to.data)
        except moving.MoveError as e:
            db.session.rollback()
            flash(str(e), "error")
            return redirect(url_for("teacher.move", assignment_id=a.id))
        db.session.commit()
        if moving.settle(db.session, a):
            db.session.commit()
        flash(plan.moved_message, "success")
        return redirect(url_for("teacher.dashboard", assignment_id=a.id))
    preview = moving.preview(db.session, a, _lessons())
    if preview is not None:
        form.to.data = preview.newer.version
    return render_template(
        "teacher/move.html",
        assignment=a,
        released=bool(grading.released_assignments(db.session, [a])),
        preview=preview,
        form=form,
        csrf_error=csrf_message(form),
    ), 422 if request.method == "POST" else 200


# ---------------------------------------------------------------- one student


def _student_work(assignment_id: int, student_id: int):
    """The assignment, if the student is in its class (404 otherwise)."""
    a = teacher_assignment(assignment_id)
    review_page.place_of(a, student_id)
    return a


@bp.get("/assignments/<id:assignment_id>/students/<id:student_id>")
def review(assignment_id: int, student_id: int):
    return review_page.render(teacher_assignment(assignment_id), student_id)


@bp.post("/assignments/<id:assignment_id>/students/<id:student_id>/omissions/<uuid>")
@form_view
def mark_omission(assignment_id: int, student_id: int, uuid: str):
    a = _student_work(assignment_id, student_id)
    lesson = services.lesson_of(a)
    uuid = annotation_id(uuid)
    form = OmissionMarkForm(prefix=f"m-{uuid}")
    form.key_item.choices = []
    message = None
    if form.validate_on_submit():
        try:
            grading.mark_omission(
                db.session,
                current_user,
                a,
                lesson,
                uuid,
                form.key_item.data or None,
                form.level.data,
                student_id,
            )
        except grading.GradingError as e:
            form.level.errors = [*form.level.errors, e.message]
            message = e.message
        else:
            db.session.commit()
            return review_page.back_to(a, student_id, f"answer-{uuid}")
    form.key_item.choices = review_page.omission_choices(lesson)
    return review_page.render(a, student_id, {uuid: form}, 422, message)


@bp.post("/assignments/<id:assignment_id>/students/<id:student_id>/rubric")
@form_view
def set_rubric(assignment_id: int, student_id: int):
    """Every question's level and comment with one Save, all or none; a question the form
    doesn't send is left as it is."""
    a = _student_work(assignment_id, student_id)
    lesson = services.lesson_of(a)
    work = found(class_work.work_of(db.session, a, student_id))
    form = review_page.rubric_form(lesson, work, request.form)
    sent = {p.id for p in lesson.prompts if f"r-{p.id}-level" in request.form}
    stray = any(
        k.startswith("r-") and k.endswith("-level") and k[2:-6] not in sent for k in request.form
    )
    rows_valid = all([form.rows[pid].validate() for pid in sent])
    message = "That question isn't part of this lesson." if stray else None
    if form.validate_on_submit() and rows_valid and not stray:
        try:
            grading.set_rubrics(
                db.session,
                current_user,
                a,
                lesson,
                student_id,
                {
                    pid: (form.rows[pid].level.data or "", form.rows[pid].comment.data or "")
                    for pid in sent
                },
            )
        except grading.RubricErrors as e:
            for pid, problem in e.problems.items():
                field = getattr(form.rows[pid], problem.field)
                field.errors = [*field.errors, problem.message]
        else:
            db.session.commit()
            flash("Rubric saved.", "saved-rubric")
            return review_page.back_to(a, student_id, "rubric")
    return review_page.render(a, student_id, {"rubric": form}, 422, csrf_message(form) or message)


@bp.post("/assignments/<id:assignment_id>/students/<id:student_id>/final")
@form_view
def set_final(assignment_id: int, student_id: int):
    a = _student_work(assignment_id, student_id)
    form = FinalGradeForm()
    if form.validate_on_submit():
        lesson = services.lesson_of(a)
        possible = score_work(lesson, found(class_work.work_of(db.session, a, student_id))).possible
        score = float(form.score.data) if form.score.data is not None else None
        try:
            grading.set_final_grade(
                db.session, current_user, a, student_id, score, form.reason.data or "", possible
            )
        except grading.GradingError as e:
            getattr(form, e.field).errors = [*getattr(form, e.field).errors, e.message]
        else:
            db.session.commit()
            flash(
                f"Final grade saved: {score:g} of {possible:g}."
                if score is not None
                else "Final grade cleared: the auto score counts.",
                "saved-final",
            )
            return review_page.back_to(a, student_id, "final")
    return review_page.render(a, student_id, {"final": form}, 422, csrf_message(form))


@bp.post("/assignments/<id:assignment_id>/students/<id:student_id>/reopen")
@form_view
def reopen(assignment_id: int, student_id: int):
    a = _student_work(assignment_id, student_id)
    work = found(class_work.work_of(db.session, a, student_id))
    if not ActionForm().validate_on_submit():
        flash("This page was open a long time: press the button again.", "error")
    elif grading.reopen(db.session, current_user, a, student_id):
        db.session.commit()
        message = f"Returned to {work.name}: they can change their work and submit again."
        if work.released_at is not None:
            message += " Their feedback is hidden until you release it to them again."
        flash(message, "success")
    else:
        flash("There is nothing to return: this student's work is open already.", "error")
    return review_page.back_to(a, student_id, "top")


@bp.get("/assignments/<id:assignment_id>/export/<kind>")
def export(assignment_id: int, kind: str):
    a = teacher_assignment(assignment_id)
    if kind not in exports.EXPORTS:
        abort(404)
    out = exports.export(
        db.session,
        a,
        kind,
        request.host_url.rstrip("/"),
        current_app.config["SECRET_KEY"],
        current_app.config["SCHOOL_TIMEZONE"],
    )
    return Response(
        stream_with_context(out.chunks),
        content_type=out.media_type,
        headers={
            "Content-Disposition": f'attachment; filename="{out.filename}"',
            "Cache-Control": "no-store",
        },
    )


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
