"""The teacher's review page for one student on one assignment: their work, its score, the
marks given and the forms to mark it. Shown by ``teacher.review``, and again by the views that
mark when a form is refused (with that form, its errors and what was typed)."""

from __future__ import annotations

from typing import Any

from flask import current_app, redirect, render_template, request, url_for
from wtforms.fields.choices import SelectChoice

from .. import services
from ..domain.class_list import ListView, Place, RosterRow, place_in
from ..domain.lessons import Lesson
from ..domain.overlay import review_pieces
from ..domain.review_words import describe_change, fields_in_words
from ..domain.scoring import score_work, suggest_omission
from ..domain.summaries import student_rows
from ..domain.work import StudentWork, status_of
from ..extensions import db
from ..models import Assignment, utcnow
from ..services import class_work, grading
from .forms import ActionForm, FinalGradeForm, OmissionMarkForm, RubricForm, RubricRowForm
from .loaders import found


def list_view() -> ListView:
    """The dashboard's sort and filter, as the review page's address carries them."""
    return ListView.from_args(request.args)


def place_of(a: Assignment, student_id: int, view: ListView | None = None) -> Place:
    """The student's place in the dashboard's list as ``view`` shows it (404 unless they are
    in the class). Sorted by name, the roster is enough; other views score the class."""
    view = view or ListView()
    rows: list[Any]
    if view.needs_work:
        lesson = services.lesson_of(a)
        rows = student_rows(lesson, class_work.load_works(db.session, a), a.due_at)
    else:
        rows = [RosterRow(sid, name) for sid, name in class_work.roster_ids(db.session, a)]
    return found(place_in(rows, view, student_id))


def omission_choices(lesson: Lesson) -> list[SelectChoice]:
    return [SelectChoice("", "(none of these)")] + [
        SelectChoice(k.id, k.statement) for k in lesson.key if k.is_omission
    ]


def _answer_forms(lesson: Lesson, work: StudentWork, forms: dict) -> list[tuple]:
    """Each omission answer with its mark, the suggested key item and a form pre-filled with
    the saved mark or, before marking, the suggestion (forms re-shown with errors win)."""
    choices = omission_choices(lesson)
    out = []
    for ann in work.annotations:
        if ann.category != "omission":
            continue
        mark = work.omission_marks.get(ann.id)
        suggestion = suggest_omission(lesson, ann.answer_text)
        form = forms.get(ann.id) or OmissionMarkForm(
            prefix=f"m-{ann.id}",
            formdata=None,
            key_item=mark.key_item_id if mark else (suggestion.key_item_id if suggestion else ""),
            level=mark.level if mark else None,
        )
        form.key_item.choices = choices
        out.append((ann, mark, suggestion, form))
    return out


def rubric_form(lesson: Lesson, work: StudentWork, formdata=None) -> RubricForm:
    """The whole rubric: a row per question with what was posted for it, else what is saved."""
    form = RubricForm(formdata=formdata)
    form.rows = {
        p.id: RubricRowForm(
            formdata,
            prefix=f"r-{p.id}",
            level=work.rubric[p.id].level if p.id in work.rubric else "",
            comment=work.rubric[p.id].comment if p.id in work.rubric else "",
        )
        for p in lesson.prompts
    }
    return form


def render(
    a: Assignment,
    student_id: int,
    forms: dict | None = None,
    status: int = 200,
    error: str | None = None,
):
    """The page, with ``forms`` (by answer id, ``rubric`` or ``final``) shown in
    place of fresh ones, answered with ``status``."""
    view = list_view()
    place = place_of(a, student_id, view)
    work = found(class_work.work_of(db.session, a, student_id))
    lesson = services.lesson_of(a)
    scored = score_work(lesson, work)
    forms = forms or {}
    zone = current_app.config["SCHOOL_TIMEZONE"]
    return render_template(
        "teacher/review.html",
        assignment=a,
        lesson=lesson,
        work=work,
        scored=scored,
        pieces=review_pieces(lesson, work, scored),
        answers=_answer_forms(lesson, work, forms),
        rubric_form=forms.get("rubric") or rubric_form(lesson, work),
        final_form=forms.get("final")
        or FinalGradeForm(formdata=None, score=work.final_grade, reason=work.final_reason),
        history=[
            (
                change,
                who,
                describe_change(change.what, change.old_value, change.new_value, lesson, zone=zone),
            )
            for change, who in grading.grade_history(db.session, a, student_id)
        ],
        fields_in_words={x.id: fields_in_words(x.category, x.fields) for x in work.annotations},
        prev=place.prev,
        next=place.next,
        position=place.position,
        total=place.total,
        view=view.query(),
        filtered=view.status,
        action_form=ActionForm(),
        key_by_id={k.id: k for k in lesson.key},
        decoys={d.id: d for d in lesson.decoys},
        categories={c.id: c for c in lesson.categories},
        status=status_of(work, a.due_at, utcnow()),
        error=error,
        refused=next(iter(forms), None),
    ), status


def back_to(a: Assignment, student_id: int, anchor: str):
    """Back to the page, at the part just changed, in the list the teacher was walking."""
    view: dict[str, Any] = dict(list_view().query())
    return redirect(
        url_for("teacher.review", assignment_id=a.id, student_id=student_id, **view) + f"#{anchor}"
    )
