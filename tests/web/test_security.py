"""Accounts under attack: login throttling per username and address (429 + Retry-After), wrong
class codes, sign-up floods and save floods; password policy in the forms; hashes upgraded on
login; sessions that end on the server side; cookie flags; ProxyFix trusting only the
configured number of proxies; rate-limit counters shared through Redis."""

from __future__ import annotations

import contextlib
import os
import uuid

import pytest
import sqlalchemy as sa
from werkzeug.security import generate_password_hash

from app import create_app, services
from app.extensions import db
from app.models import Annotation, Classroom, Enrollment, User
from app.web.forms import CONTROL_CHARACTER
from app.web.security.ratelimit import Limit, Limiter, storage
from tests.conftest import _base_config
from tests.support.client import ApiClient, login, page_csrf_token, post_join
from tests.support.factory import PASSWORD, highlight, new_id
from tests.support.html import text_of

WRONG = "not my password at all"


@contextlib.contextmanager
def another_app(config: dict):
    """A second app (another worker, other settings) on the test's database, closed after."""
    other = create_app(config)
    with other.app_context():
        try:
            yield other
        finally:
            db.session.remove()
            db.engine.dispose()


def fresh(user: User) -> User:
    db.session.expire_all()
    return db.session.get(User, user.id)


# ---------------------------------------------------------------- login throttling


def test_ten_wrong_passwords_then_429_with_retry_after_and_words(app, client, make):
    student = make.student()
    for _ in range(10):
        assert login(client, student.username, WRONG).status_code == 401
    resp = login(client, student.username, WRONG)
    assert resp.status_code == 429
    wait = int(resp.headers["Retry-After"])
    assert 850 <= wait <= 900
    page = resp.get_data(as_text=True)
    assert "Too many wrong passwords for this username" in page
    assert "about 15 minutes" in page
    assert f'value="{student.username}"' in page  # what was typed is kept
    # even the right password waits: a guesser can't tell when they hit it
    resp = login(client, student.username, PASSWORD)
    assert resp.status_code == 429
    assert client.get("/student/").status_code == 302


def test_one_students_typos_do_not_lock_out_the_class_on_the_same_address(app, client, make):
    typo, other = make.student(), make.student()
    for _ in range(11):
        login(client, typo.username, WRONG)
    assert login(client, typo.username, WRONG).status_code == 429
    assert login(client, other).status_code == 302  # same school address, another username


def test_the_same_username_from_another_address_is_not_blocked(app, client, make):
    student = make.student()
    for _ in range(11):
        login(client, student.username, WRONG, REMOTE_ADDR="10.0.0.1")
    assert login(client, student.username, WRONG, REMOTE_ADDR="10.0.0.1").status_code == 429
    resp = login(client, student.username, PASSWORD, REMOTE_ADDR="10.0.0.2")
    assert resp.status_code == 302


def test_a_successful_login_clears_that_usernames_failures(app, client, make):
    student = make.student()
    for _ in range(9):
        login(client, student.username, WRONG)
    assert login(client, student).status_code == 302
    client.post("/logout", data={"csrf_token": page_csrf_token(client, "/student/")})
    for _ in range(9):
        assert login(client, student.username, WRONG).status_code == 401


@pytest.fixture
def fast_unknown_logins(monkeypatch):
    """A wrong login for a name no one has checks the tests' fast hash, not scrypt."""
    from app.services import accounts

    fast = generate_password_hash("not-a-real-password", "pbkdf2:sha256:1000")
    monkeypatch.setattr(accounts, "_DUMMY_HASH", fast)


