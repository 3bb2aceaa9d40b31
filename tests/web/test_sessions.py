"""The session cookie is verified once per worker (app/web/security/sessions.py): what a cookie seen
before gives must be exactly what verifying it again would."""

from __future__ import annotations

import time
from datetime import timedelta

from tests.support.client import login


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
    plain = serializer.dumps({"_user_id": "1.0", "csrf_token": "t"})
    first = _opened(app, plain)
    first["_user_id"] = "changed by a request"
    assert _opened(app, plain)["_user_id"] == "1.0"

    flashes = serializer.dumps({"_flashes": [["success", "Saved."]]})
    first = _opened(app, flashes)
    first["_flashes"].append(["success", "and again"])  # what flash() does
    assert _opened(app, flashes)["_flashes"] == [["success", "Saved."]]
    assert plain in app.session_interface.cookies
    assert flashes not in app.session_interface.cookies
