"""Accounts through the real forms: teacher sign-up, log-in and log-out, students joining with a
class code, expired forms that keep what was typed, classes and assignments, safe redirects."""

from __future__ import annotations

import json
from html import unescape

import pytest
import sqlalchemy as sa
from werkzeug.security import check_password_hash

from app.extensions import db
from app.models import Assignment, Classroom, Enrollment, LessonVersion, User
from app.web.forms import CONTROL_CHARACTER
from tests.support.client import JOIN_PASSWORD, login, page_csrf_token, post_join
from tests.support.factory import PASSWORD
from tests.support.html import form_fields, page

CSRF_MESSAGE = "for your safety the form expired"
TEACHER_PASSWORD = "a short sentence works"
STUDENT_PASSWORD = JOIN_PASSWORD


def user_by(**filters) -> User | None:
    db.session.expire_all()
    return db.session.execute(sa.select(User).filter_by(**filters)).scalar_one_or_none()


def signup(client, *, csrf: bool = True, **overrides):
    data = {
        "name": "Ms Rivera",
        "email": "Rivera@School.test",
        "password": TEACHER_PASSWORD,
        "confirm": TEACHER_PASSWORD,
        **overrides,
    }
    if csrf:
        data["csrf_token"] = page_csrf_token(client, "/signup")
    return client.post("/signup", data=data)


join = post_join


def text(resp) -> str:
    """The page as a reader sees it (entities such as &#39; turned back into characters)."""
    return unescape(resp.get_data(as_text=True))


def is_logged_in_as_student(client) -> bool:
    return client.get("/student/").status_code == 200


# ---------------------------------------------------------------- teachers


def test_a_teacher_signs_up_and_the_password_is_stored_hashed(client):
    resp = signup(client)
    assert resp.status_code == 302
    assert resp.headers["Location"] == "/teacher/"
    teacher = user_by(email="rivera@school.test")
    assert teacher is not None
    assert teacher.role == "teacher"
    assert teacher.display_name == "Ms Rivera"
    assert teacher.password_hash != TEACHER_PASSWORD
    assert TEACHER_PASSWORD not in teacher.password_hash
    assert check_password_hash(teacher.password_hash, TEACHER_PASSWORD)
    assert not check_password_hash(teacher.password_hash, "a short sentence work")
    assert client.get("/teacher/").status_code == 200


def test_signing_up_with_a_used_email_shows_the_error_and_keeps_the_name(client, make):
    make.teacher("rivera@school.test")
    resp = signup(client, name="Mr Typed Name", email="RIVERA@school.test ")
    assert resp.status_code == 200
    html = resp.get_data(as_text=True)
    assert "An account with that email already exists" in html
    assert 'value="Mr Typed Name"' in html
    assert len(db.session.execute(sa.select(User).filter_by(role="teacher")).all()) == 1


def test_a_trailing_space_from_autocomplete_does_not_spoil_the_email(client):
    resp = signup(client, email=" rivera@school.test ")
    assert resp.status_code == 302
    assert user_by(email="rivera@school.test") is not None


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"password": "short", "confirm": "short"}, "Use at least 8 characters"),
        ({"confirm": "something else"}, "The two passwords are different."),
        ({"email": "not-an-email"}, "doesn't look like an email address"),
        ({"name": ""}, "Tell us your name."),
    ],
)
def test_signup_mistakes_are_explained_in_the_form(client, overrides, message):
    resp = signup(client, **overrides)
    assert resp.status_code == 200
    assert message in text(resp)
    assert user_by(email="rivera@school.test") is None


@pytest.mark.parametrize(
    "email", ["rivera\x00@school.test", "rivera@school.test\x1b", "r\x7f@s.test"]
)
def test_a_control_character_in_the_signup_email_is_refused_and_the_rest_kept(client, email):
    resp = signup(client, email=email)  # NUL gave PostgreSQL's 500
    assert resp.status_code == 200
    assert CONTROL_CHARACTER in text(resp)
    assert 'value="Ms Rivera"' in text(resp)
    assert db.session.execute(sa.select(User)).first() is None


def test_a_teacher_logs_in_and_out_through_the_forms(client, make):
    teacher = make.teacher("lee@school.test")
    resp = login(client, teacher)
    assert resp.status_code == 302
    assert resp.headers["Location"] == "/teacher/"
    assert client.get("/teacher/").status_code == 200
    out = client.post("/logout", data={"csrf_token": page_csrf_token(client, "/teacher/")})
    assert out.status_code == 302
    assert out.headers["Location"] == "/login"
    assert client.get("/teacher/").status_code == 302


