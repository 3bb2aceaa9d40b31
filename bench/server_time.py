"""Server time of the student's hot paths, measured in-process (no network, no browser).

Usage: .venv/bin/python bench/server_time.py [--annotations 100] [--requests 300]
Builds a migrated SQLite database in a temporary folder, one class with the first lesson and a
student with N annotations, then times each request through the Flask test client and prints
median, p95 and max in milliseconds. Not part of `make test`: run it with `make bench`.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from flask import g  # noqa: E402
from flask_migrate import upgrade  # noqa: E402

from app import create_app, services  # noqa: E402
from app.extensions import db  # noqa: E402

PASSWORD = "benchmark passphrase"  # noqa: S105  (a throwaway account in a temp database)


def timed(fn, n: int) -> list[float]:
    out = []
    for _ in range(n):
        t = time.perf_counter()
        resp = fn()
        out.append((time.perf_counter() - t) * 1000)
        if resp.status_code >= 400:
            raise SystemExit(f"{resp.status_code}: {resp.get_data(as_text=True)[:200]}")
    return out


def row(name: str, ms: list[float]) -> str:
    ms = sorted(ms)
    p95 = ms[int(len(ms) * 0.95) - 1]
    return f"| {name} | {statistics.median(ms):.1f} | {p95:.1f} | {ms[-1]:.1f} | {len(ms)} |"


def bench_app(extra: dict | None = None):
    """The app on a fresh SQLite file in a temporary folder (migrated by the caller), each
    request starting with an empty ``g`` as a real one does."""
    tmp = Path(tempfile.mkdtemp())
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "bench",
            "WTF_CSRF_ENABLED": True,
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp / 'bench.sqlite3'}",
            **(extra or {}),
        }
    )

    def fresh_g() -> None:
        for name in list(vars(g)):
            g.pop(name, None)

    app.before_request_funcs.setdefault(None, []).insert(0, fresh_g)
    return app


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--annotations", type=int, default=100)
    ap.add_argument("--requests", type=int, default=300)
    args = ap.parse_args()
    # the limiter and the annotation count run, but never refuse (this student makes more
    # annotations than ANNOTATIONS_MAX lets a real one keep)
    app = bench_app({"RATE_LIMIT_API_PER_MINUTE": 10**9, "ANNOTATIONS_MAX": 10**9})
    with app.app_context():
        upgrade(directory=str(ROOT / "migrations"))
        teacher = services.create_teacher(db.session, "bench@school.test", "Bench", PASSWORD)
        c = services.create_classroom(db.session, teacher, "Bench class")
        lesson = services.current_lessons(app.config["LESSONS_DIR"]).lessons["kiev-anger-milley"]
        a = services.assign_lesson(db.session, c, lesson)
        student = services.create_student(db.session, "bench-student", "Bench", PASSWORD)
        services.enroll(db.session, c, student)
        db.session.commit()
        aid = a.id
        words = [(m, m + 6) for m in range(0, len(lesson.text) - 6, 37)]
    client = app.test_client()
    client.get("/login")
    token_page = client.get("/login").get_data(as_text=True)
    token = token_page.split('name="csrf_token" type="hidden" value="')[1].split('"')[0]
    client.post(
        "/login", data={"login": "bench-student", "password": PASSWORD, "csrf_token": token}
    )
    token = client.get("/api/csrf-token").get_json()["csrf_token"]
    headers = {"X-CSRFToken": token}
    text = lesson.text

    def body(i: int) -> dict:
        s, e = words[i % len(words)]
        from app.domain.anchoring import snap_to_words

        s, e = snap_to_words(text, s, e)
        return {
            "category": "source",
            "prompt": "sources",
            "note": f"note {i}",
            "target": {"start": s, "end": e, "exact": text[s:e]},
        }

    base = f"/api/assignments/{aid}/annotations"
    for i in range(args.annotations):
        client.put(f"{base}/{uuid.uuid4()}", json=body(i), headers=headers)
    ids = [uuid.uuid4() for _ in range(args.requests)]
    it = iter(range(args.requests))
    results = [
        row(
            f"lesson page, {args.annotations} annotations",
            timed(lambda: client.get(f"/student/assignments/{aid}"), args.requests),
        ),
        row(
            f"list annotations (GET), {args.annotations}",
            timed(lambda: client.get(base), args.requests),
        ),
        row(
            "save a new annotation (PUT, 201)",
            timed(
                lambda: client.put(f"{base}/{ids[next(it)]}", json=body(7), headers=headers),
                args.requests,
            ),
        ),
    ]
    same = ids[0]
    n = iter(range(10**6))
    results.append(
        row(
            "update an annotation (PUT, 200)",
            timed(
                lambda: client.put(
                    f"{base}/{same}", json={**body(7), "note": f"v{next(n)}"}, headers=headers
                ),
                args.requests,
            ),
        )
    )
    print("| request | median ms | p95 ms | max ms | requests |")
    print("|---|---|---|---|---|")
    print("\n".join(results))


if __name__ == "__main__":
    main()
