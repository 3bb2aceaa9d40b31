"""The demo class's work, drawn from a lesson's own answer key, so any lesson makes a plausible
class: key items found (some with a word or two around them), missed, or found in the wrong
category; highlights on words the key lacks (a decoy, or a run of ordinary words); omission
answers written from the key's statements and cue words; notes and fields from generic
templates. Pure: no database, one random stream per seed (the same seed, the same class)."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import Any

from ..domain.anchoring import snap_to_words
from ..domain.annotations import FIELD_MAX
from ..domain.lessons import KeyItem, Lesson, Prompt

OMISSION = "omission"
# found | miscategorised (right words, wrong category) | extra (words the key lacks) |
# decoy (careful wording taken for loaded) | omission (about a key item) | off-topic
KINDS = ("found", "miscategorised", "extra", "decoy", "omission", "off-topic")

PROFILES = ["strong"] * 6 + ["partial"] * 9 + ["confused"] * 5 + ["empty"] * 3 + ["light"] * 2
SHARE_FOUND = {"strong": 0.8, "partial": 0.45, "confused": 0.5, "light": 0.15}  # of key spans
SHARE_MISCATEGORISED = {"strong": 0.0, "partial": 0.1, "confused": 0.5, "light": 0.0}
OMISSIONS_ANSWERED = {"strong": 3, "partial": 2, "confused": 1, "light": 0}

NOTES = {
    "source": ["", "", "Who is this?", "Not named", "Can I check this?", "Only one side"],
    "loaded": ["", "", "Strong word", "Sounds like an opinion", "Takes a side"],
}
OTHER_NOTES = ["", "", "Seems one-sided", "Why this word?"]
FIELD_TEXTS = {
    "affiliation": ["Not stated", "Works for one side", "An official", "The article doesn't say"],
    "rewrite": [
        "Use a plainer word",
        "Just say what happened",
        "'said'",
        "Leave the adjective out",
    ],
}
WHY = [
    "Without it you only hear one side",
    "It changes how the story reads",
    "You can't judge the claim without it",
    "The headline depends on it",
]
OFF_TOPIC = [("What happens next", "I want to know more"), ("More background", "It would help")]
CHECK_URL = "https://www.example.org/"  # only when a prompt requires a web address


@dataclass(frozen=True)
class Mark:
    """The teacher's mark on an omission answer."""

    key_item_id: str | None
    level: str  # full | partial | none


@dataclass(frozen=True)
class Answer:
    kind: str  # one of KINDS
    category: str
    start: int | None  # None: an omission answer placed nowhere
    end: int | None
    note: str = ""
    fields: dict[str, str] = field(default_factory=dict)
    key_item_id: str | None = None  # the key item it was drawn from
    mark: Mark | None = None

    def payload(self, text: str) -> dict[str, Any]:
        """What a student's browser would send for it (see ``validate_annotation``)."""
        target = None
        if self.start is not None and self.end is not None:
            target = {"start": self.start, "end": self.end, "exact": text[self.start : self.end]}
        return {
            "category": self.category,
            "target": target,
            "note": self.note,
            "fields": self.fields,
        }


@dataclass
class SampleWork:
    """One made-up student's work: what they wrote, the key items they missed and when (in
    hours from the due time, negative: early) they submitted, if they did."""

    profile: str
    answers: list[Answer] = field(default_factory=list)
    missed: list[str] = field(default_factory=list)
    submitted_hours: int | None = None


Span = tuple[int, int]


@dataclass(frozen=True)
class _Article:
    """What the draws need from a lesson, worked out once per class."""

    lesson: Lesson
    block_words: list[list[Span]]  # each block's whole words
    runs_from: list[list[Span]]  # the words extra highlights are drawn from (paragraphs)
    taken: list[Span]  # key items and decoys: no extra highlight overlaps them
    span_categories: list[str]  # categories a highlight can be put in

    @classmethod
    def of(cls, lesson: Lesson) -> _Article:
        text = lesson.text
        block_words = [_words(text, b.start, b.end) for b in lesson.blocks]
        paragraphs = [
            w for b, w in zip(lesson.blocks, block_words, strict=True) if b.kind == "paragraph"
        ]
        spans = [(k.start, k.end) for k in lesson.key if not k.is_omission]
        categories = [c.id for c in lesson.categories if c.id != OMISSION]
        asked = [c for c in categories if any(p.category == c for p in lesson.prompts)]
        return cls(
            lesson=lesson,
            block_words=block_words,
            runs_from=[w for w in paragraphs or block_words if len(w) >= 2],
            taken=spans + [(d.start, d.end) for d in lesson.decoys],
            span_categories=asked or categories,
        )

    def words_around(self, start: int, end: int) -> list[Span]:
        """The words of the block holding [start, end)."""
        return next(
            (
                w
                for b, w in zip(self.lesson.blocks, self.block_words, strict=True)
                if b.start <= start < b.end
            ),
            [],
        )

    def prompt(self, category: str) -> Prompt | None:
        return next((p for p in self.lesson.prompts if p.category == category), None)