def test_logging_out_works_even_when_the_form_has_expired(client, make):
    student = make.student()
    login(client, student)
    out = client.post("/logout", data={}, headers={"Origin": "http://localhost"})
    assert out.status_code == 302
    assert not is_logged_in_as_student(client)


@pytest.mark.parametrize(
    "headers", [{}, {"Origin": "https://evil.example"}, {"Referer": "https://evil.example/page"}]
)
def test_another_site_cannot_log_a_student_out_without_the_token(client, make, headers):
    student = make.student()
    login(client, student)
    client.post("/logout", data={}, headers=headers)
    assert is_logged_in_as_student(client)


def test_login_ignores_case_and_spaces_in_the_email(client, make):
    teacher = make.teacher("lee@school.test")
    resp = login(client, "  LEE@School.test ")
    assert resp.status_code == 302
    assert teacher.email == "lee@school.test"


@pytest.mark.parametrize("who", ["student7", "nobody-by-that-name"])
def test_a_wrong_password_gets_401_with_a_message_and_keeps_the_username(client, make, who):
    make.student("student7")
    resp = client.post(
        "/login",
        data={"login": who, "password": "wrong password", "csrf_token": page_csrf_token(client)},
    )
    assert resp.status_code == 401
    html = resp.get_data(as_text=True)
    assert "That username or password is not right" in html
    assert f'value="{who}"' in html
    assert "wrong password" not in html
    assert not is_logged_in_as_student(client)


@pytest.mark.parametrize("typed", ["student7\x00", "\x00", "student\n7", "student7\x85"])
def test_a_control_character_in_the_login_is_refused_with_a_reason(client, make, typed):
    make.student("student7")
    resp = login(client, typed)  # NUL gave PostgreSQL's 500, before anyone logged in
    assert resp.status_code == 200
    assert CONTROL_CHARACTER in text(resp)
    assert "That username or password is not right" not in text(resp)
    assert not is_logged_in_as_student(client)


def test_logging_in_starts_a_fresh_session(client, make):
    student = make.student()
    with client.session_transaction() as s:
        s["planted"] = "by an attacker"
    login(client, student)
    with client.session_transaction() as s:
        assert "planted" not in s
        assert s.get("_user_id") == f"{student.id}.{student.session_version}"


# ---------------------------------------------------------------- students joining


@pytest.fixture
def classroom(make) -> Classroom:
    return make.classroom(name="Period 3 English")


def typed_forms_of(code: str) -> list[str]:
    return [
        code,
        code.lower(),
        f" {code[:3]}-{code[3:]} ",
        f"{code[:3]} {code[3:]}".lower(),
        "-".join(code),
    ]


def test_a_join_code_is_six_letters_and_digits_without_look_alikes(classroom):
    assert len(classroom.join_code) == 6
    assert classroom.join_code.isalnum()
    assert not set(classroom.join_code) & set("01OI")


@pytest.mark.parametrize("variant", range(5))
def test_a_student_joins_with_the_code_however_it_is_typed(app, classroom, variant):
    client = app.test_client()
    typed = typed_forms_of(classroom.join_code)[variant]
    resp = join(client, typed)
    assert resp.status_code == 302, resp.get_data(as_text=True)
    assert resp.headers["Location"] == "/student/"
    student = user_by(username="amira.k")
    assert student is not None
    assert student.role == "student"
    assert student.email is None
    assert student.display_name == "Amira Khan"
    assert check_password_hash(student.password_hash, STUDENT_PASSWORD)
    enrolled = db.session.execute(
        sa.select(Enrollment).filter_by(student_id=student.id, classroom_id=classroom.id)
    ).scalar_one_or_none()
    assert enrolled is not None
    assert is_logged_in_as_student(client)


def test_an_unknown_code_is_refused_and_keeps_what_was_typed(client, classroom):
    resp = join(
        client,
        "ZZZZZZ" if classroom.join_code != "ZZZZZZ" else "YYYYYY",
        first_name="Amira",
        last_name="Khan",
        username="amira.k",
    )
    assert resp.status_code == 200
    html = resp.get_data(as_text=True)
    assert "We don't know that class code" in text(resp)
    assert 'value="Amira"' in html
    assert 'value="Khan"' in html
    assert 'value="amira.k"' in html
    assert STUDENT_PASSWORD not in html
    assert user_by(username="amira.k") is None


def test_a_taken_username_is_refused(client, make, classroom):
    make.student("amira.k")
    resp = join(client, classroom.join_code, first_name="Another Amira")
    assert resp.status_code == 200
    html = resp.get_data(as_text=True)
    assert "That username is taken" in html
    assert 'value="Another Amira"' in html
    assert len(db.session.execute(sa.select(User).filter_by(role="student")).all()) == 1


