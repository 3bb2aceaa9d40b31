"""What a student is shown once feedback is released, in words: a short summary of what they
found, their grade explained when the teacher changed it, and the article cut into marks (their
highlights and the key's phrases, as domain.overlay cuts them for the teacher's review), each
mark with the notes that explain it. Pure: lesson, work and score in, plain data out."""

from __future__ import annotations

from dataclasses import dataclass, field

from .lessons import Lesson
from .overlay import REVIEW_WORDS, Piece, cut_pieces
from .review_words import OMISSION_LEVEL_WORDS
from .scoring import OMISSION, Scored
from .work import StudentWork

# what a mark is, most telling first: a mark over several things is styled and named by the
# first of these it holds
KINDS = ("found", "wrong", "missed", "decoy", "near", "extra")
KIND_WORDS = {
    "found": "You found this",
    "missed": "You missed this",
    "wrong": "Right words, different kind",
    "decoy": "Careful wording",
    "near": "Close, but not counted",
    "extra": "Not in the answer key",
}


@dataclass(frozen=True)
class CategoryCount:
    category: str
    label: str
    found: int
    total: int


@dataclass(frozen=True)
class Summary:
    found: int
    total: int
    by_category: list[CategoryCount]
    final: float
    possible: float
    auto_score: float
    changed: bool  # the teacher gave a final grade of their own
    reason: str  # the teacher's reason for it ("" when not changed)


def summary(lesson: Lesson, work: StudentWork, scored: Scored) -> Summary:
    counts = []
    for c in lesson.categories:
        items = [k for k in lesson.key if k.category == c.id]
        if items:
            found = sum(k.id in scored.found for k in items)
            counts.append(CategoryCount(c.id, c.label, found, len(items)))
    changed = work.final_grade is not None
    return Summary(
        found=sum(c.found for c in counts),
        total=sum(c.total for c in counts),
        by_category=counts,
        final=scored.final,
        possible=scored.possible,
        auto_score=scored.auto_score,
        changed=changed,
        reason=work.final_reason.strip() if changed else "",
    )


@dataclass(frozen=True)
class Note:
    """One thing a mark explains: its kind, a heading and the explanation under it."""

    kind: str  # one of KINDS
    heading: str
    text: str = ""
    reference: str = ""
    quote: str = ""  # the key's phrase, when the mark's words are not it


@dataclass
class Mark:
    """A stretch of one block where the student's highlights and the key's phrases overlap,
    read as one mark: its pieces (cut where any of them starts or ends) and its notes."""

    number: int  # the n-th mark on the page, for the element that holds its notes
    pieces: list[Piece] = field(default_factory=list)
    notes: list[Note] = field(default_factory=list)
    ids: set[str] = field(default_factory=set)

    @property
    def kind(self) -> str:
        kinds = {n.kind for n in self.notes}
        return next(k for k in KINDS if k in kinds)

    @property
    def parts(self) -> list[tuple[str, str]]:
        """(text, classes) per piece: the key's phrase found or missed, and the student's
        highlight counted (inside a found phrase, or past its ends) or not."""
        out = []
        for p in self.pieces:
            states = {s for _, s in p.key}
            mine = {s for _, s in p.mine}
            cls = ["found" if "found" in states else "missed"] if states else []
            if "extra" in mine:
                cls.append("extra")
            elif mine and not states:
                cls.append("mine")
            out.append((p.text, " ".join(f"fb-p-{c}" for c in cls)))
        return out

    @property
    def label(self) -> str:
        """The mark's kinds in words, for a screen reader and a tooltip."""
        kinds = {n.kind for n in self.notes}
        return "; ".join(KIND_WORDS[k] for k in KINDS if k in kinds)


Run = Piece | Mark  # per block: plain text pieces and marks, in order


def article_marks(lesson: Lesson, work: StudentWork, scored: Scored) -> list[list[Run]]:
    """Per block, the text as plain pieces and marks. Overlapping spans (a highlight over a key
    phrase, or a key phrase over another) make one mark, so each is one stop for the keyboard."""
    keys = [
        (k.id, k.start, k.end, state, REVIEW_WORDS[state])
        for k in lesson.key
        if not k.is_omission
        for state in ["found" if k.id in scored.found else "missed"]
    ]
    mine = [
        (a.id, *span, state, REVIEW_WORDS[state])
        for a in work.annotations
        if (span := a.span)
        for state in ["matched" if a.id in scored.matches else "extra"]
    ]
    notes = _Notes(lesson, work, scored)
    out: list[list[Run]] = []
    number = 0
    for block in cut_pieces(lesson, keys, mine):
        runs: list[Run] = []
        for p in block:
            ids = {kid for kid, _ in p.key} | {aid for aid, _ in p.mine}
            if not ids:
                runs.append(p)
                continue
            last = runs[-1] if runs else None
            if isinstance(last, Mark) and last.ids & ids:
                last.ids |= ids
                last.pieces.append(p)
            else:
                number += 1
                runs.append(Mark(number, [p], ids=ids))
        for r in runs:
            if isinstance(r, Mark):
                r.notes = notes.of(r)
        out.append(runs)
    return out


