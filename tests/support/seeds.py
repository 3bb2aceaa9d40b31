"""Tests give students work the one way the app saves it: ``saves.put_annotation``."""

from __future__ import annotations

import uuid as uuidlib
from typing import Any

from app import saves
from app.extensions import db


def save_annotation(assignment_id: int, student: Any, payload: dict, uid: str | None = None) -> str:
    """Save ``payload`` (an API body) as ``student``'s annotation on the assignment, as the
    lesson page would; returns its id. Needs an app context."""
    uid = uid or str(uuidlib.uuid4())
    who = saves.Student(student.id, student.session_version)
    saves.put_annotation(db.session, who, assignment_id, uid, payload, None)
    return uid