def test_usernames_are_case_insensitive(client, make, classroom):
    make.student("amira.k")
    resp = join(client, classroom.join_code, username="Amira.K")
    assert "That username is taken" in text(resp)


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"password": "seven77", "confirm": "seven77"}, "Use at least 8 characters"),
        ({"confirm": "different password"}, "The two passwords are different."),
        ({"username": "amira k"}, "no spaces"),
        ({"username": "ak"}, "Use 3 to 40 characters."),
        ({"code": ""}, "Type the class code"),
    ],
)
def test_student_signup_mistakes_are_explained(client, classroom, overrides, message):
    overrides = dict(overrides)
    resp = join(client, overrides.pop("code", classroom.join_code), **overrides)
    assert resp.status_code == 200
    assert message in text(resp)
    assert db.session.execute(sa.select(User).filter_by(role="student")).first() is None


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"first_name": "  "}, "first_name", "Tell us your first name."),
        ({"last_name": ""}, "last_name", "Tell us your last name."),
        ({"last_name": "K\u202ehan"}, "last_name", "invisible character"),
        ({"first_name": "A" * 81}, "first_name", "Use at most 80 characters."),
        (
            {"first_name": "A" * 40, "last_name": "B" * 40},
            "last_name",
            "Your first and last name together can have at most 80 characters.",
        ),
    ],
)
def test_a_new_student_gives_a_first_and_last_name_and_keeps_what_was_typed(
    client, classroom, overrides, field, message
):
    typed = {"first_name": "Amira", "last_name": "Khan", "username": "amira.k", **overrides}
    resp = join(client, classroom.join_code, **typed)
    assert resp.status_code == 200
    form = page(resp)
    assert message in form.find(id=f"{field}-error").text
    assert form_fields(form)["username"] == "amira.k"
    for name in ("first_name", "last_name"):
        assert form_fields(form)[name] == typed[name]
    assert user_by(username="amira.k") is None


def test_the_join_form_asks_for_first_and_last_name_with_labels(client):
    form = page(client.get("/join"))
    for id_, label, autocomplete in (
        ("first_name", "First name", "given-name"),
        ("last_name", "Last name", "family-name"),
    ):
        assert form.find("label", for_=id_).text.strip() == label
        assert form.find(id=id_).attrs["autocomplete"] == autocomplete


def test_a_logged_in_student_joins_another_class_with_just_the_code(client, make, classroom):
    student = make.student()
    login(client, student)
    resp = client.post(
        "/join",
        data={"code": classroom.join_code.lower(), "csrf_token": page_csrf_token(client, "/join")},
    )
    assert resp.status_code == 302
    assert (
        db.session.execute(
            sa.select(Enrollment).filter_by(student_id=student.id, classroom_id=classroom.id)
        ).scalar_one_or_none()
        is not None
    )


def test_joining_the_same_class_twice_enrolls_once(client, make, classroom):
    student = make.student(classroom=classroom)
    login(client, student)
    client.post(
        "/join", data={"code": classroom.join_code, "csrf_token": page_csrf_token(client, "/join")}
    )
    count = db.session.execute(
        sa.select(sa.func.count()).select_from(Enrollment).filter_by(student_id=student.id)
    ).scalar()
    assert count == 1


def test_the_join_link_fills_in_the_code(client, classroom):
    html = client.get(f"/join?code={classroom.join_code}").get_data(as_text=True)
    assert f'value="{classroom.join_code}"' in html


def test_a_teacher_opening_join_is_sent_home(client, make):
    login(client, make.teacher())
    resp = client.get("/join")
    assert resp.status_code == 302
    assert resp.headers["Location"] == "/teacher/"


# ---------------------------------------------------------------- expired forms keep the typing


def test_a_signup_posted_without_a_csrf_token_keeps_what_was_typed(client):
    resp = signup(client, csrf=False, name="Mr Patient")
    assert resp.status_code == 200
    html = resp.get_data(as_text=True)
    assert CSRF_MESSAGE in html
    assert 'value="Mr Patient"' in html
    assert 'value="Rivera@School.test"' in html
    assert user_by(email="rivera@school.test") is None


def test_a_login_posted_without_a_csrf_token_keeps_the_username(client, make):
    make.student("kofi")
    resp = client.post("/login", data={"login": "kofi", "password": PASSWORD})
    assert resp.status_code == 200
    html = resp.get_data(as_text=True)
    assert CSRF_MESSAGE in html
    assert 'value="kofi"' in html
    assert not is_logged_in_as_student(client)


def test_a_join_posted_with_an_expired_token_keeps_what_was_typed(client, classroom):
    resp = join(client, classroom.join_code, csrf=False, username="amira.k")
    assert resp.status_code == 200
    html = resp.get_data(as_text=True)
    assert CSRF_MESSAGE in html
    assert 'value="amira.k"' in html
    assert f'value="{classroom.join_code}"' in html
    assert user_by(username="amira.k") is None


