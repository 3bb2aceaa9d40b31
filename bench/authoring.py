"""Server time of lesson authoring for a large lesson (in-process, no network, no browser).

Usage: .venv/bin/python bench/authoring.py [--words 5000] [--items 150] [--requests 60]
Builds a migrated SQLite database in a temporary folder and a teacher's draft of WORDS words
(from the seed article's words, in paragraphs of about 80) with ITEMS key items (quotes, a few
omissions, an alternative span on some) and decoys, then times through the Flask test client:
the editor page; the editor's save, which answers with the live check (one explanation changed
each time, as when a teacher types); and publishing (a changed lesson each time, so each
publish freezes a new version). Prints median, p95 and max in milliseconds beside the targets
of issue 11 (page <= 150 ms, check <= 50 ms median, publish <= 300 ms).
Not part of `make test`: run it with `make bench`.
"""

from __future__ import annotations

import argparse
import itertools
import json
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from flask_migrate import upgrade  # noqa: E402

from app import services  # noqa: E402
from app.domain.lessons.draft import new_draft  # noqa: E402
from app.extensions import db  # noqa: E402
from app.models import AuthoredLesson  # noqa: E402
from app.services import library  # noqa: E402
from bench.server_time import PASSWORD, bench_app, row, timed  # noqa: E402

SEED = ROOT.parent / "shared" / "seed" / "000_b77b68bbb59bb8eb.txt"
TARGETS = {"page": 150, "check": 50, "publish": 300}


def article(words: int) -> list[tuple[str, str]]:
    """A headline and paragraphs of about 80 words each, each opening with its number (so a
    quote of its first words is found once), made of the seed article's words."""
    source = re.findall(r"[A-Za-z][A-Za-z'-]*", SEED.read_text(encoding="utf-8")) or ["news"]
    pool = itertools.cycle(source)
    blocks = [("headline", "A long article for the authoring benchmark")]
    n = 0
    while n < words:
        size = min(80, words - n)
        blocks.append(
            ("paragraph", f"Part {len(blocks)} " + " ".join(next(pool) for _ in range(size)))
        )
        n += size + 2
    return blocks


def lesson_data(words: int, items: int) -> dict:
    blocks = article(words)
    data = new_draft("bench-lesson", {"title": "Benchmark lesson", "outlet": "Bench"}, blocks)
    paragraphs = [text for kind, text in blocks if kind == "paragraph"]
    key = []
    for i in range(items):
        if i % 15 == 14:
            key.append(
                {
                    "id": f"omission-{i}",
                    "category": "omission",
                    "statement": f"Left out {i}",
                    "explanation": "Why it matters.",
                    "reference": "https://example.org",
                    "cues": ["missing", "context"],
                    "points": 1,
                }
            )
            continue
        words_of = paragraphs[i % len(paragraphs)].split()
        item = {
            "id": f"item-{i}",
            "category": "source" if i % 2 else "loaded",
            "quote": " ".join(words_of[: 3 + i // len(paragraphs)]),
            "explanation": f"Explanation {i}.",
            "points": 1,
        }
        if i % 10 == 0:
            item["also"] = [" ".join(words_of[:2])] if i >= len(paragraphs) else []
            if not item["also"]:
                del item["also"]
        key.append(item)
    data["key"] = key
    data["decoys"] = [
        {
            "id": f"decoy-{i}",
            "category": "loaded",
            "quote": " ".join(p.split()[:4]),
            "explanation": "Careful reporting.",
        }
        for i, p in enumerate(paragraphs[len(paragraphs) // 2 :][:10])
    ]
    return data


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--words", type=int, default=5000)
    ap.add_argument("--items", type=int, default=150)
    ap.add_argument("--requests", type=int, default=60)
    args = ap.parse_args()
    app = bench_app()
    data = lesson_data(args.words, args.items)
    with app.app_context():
        upgrade(directory=str(ROOT / "migrations"))
        teacher = services.create_teacher(db.session, "bench@school.test", "Bench", PASSWORD)
        builtin = services.current_lessons(app.config["LESSONS_DIR"])
        row_id = library.create_authored(db.session, teacher, data, builtin).id
        db.session.commit()
        stored = db.session.get(AuthoredLesson, row_id)
        problems = (
            [str(p) for p in library.checked(stored).problems if p.is_error]
            if stored
            else ["not stored"]
        )
    if problems:
        raise SystemExit("the benchmark lesson has errors:\n" + "\n".join(problems[:10]))
    client = app.test_client()
    page = client.get("/login").get_data(as_text=True)
    token = page.split('name="csrf_token" type="hidden" value="')[1].split('"')[0]
    client.post(
        "/login", data={"login": "bench@school.test", "password": PASSWORD, "csrf_token": token}
    )
    edit = f"/teacher/lessons/authored/{row_id}/edit"
    html = client.get(edit).get_data(as_text=True)
    token = json.loads(html.split('id="editor-data">')[1].split("</script>")[0])["csrfToken"]
    headers = {"X-CSRFToken": token, "Accept": "application/json"}
    state = {"revision": 0, "n": 0}

    def save():
        state["n"] += 1
        data["key"][0]["explanation"] = f"Explanation, edit {state['n']}."
        resp = client.post(
            f"/teacher/lessons/authored/{row_id}/draft",
            json={"revision": state["revision"], "lesson": data},
            headers=headers,
        )
        state["revision"] = resp.get_json()["revision"]
        return resp

    def publish():
        return client.post(
            f"/teacher/lessons/authored/{row_id}/publish", data={"csrf_token": token}
        )

    page_ms = timed(lambda: client.get(edit), args.requests)

    def cold_page():
        library._parsed.cache_clear()  # as in a worker that has not read this lesson yet
        return client.get(edit)

    cold_ms = timed(cold_page, args.requests)
    check_ms = timed(save, args.requests)
    publish_ms = []
    for _ in range(max(10, args.requests // 3)):
        save()  # a changed lesson: a new version to freeze
        publish_ms += timed(publish, 1)
    print(
        f"A lesson of {args.words} words with {args.items} key items and "
        f"{len(data['decoys'])} decoys ({sum(len(t) for _, t in article(args.words))} characters)."
    )
    print("| request | median ms | p95 ms | max ms | requests | target |")
    print("|---|---|---|---|---|---|")
    for name, ms, target in (
        ("the editor page (GET)", page_ms, TARGETS["page"]),
        ("the editor page, lesson not yet read by the worker", cold_ms, TARGETS["page"]),
        ("save + live check (POST)", check_ms, TARGETS["check"]),
        ("publish (POST)", publish_ms, TARGETS["publish"]),
    ):
        print(f"{row(name, ms)} <= {target} |")


if __name__ == "__main__":
    main()