class _Notes:
    """The words for each key phrase and each highlight a mark holds."""

    def __init__(self, lesson: Lesson, work: StudentWork, scored: Scored) -> None:
        self.lesson = lesson
        self.scored = scored
        self.key = {k.id: k for k in lesson.key}
        self.decoys = {d.id: d for d in lesson.decoys}
        self.annotations = {a.id: a for a in work.annotations}
        self.wrong = dict(scored.wrong_category)
        self.decoy_hits = dict(scored.decoy_hits)
        self.off_key = set(scored.off_key)

    def label(self, category: str) -> str:
        c = self.lesson.category(category)
        return c.label if c else category

    def key_note(self, key_id: str, shown: str) -> Note:
        k = self.key[key_id]
        found = key_id in self.scored.found
        return Note(
            "found" if found else "missed",
            f"{KIND_WORDS['found' if found else 'missed']}: {self.label(k.category)}",
            k.explanation,
            k.reference,
            quote=k.quote if k.quote not in shown else "",
        )

    def highlight_note(self, aid: str) -> Note | None:
        a = self.annotations[aid]
        mine = self.label(a.category)
        if aid in self.wrong:
            k = self.key[self.wrong[aid]]
            return Note(
                "wrong",
                KIND_WORDS["wrong"],
                f"You marked this as {mine}, but the answer key lists it as "
                f"{self.label(k.category)}.",
            )
        if aid in self.decoy_hits:
            d = self.decoys[self.decoy_hits[aid]]
            return Note("decoy", f"{KIND_WORDS['decoy']}: not {mine}", d.explanation)
        if aid in self.off_key:
            return Note(
                "extra",
                f"{KIND_WORDS['extra']}: your {mine}",
                "The answer key doesn't list these words. Talk it over with your teacher: "
                "you may have spotted something the key leaves out.",
            )
        return Note(
            "near",
            KIND_WORDS["near"],
            f"These words are close to a {mine} in the answer key, but this highlight wasn't "
            "counted: the key's phrase was counted once already, or the highlight takes in "
            "too much or too little of it.",
        )

    def of(self, mark: Mark) -> list[Note]:
        shown = "".join(p.text for p in mark.pieces)
        key_ids: list[str] = []
        notes: list[Note] = []
        for p in mark.pieces:
            for kid, _ in p.key:
                if kid not in key_ids:
                    key_ids.append(kid)
        for p in mark.pieces:
            for aid, _ in p.mine:
                matched = self.scored.matches.get(aid)
                if matched is not None:
                    if matched not in key_ids:  # found at another place the key accepts
                        key_ids.insert(0, matched)
                elif (note := self.highlight_note(aid)) and note not in notes:
                    notes.append(note)
        return [self.key_note(kid, shown) for kid in key_ids] + notes


@dataclass(frozen=True)
class OmissionLine:
    """One of the key's "left out" items: found or not, and the student's answers marked for it."""

    statement: str
    explanation: str
    reference: str
    found: bool
    answers: list[tuple[str, str]]  # (what the student wrote, the mark in words)


def omissions(
    lesson: Lesson, work: StudentWork
) -> tuple[list[OmissionLine], list[tuple[str, str]]]:
    """The key's omission items with the answers marked for them, and the student's other
    omission answers (marked for no item, or not marked yet) with what became of them."""
    by_item: dict[str, list[tuple[str, str]]] = {}
    others: list[tuple[str, str]] = []
    for a in work.annotations:
        if a.category != OMISSION:
            continue
        said = a.fields.get("missing") or a.note or "Something missing"
        m = work.omission_marks.get(a.id)
        if m is None:
            others.append((said, "not marked yet"))
        elif m.key_item_id and m.level != "none":
            by_item.setdefault(m.key_item_id, []).append((said, OMISSION_LEVEL_WORDS[m.level]))
        else:
            others.append((said, OMISSION_LEVEL_WORDS.get(m.level, m.level)))
    lines = [
        OmissionLine(
            k.statement, k.explanation, k.reference, k.id in by_item, by_item.get(k.id, [])
        )
        for k in lesson.key
        if k.is_omission
    ]
    return lines, others


@dataclass(frozen=True)
class FeedbackPage:
    """Everything the lesson page shows of released feedback."""

    summary: Summary
    marks: list[list[Run]]
    omissions: list[OmissionLine]
    other_answers: list[tuple[str, str]]
    orphans: list[str]  # the words of highlights a newer lesson version had no place for


def feedback_page(lesson: Lesson, work: StudentWork, scored: Scored) -> FeedbackPage:
    lines, others = omissions(lesson, work)
    orphans = [a.exact for a in work.annotations if a.orphaned]
    return FeedbackPage(
        summary(lesson, work, scored), article_marks(lesson, work, scored), lines, others, orphans
    )