def test_a_form_with_a_garbled_csrf_token_is_friendly_too(client):
    resp = client.post("/signup", data={"name": "Ms Typo", "csrf_token": "garbled"})
    assert resp.status_code == 200
    assert CSRF_MESSAGE in resp.get_data(as_text=True)


# ---------------------------------------------------------------- classes and assignments


def test_a_teacher_creates_a_class_and_gets_a_join_code(client, make):
    teacher = make.teacher()
    login(client, teacher)
    resp = client.post(
        "/teacher/",
        data={"name": "Period 3 English", "csrf_token": page_csrf_token(client, "/teacher/")},
    )
    assert resp.status_code == 302
    classroom = db.session.execute(
        sa.select(Classroom).filter_by(teacher_id=teacher.id)
    ).scalar_one()
    assert resp.headers["Location"] == f"/teacher/classes/{classroom.id}"
    assert len(classroom.join_code) == 6
    page = client.get(resp.headers["Location"]).get_data(as_text=True)
    assert classroom.join_code in page
    assert "Period 3 English" in page


def test_a_class_needs_a_name(client, make):
    login(client, make.teacher())
    resp = client.post(
        "/teacher/", data={"name": "", "csrf_token": page_csrf_token(client, "/teacher/")}
    )
    assert resp.status_code == 200
    assert "Give the class a name" in text(resp)
    assert db.session.execute(sa.select(Classroom)).first() is None


def test_two_classes_get_different_join_codes(make):
    teacher = make.teacher()
    codes = {make.classroom(teacher, name=f"Class {i}").join_code for i in range(5)}
    assert len(codes) == 5


def test_assigning_a_lesson_pins_its_version(client, make, lesson):
    teacher = make.teacher()
    classroom = make.classroom(teacher)
    login(client, teacher)
    url = f"/teacher/classes/{classroom.id}"
    resp = client.post(
        url,
        data={"lesson": lesson.id, "due": "2030-05-01", "csrf_token": page_csrf_token(client, url)},
    )
    assert resp.status_code == 302
    assignment = db.session.execute(
        sa.select(Assignment).filter_by(classroom_id=classroom.id)
    ).scalar_one()
    pinned = db.session.get(LessonVersion, assignment.lesson_version_id)
    assert pinned.lesson_id == lesson.id
    assert pinned.version == lesson.version
    assert pinned.title == lesson.title
    assert json.loads(pinned.content)["blocks"][1]["text"] == lesson.blocks[1].text
    assert assignment.due_at is not None
    assert (assignment.due_at.year, assignment.due_at.month, assignment.due_at.day) == (2030, 5, 1)


def test_assigning_the_same_lesson_twice_reuses_the_pinned_version(make, lesson):
    classroom = make.classroom()
    first = make.assignment(classroom, lesson=lesson)
    second = make.assignment(classroom, lesson=lesson)
    assert first.id != second.id
    assert first.lesson_version_id == second.lesson_version_id
    assert len(db.session.execute(sa.select(LessonVersion)).all()) == 1


def test_an_assigned_lesson_appears_for_the_classs_students(client, make, lesson):
    classroom = make.classroom()
    make.assignment(classroom, lesson=lesson)
    login(client, make.student(classroom=classroom))
    assert lesson.title in client.get("/student/").get_data(as_text=True)


# ---------------------------------------------------------------- redirects after login


@pytest.mark.parametrize(
    "target",
    [
        "//evil.example",
        "//evil.example/student/",
        "https://evil.example/",
        "http:evil.example",
        "/\t/evil.example",
        "\\\\evil.example",
        "javascript:alert(1)",
        "evil.example",
    ],
)
def test_an_open_redirect_after_login_is_ignored(app, make, target):
    client = app.test_client()
    student = make.student()
    resp = client.post(
        "/login",
        query_string={"next": target},
        data={
            "login": student.username,
            "password": PASSWORD,
            "csrf_token": page_csrf_token(client),
        },
    )
    assert resp.status_code == 302
    assert resp.headers["Location"] == "/student/"


def test_a_local_next_page_is_followed_after_login(client, make):
    a = make.assignment()
    student = make.student(classroom=a.classroom)
    page = f"/student/assignments/{a.id}"
    bounced = client.get(page)
    assert bounced.status_code == 302
    login_url = bounced.headers["Location"]
    resp = client.post(
        login_url,
        data={
            "login": student.username,
            "password": PASSWORD,
            "csrf_token": page_csrf_token(client),
        },
    )
    assert resp.headers["Location"] == page
