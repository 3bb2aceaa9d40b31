"""Lessons: the files on disk (re-read when they change) and the versions assignments pin."""

from __future__ import annotations

import json
import threading
from functools import lru_cache
from pathlib import Path

import sqlalchemy as sa
from flask import current_app

from ..domain.lessons import Lesson, LessonSet, lesson_files, load_lessons
from ..extensions import DbSession
from ..models import (
    Assignment,
    LessonVersion,
)

_cache_lock = threading.Lock()
_cache: dict[str, tuple[tuple, LessonSet]] = {}


def current_lessons(directory: str) -> LessonSet:
    """The lessons on disk, re-read only when a file changes (checked by name, size, mtime)."""
    paths = lesson_files(Path(directory))
    stamp = tuple((p.name, p.stat().st_size, p.stat().st_mtime_ns) for p in paths)
    with _cache_lock:
        cached = _cache.get(directory)
        if cached and cached[0] == stamp:
            return cached[1]
    loaded = load_lessons(paths)
    with _cache_lock:
        _cache[directory] = (stamp, loaded)
    return loaded


def pin_version(session: DbSession, lesson: Lesson) -> LessonVersion:
    """The stored snapshot of this exact lesson content, created on first use."""
    version = lesson.version
    row = session.execute(
        sa.select(LessonVersion).filter_by(lesson_id=lesson.id, version=version)
    ).scalar_one_or_none()
    if row is None:
        row = LessonVersion(
            lesson_id=lesson.id,
            version=version,
            title=lesson.title,
            content=json.dumps(lesson.to_dict(), ensure_ascii=False),
        )
        session.add(row)
        session.flush()
    return row


@lru_cache(maxsize=64)
def _lesson_from_snapshot(version_id: int, content: str) -> Lesson:
    return Lesson.from_dict(json.loads(content))


def lesson_of(assignment: Assignment) -> Lesson:
    """The lesson an assignment is pinned to. Versions never change once stored, so each app
    keeps the ones it has read by id (on the hot path of every save: no snapshot to load)."""
    cache = current_app.extensions.setdefault("lessons_by_version", {})
    lesson = cache.get(assignment.lesson_version_id)
    if lesson is None:
        lv = assignment.lesson_version
        lesson = cache[lv.id] = _lesson_from_snapshot(lv.id, lv.content)
    return lesson


def lesson_by_version(session: DbSession | sa.Connection, version_id: int) -> Lesson:
    """``lesson_of`` by the version's id (the save path knows only that), same cache."""
    cache = current_app.extensions.setdefault("lessons_by_version", {})
    lesson = cache.get(version_id)
    if lesson is None:
        content = session.execute(
            sa.select(LessonVersion.content).where(LessonVersion.id == version_id)
        ).scalar_one()
        lesson = cache[version_id] = _lesson_from_snapshot(version_id, content)
    return lesson