def test_past_the_address_allowance_each_guessed_account_slows_down(
    app, client, make, fast_unknown_logins
):
    """Spraying one password over many usernames: past the address's allowance, a second try
    at any of them waits, longer each time; an account nobody guessed at still logs in."""
    app.config["RATE_LIMIT_LOGIN_FAILURES_PER_ADDRESS"] = 5
    for n in range(5):
        assert login(client, f"nobody{n}", WRONG).status_code == 401
    assert login(client, "nobody0", WRONG).status_code == 401  # the allowance is used up
    assert login(client, "nobody0", WRONG).status_code == 429  # so nobody0 now waits
    resp = login(client, "nobody0", WRONG)
    assert resp.status_code == 429
    assert 1 <= int(resp.headers["Retry-After"]) <= 15 * 2
    assert "Too many wrong passwords for this username" in resp.get_data(as_text=True)
    assert login(client, "nobody99", WRONG).status_code == 401  # a first try: no wait yet
    assert login(client, "nobody99", WRONG).status_code == 429
    student = make.student()
    assert login(app.test_client(), student).status_code == 302


def test_300_wrong_passwords_from_one_address_lock_nobody_else_out(app, make, fast_unknown_logins):
    """One student at school (one address for everyone) types 305 wrong logins: a teacher
    and a student who know their passwords still log in there, in fresh browsers."""
    teacher, student = make.teacher(), make.student()
    guesser = app.test_client()
    token = page_csrf_token(guesser)
    for n in range(305):
        resp = guesser.post(
            "/login", data={"login": f"guess{n % 40}", "password": WRONG, "csrf_token": token}
        )
        assert resp.status_code in (401, 429)
    for who in (teacher, student):
        assert login(app.test_client(), who).status_code == 302
    # and the guesser is held back: past the allowance, a guessed name waits after each try
    data = {"login": "guess1", "password": WRONG, "csrf_token": token}
    assert guesser.post("/login", data=data).status_code == 401
    resp = guesser.post("/login", data=data)
    assert resp.status_code == 429
    assert int(resp.headers["Retry-After"]) >= 1


def test_a_browser_that_logged_in_before_is_not_held_back_by_guessing_at_its_account(
    app, client, make
):
    student = make.student()
    assert login(client, student).status_code == 302  # this browser now knows the account
    assert client.get_cookie("device") is not None
    client.post("/logout", data={"csrf_token": page_csrf_token(client, "/student/")})
    guesser = app.test_client()
    for _ in range(11):
        login(guesser, student.username, WRONG)
    assert login(guesser, student).status_code == 429  # the guesser's browser is stopped
    assert login(app.test_client(), student).status_code == 429  # as is any new one here
    assert login(client, student).status_code == 302  # the student's own browser is not


def test_a_known_browser_still_has_its_own_limit_and_a_forged_cookie_counts_for_nothing(
    app, client, make
):
    student, other = make.student(), make.student()
    assert login(client, other).status_code == 302  # knows ``other``, not ``student``
    for _ in range(10):
        assert login(client, student.username, WRONG).status_code == 401
    assert login(client, student).status_code == 429
    known = app.test_client()
    assert login(known, student, REMOTE_ADDR="10.9.9.9").status_code == 302
    for _ in range(10):
        assert login(known, student.username, WRONG).status_code == 401
    assert login(known, student).status_code == 429  # its own 10, then it waits too
    forged = app.test_client()
    cookie = known.get_cookie("device").value
    i = len(cookie) // 3  # inside what is signed
    forged.set_cookie("device", cookie[:i] + ("A" if cookie[i] != "A" else "B") + cookie[i + 1 :])
    assert login(forged, student).status_code == 429


def test_wrong_class_codes_are_limited_per_browser_not_for_the_whole_address(app, make):
    app.config["RATE_LIMIT_JOIN_FAILURES_PER_BROWSER"] = 3
    classroom = make.classroom()
    guesser = app.test_client()
    gus = {"first_name": "Gus", "last_name": "Esser", "username": "guess.er"}
    for _ in range(3):
        assert post_join(guesser, "ZZZZZZ", **gus).status_code == 200
    resp = post_join(guesser, classroom.join_code, **gus)
    assert resp.status_code == 429  # even the right code waits in this browser
    assert "Too many wrong class codes" in resp.get_data(as_text=True)
    classmate = app.test_client()  # the same address, another browser
    resp = post_join(classmate, classroom.join_code)  # amira.k
    assert resp.status_code == 302
    assert db.session.scalar(sa.select(User).filter_by(username="amira.k")) is not None


