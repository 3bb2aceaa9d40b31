"""What the services refuse, as exceptions the web layer turns into answers."""

from __future__ import annotations

from datetime import datetime

from ..models import (
    Annotation,
)


class FieldError(ValueError):
    """Input a form can't take, with the field it belongs to and words that say what to change."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


class AccountError(FieldError):
    """An account that can't be made as asked (an email or username already taken)."""


class WorkClosed(Exception):
    """Writes refused: the student submitted, or the teacher released feedback (after which
    the key is visible, so work can no longer change)."""

    def __init__(self, submitted_at: datetime | None, released_at: datetime | None = None) -> None:
        super().__init__("released" if released_at else "submitted")
        self.submitted_at = submitted_at
        self.released_at = released_at


class TooMany(Exception):
    """A new annotation past the most one student may keep on one assignment (``cap``)."""

    def __init__(self, cap: int) -> None:
        super().__init__(f"at most {cap} annotations")
        self.cap = cap
        self.message = (
            f"You already have {cap:,} annotations on this lesson, the most one lesson can "
            "keep. Delete one you no longer need, then add this one again."
        )


class NotYours(Exception):
    """An annotation id that belongs to someone else or another assignment."""


class VersionConflict(Exception):
    def __init__(self, current: Annotation | None) -> None:
        super().__init__("conflict")
        self.current = current
