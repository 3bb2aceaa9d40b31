"""Server time of the teacher's pages and exports as the class grows (in-process, no network).

Usage: .venv/bin/python bench/teacher_pages.py [--sizes 40,200,1000] [--annotations 40]
                                               [--database-url postgresql+psycopg://...]
For each class size it fills a fresh database (bulk inserts: N students x A annotations on the
first lesson, the first student with LESSON_ANNOTATIONS, some omission marks, rubric rows and
final grades), then times the class dashboard, one student's review page, every export and that
student's own lesson page through the Flask test client, printing medians in milliseconds and
the growth per student. SQLite by default (a temporary file); with --database-url a PostgreSQL
database that is dropped and re-created for each size (never point it at real data).
Not part of `make test` (`make bench`; `bench/load.py` prints these medians in its table).
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import tempfile
import time
import uuid
from datetime import datetime, timedelta
from functools import partial
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from flask import g  # noqa: E402
from flask_migrate import upgrade  # noqa: E402

from app import create_app, services  # noqa: E402
from app.domain.anchoring import make_target, snap_to_words  # noqa: E402
from app.extensions import db  # noqa: E402
from app.models import (  # noqa: E402
    Annotation,
    Enrollment,
    FinalGrade,
    OmissionMark,
    RubricScore,
    Submission,
    User,
)

PASSWORD = "benchmark passphrase"  # noqa: S105  (a throwaway account in a temp database)
LESSON_ANNOTATIONS = 100  # the first student's, for the lesson-page target (<= 30 ms median)
COLUMNS = [
    "dashboard",
    "review",
    "grades.csv",
    "canvas.csv",
    "annotations.csv",
    "annotations.jsonld",
    "lesson page",
]


def build(app, students: int, per_student: int) -> tuple[int, int, str]:
    rng = random.Random(students)  # noqa: S311  (made-up data)
    with app.app_context():
        upgrade(directory=str(ROOT / "migrations"))
        teacher = services.create_teacher(db.session, "t@bench.test", "Bench", PASSWORD)
        c = services.create_classroom(db.session, teacher, "Bench")
        lesson = services.current_lessons(app.config["LESSONS_DIR"]).lessons["kiev-anger-milley"]
        a = services.assign_lesson(db.session, c, lesson, datetime(2030, 1, 1))
        db.session.commit()
        text = lesson.text
        keys = [k for k in lesson.key if not k.is_omission]
        now = datetime(2026, 11, 1)
        hashed = services.hash_password(PASSWORD)
        users = [
            {
                "role": "student",
                "username": f"s{i}",
                "display_name": f"Student {i:04d}",
                "password_hash": hashed,
                "password_is_temporary": False,
            }
            for i in range(students)
        ]
        db.session.execute(db.insert(User), users)
        ids = [
            u.id
            for u in db.session.execute(db.select(User).where(User.role == "student")).scalars()
        ]
        db.session.execute(
            db.insert(Enrollment), [{"classroom_id": c.id, "student_id": sid} for sid in ids]
        )
        anns, marks, rubric, finals, subs = [], [], [], [], []
        for n, sid in enumerate(ids):
            for j in range(LESSON_ANNOTATIONS if n == 0 else per_student):
                aid = str(uuid.uuid4())
                if j % 10 == 9:  # an omission answer
                    anns.append(
                        {
                            "id": aid,
                            "assignment_id": a.id,
                            "student_id": sid,
                            "category": "omission",
                            "prompt_id": "omissions",
                            "start_offset": None,
                            "end_offset": None,
                            "exact": "",
                            "prefix": "",
                            "suffix": "",
                            "anchored_by": "exact",
                            "note": "",
                            "fields_json": json.dumps(
                                {"missing": "Where Milley spoke: the Economic Club"}
                            ),
                            "version": 1,
                            "created_at": now,
                            "updated_at": now,
                        }
                    )
                    if rng.random() < 0.5:
                        marks.append(
                            {
                                "annotation_id": aid,
                                "key_item_id": "om-venue",
                                "level": "full",
                                "updated_at": now,
                            }
                        )
                    continue
                if rng.random() < 0.6:
                    k = rng.choice(keys)
                    s, e, cat = k.start, k.end, k.category
                else:
                    s = rng.randrange(0, len(text) - 40)
                    s, e = snap_to_words(text, s, s + rng.randint(5, 40))
                    cat = rng.choice(["source", "loaded"])
                if s >= e:
                    continue
                t = make_target(text, s, e)
                anns.append(
                    {
                        "id": aid,
                        "assignment_id": a.id,
                        "student_id": sid,
                        "category": cat,
                        "prompt_id": "sources" if cat == "source" else "loaded",
                        "start_offset": s,
                        "end_offset": e,
                        "exact": t.exact,
                        "prefix": t.prefix,
                        "suffix": t.suffix,
                        "anchored_by": "exact",
                        "note": "a note",
                        "fields_json": "{}",
                        "version": 1,
                        "created_at": now,
                        "updated_at": now,
                    }
                )
            rubric.append(
                {
                    "assignment_id": a.id,
                    "student_id": sid,
                    "prompt_id": "loaded",
                    "level": "emergent",
                    "comment": "ok",
                    "updated_at": now,
                }
            )
            if rng.random() < 0.2:
                finals.append(
                    {
                        "assignment_id": a.id,
                        "student_id": sid,
                        "score": 10.0,
                        "reason": "bench",
                        "updated_at": now,
                    }
                )
            if rng.random() < 0.7:
                subs.append(
                    {
                        "assignment_id": a.id,
                        "student_id": sid,
                        "submitted_at": now - timedelta(hours=1),
                    }
                )
        for model, rows in (
            (Annotation, anns),
            (OmissionMark, marks),
            (RubricScore, rubric),
            (FinalGrade, finals),
            (Submission, subs),
        ):
            for i in range(0, len(rows), 5000):
                db.session.execute(db.insert(model), rows[i : i + 5000])
        db.session.commit()
        return a.id, ids[0], "t@bench.test", "s0"


def timed(fn, n: int) -> float:
    out = []
    for _ in range(n):
        t = time.perf_counter()
        resp = fn()
        body = resp.get_data()  # streams the whole response
        out.append((time.perf_counter() - t) * 1000)
        if resp.status_code != 200 or not body:
            raise SystemExit(f"{resp.status_code}")
    return statistics.median(out)


def fresh_database(url: str) -> None:
    """Drop and re-create a PostgreSQL database (for the bench only)."""
    import sqlalchemy as sa

    target = sa.engine.make_url(url)
    admin = sa.create_engine(target.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{target.database}" WITH (FORCE)')
        conn.exec_driver_sql(f'CREATE DATABASE "{target.database}"')
    admin.dispose()


def measure(size: int, per_student: int, database_url: str | None = None) -> dict[str, float]:
    """Median ms per page for a class of ``size`` students, on a fresh database."""
    if database_url:
        fresh_database(database_url)
        url = database_url
    else:
        url = f"sqlite:///{Path(tempfile.mkdtemp()) / 'b.sqlite3'}"
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "bench",
            "WTF_CSRF_ENABLED": False,
            "SQLALCHEMY_DATABASE_URI": url,
        }
    )

    def fresh_g() -> None:
        for name in list(vars(g)):
            g.pop(name, None)

    app.before_request_funcs.setdefault(None, []).insert(0, fresh_g)
    aid, sid, email, student = build(app, size, per_student)
    client = app.test_client()
    client.post("/login", data={"login": email, "password": PASSWORD})
    reps = 15 if size <= 200 else 5
    urls = [f"/teacher/assignments/{aid}", f"/teacher/assignments/{aid}/students/{sid}"]
    urls += [
        f"/teacher/assignments/{aid}/export/{kind}"
        for kind in ("grades.csv", "canvas.csv", "annotations.csv", "annotations.jsonld")
    ]
    row = {}
    for i, (name, url) in enumerate(zip(COLUMNS[: len(urls)], urls, strict=True)):
        row[name] = timed(partial(client.get, url), reps if i < 2 else (3 if size > 200 else 5))
    pupil = app.test_client()
    pupil.post("/login", data={"login": student, "password": PASSWORD})
    row["lesson page"] = timed(partial(pupil.get, f"/student/assignments/{aid}"), 30)
    with app.app_context():
        db.engine.dispose()
    return row


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", default="40,200,1000")
    ap.add_argument("--annotations", type=int, default=40)
    ap.add_argument(
        "--database-url",
        default=None,
        help="PostgreSQL database to DROP and re-create per size (default: SQLite)",
    )
    args = ap.parse_args()
    print("| students | " + " | ".join(f"{c} ms" for c in COLUMNS) + " |")
    print("|---|" + "---|" * len(COLUMNS))
    results = []
    for size in [int(x) for x in args.sizes.split(",")]:
        row = measure(size, args.annotations, args.database_url)
        results.append((size, row))
        print(f"| {size} | " + " | ".join(f"{row[c]:.0f}" for c in COLUMNS) + " |")
    if len(results) > 1:
        (first, a), (last, b) = results[0], results[-1]
        ratio = (b["dashboard"] / a["dashboard"]) / (last / first)
        print(
            f"\ndashboard time per student grows {ratio:.2f}x from {first} to {last} "
            "students (1.0 = linear, below 1 = better than linear)"
        )


if __name__ == "__main__":
    main()
