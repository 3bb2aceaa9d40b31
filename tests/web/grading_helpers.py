"""Helpers for the teacher grading tests: the pages' addresses, rows read back, the dashboard's
table, and CSV read-back. (The factory, clients and HTML reader are in tests/support.)"""

from __future__ import annotations

import csv
import io
import re
from typing import Any
from urllib.parse import urlencode

import sqlalchemy as sa

from app.extensions import db
from app.models import Annotation
from tests.support.html import Node

# ---------------------------------------------------------------- addresses


def dashboard_url(assignment, **query: str) -> str:
    aid = assignment if isinstance(assignment, int) else assignment.id
    path = f"/teacher/assignments/{aid}"
    return f"{path}?{urlencode(query)}" if query else path


def review_url(assignment, student, rest: str = "") -> str:
    sid = student if isinstance(student, int) else student.id
    return f"{dashboard_url(assignment)}/students/{sid}{rest}"


# ---------------------------------------------------------------- reading the database


def count(model, **where: Any) -> int:
    db.session.expire_all()
    return db.session.execute(
        sa.select(sa.func.count()).select_from(model).filter_by(**where)
    ).scalar_one()


def rows_of(model, **where: Any) -> list:
    db.session.expire_all()
    return list(db.session.execute(sa.select(model).filter_by(**where)).scalars())


def annotation(uid: str) -> Annotation:
    db.session.expire_all()
    return db.session.get(Annotation, uid)


# ---------------------------------------------------------------- reading pages


def progress_rows(doc: Node) -> list[dict[str, Any]]:
    """The dashboard's students table as dicts: name, status and every column by its header."""
    table = doc.find("table", cls="progress")
    headers = [
        th.words.replace(" (sorted ascending)", "").replace(" (sorted descending)", "").strip(" ▲▼")
        for th in table.find("thead").find_all("th")
    ]
    out = []
    for tr in table.find("tbody").find_all("tr"):
        cells = [c for c in tr.children if isinstance(c, Node) and c.tag in ("th", "td")]
        row = {h: c.words for h, c in zip(headers, cells, strict=True)}
        row["name"] = cells[0].find("a").words
        out.append(row)
    return out


def names(doc: Node) -> list[str]:
    return [r["name"] for r in progress_rows(doc)]


# ---------------------------------------------------------------- reading exports


def read_csv(resp) -> list[list[str]]:
    """An exported CSV read back with the csv module (after checking its one BOM)."""
    text = resp.get_data().decode("utf-8")
    assert text.startswith("\ufeff"), "the file starts with a byte-order mark"
    assert text.count("\ufeff") == 1, "the byte-order mark comes once"
    return list(csv.reader(io.StringIO(text[1:], newline="")))


def read_csv_typed(resp) -> list[list[Any]]:
    """The same file read with QUOTE_NONNUMERIC: unquoted (numeric) cells come back as float."""
    text = resp.get_data().decode("utf-8")[1:]
    return list(csv.reader(io.StringIO(text, newline=""), quoting=csv.QUOTE_NONNUMERIC))


def probe(text: str, length: int = 24) -> str:
    """A distinctive stretch of ``text`` that no HTML or JSON escaping changes (letters, digits,
    spaces and plain punctuation), so "not in the page" can't pass because of an escape."""
    runs = re.findall(r"[A-Za-z0-9 ,.;:()]+", text)
    best = max(runs, key=len).strip()
    assert len(best) >= min(length, 12), f"no plain stretch in {text!r}"
    return best[:60]
