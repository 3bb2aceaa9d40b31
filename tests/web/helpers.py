"""Helpers for the web tests: log in through the real forms, speak JSON to the API with the
CSRF header, build the bodies the browser sends."""

from __future__ import annotations

import json
import re
import uuid
from dataclasses import dataclass
from typing import Any

FACTORY_PASSWORD = "correct horse battery"  # the password tests/conftest.py's Factory gives


def new_id() -> str:
    return str(uuid.uuid4())


def page_csrf_token(client, path: str = "/login") -> str:
    """The CSRF token a page's form carries (works logged in or not)."""
    html = client.get(path).get_data(as_text=True)
    for tag in re.findall(r"<input[^>]*>", html):
        if 'name="csrf_token"' in tag:
            found = re.search(r'value="([^"]+)"', tag)
            if found:
                return found.group(1)
    raise AssertionError(f"no csrf_token field on {path}")


def login(client, user, password: str = FACTORY_PASSWORD):
    """Log in through the real form; returns the response (a redirect on success)."""
    return client.post(
        "/login",
        data={
            "login": user.email or user.username,
            "password": password,
            "csrf_token": page_csrf_token(client),
        },
    )


class ApiClient:
    """A test client that speaks JSON to /api with the X-CSRFToken header."""

    def __init__(self, client) -> None:
        self.client = client
        self.token: str | None = None

    def login(self, user) -> ApiClient:
        resp = login(self.client, user)
        assert resp.status_code == 302, resp.get_data(as_text=True)
        got = self.client.get("/api/csrf-token")
        assert got.status_code == 200
        self.token = got.get_json()["csrf_token"]
        return self

    def headers(self, if_match: Any = None, csrf: bool = True) -> dict[str, str]:
        h: dict[str, str] = {}
        if csrf and self.token:
            h["X-CSRFToken"] = self.token
        if if_match is not None:
            h["If-Match"] = if_match if isinstance(if_match, str) else f'"{if_match}"'
        return h

    @staticmethod
    def url(assignment, uuid: str | None = None) -> str:
        aid = assignment if isinstance(assignment, int) else assignment.id
        base = f"/api/assignments/{aid}/annotations"
        return f"{base}/{uuid}" if uuid else base

    def get(self, assignment):
        return self.client.get(self.url(assignment))

    def mine(self, assignment) -> list[dict]:
        resp = self.get(assignment)
        assert resp.status_code == 200, resp.get_data(as_text=True)
        return resp.get_json()["annotations"]

    def put(
        self,
        assignment,
        uuid: str,
        body: Any,
        *,
        if_match: Any = None,
        csrf: bool = True,
        raw: str | bytes | None = None,
        content_type: str = "application/json",
    ):
        data = raw if raw is not None else json.dumps(body)
        return self.client.put(
            self.url(assignment, uuid),
            data=data,
            content_type=content_type,
            headers=self.headers(if_match, csrf),
        )

    def delete(self, assignment, uuid: str, *, if_match: Any = None, csrf: bool = True):
        return self.client.delete(self.url(assignment, uuid), headers=self.headers(if_match, csrf))

    def submit(self, assignment, *, csrf: bool = True):
        aid = assignment if isinstance(assignment, int) else assignment.id
        return self.client.post(f"/api/assignments/{aid}/submit", headers=self.headers(None, csrf))


def highlight(
    lesson,
    words: str,
    *,
    category: str = "source",
    prompt: str | None = None,
    note: str = "",
    occurrence: int = 1,
    **extra: Any,
) -> dict:
    """The body the browser PUTs for a highlight of ``words`` (code-point offsets)."""
    start = -1
    for _ in range(occurrence):
        start = lesson.text.index(words, start + 1)
    body = {
        "category": category,
        "target": {"start": start, "end": start + len(words), "exact": words},
        "note": note,
        **extra,
    }
    if prompt:
        body["prompt"] = prompt
    return body


@dataclass
class Work:
    """A teacher's class with one assignment and one enrolled student, logged in to the API."""

    teacher: Any
    classroom: Any
    assignment: Any
    student: Any
    api: ApiClient
