"""Security headers on every page: a strict script policy, no framing, no sniffing, no caching
of pages that show someone's work."""

from __future__ import annotations

import pytest

from tests.support.client import login
from tests.support.html import page


@pytest.mark.parametrize("path", ["/", "/login", "/join", "/signup", "/no-such-page"])
def test_every_public_page_has_the_security_headers(client, path):
    resp = client.get(path)
    csp = resp.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp
    assert "unsafe-inline" not in csp.split("script-src")[1].split(";")[0]
    for part in ("object-src 'none'", "base-uri 'none'", "frame-ancestors 'none'"):
        assert part in csp
    assert resp.headers["X-Content-Type-Options"] == "nosniff"
    assert resp.headers["Referrer-Policy"] == "same-origin"
    assert resp.headers["Cache-Control"] == "no-store"


def test_a_students_lesson_page_is_never_cached(client, make):
    classroom = make.classroom()
    assignment = make.assignment(classroom)
    student = make.student(classroom=classroom)
    login(client, student)
    resp = client.get(f"/student/assignments/{assignment.id}")
    assert resp.status_code == 200
    assert resp.headers["Cache-Control"] == "no-store"
    assert "<script>" not in resp.get_data(as_text=True)  # no inline script to allow
    # whose page it is, for the offline helper (static/js/sw.js keeps only its own student's)
    assert resp.headers["X-Read-Closely-User"] == str(student.id)


def test_json_answers_are_not_sniffed(client):
    resp = client.get("/api/csrf-token")
    assert resp.headers["X-Content-Type-Options"] == "nosniff"
    assert "Content-Security-Policy" not in resp.headers


def test_each_page_gets_its_own_script_nonce_and_every_script_tag_carries_it(client):
    import re

    nonces = []
    for _ in range(2):
        resp = client.get("/login")
        csp = resp.headers["Content-Security-Policy"]
        found = re.search(r"script-src 'self' 'nonce-([A-Za-z0-9_-]{20,})'", csp)
        assert found, csp
        nonces.append(found.group(1))
        scripts = page(resp).find_all("script")
        assert scripts
        assert all(tag.attrs.get("nonce") == found.group(1) for tag in scripts)
    assert nonces[0] != nonces[1]