def test_asking_the_join_form_which_usernames_exist_is_throttled_per_browser(app, make):
    app.config["RATE_LIMIT_JOIN_FAILURES_PER_BROWSER"] = 2
    classroom = make.classroom()
    taken = [make.student().username for _ in range(2)]
    prober = app.test_client()

    def join(username: str):
        return post_join(prober, classroom.join_code, username=username)

    for username in taken:
        assert "That username is taken" in join(username).get_data(as_text=True)
    resp = join("free.name")
    assert resp.status_code == 429
    assert "Too many wrong class codes or taken usernames" in resp.get_data(as_text=True)
    assert db.session.scalar(sa.select(User).filter_by(username="free.name")) is None


def test_a_wrong_class_code_is_answered_before_any_username_is_looked_at(app, make):
    """Only someone holding a real class code can ask whether a username exists: with a wrong
    code, a taken username and a free one get the same answer, and nothing is made."""
    make.classroom()
    taken = make.student().username
    answers = []
    for username in (taken, "free.name"):
        prober = app.test_client()
        resp = post_join(prober, "ZZZZZZ", username=username)
        assert resp.status_code == 200
        page = text_of(resp).replace(username, "USERNAME")
        assert "We don't know that class code" in page
        assert "taken" not in page
        answers.append(page)
    assert answers[0] == answers[1]
    assert db.session.scalar(sa.select(User).filter_by(username="free.name")) is None


def test_a_throttled_join_hashes_no_password(app, client, make, monkeypatch):
    app.config["RATE_LIMIT_JOIN_FAILURES"] = 1
    make.classroom()
    assert post_join(client, "ZZZZZZ").status_code == 200
    hashed = []
    real = services.hash_password
    monkeypatch.setattr(services, "hash_password", lambda p: hashed.append(p) or real(p))
    assert post_join(client, "ZZZZZZ").status_code == 429
    assert hashed == []


def test_wrong_class_codes_are_limited_per_address(app, client, make):
    app.config["RATE_LIMIT_JOIN_FAILURES"] = 3
    make.classroom()
    for _ in range(3):
        resp = post_join(client, "ZZZZZZ")
        assert resp.status_code == 200
        assert "We don&#39;t know that class code" in resp.get_data(as_text=True)
    resp = post_join(client, "ZZZZZZ")
    assert resp.status_code == 429
    assert int(resp.headers["Retry-After"]) > 0
    page = resp.get_data(as_text=True)
    assert "Too many wrong class codes" in page
    assert 'value="amira.k"' in page


def test_teacher_signups_are_limited_per_address(app, client):
    app.config["RATE_LIMIT_SIGNUPS_PER_HOUR"] = 2
    statuses = []
    for n in range(3):
        statuses.append(
            client.post(
                "/signup",
                data={
                    "name": "T",
                    "email": f"t{n}@school.test",
                    "password": "a long pass phrase",
                    "confirm": "a long pass phrase",
                    "csrf_token": page_csrf_token(client, "/signup"),
                },
            ).status_code
        )
        if statuses[-1] == 302:
            client.post("/logout", data={"csrf_token": page_csrf_token(client, "/teacher/")})
    assert statuses == [302, 302, 429]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(User)) == 2


def test_saves_are_limited_per_student_with_a_json_429(app, make, work):
    app.config["RATE_LIMIT_API_PER_MINUTE"] = 3
    lesson = services.lesson_of(work.assignment)
    body = highlight(lesson, "vented its anger")
    got = [work.api.put(work.assignment, new_id(), body) for _ in range(4)]
    assert [r.status_code for r in got] == [201, 201, 201, 429]
    assert got[-1].get_json()["code"] == "rate_limited"
    assert "Your work is kept on this device" in got[-1].get_json()["error"]
    assert 1 <= int(got[-1].headers["Retry-After"]) <= 60
    assert work.api.get(work.assignment).status_code == 200  # reading is not limited


