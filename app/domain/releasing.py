"""Releasing feedback, as plain data: who would get it, whose work a release to everyone
would close, and whether a release can still be undone (nobody has opened their feedback)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from .work import StudentWork


def _count(n: int, one: str, many: str | None = None) -> str:
    return f"{n} {one if n == 1 else (many or one + 's')}"


@dataclass(frozen=True)
class ReleasePlan:
    """The class's students by what a release would do to them."""

    submitted: int  # submitted, feedback not released yet: every release gives it to them
    in_progress: int  # started, not submitted: a release to everyone closes their work
    not_started: int  # nothing done: a release to everyone closes it too
    released: int  # feedback already released to them
    seen_by: tuple[str, ...]  # names of the released students who have opened their feedback

    @property
    def unsubmitted(self) -> int:
        return self.in_progress + self.not_started

    @property
    def to_everyone(self) -> int:
        return self.submitted + self.unsubmitted

    @property
    def waiting(self) -> bool:
        """Is there anyone a release would give feedback to?"""
        return self.to_everyone > 0

    @property
    def can_undo(self) -> bool:
        return self.released > 0 and not self.seen_by

    def summary(self) -> str:
        """ "12 submitted, 3 in progress, 2 not started: their work will be closed"."""
        text = f"{self.submitted} submitted"
        if self.unsubmitted:
            text += (
                f", {self.in_progress} in progress, {self.not_started} not started: "
                "their work will be closed"
            )
        return text

    def nothing_to_release(self, *, everyone: bool) -> str:
        """Why a release would give feedback to nobody ("" when it would to someone)."""
        if not self.waiting:
            return "Every student already has their feedback."
        if not everyone and not self.submitted:
            return (
                "No student has submitted work waiting for feedback. Release to everyone, "
                "or wait until they submit."
            )
        return ""

    def released_message(self, count: int, *, everyone: bool) -> str:
        """What the teacher is told after releasing to ``count`` students."""
        text = (
            f"Feedback released to {_count(count, 'student')}: they now see their marks, "
            "your comments and the key."
        )
        if everyone and self.unsubmitted:
            text += (
                f" The work of the {_count(self.unsubmitted, 'student')} who had not submitted "
                "is closed and marked \u201cnot submitted\u201d."
            )
        elif self.unsubmitted:
            who = _count(self.unsubmitted, "student")
            verb = "has" if self.unsubmitted == 1 else "have"
            text += (
                f" {who} who {verb} not submitted can keep working and submit; release again "
                "to give them their feedback."
            )
        return text

    def undo_refusal(self) -> str:
        """Why an undo is refused, in words a teacher understands ("" when it is not)."""
        if not self.released:
            return "Feedback isn't released to anyone, so there is nothing to undo."
        if not self.seen_by:
            return ""
        names = list(self.seen_by)
        who = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]
        if len(names) > 3:
            who = f"{', '.join(names[:3])} and {_count(len(names) - 3, 'other')}"
        verb = "has" if len(names) == 1 else "have"
        return (
            f"The release can't be undone: {who} {verb} already opened their feedback and seen "
            "the key. To let one student change their work, return it from their review page."
        )


def release_plan(works: Iterable[StudentWork]) -> ReleasePlan:
    submitted = in_progress = not_started = released = 0
    seen: list[str] = []
    for w in works:
        if w.released_at is not None:
            released += 1
            if w.feedback_seen_at is not None:
                seen.append(w.name)
        elif w.submitted_at is not None:
            submitted += 1
        elif w.annotations:
            in_progress += 1
        else:
            not_started += 1
    return ReleasePlan(submitted, in_progress, not_started, released, tuple(seen))
