"""Demo data: a teacher and a class of about 25 students with varied, realistic work on the
first lesson (strong, partial, confused, empty; some late; omission answers), so a newcomer
sees a populated dashboard at once. Deterministic: the same seed makes the same class."""

from __future__ import annotations

import random
import secrets
import uuid
from dataclasses import dataclass
from datetime import timedelta

import sqlalchemy as sa

from . import services
from .domain.anchoring import grow_to_words, make_target, snap_to_words
from .domain.annotations import AnnotationInput
from .domain.lessons import Lesson
from .domain.scoring import suggest_omission
from .extensions import DbSession
from .models import Annotation, Assignment, Submission, User, utcnow
from .models import OmissionMark as OmissionMarkRow

FIRST_NAMES = [
    "Amara",
    "Ben",
    "Chloe",
    "Dev",
    "Elif",
    "Finn",
    "Grace",
    "Hugo",
    "Isla",
    "Jonah",
    "Kemi",
    "Leo",
    "Maya",
    "Nico",
    "Olivia",
    "Priya",
    "Quinn",
    "Rosa",
    "Sami",
    "Tess",
    "Umar",
    "Vera",
    "Wes",
    "Ximena",
    "Yusuf",
]
# what a student might write for an omission, and the one that misses the point
OMISSION_ANSWERS = [
    (
        "Where Milley really said this: at the Economic Club of New York, not to Kiev officials",
        "The article makes it sound like a message to Ukraine",
    ),
    (
        "Other US officials like Blinken and Sullivan disagreed with Milley",
        "It hides that the US government was split",
    ),
    ("Why Russia left Kherson: the Ukrainian counteroffensive", "Pullout sounds voluntary"),
    (
        "Putin annexed four regions just before the decree, and Zelensky said he would talk to "
        "another president",
        "The decree looks unreasonable without that",
    ),
    ("The UN vote that called it an invasion / aggression", "The article only uses Russia's words"),
    ("No Ukrainian official is quoted at all", "The headline says Kiev is angry"),
    (
        "Press TV is Iranian state media and Iran sent drones to Russia",
        "The publisher is not neutral",
    ),
    ("How many people died", "I want to know more"),  # addresses no key item
]
EXTRA_PHRASES = [
    "a regional capital in southern Ukraine",
    "citing the end of World War I",
    "a potential stalemate in fighting over the winter",
]


@dataclass
class DemoLogin:
    name: str
    login: str
    password: str


class RealDataError(RuntimeError):
    pass


def has_real_users(session: DbSession) -> bool:
    real_teacher = sa.and_(User.role == "teacher", ~User.email.like("%@demo.example"))
    real_student = sa.and_(User.role == "student", ~User.username.like("demo-%"))
    return (
        session.execute(sa.select(User.id).where(sa.or_(real_teacher, real_student))).first()
        is not None
    )


PROFILES = ["strong"] * 6 + ["partial"] * 9 + ["confused"] * 5 + ["empty"] * 3 + ["light"] * 2
SHARE_FOUND = {"strong": 0.8, "partial": 0.45, "confused": 0.5, "light": 0.15}  # of key phrases
OMISSIONS_ANSWERED = {"strong": 3, "partial": 2, "confused": 1, "light": 0}
NOTES = ["", "", "Seems one-sided", "Who says so?", "Strong word"]


