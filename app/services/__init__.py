"""Services over the database: they take the session, load rows in few queries, call domain
logic and ``flush()``; the view that called them commits once. One module per concern a teacher
would name; callers outside the package import this one (``from app import services``)."""

from .accounts import (
    authenticate,
    create_student,
    create_teacher,
    end_sessions,
    hash_password,
    log_in,
    needs_rehash,
    set_password,
)
from .classes import (
    assign_lesson,
    classroom_by_code,
    create_classroom,
    enroll,
    new_join_code,
    normalise_join_code,
    student_classrooms,
    teacher_classroom,
    teacher_classrooms,
)
from .errors import AccountError, NotYours, TooMany, VersionConflict, WorkClosed
from .lessons import current_lessons, lesson_by_version, lesson_of, pin_version
from .rows import insert_unique
from .work import (
    StudentAssignmentRow,
    annotation_values,
    assignment_for_student,
    delete_annotation,
    input_of,
    my_work,
    student_annotations,
    student_assignments,
    submission_of,
    submit,
)

__all__ = [
    "AccountError",
    "NotYours",
    "StudentAssignmentRow",
    "TooMany",
    "VersionConflict",
    "WorkClosed",
    "annotation_values",
    "assign_lesson",
    "assignment_for_student",
    "authenticate",
    "classroom_by_code",
    "create_classroom",
    "create_student",
    "create_teacher",
    "current_lessons",
    "delete_annotation",
    "end_sessions",
    "enroll",
    "hash_password",
    "input_of",
    "insert_unique",
    "lesson_by_version",
    "lesson_of",
    "log_in",
    "my_work",
    "needs_rehash",
    "new_join_code",
    "normalise_join_code",
    "pin_version",
    "set_password",
    "student_annotations",
    "student_assignments",
    "student_classrooms",
    "submission_of",
    "submit",
    "teacher_classroom",
    "teacher_classrooms",
]
