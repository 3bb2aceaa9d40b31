"""Demo data: a teacher and a class of about 25 students with varied, realistic work on a
lesson (strong, partial, confused, empty; some late; omission answers), so a newcomer sees a
populated dashboard at once. The work is drawn from the lesson's own key (``answers``), so any
lesson will do. Deterministic: the same seed makes the same class's work."""

from __future__ import annotations

import secrets
import uuid
from dataclasses import dataclass
from datetime import timedelta

import sqlalchemy as sa

from .. import services
from ..domain.annotations import Invalid, validate_annotation
from ..domain.lessons import Lesson
from ..extensions import DbSession
from ..models import Annotation, Assignment, Submission, User, utcnow
from ..models import OmissionMark as OmissionMarkRow
from .answers import Mark, SampleWork, class_work

FIRST_NAMES = [
    "Amara",
    "Ben",
    "Chloe",
    "Dev",
    "Elif",
    "Finn",
    "Grace",
    "Hugo",
    "Isla",
    "Jonah",
    "Kemi",
    "Leo",
    "Maya",
    "Nico",
    "Olivia",
    "Priya",
    "Quinn",
    "Rosa",
    "Sami",
    "Tess",
    "Umar",
    "Vera",
    "Wes",
    "Ximena",
    "Yusuf",
]


@dataclass
class DemoLogin:
    name: str
    login: str
    password: str


class RealDataError(RuntimeError):
    pass


def has_real_users(session: DbSession) -> bool:
    real_teacher = sa.and_(User.role == "teacher", ~User.email.like("%@demo.example"))
    real_student = sa.and_(User.role == "student", ~User.username.like("demo-%"))
    return (
        session.execute(sa.select(User.id).where(sa.or_(real_teacher, real_student))).first()
        is not None
    )


def create_demo(
    session: DbSession, lesson: Lesson, *, seed: int = 7, size: int = 25, force: bool = False
) -> list[DemoLogin]:
    """Create the demo class; refuse when real accounts exist unless ``force``."""
    if has_real_users(session) and not force:
        raise RealDataError(
            "This database already has real accounts. Run with --force to add "
            "the demo class anyway."
        )
    works = class_work(lesson, seed=seed, size=size)
    suffix = secrets.token_hex(2)
    teacher_password = f"demo-{secrets.token_hex(4)}"
    teacher = services.create_teacher(
        session, f"teacher-{suffix}@demo.example", "Ms Demo", teacher_password
    )
    classroom = services.create_classroom(session, teacher, "Period 2 (demo)")
    assignment = services.assign_lesson(session, classroom, lesson, utcnow() - timedelta(days=1))
    logins = [DemoLogin("Ms Demo (teacher)", teacher.email or "", teacher_password)]
    student_password = f"student-{secrets.token_hex(3)}"
    for i in range(size):
        name = FIRST_NAMES[i % len(FIRST_NAMES)]
        student = services.create_student(
            session, f"demo-{name.lower()}{i}-{suffix}", name, student_password
        )
        services.enroll(session, classroom, student)
        logins.append(DemoLogin(name, student.username or "", student_password))
        _write_work(session, assignment, student.id, lesson, works[i])
    session.flush()
    return logins


def _write_work(
    session: DbSession, assignment: Assignment, student_id: int, lesson: Lesson, work: SampleWork
) -> None:
    """Store one student's made-up work in bulk."""
    for row, mark in annotation_rows(lesson, work):
        row.assignment_id, row.student_id = assignment.id, student_id
        session.add(row)
        if mark is not None:
            session.add(
                OmissionMarkRow(
                    annotation_id=row.id, key_item_id=mark.key_item_id, level=mark.level
                )
            )
    if work.submitted_hours is not None:
        due_at = assignment.due_at or utcnow()  # the demo sets one
        session.add(
            Submission(
                assignment_id=assignment.id,
                student_id=student_id,
                submitted_at=due_at + timedelta(hours=work.submitted_hours),
            )
        )


def annotation_rows(lesson: Lesson, work: SampleWork) -> list[tuple[Annotation, Mark | None]]:
    """One student's made-up answers as annotations (in no session, of no assignment or
    student yet), each checked as a real save is, with the teacher's mark if it has one. An
    answer the check refuses is left out: only a draft's (a key item in a category the draft
    lacks) can be."""
    now = utcnow()
    rows: list[tuple[Annotation, Mark | None]] = []
    for answer in work.answers:
        try:
            data = validate_annotation(answer.payload(lesson.text), lesson)
        except Invalid:
            continue
        values = services.annotation_values(data)
        row = Annotation(id=str(uuid.uuid4()), version=1, created_at=now, updated_at=now, **values)
        rows.append((row, answer.mark))
    return rows
