"""The CSRF check (app/web/security/csrf.py) gives Flask-WTF's answers while verifying each token
once per worker: a token seen before is only checked for age, and still has to match the session."""

from __future__ import annotations

import logging
import time

import itsdangerous
import pytest
from flask_wtf.csrf import validate_csrf
from wtforms import ValidationError

from app.web.security import csrf
from tests.support.client import ApiClient, page_csrf_token
from tests.support.factory import highlight, new_id


@pytest.fixture
def counted_loads(monkeypatch) -> list[str]:
    """Every token whose signature is verified (itsdangerous's loads), in order."""
    seen: list[str] = []
    real = itsdangerous.URLSafeTimedSerializer.loads

    def loads(self, s, *args, **kwargs):
        seen.append(s)
        return real(self, s, *args, **kwargs)

    monkeypatch.setattr(itsdangerous.URLSafeTimedSerializer, "loads", loads)
    return seen


def save(work, lesson, note: str = "who is speaking?"):
    return work.api.put(work.assignment, new_id(), highlight(lesson, "vented its anger", note=note))


def test_a_token_is_verified_once_then_only_its_age_is_checked(work, lesson, counted_loads):
    assert save(work, lesson).status_code == 201
    assert save(work, lesson).status_code == 201
    assert save(work, lesson).status_code == 201
    assert counted_loads.count(work.api.token) == 1


def test_a_known_token_past_the_time_limit_is_refused(app, work, lesson, monkeypatch):
    assert save(work, lesson).status_code == 201  # verified, and kept
    now = time.time()
    monkeypatch.setattr(csrf.tokens, "clock", lambda: now + 3601)
    resp = save(work, lesson)
    assert resp.status_code == 400
    assert resp.get_json()["code"] == "csrf"
    app.config["WTF_CSRF_TIME_LIMIT"] = 7200  # the age is checked against the setting now
    assert save(work, lesson).status_code == 201


def test_a_known_token_signed_in_the_future_is_refused(work, lesson, monkeypatch):
    assert save(work, lesson).status_code == 201
    now = time.time()
    monkeypatch.setattr(csrf.tokens, "clock", lambda: now - 60)  # clock set back
    assert save(work, lesson).status_code == 400


def test_a_known_token_must_still_match_the_session_it_is_sent_with(app, make, work, lesson):
    """Another student's token, already verified for them, is no good in my session."""
    assert save(work, lesson).status_code == 201
    other = ApiClient(app.test_client()).login(make.student(classroom=work.classroom))
    other.token = work.api.token
    resp = other.put(work.assignment, new_id(), highlight(lesson, "vented its anger"))
    assert resp.status_code == 400
    assert resp.get_json()["code"] == "csrf"


def test_a_new_csrf_secret_key_verifies_known_tokens_again(app, work, lesson, counted_loads):
    """A token verified under one key is verified afresh under another (and refused)."""
    assert save(work, lesson).status_code == 201
    app.config["WTF_CSRF_SECRET_KEY"] = "another secret"  # the session cookie stays valid
    resp = save(work, lesson)
    assert resp.status_code == 400
    assert resp.get_json()["code"] == "csrf"
    assert counted_loads.count(work.api.token) == 2
    del app.config["WTF_CSRF_SECRET_KEY"]
    assert save(work, lesson).status_code == 201  # the first key's verdict, kept
    assert counted_loads.count(work.api.token) == 2


def test_the_second_header_name_and_form_fields_still_carry_the_token(app, work, lesson):
    client = work.api.client
    body = highlight(lesson, "vented its anger")
    resp = client.put(
        work.api.url(work.assignment, new_id()), json=body, headers={"X-CSRF-Token": work.api.token}
    )
    assert resp.status_code == 201
    # a form body carrying the token in its field, as Flask-WTF allows on any write
    resp = client.post(
        f"/api/assignments/{work.assignment.id}/submit",
        data={"csrf_token": page_csrf_token(client, "/student/")},
    )
    assert resp.status_code == 200, resp.get_data(as_text=True)


def test_a_token_in_a_json_body_is_not_a_token(work, lesson):
    body = {**highlight(lesson, "vented its anger"), "csrf_token": work.api.token}
    resp = work.api.put(work.assignment, new_id(), body, csrf=False)
    assert resp.status_code == 400
    assert resp.get_json()["code"] == "csrf"


def test_on_https_the_referrer_must_be_this_host(app, work, lesson):
    client = work.api.client
    url = work.api.url(work.assignment, new_id())
    body = highlight(lesson, "vented its anger")
    headers = {"X-CSRFToken": work.api.token}
    base = "https://localhost"
    resp = client.put(url, json=body, headers=headers, base_url=base)
    assert resp.status_code == 400  # no referrer
    resp = client.put(
        url, json=body, headers={**headers, "Referer": "https://evil.test/"}, base_url=base
    )
    assert resp.status_code == 400
    resp = client.put(
        url, json=body, headers={**headers, "Referer": "https://localhost/x"}, base_url=base
    )
    assert resp.status_code == 201


@pytest.mark.parametrize(
    "case", ["valid", "tampered", "empty", "other session", "garbage", "expired"]
)
def test_same_answer_as_flask_wtf(app, case, monkeypatch):
    """The check's verdict and words for a token, against Flask-WTF's validate_csrf."""
    with app.test_request_context("/"):
        from flask import session
        from flask_wtf.csrf import generate_csrf

        token = generate_csrf()
        mine = session["csrf_token"]
        if case == "other session":
            session["csrf_token"] = "0" * 40
        sent = {
            "valid": token,
            "tampered": token[:-2] + "xx",
            "empty": "",
            "other session": token,
            "garbage": "not.a.token",
            "expired": token,
        }[case]
        if case == "expired":
            real = itsdangerous.TimestampSigner.get_timestamp
            monkeypatch.setattr(
                itsdangerous.TimestampSigner, "get_timestamp", lambda self: real(self) + 4000
            )
        answers = []
        for check in (validate_csrf, csrf.validate):
            try:
                check(sent)
                answers.append("ok")
            except ValidationError as e:
                answers.append(e.args[0])
        assert answers[0] == answers[1], answers
        assert (answers[0] == "ok") == (case == "valid")
        assert session.get("csrf_token") in (mine, "0" * 40)


def test_refusals_are_logged_as_flask_wtf_logs_them(work, lesson, caplog):
    with caplog.at_level(logging.INFO, logger="flask_wtf.csrf"):
        work.api.put(work.assignment, new_id(), highlight(lesson, "vented its anger"), csrf=False)
    assert "The CSRF token is missing." in caplog.text