# ---------------------------------------------------------------- passwords


def test_signup_refuses_a_common_password_and_keeps_the_rest(client):
    resp = client.post(
        "/signup",
        data={
            "name": "Ms Rivera",
            "email": "rivera@school.test",
            "password": "password123",
            "confirm": "password123",
            "csrf_token": page_csrf_token(client, "/signup"),
        },
    )
    assert resp.status_code == 200
    page = resp.get_data(as_text=True)
    assert "one many people use" in page
    assert 'value="rivera@school.test"' in page
    assert db.session.scalar(sa.select(User).filter_by(email="rivera@school.test")) is None


def test_a_student_cannot_use_their_username_as_password(client, make):
    classroom = make.classroom()
    resp = post_join(
        client,
        classroom.join_code,
        first_name="Sam",
        last_name="Gamgee",
        username="samwise",
        password="samwise1",
        confirm="samwise1",
    )
    assert "Don&#39;t use your name or username" in resp.get_data(as_text=True)


def test_a_login_upgrades_a_hash_made_with_old_settings(app, client, make):
    student = make.student()
    student.password_hash = generate_password_hash(PASSWORD, "pbkdf2:sha256:600")
    db.session.commit()
    assert login(client, student).status_code == 302
    upgraded = fresh(student).password_hash
    assert upgraded.startswith("pbkdf2:sha256:1000$")  # the tests' PASSWORD_HASH_METHOD
    client.post("/logout", data={"csrf_token": page_csrf_token(client, "/student/")})
    assert login(client, student).status_code == 302  # and the new hash works
    assert fresh(student).password_hash == upgraded  # nothing to upgrade the second time


def test_a_wrong_password_upgrades_nothing(app, client, make):
    student = make.student()
    old = generate_password_hash(PASSWORD, "pbkdf2:sha256:600")
    student.password_hash = old
    db.session.commit()
    login(client, student.username, WRONG)
    assert fresh(student).password_hash == old


# ---------------------------------------------------------------- sessions


def two_devices(app, user):
    laptop, phone = app.test_client(), app.test_client()
    assert login(laptop, user).status_code == 302
    assert login(phone, user).status_code == 302
    return laptop, phone


def home_of(user) -> str:
    return "/teacher/" if user.is_teacher else "/student/"


@pytest.mark.parametrize("role", ["student", "teacher"])
def test_logging_out_ends_the_session_on_the_server_too(app, make, role):
    user = make.student() if role == "student" else make.teacher()
    laptop, phone = two_devices(app, user)
    stolen = laptop.get_cookie("session").value
    laptop.post("/logout", data={"csrf_token": page_csrf_token(laptop, home_of(user))})
    assert laptop.get(home_of(user)).status_code == 302
    # a copy of the cookie taken before logging out logs no one in
    thief = app.test_client()
    thief.set_cookie("session", stolen)
    assert thief.get(home_of(user)).status_code == 302
    assert phone.get(home_of(user)).status_code == 302  # logged out everywhere


def test_changing_the_password_ends_the_other_sessions_but_not_this_one(app, make):
    student = make.student()
    laptop, phone = two_devices(app, student)
    resp = laptop.post(
        "/account/password",
        data={
            "current": PASSWORD,
            "password": "a brand new phrase",
            "confirm": "a brand new phrase",
            "csrf_token": page_csrf_token(laptop, "/account/password"),
        },
    )
    assert resp.status_code == 302
    assert laptop.get("/student/").status_code == 200
    assert phone.get("/student/").status_code == 302
    assert login(phone, student, "a brand new phrase").status_code == 302


