"""Students' work as plain data: what scoring, summaries and exports read.

Services load these from the database in a fixed number of queries (whatever the class size)
and hand them to the pure modules; nothing here touches Flask or SQLAlchemy.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

OMISSION_LEVELS = ("full", "partial", "none")  # a teacher's mark for an omission answer
OMISSION_CREDIT = {"full": 1.0, "partial": 0.5, "none": 0.0}
RUBRIC_LEVELS = ("proficient", "emergent", "basic")  # Civic Online Reasoning rubric levels


@dataclass(frozen=True)
class AnnotationRow:
    """One student annotation (not deleted). Offsets are code points; None for no target."""

    id: str
    student_id: int
    category: str
    prompt_id: str | None
    start: int | None
    end: int | None
    exact: str
    note: str
    fields: dict[str, str]
    created_at: datetime
    updated_at: datetime
    # a move to a newer lesson version found no place for it: no offsets, ``exact`` is the
    # words it had (``services.moving``)
    orphaned: bool = False

    @property
    def span(self) -> tuple[int, int] | None:
        """(start, end) of a highlight of at least one character; None for an omission."""
        if self.start is None or self.end is None or self.end <= self.start:
            return None
        return self.start, self.end

    @property
    def is_span(self) -> bool:
        return self.span is not None

    @property
    def answer_text(self) -> str:
        """Everything the student wrote, for suggesting which omission it addresses."""
        parts = [self.fields.get("missing", ""), self.fields.get("why", ""), self.note]
        return " ".join(p for p in parts if p)


@dataclass(frozen=True)
class OmissionMark:
    """The teacher's mark for one omission answer: which key item it addresses, and how well."""

    annotation_id: str
    key_item_id: str | None
    level: str  # one of OMISSION_LEVELS


@dataclass(frozen=True)
class RubricMark:
    prompt_id: str
    level: str  # one of RUBRIC_LEVELS
    comment: str = ""


@dataclass
class StudentWork:
    """Everything about one student on one assignment."""

    student_id: int
    name: str
    username: str
    annotations: list[AnnotationRow] = field(default_factory=list)
    submitted_at: datetime | None = None  # by the student (never by a release)
    omission_marks: dict[str, OmissionMark] = field(default_factory=dict)  # by annotation id
    rubric: dict[str, RubricMark] = field(default_factory=dict)  # by prompt id
    final_grade: float | None = None  # the teacher's override; None = use the auto score
    final_reason: str = ""
    sis_user_id: str = ""
    sis_login_id: str = ""
    section: str = ""
    closed_by_release: bool = False  # not submitted: a release of feedback closed the work
    released_at: datetime | None = None  # feedback released to this student
    feedback_seen_at: datetime | None = None  # when the student first opened it

    @property
    def last_activity(self) -> datetime | None:
        times = [a.updated_at for a in self.annotations]
        if self.submitted_at:
            times.append(self.submitted_at)
        return max(times) if times else None

    @property
    def started(self) -> bool:
        """Did the student do anything: annotate, or submit (even nothing)?"""
        return bool(self.annotations) or self.submitted_at is not None


STATUSES = ("not started", "in progress", "submitted", "late", "missing")


def work_status(
    *,
    submitted_at: datetime | None,
    closed_by_release: bool,
    has_work: bool,
    due_at: datetime | None,
    now: datetime,
) -> str:
    """One of STATUSES: submitted / late (submitted after the due date); missing (not
    submitted, and the due date has passed or a release of feedback closed the work); else
    in progress / not started. The one rule, for the teacher's pages, exports and the
    student's home page alike."""
    if submitted_at is not None and not closed_by_release:
        return "late" if due_at is not None and submitted_at > due_at else "submitted"
    if closed_by_release or (due_at is not None and now > due_at):
        return "missing"
    return "in progress" if has_work else "not started"


def student_words(status: str, closed_by_release: bool) -> str:
    """A status as a student's own list of lessons says it: work that a release of feedback
    closed unsubmitted is "Not submitted" (the teacher's pages say "missing", as for work
    past its due date); every other status as it is, capitalised."""
    return "Not submitted" if status == "missing" and closed_by_release else status.capitalize()


def status_of(work: StudentWork, due_at: datetime | None, now: datetime) -> str:
    return work_status(
        submitted_at=work.submitted_at,
        closed_by_release=work.closed_by_release,
        has_work=bool(work.annotations),
        due_at=due_at,
        now=now,
    )


def grade_of(work: StudentWork, final: float) -> float | None:
    """The grade that counts (``final``: the teacher's, else the auto score), or None (a blank,
    "no grade") for a student who never started and whom the teacher has not graded: a
    gradebook, a chart or a page must not read a zero they never earned."""
    if work.started or work.final_grade is not None:
        return final
    return None
