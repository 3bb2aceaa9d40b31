"""Loading lesson files from disk: a broken one is reported and skipped, never fatal."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path

from .model import Lesson, Problem
from .parse import parse_lesson


def load_lesson_file(path: Path) -> tuple[Lesson | None, list[Problem]]:
    name = path.name
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError:
        return None, [Problem(name, "file", "not UTF-8 text")]
    except tomllib.TOMLDecodeError as e:
        return None, [Problem(name, "syntax", str(e))]
    except OSError as e:
        return None, [Problem(name, "file", f"cannot be read ({e.strerror})")]
    return parse_lesson(raw, name)


@dataclass
class LessonSet:
    lessons: dict[str, Lesson]
    reports: list[Problem]  # errors and warnings, file by file in the order read

    @property
    def problems(self) -> list[Problem]:
        """The errors: each kept a file's lesson out."""
        return [p for p in self.reports if p.is_error]

    @property
    def warnings(self) -> list[Problem]:
        """Probable mistakes in lessons that loaded all the same."""
        return [p for p in self.reports if not p.is_error]


def load_lessons(paths: list[Path]) -> LessonSet:
    """Load many lesson files; a broken one is reported and skipped, never fatal (a lesson
    with warnings only is loaded)."""
    lessons: dict[str, Lesson] = {}
    reports: list[Problem] = []
    for path in paths:
        lesson, found = load_lesson_file(path)
        reports.extend(found)
        if lesson is None:
            continue
        if lesson.id in lessons:
            reports.append(
                Problem(
                    path.name,
                    "id",
                    f"lesson id {lesson.id!r} is already used by {lessons[lesson.id].source_file}",
                )
            )
            continue
        lessons[lesson.id] = lesson
    return LessonSet(lessons, reports)


def lesson_files(directory: Path) -> list[Path]:
    return sorted(directory.glob("*.toml"))
