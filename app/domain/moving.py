"""Moving an assignment to a newer version of its lesson: where each student's annotation lands
in the new text (by :func:`anchoring.reanchor`), how many landed each way, and what changed
between the two versions. Pure: the service (``services.moving``) loads and writes.

An annotation that can't be placed is an *orphan*: it keeps its words and their context (from
the text it was made on) but no offsets, and is shown as "no longer in the text", never
dropped. An orphan from an earlier move is tried again in the next version, by its words.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from .anchoring import Reanchored, Target, make_target, reanchor
from .lessons import Decoy, KeyItem, Lesson

EXACT, QUOTE, FUZZY, ORPHAN = "exact", "quote", "fuzzy", "orphan"
METHODS = (EXACT, QUOTE, FUZZY, ORPHAN)
WHOLE = "whole"  # no place in the text (an omission about the whole article): nothing to move


@dataclass(frozen=True)
class Words:
    """What an orphan was: its words and up to ``CONTEXT`` characters either side."""

    exact: str
    prefix: str = ""
    suffix: str = ""


@dataclass(frozen=True)
class ToMove:
    """An annotation as stored. ``target`` is its place in the old text; None for an omission
    about the whole article, or for an orphan of an earlier move (then ``was`` says what it
    was). A deleted annotation moves too (an undo brings it back) but isn't ``counted``."""

    id: str
    student_id: int
    category: str
    prompt_id: str | None
    target: Target | None
    was: Words | None = None
    counted: bool = True


@dataclass(frozen=True)
class Landing:
    """Where one annotation lands: its new target (None for an orphan or the whole article),
    how it was placed (one of ``METHODS``, or ``WHOLE``), and its prompt in the new version."""

    id: str
    student_id: int
    method: str
    target: Target | None
    was: Words | None  # an orphan's words (the old quote and context)
    prompt_id: str | None
    changed: bool  # its place, its prompt or its orphan state differ from what is stored
    counted: bool = True
    before: str = ""  # the words it had in the old text


@dataclass(frozen=True)
class MovePlan:
    """Every annotation's landing, and the counts the teacher sees before confirming."""

    landings: list[Landing]
    counts: dict[str, int]  # METHODS and WHOLE -> annotations counted (not deleted)
    students: int  # students with at least one annotation counted

    @property
    def placed(self) -> int:
        """Annotations with a place in the text, before and after (all but WHOLE)."""
        return sum(self.counts[m] for m in METHODS)

    def landed(self, method: str) -> list[Landing]:
        return [x for x in self.landings if x.counted and x.method == method]

    @property
    def summary(self) -> str:
        """The counts in words: "12 moved exactly, 3 by their words, 1 fuzzily; 1 could not
        be placed (...)"."""
        c = self.counts
        if not self.placed:
            return "no highlights to move"
        moved = f"{c[EXACT]} moved exactly, {c[QUOTE]} by their words, {c[FUZZY]} fuzzily"
        if not c[ORPHAN]:
            return f"{moved}; every one was placed"
        return (
            f"{moved}; {c[ORPHAN]} could not be placed "
            "(kept, shown as \u201cno longer in the text\u201d)"
        )

    @property
    def moved_message(self) -> str:
        """What the teacher is told once the move is made."""
        if not self.placed:
            return "Moved to the newer version. No student had highlighted anything yet."
        return f"Moved to the newer version: {self.summary}."

    @property
    def fuzzy_moves(self) -> Mapping[tuple[str, str], int]:
        """The annotations placed fuzzily, as (old words, new words) with how many of each,
        most first: the ones a teacher may want to check."""
        pairs = Counter((x.before, x.target.exact) for x in self.landed(FUZZY) if x.target)
        return dict(pairs.most_common())

    @property
    def orphan_words(self) -> Mapping[str, int]:
        """The words of the annotations that could not be placed, with how many of each, most
        first (a point in the text has no words: it counts under "")."""
        return dict(Counter(x.before for x in self.landed(ORPHAN)).most_common())