def test_changing_the_password_needs_the_current_one_and_a_good_new_one(app, client, make):
    teacher = make.teacher()
    login(client, teacher)
    token = page_csrf_token(client, "/account/password")
    resp = client.post(
        "/account/password",
        data={
            "current": WRONG,
            "password": "a brand new phrase",
            "confirm": "a brand new phrase",
            "csrf_token": token,
        },
    )
    assert resp.status_code == 422
    assert "That is not the password you use now." in resp.get_data(as_text=True)
    resp = client.post(
        "/account/password",
        data={
            "current": PASSWORD,
            "password": "12345678",
            "confirm": "12345678",
            "csrf_token": token,
        },
    )
    assert resp.status_code == 422
    assert "one many people use" in resp.get_data(as_text=True)
    assert client.get("/teacher/").status_code == 200  # still logged in, nothing changed


def test_the_change_password_page_needs_a_login(client):
    resp = client.get("/account/password")
    assert resp.status_code == 302
    assert "/login" in resp.headers["Location"]


def test_a_teachers_password_reset_ends_the_students_sessions(app, make):
    teacher = make.teacher()
    classroom = make.classroom(teacher)
    student = make.student(classroom=classroom)
    laptop, _ = two_devices(app, student)
    desk = app.test_client()
    login(desk, teacher)
    url = f"/teacher/classes/{classroom.id}/students/{student.id}/reset-password"
    assert desk.post(url, data={"csrf_token": page_csrf_token(desk, "/teacher/")}).status_code in (
        200,
        302,
    )
    assert laptop.get("/student/").status_code == 302


def _end_by_logout(app, student, laptop) -> None:
    laptop.client.post("/logout", data={"csrf_token": page_csrf_token(laptop.client, "/student/")})


def _end_by_password_change(app, student, laptop) -> None:
    resp = laptop.client.post(
        "/account/password",
        data={
            "current": PASSWORD,
            "password": "a brand new phrase",
            "confirm": "a brand new phrase",
            "csrf_token": page_csrf_token(laptop.client, "/account/password"),
        },
    )
    assert resp.status_code == 302


def _end_by_teacher_reset(app, student, laptop) -> None:
    [enrollment] = db.session.scalars(sa.select(Enrollment).filter_by(student_id=student.id))
    desk = app.test_client()
    login(desk, db.session.get(Classroom, enrollment.classroom_id).teacher)
    url = f"/teacher/classes/{enrollment.classroom_id}/students/{student.id}/reset-password"
    assert desk.post(url, data={"csrf_token": page_csrf_token(desk, "/teacher/")}).status_code in (
        200,
        302,
    )


@pytest.mark.parametrize("end", [_end_by_logout, _end_by_password_change, _end_by_teacher_reset])
def test_a_save_from_a_session_that_has_ended_is_refused_and_stores_nothing(app, make, lesson, end):
    """Saves check the session in their own query (no user is loaded before): a tab on
    another device, or a copy of the cookie, saves nothing once the login has ended there."""
    classroom = make.classroom()
    assignment = make.assignment(classroom)
    student = make.student(classroom=classroom)
    laptop = ApiClient(app.test_client()).login(student)
    phone = ApiClient(app.test_client()).login(student)
    thief = ApiClient(app.test_client())
    thief.client.set_cookie("session", phone.client.get_cookie("session").value)
    thief.token = phone.token
    body = highlight(lesson, "vented its anger", note="from the phone")
    uid = new_id()
    assert phone.put(assignment, uid, body).status_code == 201
    end(app, student, laptop)
    for api in (phone, thief):
        for resp in (
            api.put(assignment, new_id(), body),
            api.put(assignment, uid, {**body, "note": "changed"}, if_match=1),
            api.put(assignment, new_id(), {"category": "nonsense"}),
        ):
            assert resp.status_code == 401, resp.get_data(as_text=True)
            assert resp.get_json()["code"] == "login"
    db.session.expire_all()
    assert db.session.scalars(sa.select(Annotation.note)).all() == ["from the phone"]


