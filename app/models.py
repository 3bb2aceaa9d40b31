"""Database models (SQLAlchemy 2.0 typed). Invariants live in constraints, logic elsewhere."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import TYPE_CHECKING

import sqlalchemy as sa
from flask_login import UserMixin
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .extensions import Base, db

if TYPE_CHECKING:  # db.Model is made from Base when the app starts; a type checker sees Base
    Model = Base
else:
    Model = db.Model


def _belongs_to(table: str) -> sa.ForeignKey:
    """A row that belongs to a person, class, assignment or annotation goes when it goes (the
    deletions in ``services.deletion`` lean on this)."""
    return sa.ForeignKey(f"{table}.id", ondelete="CASCADE")


def utcnow() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


class User(UserMixin, Model):
    """A teacher (logs in with email) or a student (logs in with a username, gives no email)."""

    __tablename__ = "users"
    __table_args__ = (
        sa.CheckConstraint("role IN ('teacher', 'student')", name="role_known"),
        sa.CheckConstraint(
            "(role = 'teacher' AND email IS NOT NULL) OR (role = 'student' AND email IS NULL)",
            name="email_for_teachers_only",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    role: Mapped[str] = mapped_column(sa.String(10))
    email: Mapped[str | None] = mapped_column(sa.String(254), unique=True)
    username: Mapped[str | None] = mapped_column(sa.String(40), unique=True)
    display_name: Mapped[str] = mapped_column(sa.String(80))
    password_hash: Mapped[str] = mapped_column(sa.String(256))
    # a password a teacher printed for the student: they choose their own at the next login
    password_is_temporary: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # part of the id kept in the session cookie: adding one ends every session of this person
    # (logout, a new password, removal from a class), on every device
    session_version: Mapped[int] = mapped_column(default=0, server_default="0")

    def get_id(self) -> str:
        """Flask-Login's "alternative token": the session holds ``id.version``."""
        return f"{self.id}.{self.session_version}"

    @property
    def is_teacher(self) -> bool:
        return self.role == "teacher"

    @property
    def is_student(self) -> bool:
        return self.role == "student"