def _words(text: str, start: int, end: int) -> list[Span]:
    """The whole words of text[start:end] as (start, end), by the reader's own snapping."""
    found: list[Span] = []
    i = start
    while i < end:
        s, e = snap_to_words(text, i, i + 1)
        if s < e:
            found.append((s, min(e, end)))
            i = e
        else:
            i += 1
    return found


def _overlaps(start: int, end: int, spans: list[Span]) -> bool:
    return any(s < end and start < e for s, e in spans)


def class_work(lesson: Lesson, *, seed: int = 7, size: int = 25) -> list[SampleWork]:
    """A class's work on ``lesson``, student by student; the teacher has marked the omission
    answers of the first half of the class so far."""
    rng = random.Random(seed)  # noqa: S311  (made-up demo work, not security)
    article = _Article.of(lesson)
    return [
        _student(article, rng, PROFILES[i % len(PROFILES)], marked=i < size // 2)
        for i in range(size)
    ]


def sample_student(lesson: Lesson, *, tries: int = 20) -> SampleWork:
    """One made-up student whose work shows a bit of everything feedback can say, for a
    teacher's preview of it: of ``tries`` partly right students, their omission answers
    marked, the first with answers of the most kinds (found, miscategorised, extra, decoy,
    omission), then with key items missed, then with an answer about nothing in the key.
    The same lesson, the same student."""
    article = _Article.of(lesson)
    works = [
        _student(article, random.Random(seed), "partial", marked=True)  # noqa: S311
        for seed in range(tries)
    ]

    def variety(work: SampleWork) -> tuple[int, bool, bool]:
        kinds = {a.kind for a in work.answers}
        return len(kinds - {"off-topic"}), bool(work.missed), "off-topic" in kinds

    return max(works, key=variety)


def _student(article: _Article, rng: random.Random, profile: str, *, marked: bool) -> SampleWork:
    """One student's work. The order of the draws is what keeps a seed's class the same."""
    work = SampleWork(profile)
    if profile == "empty":
        return work
    _key_highlights(article, rng, work)
    _extra_highlights(article, rng, work)
    _omission_answers(article, rng, work, marked=marked)
    work.submitted_hours = _submission(rng, profile)
    return work


def _key_highlights(article: _Article, rng: random.Random, work: SampleWork) -> None:
    """A share of the key's span items, some with a word or two around them, some in a wrong
    category; the rest are missed."""
    for item in article.lesson.key:
        if item.is_omission or item.end <= item.start:  # a draft's quote not in the text
            continue
        if rng.random() >= SHARE_FOUND[work.profile]:
            work.missed.append(item.id)
            continue
        span = (item.start, item.end)
        if rng.random() < 0.3:
            span = _widen(article.words_around(*span), span, rng)
        category, kind = item.category, "found"
        wrong = [c for c in article.span_categories if c != item.category]
        if wrong and rng.random() < SHARE_MISCATEGORISED[work.profile]:
            category, kind = rng.choice(wrong), "miscategorised"
        work.answers.append(_highlight(article, rng, work.profile, kind, category, span, item))


def _widen(words: list[Span], span: Span, rng: random.Random) -> Span:
    """Up to two more words either side of ``span``, within its block."""
    start, end = span
    inside = [i for i, (s, e) in enumerate(words) if s < end and start < e]
    if not inside:
        return span
    first = max(0, inside[0] - rng.randint(0, 2))
    last = min(len(words) - 1, inside[-1] + rng.randint(0, 2))
    return min(start, words[first][0]), max(end, words[last][1])


def _extra_highlights(article: _Article, rng: random.Random, work: SampleWork) -> None:
    """Perhaps a few ordinary words the key lacks; perhaps a decoy (the confused often)."""
    if work.profile == "light":
        return
    if rng.random() < 0.5:
        span = _ordinary_run(article, rng)
        if span is not None:
            category = rng.choice(article.span_categories)
            work.answers.append(_highlight(article, rng, work.profile, "extra", category, span))
    decoys = article.lesson.decoys
    if decoys and rng.random() < (0.5 if work.profile == "confused" else 0.15):
        d = rng.choice(decoys)
        span = (d.start, d.end)
        work.answers.append(_highlight(article, rng, work.profile, "decoy", d.category, span))


def _ordinary_run(article: _Article, rng: random.Random) -> Span | None:
    """Two to five words of a paragraph overlapping no key item or decoy (None when twenty
    tries find none)."""
    for _ in range(20 if article.runs_from else 0):
        words = rng.choice(article.runs_from)
        n = min(len(words), rng.randint(2, 5))
        i = rng.randint(0, len(words) - n)
        span = (words[i][0], words[i + n - 1][1])
        if not _overlaps(*span, article.taken):
            return span
    return None


def _highlight(
    article: _Article,
    rng: random.Random,
    profile: str,
    kind: str,
    category: str,
    span: Span,
    item: KeyItem | None = None,
) -> Answer:
    prompt = article.prompt(category)
    choices = NOTES.get(category, OTHER_NOTES)
    if prompt is not None and "note" in prompt.required:
        choices = [c for c in choices if c]
    note = rng.choice(choices)
    fields = _fields(rng, prompt, 0.6 if profile == "strong" else 0.25)
    return Answer(kind, category, *span, note, fields, item.id if item else None)


def _fields(
    rng: random.Random, prompt: Prompt | None, eager: float, given: dict[str, str] | None = None
) -> dict[str, str]:
    """Answers to the prompt's fields: ``given`` ones, required ones, and each other one
    with the chance ``eager`` (never a made-up web address unless one is required)."""
    out: dict[str, str] = {}
    required = prompt.required if prompt else []
    for spec in prompt.fields if prompt else []:
        name = spec["name"]
        if given and name in given:
            out[name] = given[name][:FIELD_MAX]
        elif name in required or (spec["type"] != "url" and rng.random() < eager):
            out[name] = _field_value(rng, spec)
    return out


def _field_value(rng: random.Random, spec: dict[str, Any]) -> str:
    if spec["type"] == "choice":
        return str(rng.choice(spec["choices"])[0])
    if spec["type"] == "url":
        return CHECK_URL
    return rng.choice(FIELD_TEXTS.get(spec["name"], WHY))


def _omission_answers(
    article: _Article, rng: random.Random, work: SampleWork, *, marked: bool
) -> None:
    """Answers about a few of the key's omission items, in words from their statements and
    cues, and perhaps one about nothing the key lists; marked by the teacher if ``marked``."""
    prompt = article.prompt(OMISSION)
    if prompt is None:
        return
    items = [k for k in article.lesson.key if k.is_omission]
    chosen = rng.sample(items, min(len(items), OMISSIONS_ANSWERED[work.profile]))
    answers: list[tuple[KeyItem | None, tuple[str, str]]] = [
        (item, _about(item, rng, work.profile)) for item in chosen
    ]
    if work.profile in ("partial", "confused") and rng.random() < 0.3:
        answers.append((None, rng.choice(OFF_TOPIC)))
    note = rng.choice(WHY) if "note" in prompt.required else ""
    for item, (missing, why) in answers:
        fields = _fields(rng, prompt, 0, {"missing": missing, "why": why})
        mark = None
        if marked:
            level = ("full" if rng.random() < 0.7 else "partial") if item else "none"
            mark = Mark(item.id if item else None, level)
        kind = "omission" if item else "off-topic"
        work.answers.append(
            Answer(kind, OMISSION, None, None, note, fields, item.id if item else None, mark)
        )


def _about(item: KeyItem, rng: random.Random, profile: str) -> tuple[str, str]:
    """What a student writes is missing, and why it matters: the item's statement in their
    words or a cue or two (a confused student: one cue, vaguely)."""
    cues = item.cues or [item.statement]
    if profile == "confused":
        return f"Something about {rng.choice(cues)}", rng.choice(WHY)
    statement = item.statement
    if len(statement) > 1 and statement[1].islower():  # "Where Milley...", not "US officials"
        statement = statement[0].lower() + statement[1:]
    forms = [
        item.statement,
        f"The article doesn't say {statement}",
        f"Nothing about {' or '.join(rng.sample(cues, min(2, len(cues))))}",
    ]
    return rng.choice(forms), rng.choice(WHY)


def _submission(rng: random.Random, profile: str) -> int | None:
    """Most submit (in hours from the due time), a quarter of them late."""
    if profile == "light" or rng.random() >= 0.8:
        return None
    if rng.random() < 0.25:
        return rng.randint(2, 30)
    return -rng.randint(1, 40)
