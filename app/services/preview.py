"""A teacher's preview of the feedback a lesson gives: a made-up student's work on it (drawn
from the lesson's own key by ``demo.answers``), held in memory and never stored, scored by
grading's one scoring path as released feedback is."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from ..demo import annotation_rows
from ..demo.answers import sample_student
from ..domain.lessons import Lesson
from ..domain.work import OmissionMark, StudentWork
from ..models import Annotation, utcnow
from .class_work import annotation_row
from .grading import Feedback, feedback_of

SAMPLE_STUDENT = 0  # no user has this id: the made-up student's annotations name it


@dataclass(frozen=True)
class SampleFeedback:
    """The made-up student's annotations (in no session: nothing is written) and the
    feedback they would see once it is released at ``released_at``."""

    annotations: list[Annotation]
    feedback: Feedback
    released_at: datetime


def sample_feedback(lesson: Lesson) -> SampleFeedback:
    rows = annotation_rows(lesson, sample_student(lesson))
    for row, _ in rows:
        row.student_id = SAMPLE_STUDENT
    annotations = [row for row, _ in rows]
    now = utcnow()
    work = StudentWork(
        student_id=SAMPLE_STUDENT,
        name="A sample student",
        username="",
        # in the order a student's stored work is read: the text's, omissions last
        annotations=sorted(
            (annotation_row(a) for a in annotations),
            key=lambda a: (a.start is None, a.start or 0),
        ),
        submitted_at=now,
        omission_marks={
            row.id: OmissionMark(row.id, mark.key_item_id, mark.level)
            for row, mark in rows
            if mark is not None
        },
    )
    return SampleFeedback(annotations, feedback_of(lesson, work), now)