class Classroom(Model):
    __tablename__ = "classrooms"

    id: Mapped[int] = mapped_column(primary_key=True)
    teacher_id: Mapped[int] = mapped_column(_belongs_to("users"), index=True)
    name: Mapped[str] = mapped_column(sa.String(80))
    join_code: Mapped[str] = mapped_column(sa.String(12), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    archived_at: Mapped[datetime | None]

    teacher: Mapped[User] = relationship()
    enrollments: Mapped[list[Enrollment]] = relationship(
        back_populates="classroom", cascade="all, delete-orphan", passive_deletes=True
    )
    assignments: Mapped[list[Assignment]] = relationship(
        back_populates="classroom",
        cascade="all, delete-orphan",
        passive_deletes=True,
        order_by="Assignment.id",
    )


class Enrollment(Model):
    """A student in one class. The SIS ids and section are this class's teacher's, for their
    gradebook (Canvas matches by ID, then SIS ids, then name): another teacher's roster import
    or edit never changes what this teacher's exports say."""

    __tablename__ = "enrollments"
    __table_args__ = (sa.UniqueConstraint("classroom_id", "student_id", name="one_per_class"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    classroom_id: Mapped[int] = mapped_column(_belongs_to("classrooms"), index=True)
    student_id: Mapped[int] = mapped_column(_belongs_to("users"), index=True)
    section: Mapped[str | None] = mapped_column(sa.String(64))
    sis_user_id: Mapped[str | None] = mapped_column(sa.String(64))
    sis_login_id: Mapped[str | None] = mapped_column(sa.String(64))
    joined_at: Mapped[datetime] = mapped_column(default=utcnow)

    classroom: Mapped[Classroom] = relationship(back_populates="enrollments")
    student: Mapped[User] = relationship()


class LessonVersion(Model):
    """A snapshot of a lesson file's content, pinned by the assignments made from it."""

    __tablename__ = "lesson_versions"
    __table_args__ = (sa.UniqueConstraint("lesson_id", "version", name="one_per_hash"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    lesson_id: Mapped[str] = mapped_column(sa.String(80), index=True)
    version: Mapped[str] = mapped_column(sa.String(64))
    title: Mapped[str] = mapped_column(sa.String(200))
    content: Mapped[str] = mapped_column(sa.Text)  # JSON of domain.lessons.Lesson.to_dict()
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class AuthoredLesson(Model):
    """A lesson a teacher wrote in the browser. ``content`` is its working copy, the data of a
    lesson file (``domain/lessons/draft.py``), which the checker reads as it reads a file and
    which may have problems while it is a draft; publishing pins the lesson it gives as a
    ``LessonVersion``, which assignments point to exactly as they do for a built-in lesson.
    A lesson edited after publishing is a draft again and keeps the version it published."""

    __tablename__ = "authored_lessons"
    __table_args__ = (
        sa.CheckConstraint("status IN ('draft', 'published')", name="status_known"),
        sa.CheckConstraint(
            "status = 'draft' OR published_version_id IS NOT NULL", name="published_has_version"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    owner_id: Mapped[int] = mapped_column(_belongs_to("users"), index=True)
    # the lesson's slug: one per server, never a built-in lesson's (its versions are keyed by it)
    lesson_id: Mapped[str] = mapped_column(sa.String(80), unique=True)
    status: Mapped[str] = mapped_column(sa.String(10), default="draft")
    # other teachers on this server may read and duplicate it
    shared: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    content: Mapped[str] = mapped_column(sa.Text)  # JSON: a lesson file's data
    # one more each save: a save made from an older revision (another tab) is refused
    revision: Mapped[int] = mapped_column(default=0, server_default="0")
    published_version_id: Mapped[int | None] = mapped_column(sa.ForeignKey("lesson_versions.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    owner: Mapped[User] = relationship()
    published_version: Mapped[LessonVersion | None] = relationship()


class Assignment(Model):
    __tablename__ = "assignments"

    id: Mapped[int] = mapped_column(primary_key=True)
    classroom_id: Mapped[int] = mapped_column(_belongs_to("classrooms"), index=True)
    lesson_version_id: Mapped[int] = mapped_column(sa.ForeignKey("lesson_versions.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    due_at: Mapped[datetime | None]
    # archived: out of the students' lists and the class's active ones; nothing is deleted
    archived_at: Mapped[datetime | None]

    classroom: Mapped[Classroom] = relationship(back_populates="assignments")
    lesson_version: Mapped[LessonVersion] = relationship()


class Submission(Model):
    """One student's state on one assignment; exists once they submit, or once a release of
    feedback to everyone closes work they had not submitted (``closed_by_release``). Feedback
    reaches the student only once ``released_at`` is set (no score, mark or answer-key content
    before); deleting the row returns the work to them."""

    __tablename__ = "submissions"
    __table_args__ = (sa.UniqueConstraint("assignment_id", "student_id", name="one_per_student"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    assignment_id: Mapped[int] = mapped_column(_belongs_to("assignments"), index=True)
    student_id: Mapped[int] = mapped_column(_belongs_to("users"), index=True)
    submitted_at: Mapped[datetime] = mapped_column(default=utcnow)
    closed_by_release: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    released_at: Mapped[datetime | None]
    feedback_seen_at: Mapped[datetime | None]  # when the student first opened their feedback


class Annotation(Model):
    """A student's highlight or omission. The id is a UUID made by the client (idempotent PUT)."""

    __tablename__ = "annotations"
    __table_args__ = (
        sa.CheckConstraint("start_offset IS NULL OR start_offset >= 0", name="start_not_negative"),
        sa.CheckConstraint(
            "(start_offset IS NULL AND end_offset IS NULL) OR "
            "(start_offset < end_offset) OR (start_offset = end_offset AND category = 'omission')",
            name="range_ordered",
        ),
        sa.CheckConstraint("version >= 1", name="version_positive"),
        sa.Index("ix_annotations_work", "assignment_id", "student_id"),
        # the annotations a student keeps (ANNOTATIONS_MAX), counted by every new one's save
        # from this index alone, without reading a row
        sa.Index(
            "ix_annotations_kept",
            "assignment_id",
            "student_id",
            "deleted_at",  # always null here, but SQLite reads the index alone only with it
            sqlite_where=sa.text("deleted_at IS NULL"),
            postgresql_where=sa.text("deleted_at IS NULL"),
        ),
    )

    id: Mapped[str] = mapped_column(sa.String(36), primary_key=True)
    assignment_id: Mapped[int] = mapped_column(_belongs_to("assignments"))
    student_id: Mapped[int] = mapped_column(_belongs_to("users"), index=True)
    category: Mapped[str] = mapped_column(sa.String(40))
    prompt_id: Mapped[str | None] = mapped_column(sa.String(80))
    start_offset: Mapped[int | None]
    end_offset: Mapped[int | None]
    exact: Mapped[str] = mapped_column(sa.Text, default="")
    prefix: Mapped[str] = mapped_column(sa.Text, default="")
    suffix: Mapped[str] = mapped_column(sa.Text, default="")
    anchored_by: Mapped[str] = mapped_column(sa.String(10), default="exact")
    note: Mapped[str] = mapped_column(sa.Text, default="")
    fields_json: Mapped[str] = mapped_column(sa.Text, default="{}")
    version: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    deleted_at: Mapped[datetime | None]

    @property
    def fields(self) -> dict[str, str]:
        return json.loads(self.fields_json or "{}")


class AnnotationCount(Model):
    """At most how many annotations a student keeps on an assignment (not deleted): never
    fewer than they do. PostgreSQL's save checks ``ANNOTATIONS_MAX`` against this one row,
    and adds one in the statement that makes or brings back an annotation, where counting
    the kept ones would visit each of them (``saves.statements``). Nothing else need keep it:
    a deletion leaves it above the true count, and a save that finds it at the cap (or no
    row) counts them and writes the true count. SQLite counts under its write lock instead
    (its partial index answers alone)."""

    __tablename__ = "annotation_counts"
    __table_args__ = (
        sa.UniqueConstraint("assignment_id", "student_id", name="one_count_per_student"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    assignment_id: Mapped[int] = mapped_column(_belongs_to("assignments"))
    student_id: Mapped[int] = mapped_column(_belongs_to("users"), index=True)
    at_most: Mapped[int]


class OmissionMark(Model):
    """A teacher's mark for one omission answer: the key item it addresses and how well."""

    __tablename__ = "omission_marks"
    __table_args__ = (
        sa.CheckConstraint("level IN ('full', 'partial', 'none')", name="level_known"),
    )

    annotation_id: Mapped[str] = mapped_column(_belongs_to("annotations"), primary_key=True)
    key_item_id: Mapped[str | None] = mapped_column(sa.String(80))
    level: Mapped[str] = mapped_column(sa.String(10))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class RubricScore(Model):
    """A rubric level per prompt (Proficient / Emergent / Basic) with a comment."""

    __tablename__ = "rubric_scores"
    __table_args__ = (
        sa.UniqueConstraint("assignment_id", "student_id", "prompt_id", name="rubric_per_prompt"),
        sa.CheckConstraint("level IN ('proficient', 'emergent', 'basic')", name="level_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    assignment_id: Mapped[int] = mapped_column(_belongs_to("assignments"), index=True)
    student_id: Mapped[int] = mapped_column(_belongs_to("users"), index=True)
    prompt_id: Mapped[str] = mapped_column(sa.String(80))
    level: Mapped[str] = mapped_column(sa.String(12))
    comment: Mapped[str] = mapped_column(sa.Text, default="")
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class FinalGrade(Model):
    """The teacher's final grade, overriding the auto score (both are kept)."""

    __tablename__ = "final_grades"
    __table_args__ = (
        sa.UniqueConstraint("assignment_id", "student_id", name="final_grade_per_student"),
        sa.CheckConstraint("score >= 0", name="score_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    assignment_id: Mapped[int] = mapped_column(_belongs_to("assignments"), index=True)
    student_id: Mapped[int] = mapped_column(_belongs_to("users"), index=True)
    score: Mapped[float]
    reason: Mapped[str] = mapped_column(sa.Text, default="")
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class GradeChange(Model):
    """Every change to a student's marks or grade: who, when, what, from, to, why."""

    __tablename__ = "grade_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    assignment_id: Mapped[int] = mapped_column(_belongs_to("assignments"), index=True)
    student_id: Mapped[int] = mapped_column(_belongs_to("users"), index=True)
    teacher_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    at: Mapped[datetime] = mapped_column(default=utcnow)
    what: Mapped[str] = mapped_column(sa.String(120))
    old_value: Mapped[str] = mapped_column(sa.Text, default="")
    new_value: Mapped[str] = mapped_column(sa.Text, default="")
    reason: Mapped[str] = mapped_column(sa.Text, default="")


# what a student's work in one assignment is made of (rows with student_id and assignment_id)
STUDENT_WORK_ROWS = (Annotation, Submission, RubricScore, FinalGrade, GradeChange)
