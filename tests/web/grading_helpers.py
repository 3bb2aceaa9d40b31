"""Helpers for the teacher grading tests: a teacher's browser, students' work put straight
through the services, a small HTML reader, and CSV read-back."""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from datetime import datetime
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urlencode

import sqlalchemy as sa

from app import services
from app.extensions import db
from app.models import Annotation, Submission
from tests.support.seeds import save_annotation
from tests.web.helpers import highlight, login, new_id

# ---------------------------------------------------------------- a teacher's browser


class Browser:
    """A test client logged in through the real login form, posting forms with their token.

    Forms on the review page are prefixed (``m-<uuid>-``, ``r-<prompt>-``), so their CSRF
    field is ``<prefix>-csrf_token``; the token itself is the session's one token.
    """

    def __init__(self, app, user=None) -> None:
        self.client = app.test_client()
        self.user = user
        self._token: str | None = None
        if user is not None:
            resp = login(self.client, user)
            assert resp.status_code == 302, resp.get_data(as_text=True)

    def token(self) -> str:
        if self._token is None:
            resp = self.client.get("/api/csrf-token")
            assert resp.status_code == 200, resp.status_code
            self._token = resp.get_json()["csrf_token"]
        return self._token

    def get(self, path: str, **kwargs):
        return self.client.get(path, **kwargs)

    def post(
        self, path: str, data: dict[str, Any] | None = None, *, prefix: str = "", csrf: bool = True
    ):
        data = {f"{prefix}-{k}" if prefix else k: v for k, v in (data or {}).items()}
        if csrf and self.user is not None:
            data[f"{prefix}-csrf_token" if prefix else "csrf_token"] = self.token()
        return self.client.post(path, data=data)


def dashboard_url(assignment, **query: str) -> str:
    aid = assignment if isinstance(assignment, int) else assignment.id
    path = f"/teacher/assignments/{aid}"
    return f"{path}?{urlencode(query)}" if query else path


def review_url(assignment, student, rest: str = "") -> str:
    sid = student if isinstance(student, int) else student.id
    return f"{dashboard_url(assignment)}/students/{sid}{rest}"


# ---------------------------------------------------------------- students' work


def omission(missing: str, why: str = "", note: str = "") -> dict:
    """The body the browser PUTs for "something is missing" that points at no words."""
    fields = {"missing": missing}
    if why:
        fields["why"] = why
    return {"category": "omission", "prompt": "omissions", "note": note, "fields": fields}


@dataclass
class Classwork:
    """A teacher's class with one assignment; students' work goes in through the services
    (validated like the API's), so tests can set it up quickly and then look through the web."""

    teacher: Any
    classroom: Any
    assignment: Any
    lesson: Any
    students: list[Any] = field(default_factory=list)

    def student(self, name: str, username: str | None = None):
        slug = re.sub(r"[^a-z0-9]+", "", name.lower())[:20] or "student"
        username = username or f"{slug}-{new_id()[:8]}"
        s = services.create_student(db.session, username, name, "correct horse battery")
        services.enroll(db.session, self.classroom, s)
        db.session.commit()
        self.students.append(s)
        return s

    def put(self, student, body: dict, *, at: datetime | None = None) -> str:
        uid = save_annotation(self.assignment.id, student, body)
        if at is not None:
            db.session.execute(
                sa.update(Annotation)
                .where(Annotation.id == uid)
                .values(created_at=at, updated_at=at)
            )
            db.session.commit()
        return uid

    def mark(
        self,
        student,
        words: str,
        category: str,
        *,
        note: str = "",
        at: datetime | None = None,
        **fields: str,
    ) -> str:
        prompt = {"source": "sources", "loaded": "loaded"}[category]
        body = highlight(self.lesson, words, category=category, prompt=prompt, note=note)
        if fields:
            body["fields"] = fields
        return self.put(student, body, at=at)

    def submit(self, student, at: datetime | None = None) -> Submission:
        sub = services.submit(db.session, self.assignment, student)
        if at is not None:
            sub.submitted_at = at
        db.session.commit()
        return sub


def new_class(make, lesson, teacher=None, name: str = "Period 3") -> Classwork:
    teacher = teacher or make.teacher()
    classroom = make.classroom(teacher, name=name)
    assignment = make.assignment(classroom, lesson)
    return Classwork(teacher, classroom, assignment, lesson)


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


VOID = {
    "area",
    "base",
    "br",
    "col",
    "embed",
    "hr",
    "img",
    "input",
    "link",
    "meta",
    "source",
    "track",
    "wbr",
}


@dataclass
class Node:
    tag: str
    attrs: dict[str, str]
    children: list[Node | str] = field(default_factory=list)

    @property
    def classes(self) -> list[str]:
        return self.attrs.get("class", "").split()

    @property
    def text(self) -> str:
        return "".join(c if isinstance(c, str) else c.text for c in self.children)

    @property
    def words(self) -> str:
        """The text with runs of white space made one space."""
        return " ".join(self.text.split())

    def find_all(self, tag: str | None = None, cls: str | None = None, **attrs: str) -> list[Node]:
        found = []
        for c in self.children:
            if isinstance(c, str):
                continue
            if (
                (tag is None or c.tag == tag)
                and (cls is None or cls in c.classes)
                and all(c.attrs.get(k.rstrip("_").replace("_", "-")) == v for k, v in attrs.items())
            ):
                found.append(c)
            found.extend(c.find_all(tag, cls, **attrs))
        return found

    def find(self, tag: str | None = None, cls: str | None = None, **attrs: str) -> Node:
        found = self.find_all(tag, cls, **attrs)
        assert found, f"no <{tag or '*'} class={cls!r} {attrs}>"
        return found[0]


class _Builder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Node("#document", {})
        self.stack = [self.root]

    def handle_starttag(self, tag, attrs):
        node = Node(tag, {k: v if v is not None else "" for k, v in attrs})
        self.stack[-1].children.append(node)
        if tag not in VOID:
            self.stack.append(node)

    def handle_startendtag(self, tag, attrs):
        self.stack[-1].children.append(Node(tag, {k: v or "" for k, v in attrs}))

    def handle_endtag(self, tag):
        for i in range(len(self.stack) - 1, 0, -1):
            if self.stack[i].tag == tag:
                del self.stack[i:]
                return

    def handle_data(self, data):
        self.stack[-1].children.append(data)


def parse(html: str | bytes) -> Node:
    b = _Builder()
    b.feed(html.decode() if isinstance(html, bytes) else html)
    b.close()
    return b.root


def page(resp) -> Node:
    return parse(resp.get_data(as_text=True))


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