def test_a_teacher_cannot_save_into_a_students_assignment(app, make, lesson):
    classroom = make.classroom()
    assignment = make.assignment(classroom)
    teacher = ApiClient(app.test_client()).login(classroom.teacher)
    resp = teacher.put(assignment, new_id(), highlight(lesson, "vented its anger"))
    assert resp.status_code == 404
    assert db.session.scalars(sa.select(Annotation)).all() == []


def test_no_remember_me_cookie_and_the_session_cookie_is_httponly_and_lax(client, make):
    resp = login(client, make.student())
    cookies = resp.headers.getlist("Set-Cookie")
    assert not any(c.startswith("remember_token") for c in cookies)
    session_cookie = next(c for c in cookies if c.startswith("session="))
    assert "HttpOnly" in session_cookie
    assert "SameSite=Lax" in session_cookie


def test_cookies_are_secure_outside_debug(db_url):
    config = {**_base_config(db_url), "TESTING": False}
    with another_app(config) as prod:
        assert prod.config["SESSION_COOKIE_SECURE"] is True
        client = prod.test_client()
        client.get("/login", base_url="https://school.example")
        cookie = client.get_cookie("session", domain="school.example")
        assert cookie is not None
        assert cookie.secure


# ---------------------------------------------------------------- ProxyFix


def test_behind_one_proxy_each_students_address_is_counted_apart(db_url, make, app):
    name = make.student().username  # read here: the other app has its own session
    with another_app({**_base_config(db_url), "PROXY_FIX_X_FOR": 1}) as behind:
        client = behind.test_client()
        for _ in range(11):
            resp = login(client, name, WRONG, headers={"X-Forwarded-For": "203.0.113.7"})
        assert resp.status_code == 429
        resp = login(client, name, headers={"X-Forwarded-For": "203.0.113.8"})
        assert resp.status_code == 302


def test_without_a_proxy_a_forged_forwarded_header_changes_nothing(app, client, make):
    student = make.student()
    for n in range(11):
        login(client, student, WRONG, headers={"X-Forwarded-For": f"198.51.100.{n}"})
    resp = login(client, student, WRONG, headers={"X-Forwarded-For": "198.51.100.200"})
    assert resp.status_code == 429


# ---------------------------------------------------------------- Redis


REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


@pytest.fixture
def redis_url():
    import redis

    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping()
    except redis.RedisError:
        if os.environ.get("CI"):
            pytest.fail(f"Redis is not reachable at {REDIS_URL} (CI must test this path)")
        pytest.skip(f"no Redis at {REDIS_URL} (CI starts one)")
    return REDIS_URL


def test_redis_counts_expire_and_reset(redis_url):
    limiter = Limiter(storage(redis_url, prefix=f"test-{uuid.uuid4().hex}"))
    limit = Limit("x", 2, 2)
    assert limiter.hit(limit, "k") is None
    assert limiter.over(limit, "k") is None
    assert limiter.hit(limit, "k") is None
    assert 0 < limiter.over(limit, "k") <= 2
    wait = limiter.hit(limit, "k")
    assert wait is not None
    assert 1 <= wait <= 2
    limiter.reset(limit, "k")
    assert limiter.over(limit, "k") is None


def test_taken_usernames_counted_several_at_once_are_shared_through_redis(redis_url):
    """A roster import counts all its taken usernames in one round trip; another worker sees
    the teacher past the limit."""
    prefix = f"test-{uuid.uuid4().hex}"
    first, second = (Limiter(storage(redis_url, prefix)) for _ in range(2))
    limit = Limit("roster_taken", 30, 3600)
    assert first.add(limit, "7", 30) is None
    assert second.over(limit, "7") is not None
    wait = second.add(limit, "7", 1)
    assert wait is not None
    assert 3500 <= wait <= 3600
    assert first.count(limit, "7") == 31


