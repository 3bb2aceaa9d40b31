"""The session cookie is verified once per worker (app/web/security/sessions.py): what a cookie seen
before gives must be exactly what verifying it again would."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest

from tests.support.client import ApiClient, login
from tests.support.factory import highlight, new_id

HOUR = 60 * 60


def _cookie(client) -> str:
    return client.get_cookie("session").value


def _opened(app, cookie: str):
    with app.test_request_context(headers={"Cookie": f"session={cookie}"}) as ctx:
        return app.session_interface.open_session(app, ctx.request)


def test_a_tampered_cookie_is_refused_after_the_genuine_one_was_seen(app, client, make):
    login(client, make.student())
    assert client.get("/student/").status_code == 200
    genuine = _cookie(client)
    i = len(genuine) // 3  # inside what is signed (a last base64 digit may carry no bits)
    for forged in (
        genuine[:i] + ("A" if genuine[i] != "A" else "B") + genuine[i + 1 :],
        genuine + "x",
        genuine.replace(".", "..", 1),
    ):
        client.set_cookie("session", forged)
        assert client.get("/student/").status_code == 302, forged
    client.set_cookie("session", genuine)
    assert client.get("/student/").status_code == 200


def test_a_cookie_seen_before_still_expires_with_the_session_lifetime(
    app, client, make, monkeypatch
):
    login(client, make.student())
    assert client.get("/student/").status_code == 200
    cookie = _cookie(client)
    assert client.get("/student/").status_code == 200  # this cookie verified, and kept
    assert _cookie(client) == cookie
    assert cookie in app.session_interface.cookies
    app.permanent_session_lifetime = timedelta(seconds=1)
    now = time.time()
    monkeypatch.setattr(time, "time", lambda: now + 2.2)  # itsdangerous counts whole seconds
    assert client.get("/student/").status_code == 302


def test_a_new_secret_key_ends_sessions_the_worker_has_seen(app, client, make):
    login(client, make.student())
    assert client.get("/student/").status_code == 200
    app.secret_key = "a brand new key"
    assert client.get("/student/").status_code == 302


def test_each_request_gets_its_own_copy_and_lists_are_never_kept(app):
    serializer = app.session_interface.get_signing_serializer(app)
    now = int(time.time())
    plain = serializer.dumps(
        {"_user_id": "1.0", "csrf_token": "t", "_logged_in_at": now, "_seen_at": now}
    )
    first = _opened(app, plain)
    first["_user_id"] = "changed by a request"
    assert _opened(app, plain)["_user_id"] == "1.0"

    flashes = serializer.dumps({"_flashes": [["success", "Saved."]]})
    first = _opened(app, flashes)
    first["_flashes"].append(["success", "and again"])  # what flash() does
    assert _opened(app, flashes)["_flashes"] == [["success", "Saved."]]
    assert plain in app.session_interface.cookies
    assert flashes not in app.session_interface.cookies


# ---------------------------------------------------------------- the login's own clock


class Clock:
    """``time.time`` moved on by the test (itsdangerous and the session stamps both read it)."""

    def __init__(self, monkeypatch) -> None:
        self.now = time.time()
        monkeypatch.setattr(time, "time", lambda: self.now)


def _flashes(client) -> str:
    return client.get("/login").get_data(as_text=True)


def test_a_login_unused_for_the_idle_timeout_ends_with_a_message(app, client, make, monkeypatch):
    clock = Clock(monkeypatch)
    login(client, make.student())
    assert client.get("/student/").status_code == 200
    clock.now += 8 * HOUR - 60
    assert client.get("/student/").status_code == 200  # used just in time: goes on
    clock.now += 8 * HOUR - 60
    assert client.get("/student/").status_code == 200
    clock.now += 8 * HOUR + 1
    resp = client.get("/student/")
    assert resp.status_code == 302
    assert "/login" in resp.headers["Location"]
    page = client.get(resp.headers["Location"]).get_data(as_text=True)
    assert "You were logged out after about 8 hours without using the site" in page
    assert "Please log in to see that page" not in page  # the reason, in place of this
    assert client.get("/student/").status_code == 302  # and stays logged out


def test_a_login_ends_at_its_maximum_age_however_busy(app, client, make, monkeypatch):
    clock = Clock(monkeypatch)
    login(client, make.teacher())
    for _ in range(5):  # used every 4 hours: never idle
        clock.now += 4 * HOUR
        assert client.get("/teacher/").status_code == 200
    clock.now += 4 * HOUR - 5
    assert client.get("/teacher/").status_code == 200
    clock.now += 10
    resp = client.get("/teacher/")
    assert resp.status_code == 302
    assert "because you logged in about 24 hours ago" in _flashes(client)


def test_a_cookie_from_30_days_ago_logs_no_one_in(app, client, make, monkeypatch):
    clock = Clock(monkeypatch)
    clock.now -= 30 * 24 * HOUR
    login(client, make.student())
    assert client.get("/student/").status_code == 200
    clock.now += 30 * 24 * HOUR  # the same cookie, a month on
    assert client.get("/student/").status_code == 302


def test_the_idle_timeout_and_maximum_age_are_settings(app, client, make, monkeypatch):
    app.config["SESSION_IDLE_TIMEOUT"] = 120
    clock = Clock(monkeypatch)
    login(client, make.student())
    clock.now += 121
    assert client.get("/student/").status_code == 302
    assert "after about 2 minutes without using the site" in _flashes(client)


def test_a_save_after_the_idle_timeout_is_refused_as_a_login_that_ended(
    app, make, lesson, monkeypatch
):
    classroom = make.classroom()
    assignment = make.assignment(classroom)
    clock = Clock(monkeypatch)
    api = ApiClient(app.test_client()).login(make.student(classroom=classroom))
    assert api.put(assignment, new_id(), highlight(lesson, "vented its anger")).status_code == 201
    clock.now += 8 * HOUR + 1
    resp = api.put(assignment, new_id(), highlight(lesson, "top US general"))
    assert resp.status_code == 401
    assert resp.get_json()["code"] == "login"


def test_the_last_used_time_is_written_at_most_once_a_minute(app, client, make, monkeypatch):
    clock = Clock(monkeypatch)
    login(client, make.student())
    assert client.get("/student/").status_code == 200
    clock.now += 30
    assert "Set-Cookie" not in client.get("/student/").headers  # nothing new to say
    clock.now += 31
    assert "session=" in client.get("/student/").headers.get("Set-Cookie", "")


@pytest.mark.parametrize(
    ("data", "now", "reason"),
    [
        ({"_logged_in_at": 0, "_seen_at": 0}, 100, None),
        ({"_logged_in_at": 0, "_seen_at": 0}, 101, "idle"),
        ({"_logged_in_at": 0, "_seen_at": 950}, 1000, None),
        ({"_logged_in_at": 0, "_seen_at": 950}, 1001, "max_age"),
        ({"_seen_at": 950}, 960, "unstamped"),
        ({"_logged_in_at": "0", "_seen_at": 950}, 960, "unstamped"),
        ({}, 0, "unstamped"),
    ],
)
def test_why_a_login_ended(data, now, reason):
    from app.web.security.sessions import login_ended

    assert login_ended(data, now, idle=100, max_age=1000) == reason