def create_demo(
    session: DbSession, lesson: Lesson, *, seed: int = 7, size: int = 25, force: bool = False
) -> list[DemoLogin]:
    """Create the demo class; refuse when real accounts exist unless ``force``."""
    if has_real_users(session) and not force:
        raise RealDataError(
            "This database already has real accounts. Run with --force to add "
            "the demo class anyway."
        )
    rng = random.Random(seed)  # noqa: S311  (made-up demo work, not security)
    suffix = secrets.token_hex(2)
    teacher_password = f"demo-{secrets.token_hex(4)}"
    teacher = services.create_teacher(
        session, f"teacher-{suffix}@demo.example", "Ms Demo", teacher_password
    )
    classroom = services.create_classroom(session, teacher, "Period 2 (demo)")
    assignment = services.assign_lesson(session, classroom, lesson, utcnow() - timedelta(days=1))
    logins = [DemoLogin("Ms Demo (teacher)", teacher.email or "", teacher_password)]
    student_password = f"student-{secrets.token_hex(3)}"
    for i in range(size):
        name = FIRST_NAMES[i % len(FIRST_NAMES)]
        student = services.create_student(
            session, f"demo-{name.lower()}{i}-{suffix}", name, student_password
        )
        services.enroll(session, classroom, student)
        logins.append(DemoLogin(name, student.username or "", student_password))
        profile = PROFILES[i % len(PROFILES)]
        if profile == "empty":
            continue
        work = _DemoWork(session, assignment, student.id, lesson, rng)
        work.highlights(profile)
        # the teacher has marked the first half of the class so far
        work.omission_answers(profile, marked=i < size // 2)
        work.submission(profile)
    session.flush()
    return logins


@dataclass
class _DemoWork:
    """One demo student's work on the assignment, drawn from the class's one random stream
    (so the order of the draws below is what keeps a seed's class the same)."""

    session: DbSession
    assignment: Assignment
    student_id: int
    lesson: Lesson
    rng: random.Random

    def highlights(self, profile: str) -> None:
        """A share of the key phrases (some with a few words around them, some in the wrong
        category when confused), and perhaps a phrase the key lacks."""
        rng, lesson, text = self.rng, self.lesson, self.lesson.text
        spans = [k for k in lesson.key if not k.is_omission]
        chosen = [k for k in spans if rng.random() < SHARE_FOUND[profile]]
        for k in chosen:
            start, end = k.start, k.end
            if rng.random() < 0.3:  # a few words either side, within the paragraph
                block = next(b for b in lesson.blocks if b.start <= k.start < b.end)
                start, end = grow_to_words(
                    text,
                    max(block.start, start - rng.randint(1, 12)),
                    min(block.end, end + rng.randint(1, 12)),
                )
                start, end = snap_to_words(text, start, end)
            category = k.category
            if profile == "confused" and rng.random() < 0.5:
                category = "source" if k.category == "loaded" else "loaded"
            self.add(category, start, end, rng.choice(NOTES))
        if profile in ("partial", "confused", "strong") and rng.random() < 0.5:
            phrase = rng.choice(EXTRA_PHRASES)
            at = text.find(phrase)
            self.add("loaded", at, at + len(phrase), "")

    def omission_answers(self, profile: str, *, marked: bool) -> None:
        rng = self.rng
        for missing, why in rng.sample(OMISSION_ANSWERS, OMISSIONS_ANSWERED[profile]):
            answer = self.add("omission", None, None, "", {"missing": missing, "why": why})
            if marked:
                hint = suggest_omission(self.lesson, f"{missing} {why}")
                self.session.add(
                    OmissionMarkRow(
                        annotation_id=answer.id,
                        key_item_id=hint.key_item_id if hint else None,
                        level=("full" if rng.random() < 0.7 else "partial") if hint else "none",
                    )
                )

    def submission(self, profile: str) -> None:
        """Most submit, a quarter of them late."""
        rng, due_at = self.rng, self.assignment.due_at or utcnow()  # the demo sets one
        if profile != "light" and rng.random() < 0.8:
            late = rng.random() < 0.25
            self.session.add(
                Submission(
                    assignment_id=self.assignment.id,
                    student_id=self.student_id,
                    submitted_at=due_at + timedelta(hours=rng.randint(2, 30))
                    if late
                    else due_at - timedelta(hours=rng.randint(1, 40)),
                )
            )

    def add(
        self,
        category: str,
        start: int | None,
        end: int | None,
        note: str,
        fields: dict | None = None,
    ) -> Annotation:
        lesson = self.lesson
        prompt = next(p for p in lesson.prompts if p.category == category)
        target = (
            make_target(lesson.text, start, end) if start is not None and end is not None else None
        )
        data = AnnotationInput(category, prompt.id, target, note, fields or {})
        a = Annotation(
            id=str(uuid.uuid4()),
            assignment_id=self.assignment.id,
            student_id=self.student_id,
            **services.annotation_values(data),
        )
        self.session.add(a)
        return a