def test_workers_leasing_saves_from_redis_allow_exactly_the_limit_together(redis_url):
    prefix = f"test-{uuid.uuid4().hex}"
    first, second = (Limiter(storage(redis_url, prefix)) for _ in range(2))
    limit = Limit("api_writes", 15, 60)
    allowed = [w.hit(limit, "7", lease=10) is None for w in (first, second) * 10]
    assert allowed.count(True) == 15
    assert allowed[:2] == [True, True]  # each worker claimed its share: 10, then the last 5
    assert storage(redis_url, prefix).get("api_writes:7") >= 15


def test_two_workers_share_login_counters_through_redis(db_url, make, app, redis_url):
    """Like two gunicorn workers (or two hosts): failures counted by one block the other."""
    name = make.student().username  # read here: the other app has its own session
    config = {
        **_base_config(db_url),
        "REDIS_URL": redis_url,
        "RATE_LIMIT_PREFIX": f"test-{uuid.uuid4().hex}",
    }
    with another_app(config) as one:
        c1 = one.test_client()
        for _ in range(10):
            assert login(c1, name, WRONG).status_code == 401
    with another_app(config) as two:
        c2 = two.test_client()
        resp = login(c2, name, PASSWORD)
        assert resp.status_code == 429


def test_two_workers_share_the_slow_down_through_redis(db_url, app, redis_url, fast_unknown_logins):
    config = {
        **_base_config(db_url),
        "REDIS_URL": redis_url,
        "RATE_LIMIT_PREFIX": f"test-{uuid.uuid4().hex}",
        "RATE_LIMIT_LOGIN_FAILURES_PER_ADDRESS": 1,
    }
    with another_app(config) as one:
        c1 = one.test_client()
        assert login(c1, "nobody1", WRONG).status_code == 401  # the address's allowance
        assert login(c1, "nobody1", WRONG).status_code == 401  # past it: nobody1 slows down
    with another_app(config) as two:
        resp = login(two.test_client(), "nobody1", WRONG)
        assert resp.status_code == 429
        assert 1 <= int(resp.headers["Retry-After"]) <= 30  # its second wrong password: 30 s


def test_when_redis_is_down_logins_still_work(db_url, make, app):
    name = make.student().username  # read here: the other app has its own session
    with another_app({**_base_config(db_url), "REDIS_URL": "redis://127.0.0.1:1/0"}) as down:
        client = down.test_client()
        assert login(client, name, PASSWORD).status_code == 302


def test_removal_from_a_class_ends_the_students_sessions(app, make):
    """Still in another class, so the account stays: but every session of theirs ends."""
    teacher = make.teacher()
    first, second = make.classroom(teacher), make.classroom(teacher, "Period 5")
    student = make.student(classroom=first)
    from app import services as s

    s.enroll(db.session, second, student)
    db.session.commit()
    laptop, _ = two_devices(app, student)
    desk = app.test_client()
    login(desk, teacher)
    url = f"/teacher/classes/{first.id}/students/{student.id}/remove"
    resp = desk.post(url, data={"csrf_token": page_csrf_token(desk, url)})
    assert resp.status_code in (200, 302)
    assert fresh(student) is not None
    assert laptop.get("/student/").status_code == 302


DIRECTION = "invisible character that changes how the text is shown"


@pytest.mark.parametrize(
    ("name", "message"),
    [("Amy \u202enosbor", DIRECTION), ("Bo\u2066b", DIRECTION), ("Cy\x07", CONTROL_CHARACTER)],
)
def test_names_with_hidden_direction_changes_are_refused_and_the_rest_kept(
    client, make, name, message
):
    classroom = make.classroom()
    resp = client.post(
        "/join",
        data={
            "code": classroom.join_code,
            "first_name": name,
            "last_name": "Robson",
            "username": "amy.r",
            "password": "a long pass phrase",
            "confirm": "a long pass phrase",
            "csrf_token": page_csrf_token(client, "/join"),
        },
    )
    page = resp.get_data(as_text=True)
    assert message in page
    assert 'value="amy.r"' in page
    assert db.session.scalar(sa.select(User).filter_by(username="amy.r")) is None
