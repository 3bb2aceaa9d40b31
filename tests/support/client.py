"""The one way tests log in and talk to the app with Flask's test client: through the real login
form, with the CSRF token the page carries; an API client that sends it as the X-CSRFToken
header; a form client that adds it to every form it posts."""

from __future__ import annotations

import json
from typing import Any

from tests.support.factory import PASSWORD
from tests.support.html import form_fields, page


def page_csrf_token(client, path: str = "/login") -> str:
    """The CSRF token the forms of the page at ``path`` carry (works logged in or not)."""
    token = form_fields(page(client.get(path))).get("csrf_token")
    assert token, f"no csrf_token field on {path}"
    return token


def session_csrf_token(client) -> str:
    """The logged-in session's CSRF token, as the lesson page asks for it."""
    resp = client.get("/api/csrf-token")
    assert resp.status_code == 200, resp.status_code
    return resp.get_json()["csrf_token"]


def login(client, who, password: str = PASSWORD, *, headers: dict | None = None, **environ):
    """Log in through the real form as ``who`` (a user, or what they type as their login);
    returns the response (a redirect on success). ``headers`` and ``environ`` (e.g.
    ``REMOTE_ADDR``) go with the POST."""
    name = who if isinstance(who, str) else who.email or who.username
    data = {**form_fields(page(client.get("/login"))), "login": name, "password": password}
    return client.post("/login", data=data, headers=headers, environ_base=environ)


def logout(client):
    """Log out with the header's button (its form carries the session's token)."""
    return client.post("/logout", data={"csrf_token": session_csrf_token(client)})


def post_quote(client, page: str, *, csrf: bool = True, **fields):
    """The lesson page's no-JavaScript form (``page`` is the lesson page's URL): the words
    typed in ``quote`` anchored by the server; the other fields blank unless given."""
    data = {
        "prompt": "loaded",
        "quote": "",
        "occurrence": "",
        "note": "",
        "rewrite": "",
        "missing": "",
        "why": "",
        **fields,
    }
    if csrf:
        data["csrf_token"] = page_csrf_token(client, page)
    return client.post(f"{page}/quote", data=data)


JOIN_PASSWORD = "my secret password"


def post_join(client, code: str, *, csrf: bool = True, **overrides):
    """The join form, filled in for a new student (Amira Khan, amira.k) with class ``code``;
    ``overrides`` change or add fields."""
    data = {
        "code": code,
        "first_name": "Amira",
        "last_name": "Khan",
        "username": "amira.k",
        "password": JOIN_PASSWORD,
        "confirm": JOIN_PASSWORD,
        **overrides,
    }
    if csrf:
        data["csrf_token"] = page_csrf_token(client, "/join")
    return client.post("/join", data=data)


class ApiClient:
    """A test client that speaks JSON to /api with the X-CSRFToken header."""

    def __init__(self, client) -> None:
        self.client = client
        self.token: str | None = None

    def login(self, user) -> ApiClient:
        resp = login(self.client, user)
        assert resp.status_code == 302, resp.get_data(as_text=True)
        self.token = session_csrf_token(self.client)
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


class FormClient:
    """A test client of its own, logged in as ``user`` (or no one), posting forms with the
    session's token.

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
            self._token = session_csrf_token(self.client)
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
