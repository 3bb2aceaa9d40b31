"""A teacher's preview of a lesson: the student's lesson page itself (``student.lesson_page``,
the same template and reader), as a student sees it before and after feedback is released,
with nothing stored. The routes are authoring's; this module makes the pages."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask import url_for

from ..domain.lessons import Lesson
from ..models import AuthoredLesson
from ..services import library
from ..services import preview as samples
from . import present
from .student import lesson_page


@dataclass(frozen=True)
class Links:
    """Where a previewed lesson's pages are: its page in the library, its two previews, and
    its editor (None for a built-in lesson)."""

    lesson: str
    as_student: str
    feedback: str
    edit: str | None = None


@dataclass(frozen=True)
class Preview:
    """Stands in for the assignment on the student's lesson page, and tells it that this is a
    preview. An assignment there gives the page its class, its id and its release; this one
    has no class and no id a URL could name (the page's data uses ``id`` only to name what
    the reader keeps, in memory in a preview), and is released for the feedback preview. Its
    ``api_base`` and ``submit_url`` are answered in the page by the stand-in for the API
    (static/js/lesson/preview.js); nothing on the server answers them."""

    kind: str  # "student" | "feedback"
    links: Links
    problems: int  # errors the lesson still has (a draft), shown in the banner
    released_at: datetime | None = None
    id: str = "preview"

    @property
    def api_base(self) -> str:
        return f"{self.links.as_student}/annotations"

    @property
    def submit_url(self) -> str:
        return f"{self.links.as_student}/submit"


def as_student(lesson: Lesson, links: Links, problems: int) -> str:
    """The lesson page before anything is done on it: the teacher annotates in memory."""
    stand_in = Preview("student", links, problems)
    return lesson_page(lesson, stand_in, preview=stand_in)


def with_feedback(lesson: Lesson, links: Links, problems: int) -> str:
    """The lesson page of a made-up student once feedback is released: their highlights on
    the article, read-only, and the feedback on them."""
    sample = samples.sample_feedback(lesson)
    stand_in = Preview("feedback", links, problems, released_at=sample.released_at)
    return lesson_page(
        lesson,
        stand_in,
        annotations=[present.annotation_json(a) for a in sample.annotations],
        feedback=sample.feedback,
        preview=stand_in,
    )


def as_it_is(row: AuthoredLesson) -> tuple[Lesson, int]:
    """An authored lesson as it is now (a draft's current content, not its published
    version), as far as it reads, and how many errors it has still to fix."""
    parsed = library.checked(row)
    return parsed.read, sum(p.is_error for p in parsed.problems)


def authored_links(authored_id: int) -> Links:
    return Links(
        url_for("lessons.authored", authored_id=authored_id),
        url_for("authoring.preview_authored", authored_id=authored_id),
        url_for("authoring.preview_feedback_authored", authored_id=authored_id),
        url_for("authoring.edit", authored_id=authored_id),
    )


def builtin_links(slug: str) -> Links:
    return Links(
        url_for("lessons.builtin", lesson_slug=slug),
        url_for("authoring.preview_builtin", lesson_slug=slug),
        url_for("authoring.preview_feedback_builtin", lesson_slug=slug),
    )
