"""The one factory: people, classes, assignments and students' work, made the way the app makes
them (through the services), with every annotation saved through ``saves.put_annotation``, the
one way the app writes one. It works in whatever app context is pushed: a test's app (the
``make`` fixture) or the live server's (``tests/browser``'s ``world``)."""

from __future__ import annotations

import itertools
import re
import uuid as uuidlib
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from app import saves, services
from app.extensions import db
from app.models import Annotation, Submission, User

PASSWORD = "correct horse battery"  # every account the factory makes has this password
LESSON_ID = "kiev-anger-milley"

# one counter for the whole run: the live server's database outlives a test
_numbers = itertools.count(1)


def new_id() -> str:
    return str(uuidlib.uuid4())


# ---------------------------------------------------------------- the bodies the browser PUTs


def highlight(
    lesson,
    words: str,
    *,
    category: str = "source",
    prompt: str | None = None,
    note: str = "",
    occurrence: int = 1,
    **extra: Any,
) -> dict:
    """The body the browser PUTs for a highlight of ``words`` (code-point offsets)."""
    start = -1
    for _ in range(occurrence):
        start = lesson.text.index(words, start + 1)
    body = {
        "category": category,
        "target": {"start": start, "end": start + len(words), "exact": words},
        "note": note,
        **extra,
    }
    if prompt:
        body["prompt"] = prompt
    return body


def omission(missing: str, why: str = "", note: str = "") -> dict:
    """The body the browser PUTs for "something is missing" that points at no words."""
    fields = {"missing": missing}
    if why:
        fields["why"] = why
    return {"category": "omission", "prompt": "omissions", "note": note, "fields": fields}


def save_annotation(assignment_id: int, student: Any, payload: dict, uid: str | None = None) -> str:
    """Save ``payload`` (an API body) as ``student``'s annotation on the assignment, as the
    lesson page would; returns its id."""
    uid = uid or new_id()
    who = saves.Student(student.id, student.session_version)
    saves.put_annotation(db.session, who, assignment_id, uid, payload, None)
    return uid


# ---------------------------------------------------------------- people, classes, work


class Factory:
    """Makes people, classes, assignments and annotations, committing each."""

    def __init__(self, app) -> None:
        self.app = app  # the app whose database it fills (its app context must be pushed)
        self.lessons_dir = app.config["LESSONS_DIR"]

    def lesson(self, lesson_id: str = LESSON_ID):
        return services.current_lessons(self.lessons_dir).lessons[lesson_id]

    def teacher(self, email: str | None = None, name: str | None = None) -> User:
        n = next(_numbers)
        t = services.create_teacher(
            db.session, email or f"teacher{n}@school.test", name or f"Teacher {n}", PASSWORD
        )
        db.session.commit()
        return t

    def student(self, username: str | None = None, classroom=None, name: str | None = None) -> User:
        n = next(_numbers)
        # zero-padded: a class list sorted by name is in the order the students were made,
        # whatever the run's counter has reached ("Student 10" would sort before "Student 9")
        s = services.create_student(
            db.session, username or f"student{n}", name or f"Student {n:04d}", PASSWORD
        )
        if classroom is not None:
            services.enroll(db.session, classroom, s)
        db.session.commit()
        return s

    def classroom(self, teacher: User | None = None, name: str = "Period 3"):
        c = services.create_classroom(db.session, teacher or self.teacher(), name)
        db.session.commit()
        return c

    def assignment(self, classroom=None, lesson=None):
        lesson = self.lesson(lesson) if isinstance(lesson, str) else lesson or self.lesson()
        a = services.assign_lesson(db.session, classroom or self.classroom(), lesson)
        db.session.commit()
        return a

    def annotation(self, assignment, student: User, body: dict, uid: str | None = None) -> str:
        """``student``'s annotation (an API body), saved the one way the app saves one."""
        aid = assignment if isinstance(assignment, int) else assignment.id
        return save_annotation(aid, student, body, uid)

    def classwork(self, lesson=None, teacher: User | None = None, name: str = "Period 3"):
        """A teacher's class with one assignment, ready for students and their work."""
        lesson = lesson or self.lesson()
        teacher = teacher or self.teacher()
        classroom = self.classroom(teacher, name=name)
        return Classwork(self, teacher, classroom, self.assignment(classroom, lesson), lesson)


@dataclass
class Classwork:
    """A teacher's class with one assignment; students' work goes in through the one save path
    (validated like the API's), so tests set it up quickly and then look through the web."""

    make: Factory
    teacher: Any
    classroom: Any
    assignment: Any
    lesson: Any
    students: list[Any] = field(default_factory=list)

    def student(self, name: str, username: str | None = None):
        slug = re.sub(r"[^a-z0-9]+", "", name.lower())[:20] or "student"
        s = self.make.student(username or f"{slug}-{new_id()[:8]}", self.classroom, name)
        self.students.append(s)
        return s

    def put(self, student, body: dict, *, at: datetime | None = None) -> str:
        uid = self.make.annotation(self.assignment, student, body)
        if at is not None:
            db.session.execute(
                sa.update(Annotation)
                .where(Annotation.id == uid)
                .values(created_at=at, updated_at=at)
            )
            db.session.commit()
        return uid

    def mark(
        self,
        student,
        words: str,
        category: str,
        *,
        note: str = "",
        at: datetime | None = None,
        **fields: str,
    ) -> str:
        prompt = {"source": "sources", "loaded": "loaded"}[category]
        body = highlight(self.lesson, words, category=category, prompt=prompt, note=note)
        if fields:
            body["fields"] = fields
        return self.put(student, body, at=at)

    def submit(self, student, at: datetime | None = None) -> Submission:
        sub = services.submit(db.session, self.assignment, student)
        if at is not None:
            sub.submitted_at = at
        db.session.commit()
        return sub


def new_class(make: Factory, lesson, teacher=None, name: str = "Period 3") -> Classwork:
    return make.classwork(lesson, teacher, name)