def plan_move(
    old_text: str | None,
    new_text: str,
    annotations: Iterable[ToMove],
    prompts: Sequence[tuple[str, str]] = (),
) -> MovePlan:
    """Where each annotation made on ``old_text`` lands in ``new_text`` (``old_text`` None:
    the text they were made on is not known, so their targets are taken as stored).

        ``prompts`` are the new version's (id, category) in order: an annotation whose prompt the
        new version no longer has goes to the first prompt of its category (the page does the
        same with an annotation that names none). Each distinct target is re-anchored once (a
        class often highlights the same words).
    """
    placed: dict[Target, Reanchored] = {}
    landings = []
    for a in annotations:
        if a.target is not None:
            old = a.target if old_text is None else _in(old_text, a.target)
            if old not in placed:
                placed[old] = reanchor(new_text, old)
            got = placed[old]
            was = Words(old.exact, old.prefix, old.suffix) if got.target is None else None
            changed = got.target != a.target
        elif a.was is not None:
            got = reanchor(new_text, _nowhere(new_text, a.was))
            was, changed = (a.was, False) if got.target is None else (None, True)
        else:
            got, was, changed = Reanchored(None, WHOLE), None, False
        before = a.target.exact if a.target is not None else (a.was.exact if a.was else "")
        prompt_id = _prompt_in(prompts, a.category, a.prompt_id)
        landings.append(
            Landing(
                a.id,
                a.student_id,
                got.method,
                got.target,
                was,
                prompt_id,
                changed or prompt_id != a.prompt_id,
                a.counted,
                before,
            )
        )
    counts = Counter({m: 0 for m in (*METHODS, WHOLE)})
    counts.update(x.method for x in landings if x.counted)
    return MovePlan(landings, dict(counts), len({x.student_id for x in landings if x.counted}))


def _in(text: str, target: Target) -> Target:
    """The target with its full context read from the text it was made on (when it fits
    there, as every stored target should); as stored otherwise."""
    fits = 0 <= target.start <= target.end <= len(text) and (
        text[target.start : target.end] == target.exact
    )
    return make_target(text, target.start, target.end) if fits else target


def _nowhere(text: str, words: Words) -> Target:
    """An orphan's words as a target placed past the end of ``text``: the position check of
    ``reanchor`` then fails, so it is placed by its quote and context, or fuzzily, or not."""
    at = len(text) + 1
    return Target(at, at + len(words.exact), words.exact, words.prefix, words.suffix)


def _prompt_in(
    prompts: Sequence[tuple[str, str]], category: str, prompt_id: str | None
) -> str | None:
    if not prompts or prompt_id in {pid for pid, _ in prompts}:
        return prompt_id
    return next((pid for pid, cat in prompts if cat == category), None)


def fits(text: str, target: Target) -> bool:
    """Whether a stored target is a place in ``text``: its words are there (a point: inside
    the text). One that doesn't was made on another version of the text."""
    if not 0 <= target.start <= target.end <= len(text):
        return False
    return text[target.start : target.end] == target.exact


# ---------------------------------------------------------------- what changed


def what_changed(old: Lesson, new: Lesson) -> list[str]:
    """Between two versions of a lesson, what a teacher would want to know, one sentence each
    (empty when only details such as the teacher note changed)."""
    out: list[str] = []
    if old.title != new.title:
        out.append(f"The title is now \u201c{new.title}\u201d.")
    if old.text != new.text:
        out.append("The article's text changed.")
    if [(p.id, p.question) for p in old.prompts] != [(p.id, p.question) for p in new.prompts]:
        out.append("The questions changed.")
    before = {k.id: k for k in old.key}
    after = {k.id: k for k in new.key}
    added = [k for k in after if k not in before]
    removed = [k for k in before if k not in after]
    explained = [k for k in after if k in before and _said(before[k]) != _said(after[k])]
    scored = [k for k in after if k in before and _scored(before[k]) != _scored(after[k])]
    if added:
        out.append(f"{_items(len(added))} added to the answer key.")
    if removed:
        out.append(f"{_items(len(removed))} taken out of the answer key.")
    if explained:
        out.append(f"{_items(len(explained))} explained differently.")
    if scored:
        out.append(f"The words or points of {_items(len(scored))} changed.")
    if [_decoy(d) for d in old.decoys] != [_decoy(d) for d in new.decoys]:
        out.append("The decoys changed.")
    if old.scoring != new.scoring:
        out.append("The scoring weights changed.")
    return out


# compared by what the author wrote, not by offsets (which move whenever the text does)
def _said(k: KeyItem) -> tuple:
    return (k.explanation, k.statement, k.reference)


def _scored(k: KeyItem) -> tuple:
    alternatives = [(a.quote, a.occurrence) for a in k.also]
    return (k.category, k.quote, k.occurrence, k.points, k.cues, alternatives)


def _decoy(d: Decoy) -> tuple:
    return (d.id, d.category, d.quote, d.occurrence, d.explanation)


def _items(n: int) -> str:
    return f"{n} key item{'' if n == 1 else 's'}"
