"""Class management and rosters through the Flask test client (CSRF on): rename, archive, join
codes, roster import (good, bad and hostile files), one-time passwords, resetting and removing
a student, and who may do any of it."""

from __future__ import annotations

import csv
import io
import re
import time
from dataclasses import dataclass
from datetime import datetime

import pytest
import sqlalchemy as sa
from werkzeug.datastructures import FileStorage, MultiDict
from werkzeug.security import check_password_hash
from werkzeug.test import encode_multipart

from app import services
from app.domain.roster import MAX_BYTES, MAX_ROWS
from app.extensions import db
from app.models import (
    Annotation,
    Classroom,
    Enrollment,
    FinalGrade,
    GradeChange,
    OmissionMark,
    RubricScore,
    Submission,
    User,
)
from app.services import rosters
from tests.support.client import login, page_csrf_token
from tests.support.factory import PASSWORD, new_id
from tests.support.html import flash_messages, form_fields, text_of
from tests.support.html import page as read_page

TEST_TEMP_HASH = "pbkdf2:sha256:1000"


@pytest.fixture(autouse=True)
def _fast_temporary_hashes(app):
    """Production hashes one-time passwords with PBKDF2 at 10,000 rounds; tests make many."""
    app.config["TEMP_PASSWORD_HASH_METHOD"] = TEST_TEMP_HASH


@dataclass
class Teacher:
    user: User
    classroom: Classroom
    client: object

    @property
    def class_url(self) -> str:
        return f"/teacher/classes/{self.classroom.id}"

    def post(self, path: str, data: dict | None = None, **kwargs):
        token = page_csrf_token(self.client, self.class_url)
        return self.client.post(path, data={"csrf_token": token, **(data or {})}, **kwargs)

    def upload(self, data: bytes, filename: str = "roster.csv", classroom=None):
        c = classroom or self.classroom
        token = page_csrf_token(self.client, self.class_url)
        # encoded in memory: the test client spools a big multipart body to a temporary file
        # that it never closes
        boundary, body = encode_multipart(
            MultiDict(
                {
                    "csrf_token": token,
                    "file": FileStorage(io.BytesIO(data), filename, content_type="text/csv"),
                }
            )
        )
        return self.client.post(
            f"/teacher/classes/{c.id}/roster/import",
            data=body,
            content_type=f"multipart/form-data; boundary={boundary}",
        )


@pytest.fixture
def teacher(app, make) -> Teacher:
    user = make.teacher()
    classroom = make.classroom(user, name="Period 3 English")
    client = app.test_client()
    assert login(client, user).status_code == 302
    return Teacher(user, classroom, client)


def html_of(resp) -> str:
    return resp.get_data(as_text=True)


def cards(resp) -> dict[str, str]:
    """username -> one-time password, as printed on the cards."""
    return {
        card.find("dd", cls="pw-mono").text: card.find("dd", cls="pw-secret").text
        for card in read_page(resp).find_all("li", cls="pw-card")
    }


def students(classroom=None) -> dict[str, User]:
    db.session.expire_all()
    query = sa.select(User).filter_by(role="student")
    if classroom is not None:
        query = query.join(Enrollment, Enrollment.student_id == User.id).where(
            Enrollment.classroom_id == classroom.id
        )
    return {u.username: u for u in db.session.execute(query).scalars()}


def enrollment_of(user: User, classroom) -> Enrollment:
    return db.session.execute(
        sa.select(Enrollment).filter_by(student_id=user.id, classroom_id=classroom.id)
    ).scalar_one()


def section_of(user: User, classroom) -> str | None:
    return enrollment_of(user, classroom).section


def sis_of(user: User, classroom) -> tuple[str | None, str | None]:
    e = enrollment_of(user, classroom)
    return e.sis_user_id, e.sis_login_id


GOOD = (
    b"name,username,sis_user_id,sis_login_id,section\r\n"
    b"Amira Khan,amira.k,S1001,amira.khan,Period 3\r\n"
    b"Ben Cole,ben.c,S1002,ben.cole,Period 3\r\n"
)


# ---------------------------------------------------------------- importing


def test_importing_a_roster_makes_students_with_one_time_passwords_shown_once(teacher, app):
    resp = teacher.upload(GOOD)
    assert resp.status_code == 200
    assert resp.headers["Cache-Control"] == "no-store"
    page = html_of(resp)
    assert "shown only now: print them" in page
    printed = cards(resp)
    assert set(printed) == {"amira.k", "ben.c"}
    assert all(re.fullmatch(r"[a-z2-9]{4}-[a-z2-9]{4}-[a-z2-9]{4}", p) for p in printed.values())
    assert "/login" in page  # where to go, on every card
    made = students(teacher.classroom)
    amira = made["amira.k"]
    assert amira.display_name == "Amira Khan"
    assert sis_of(amira, teacher.classroom) == ("S1001", "amira.khan")
    assert section_of(amira, teacher.classroom) == "Period 3"
    assert amira.password_is_temporary
    # hashed, never stored in plain text
    assert printed["amira.k"] not in amira.password_hash
    assert amira.password_hash.startswith(TEST_TEMP_HASH)
    assert check_password_hash(amira.password_hash, printed["amira.k"])
    # the class page no longer shows any password
    class_page = html_of(teacher.client.get(teacher.class_url))
    assert printed["amira.k"] not in class_page
    student = app.test_client()
    resp = login(student, "amira.k", printed["amira.k"])
    assert resp.status_code == 302


def test_the_class_page_lists_the_roster_with_ids_sections_and_actions(teacher):
    teacher.upload(GOOD)
    page = html_of(teacher.client.get(teacher.class_url))
    table = page[page.index('<table class="roster') : page.index("</table>")]
    for text in (
        "Amira Khan",
        "amira.k",
        "S1001",
        "amira.khan",
        "Period 3",
        "Ben Cole",
        "One-time, not yet changed",
        "Reset password",
        "Remove",
    ):
        assert text in table
    amira = students()["amira.k"]
    assert f"/students/{amira.id}/reset-password" in table
    assert f"/students/{amira.id}/remove" in table


def test_bad_rows_are_reported_by_line_and_good_rows_kept(teacher, make):
    make.student("taken.elsewhere", classroom=make.classroom(name="Someone else's class"))
    data = (
        b"name;username;section\n"
        b"Amira Khan;amira.k;P3\n"  # 2 ok
        b";no.name;P3\n"  # 3
        b"Ben Cole;ben c;P3\n"  # 4 bad character
        b"Cy;amira.k;P3\n"  # 5 duplicate in the file
        b"Di;taken.elsewhere;P3\n"  # 6 taken in the database
        b"Ed Roe;ed.roe;P3\n"
    )  # 7 ok
    resp = teacher.upload(data)
    assert resp.status_code == 200
    assert set(cards(resp)) == {"amira.k", "ed.roe"}
    rows = [
        [td.text for td in tr.find_all("td")]
        for tr in read_page(resp).find_all("tr")
        if len(tr.find_all("td")) == 4 and tr.find("td").text.isdigit()
    ]
    assert [(int(line), name, username) for line, name, username, _ in rows] == [
        (3, "", "no.name"),
        (4, "Ben Cole", "ben c"),
        (5, "Cy", "amira.k"),
        (6, "Di", "taken.elsewhere"),
    ]
    problems = {int(line): message for line, _, _, message in rows}
    assert "name is empty" in problems[3]
    assert "no spaces" in problems[4]
    assert "also on line 2" in problems[5]
    assert "already taken" in problems[6]
    assert "4 lines not imported" in text_of(resp)
    assert set(students(teacher.classroom)) == {"amira.k", "ed.roe"}


@pytest.mark.parametrize("encoding", ["bom-semicolons", "tabs-crlf", "utf16"])
def test_files_from_spreadsheet_programs_import(teacher, encoding):
    text = "Student Name;Login;SIS ID;Period\r\nZoë Ångström;zoe.a;77;P1\r\n"
    if encoding == "bom-semicolons":
        data = "\ufeff".encode() + text.encode()
    elif encoding == "tabs-crlf":
        data = text.replace(";", "\t").encode()
    else:
        data = text.replace(";", "\t").encode("utf-16")
    resp = teacher.upload(data)
    assert resp.status_code == 200, html_of(resp)
    zoe = students(teacher.classroom)["zoe.a"]
    assert (zoe.display_name, sis_of(zoe, teacher.classroom)[0]) == ("Zoë Ångström", "77")
    assert section_of(zoe, teacher.classroom) == "P1"


def test_reimporting_updates_ids_and_section_but_never_resets_passwords(teacher, app):
    first = cards(teacher.upload(GOOD))
    amira = students()["amira.k"]
    hash_before = amira.password_hash
    # Amira has chosen her own password meanwhile
    rosters.set_own_password(db.session, amira, "my own long password")
    db.session.commit()
    own_hash = amira.password_hash
    assert own_hash != hash_before
    again = (
        b"name,username,sis_user_id,section\n"
        b"Amira Khan,amira.k,S9999,Period 4\n"
        b"Ben Cole,ben.c,,\n"
    )  # blank cells keep what is stored
    resp = teacher.upload(again)
    assert resp.status_code == 200
    assert cards(resp) == {}  # no new passwords
    page = text_of(resp)
    assert "1 already in this class: SIS IDs or section updated" in page
    assert "1 already in this class, nothing to change" in page
    after = students()
    assert after["amira.k"].password_hash == own_hash
    assert not after["amira.k"].password_is_temporary
    assert sis_of(after["amira.k"], teacher.classroom)[0] == "S9999"
    assert section_of(after["amira.k"], teacher.classroom) == "Period 4"
    assert sis_of(after["ben.c"], teacher.classroom)[0] == "S1002"
    assert section_of(after["ben.c"], teacher.classroom) == "Period 3"
    assert check_password_hash(after["ben.c"].password_hash, first["ben.c"])


def test_a_student_from_the_teachers_other_class_is_added_without_a_new_password(teacher, make):
    other = make.classroom(teacher.user, name="Period 5")
    sam = make.student("sam.p", classroom=other)
    resp = teacher.upload(b"name,username,section\nSam P,sam.p,P3\n")
    assert resp.status_code == 200
    assert cards(resp) == {}
    assert "already in another of your classes" in html_of(resp)
    assert "sam.p" in students(teacher.classroom)
    db.session.refresh(sam)
    assert check_password_hash(sam.password_hash, PASSWORD)
    assert not sam.password_is_temporary


def test_a_teachers_username_or_another_teachers_student_is_never_taken_over(teacher, make):
    make.student("theirs", classroom=make.classroom(name="Elsewhere"))
    resp = teacher.upload(b"name,username\nT,theirs\n")
    assert "already taken" in html_of(resp)
    assert "theirs" not in students(teacher.classroom)


def _canvas_rows(client, assignment) -> dict[str, list[str]]:
    """The Canvas export's rows by student name: [SIS User ID, SIS Login ID, Section]."""
    resp = client.get(f"/teacher/assignments/{assignment.id}/export/canvas.csv")
    assert resp.status_code == 200
    rows = list(csv.reader(io.StringIO(resp.get_data(as_text=True).lstrip("\ufeff"))))
    return {r[0]: r[2:5] for r in rows[2:]}


def test_a_student_who_makes_a_class_cannot_rewrite_sis_ids_in_another_teachers_export(
    teacher, app, make
):
    """Teacher sign-up is open: Sam signs up as a teacher, makes a class, joins it with his
    student account and imports a roster giving himself Kim's SIS ids. The real teacher's
    Canvas file must still give each student their own ids (else a grade lands on Kim)."""
    teacher.upload(
        b"name,username,sis_user_id,sis_login_id,section\n"
        b"Kim Lee,kim.l,S2001,kim.lee,P3\n"
        b"Sam Park,sam.p,S2002,sam.park,P3\n"
    )
    sam = students()["sam.p"]
    rosters.set_own_password(db.session, sam, PASSWORD)
    db.session.commit()
    assignment = make.assignment(teacher.classroom)
    before = _canvas_rows(teacher.client, assignment)
    assert before == {
        "Kim Lee": ["S2001", "kim.lee", "P3"],
        "Sam Park": ["S2002", "sam.park", "P3"],
    }

    # Sam the "teacher": a class of his own, which Sam the student joins with its code
    sam_teacher = make.teacher("sam.p@example.test")
    fake = Teacher(sam_teacher, make.classroom(sam_teacher, name="My class"), app.test_client())
    assert login(fake.client, fake.user).status_code == 302
    sam_client = app.test_client()
    assert login(sam_client, "sam.p").status_code == 302
    resp = sam_client.post(
        "/join",
        data={"csrf_token": page_csrf_token(sam_client, "/join"), "code": fake.classroom.join_code},
    )
    assert resp.status_code == 302
    resp = fake.upload(
        b"name,username,sis_user_id,sis_login_id,section\nSam Park,sam.p,S2001,kim.lee,P3\n"
    )
    assert resp.status_code == 200
    assert "SIS IDs or section updated" in text_of(resp)  # his own class's copy changed...

    assert _canvas_rows(teacher.client, assignment) == before  # ...the real teacher's did not
    assert sis_of(students()["sam.p"], fake.classroom) == ("S2001", "kim.lee")
    assert sis_of(students()["sam.p"], teacher.classroom) == ("S2002", "sam.park")


@pytest.mark.slow
def test_ten_thousand_rows_import_in_one_go(teacher):
    lines = ["name,username,sis_user_id,sis_login_id,section"] + [
        f"Student Number {i},student.{i:05d},SIS{i:06d},login.{i:05d}@district.example,"
        f"Period {i % 7}"
        for i in range(MAX_ROWS)
    ]
    data = ("\r\n".join(lines) + "\r\n").encode()
    assert len(data) <= MAX_BYTES
    started = time.perf_counter()
    resp = teacher.upload(data)
    elapsed = time.perf_counter() - started
    print(f"\n10,000-row import ({TEST_TEMP_HASH}): {elapsed:.1f} s")
    assert resp.status_code == 200
    assert len(cards(resp)) == MAX_ROWS
    count = db.session.execute(
        sa.select(sa.func.count())
        .select_from(Enrollment)
        .filter_by(classroom_id=teacher.classroom.id)
    ).scalar_one()
    assert count == MAX_ROWS
    assert elapsed < 120


def test_ten_thousand_and_one_rows_are_refused_whole(teacher):
    lines = ["name,username"] + [f"S {i},s{i:05d}" for i in range(MAX_ROWS + 1)]
    resp = teacher.upload(("\n".join(lines) + "\n").encode())
    assert resp.status_code == 422
    page = text_of(resp)
    assert "Nothing was imported" in page
    assert "10,001 students; the limit is 10,000" in page
    assert students() == {}


PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02\x00\x00"
    b"\x00\x90wS\xde\x00\x00\x00\x0cIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N"
)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (PNG, "isn't a CSV text file"),
        (b"", "The file is empty"),
        (b"\r\n\r\n", "The file is empty"),
        (b"name,username\n", "no students"),
        (b"Student,Email\nAmira,a@school.test\n", "needs a \u201cusername\u201d column"),
    ],
)
def test_files_that_cannot_be_a_roster_get_a_clear_report_and_change_nothing(
    teacher, make, data, message
):
    existing = make.student("already.here", classroom=teacher.classroom)
    resp = teacher.upload(data, filename="class.png" if data == PNG else "roster.csv")
    assert resp.status_code == 422
    page = text_of(resp)
    assert message in page
    assert set(students()) == {"already.here"}
    db.session.refresh(existing)
    assert check_password_hash(existing.password_hash, PASSWORD)


def test_no_file_chosen_is_asked_for_again(teacher):
    resp = teacher.upload(b"", filename="")  # what a browser sends when no file was chosen
    assert resp.status_code == 422
    assert "Choose the roster file" in html_of(resp)


@pytest.mark.parametrize("size", [MAX_BYTES + 100, MAX_BYTES * 3])
def test_a_file_over_the_size_limit_is_refused_with_a_clear_report(teacher, size):
    data = b"name,username\n" + b"A,abc\n" * (size // 6)
    resp = teacher.upload(data)
    assert resp.status_code in (413, 422)
    page = html_of(resp)
    assert "MB" in page
    assert "Split it into smaller files" in page
    assert "Add students from a file" in page  # the upload form again, not a bare error page
    assert students() == {}


def test_an_unexpected_failure_imports_nothing(teacher, monkeypatch):
    calls = []

    def failing(password):
        calls.append(password)
        if len(calls) == 3:
            raise RuntimeError("disk on fire")
        return "pbkdf2:sha256:1000$x$y"

    monkeypatch.setattr(rosters, "hash_temporary", failing)
    data = b"name,username\nA,aaa\nB,bbb\nC,ccc\nD,ddd\n"
    resp = teacher.upload(data)
    assert resp.status_code == 500  # the error page; the transaction was rolled back
    assert len(calls) == 3
    assert students() == {}
    assert db.session.execute(sa.select(Enrollment)).first() is None


def test_a_username_taken_at_the_same_moment_imports_nothing(teacher, make, monkeypatch):
    make.student("racer", classroom=make.classroom(name="Elsewhere"))
    # the lookup ran before the other request committed: it saw no "racer"
    monkeypatch.setattr(rosters, "_users_by_username", lambda session, names: {})
    resp = teacher.upload(b"name,username\nA,aaa\nRacer,racer\n")
    assert resp.status_code == 409
    assert "Nothing was imported" in html_of(resp)
    assert set(students()) == {"racer"}


def _roster_file(*usernames: str) -> bytes:
    return ("name,username\n" + "".join(f"S {u},{u}\n" for u in usernames)).encode()


def test_a_teacher_uploading_files_of_guessed_usernames_is_stopped_after_the_limit(
    teacher, app, make
):
    """Teacher sign-up is open: anyone can upload files of guesses and read which usernames
    are "taken by someone outside your classes". Past RATE_LIMIT_ROSTER_TAKEN_PER_HOUR such
    answers the import is refused as a whole, and every import after it for a while; another
    teacher is not held back."""
    app.config["RATE_LIMIT_ROSTER_TAKEN_PER_HOUR"] = 3
    elsewhere = make.classroom(name="Someone else's class")
    taken = [make.student(f"guess.{n}", classroom=elsewhere).username for n in range(6)]

    first = teacher.upload(_roster_file(taken[0], taken[1], "fresh.one"))
    assert first.status_code == 200
    assert html_of(first).count("already taken") == 2  # 2 of 3 answers used
    assert "fresh.one" in students(teacher.classroom)

    past = teacher.upload(_roster_file("fresh.two", taken[2], taken[3]))
    assert past.status_code == 429
    assert 1 <= int(past.headers["Retry-After"]) <= 3600
    page = text_of(past)
    assert "Nothing was imported" in page
    assert "more than 3 usernames that someone outside your classes already has" in page
    assert "Wait about" in page
    assert "already taken" not in page  # no answer about which of the file's rows exist
    assert taken[2] not in page
    assert taken[3] not in page
    read_page(past).find("input", type="file")  # still on the import page, to try again
    assert "fresh.two" not in students()  # all or nothing: the free row was not made either

    # paused: even a file with no taken username is refused until the window ends
    clean = teacher.upload(_roster_file("fresh.three"))
    assert clean.status_code == 429
    assert "fresh.three" not in students()

    other = make.teacher()
    theirs = Teacher(other, make.classroom(other, "Period 5"), app.test_client())
    assert login(theirs.client, other).status_code == 302
    resp = theirs.upload(_roster_file(taken[4], "fresh.four"))
    assert resp.status_code == 200
    assert "already taken" in html_of(resp)
    assert "fresh.four" in students(theirs.classroom)


def test_imports_with_no_taken_usernames_are_never_held_back(teacher, app, make):
    """Only usernames someone outside the teacher's classes has count: new students, students
    already here and students from the teacher's other classes never do."""
    app.config["RATE_LIMIT_ROSTER_TAKEN_PER_HOUR"] = 0
    other_class = make.classroom(teacher.user, "Period 5")
    make.student("mine.elsewhere", classroom=other_class)
    for data in (GOOD, GOOD, _roster_file("mine.elsewhere", "new.one")):
        assert teacher.upload(data).status_code == 200
    assert set(students(teacher.classroom)) == {"amira.k", "ben.c", "mine.elsewhere", "new.one"}


def test_a_teacher_at_the_limit_exactly_may_still_import_a_clean_file(teacher, app, make):
    app.config["RATE_LIMIT_ROSTER_TAKEN_PER_HOUR"] = 1
    make.student("taken.once", classroom=make.classroom(name="Elsewhere"))
    assert teacher.upload(_roster_file("taken.once")).status_code == 200
    assert teacher.upload(GOOD).status_code == 200
    assert {"amira.k", "ben.c"} <= set(students(teacher.classroom))


def test_names_that_look_like_formulas_or_markup_are_stored_as_typed_and_shown_escaped(teacher):
    evil = "<img src=x onerror=alert(1)>"
    formula = '=HYPERLINK("http://evil.test","click")'
    data = (
        f'name,username\n"{evil}",evil.one\n"{formula.replace(chr(34), chr(34) * 2)}",evil.two\n'
    ).encode()
    resp = teacher.upload(data)
    assert resp.status_code == 200
    made = students()
    assert made["evil.one"].display_name == evil
    assert made["evil.two"].display_name == formula
    for page in (html_of(resp), html_of(teacher.client.get(teacher.class_url))):
        assert evil not in page
        assert "&lt;img src=x onerror=alert(1)&gt;" in page
        assert "=HYPERLINK(&#34;http://evil.test&#34;,&#34;click&#34;)" in page


def test_the_import_page_explains_the_format_and_offers_an_example(teacher):
    page = html_of(teacher.client.get(f"{teacher.class_url}/roster/import"))
    assert "What the file should look like" in page
    resp = teacher.client.get(f"{teacher.class_url}/roster/example.csv")
    assert resp.status_code == 200
    assert resp.mimetype == "text/csv"
    assert resp.data.startswith(b"\xef\xbb\xbfname,username")
    resp = teacher.upload(resp.data)  # the example imports as it is
    assert set(cards(resp)) == {"amira.k", "ben.oneill"}


def test_an_expired_form_imports_nothing(teacher):
    resp = teacher.client.post(
        f"{teacher.class_url}/roster/import",
        data={"csrf_token": "stale", "file": (io.BytesIO(GOOD), "r.csv")},
        content_type="multipart/form-data",
    )
    assert resp.status_code == 422
    assert "expired" in html_of(resp)
    assert students() == {}


# ---------------------------------------------------------------- one-time passwords


def test_a_student_with_a_one_time_password_must_choose_a_new_one(teacher, app, make):
    assignment = make.assignment(teacher.classroom)
    printed = cards(teacher.upload(GOOD))
    student = app.test_client()
    resp = login(student, "amira.k", printed["amira.k"])
    assert resp.status_code == 302
    # every page sends them to choose a password; the API refuses
    for path in ("/", "/student/", f"/student/assignments/{assignment.id}", "/join"):
        resp = student.get(path)
        assert resp.status_code == 302, path
        assert resp.headers["Location"] == "/account/new-password"
    token = page_csrf_token(student, "/account/new-password")
    resp = student.get(f"/api/assignments/{assignment.id}/annotations")
    assert resp.status_code == 403
    assert resp.get_json()["code"] == "new_password"
    resp = student.put(
        f"/api/assignments/{assignment.id}/annotations/{new_id()}",
        json={"category": "omission", "note": "x"},
        headers={"X-CSRFToken": token},
    )
    assert resp.status_code == 403
    with student.get("/static/css/app.css") as resp:
        assert resp.status_code == 200
    # the card's password again is refused; so are two different ones
    resp = student.post(
        "/account/new-password",
        data={"csrf_token": token, "password": printed["amira.k"], "confirm": printed["amira.k"]},
    )
    assert resp.status_code == 200
    assert "not the one on the card" in text_of(resp)
    resp = student.post(
        "/account/new-password",
        data={"csrf_token": token, "password": "a brand new phrase", "confirm": "something else"},
    )
    assert "different" in html_of(resp)
    resp = student.post(
        "/account/new-password",
        data={
            "csrf_token": token,
            "password": "a brand new phrase",
            "confirm": "a brand new phrase",
        },
    )
    assert resp.status_code == 302
    assert resp.headers["Location"] == "/student/"
    amira = students()["amira.k"]
    assert not amira.password_is_temporary
    assert amira.password_hash.startswith(app.config["PASSWORD_HASH_METHOD"])
    # still logged in, and now the lessons open
    page = html_of(student.get("/student/"))
    assert "Your new password is saved" in page
    assert assignment.lesson_version.title in page
    assert student.get(f"/api/assignments/{assignment.id}/annotations").status_code == 200
    assert student.get("/account/new-password").status_code == 302  # nothing to do any more
    # the old one-time password no longer works; the new one does
    other = app.test_client()
    assert login(other, "amira.k", printed["amira.k"]).status_code == 401
    assert login(other, "amira.k", "a brand new phrase").status_code == 302


def test_a_student_with_a_one_time_password_may_log_out(teacher, app):
    printed = cards(teacher.upload(GOOD))
    student = app.test_client()
    login(student, "ben.c", printed["ben.c"])
    token = page_csrf_token(student, "/account/new-password")
    resp = student.post("/logout", data={"csrf_token": token})
    assert resp.status_code == 302
    assert resp.headers["Location"] == "/login"
    assert student.get("/student/").headers["Location"].startswith("/login")


def test_the_new_password_page_needs_a_login(client):
    resp = client.get("/account/new-password")
    assert resp.status_code == 302
    assert resp.headers["Location"].startswith("/login")


# ---------------------------------------------------------------- editing a student


def edit_url(teacher: Teacher, student: User, classroom=None) -> str:
    return f"/teacher/classes/{(classroom or teacher.classroom).id}/students/{student.id}/edit"


def edit(teacher: Teacher, student: User, classroom=None, **changes: str):
    """The edit form as it comes, with ``changes`` typed over it, posted."""
    url = edit_url(teacher, student, classroom)
    fields = form_fields(read_page(teacher.client.get(url)), id="edit-student")
    return teacher.client.post(url, data={**fields, **changes})


def test_the_roster_links_to_editing_each_student(teacher, make):
    kim = make.student("kim.l", classroom=teacher.classroom, name="Kim Lee")
    link = read_page(teacher.client.get(teacher.class_url)).find("a", href=edit_url(teacher, kim))
    assert link.words == "Edit Kim Lee"


def test_a_teacher_edits_a_students_name_sis_ids_and_section_here_only(teacher, make):
    other = make.classroom(teacher.user, name="Period 5")
    teacher.upload(b"name,username,sis_user_id,sis_login_id,section\nKim Le,kim.l,S1,kim,P3\n")
    kim = students()["kim.l"]
    teacher.upload(b"name,username,sis_user_id,section\nKim Le,kim.l,P5-ID,P5\n", classroom=other)
    form = form_fields(read_page(teacher.client.get(edit_url(teacher, kim))), id="edit-student")
    assert (form["name"], form["sis_user_id"], form["sis_login_id"], form["section"]) == (
        "Kim Le",
        "S1",
        "kim",
        "P3",
    )
    resp = edit(
        teacher, kim, name=" Kim Lee ", sis_user_id="S2001 ", sis_login_id="kim.lee", section=""
    )
    assert resp.status_code == 302
    assert resp.headers["Location"] == teacher.class_url
    page = read_page(teacher.client.get(teacher.class_url))
    assert flash_messages(page) == [
        "Saved Kim Lee: name, SIS user ID, SIS login ID and section changed."
    ]
    kim = students()["kim.l"]
    assert kim.display_name == "Kim Lee"  # the account's: the same in all this teacher's classes
    assert sis_of(kim, teacher.classroom) == ("S2001", "kim.lee")
    assert section_of(kim, teacher.classroom) is None  # emptied: none
    assert sis_of(kim, other) == ("P5-ID", None)  # the other class's are its own
    assert section_of(kim, other) == "P5"
    resp = edit(teacher, kim)
    assert flash_messages(teacher.client.get(resp.headers["Location"])) == [
        "Nothing was changed for Kim Lee."
    ]


@pytest.mark.parametrize(
    ("typed", "field", "message"),
    [
        ({"name": "  "}, "name", "Type the student's name."),
        ({"name": "K" * 81}, "name", "Use at most 80 characters."),
        ({"name": "Kim\u202e Lee"}, "name", "invisible character"),
        ({"sis_user_id": "S" * 65}, "sis_user_id", "Use at most 64 characters."),
        ({"sis_login_id": "kim\x07"}, "sis_login_id", "invisible control character"),
        ({"section": "P" * 65}, "section", "Use at most 64 characters."),
        (
            {"sis_user_id": " S2 "},
            "sis_user_id",
            "Ben Cole in this class already has the SIS user ID",
        ),
        (
            {"sis_login_id": "ben"},
            "sis_login_id",
            "Ben Cole in this class already has the SIS login",
        ),
    ],
)
def test_a_bad_edit_is_explained_keeps_what_was_typed_and_changes_nothing(
    teacher, typed, field, message
):
    teacher.upload(
        b"name,username,sis_user_id,sis_login_id,section\n"
        b"Kim Lee,kim.l,S1,kim,P3\nBen Cole,ben.c,S2,ben,P3\n"
    )
    kim = students()["kim.l"]
    changes = {"name": "Kim Park", "sis_user_id": "S9", "section": "P4", **typed}
    resp = edit(teacher, kim, **changes)
    assert resp.status_code == 422
    page = read_page(resp)
    assert message in page.find(id=f"{field}-error").words
    assert page.find(id=field).attrs["aria-invalid"] == "true"
    kept = form_fields(page, id="edit-student")
    for key, value in changes.items():
        assert kept[key] == value.strip()  # spaces around a value are dropped
    kim = students()["kim.l"]
    assert (kim.display_name, sis_of(kim, teacher.classroom)) == ("Kim Lee", ("S1", "kim"))
    assert section_of(kim, teacher.classroom) == "P3"


def test_a_student_in_another_teachers_class_keeps_their_name_but_ids_change_here(
    teacher, make, app
):
    elsewhere = make.classroom(make.teacher(), name="Their class")
    kim = make.student("kim.l", classroom=teacher.classroom, name="Kim Lee")
    services.enroll(db.session, elsewhere, kim)
    db.session.commit()
    page = read_page(teacher.client.get(edit_url(teacher, kim)))
    name = page.find("input", id="name")
    assert "readonly" in name.attrs
    assert "is also in another teacher's class" in page.find(id="name-hint").words
    resp = edit(teacher, kim, name="Renamed", sis_user_id="S1")
    assert resp.status_code == 422
    assert "can't be changed from here" in read_page(resp).find(id="name-error").words
    assert sis_of(students()["kim.l"], teacher.classroom) == (None, None)
    resp = edit(teacher, kim, sis_user_id="S1")
    assert resp.status_code == 302
    kim = students()["kim.l"]
    assert kim.display_name == "Kim Lee"
    assert sis_of(kim, teacher.classroom) == ("S1", None)
    assert sis_of(kim, elsewhere) == (None, None)


def test_an_expired_edit_form_keeps_what_was_typed_and_changes_nothing(teacher, make):
    kim = make.student("kim.l", classroom=teacher.classroom, name="Kim Lee")
    resp = teacher.client.post(
        edit_url(teacher, kim), data={"csrf_token": "stale", "name": "Kim Park", "section": "P9"}
    )
    assert resp.status_code == 422
    assert "the form expired" in text_of(resp)
    assert form_fields(read_page(resp), id="edit-student")["name"] == "Kim Park"
    assert students()["kim.l"].display_name == "Kim Lee"


# ---------------------------------------------------------------- resetting a password


def test_a_teacher_resets_a_students_password_and_gets_a_printable_card(teacher, app, make):
    sam = make.student("sam.p", classroom=teacher.classroom)
    url = f"{teacher.class_url}/students/{sam.id}/reset-password"
    # Sam is logged in somewhere
    sams_laptop = app.test_client()
    assert login(sams_laptop, sam).status_code == 302
    assert sams_laptop.get("/student/").status_code == 200
    page = html_of(teacher.client.get(url))
    assert "Reset" in page
    assert "sam.p" in page
    db.session.refresh(sam)
    assert check_password_hash(sam.password_hash, PASSWORD)  # a GET changes nothing
    resp = teacher.post(url)
    assert resp.status_code == 200
    assert resp.headers["Cache-Control"] == "no-store"
    assert "shown only now: print them" in html_of(resp)
    [(username, password)] = cards(resp).items()
    assert username == "sam.p"
    db.session.refresh(sam)
    assert sam.password_is_temporary
    assert not check_password_hash(sam.password_hash, PASSWORD)
    # the session on Sam's laptop has ended
    resp = sams_laptop.get("/student/")
    assert resp.status_code == 302
    assert resp.headers["Location"].startswith("/login")
    other = app.test_client()
    assert login(other, sam).status_code == 401
    resp = login(other, "sam.p", password)
    assert resp.status_code == 302
    assert other.get("/student/").headers["Location"] == "/account/new-password"


# ---------------------------------------------------------------- removing a student


def _work(make, assignment, student, teacher_user):
    """Annotations, an omission mark, a submission, a rubric score, a final grade and a grade
    change for this student on this assignment."""
    a1, a2 = new_id(), new_id()
    db.session.add_all(
        [
            Annotation(
                id=a1,
                assignment_id=assignment.id,
                student_id=student.id,
                category="omission",
                note="what is missing",
            ),
            Annotation(
                id=a2,
                assignment_id=assignment.id,
                student_id=student.id,
                category="source",
                start_offset=0,
                end_offset=5,
                exact="Kyiv",
            ),
            Submission(assignment_id=assignment.id, student_id=student.id),
        ]
    )
    db.session.flush()
    db.session.add_all(
        [
            OmissionMark(annotation_id=a1, level="full"),
            RubricScore(
                assignment_id=assignment.id,
                student_id=student.id,
                prompt_id="sources",
                level="emergent",
            ),
            FinalGrade(assignment_id=assignment.id, student_id=student.id, score=7),
            GradeChange(
                assignment_id=assignment.id,
                student_id=student.id,
                teacher_id=teacher_user.id,
                what="final grade",
                new_value="7",
            ),
        ]
    )
    db.session.commit()
    return a1


def _count(model, **filters) -> int:
    return db.session.execute(
        sa.select(sa.func.count()).select_from(model).filter_by(**filters)
    ).scalar_one()


WORK_MODELS = (Annotation, Submission, RubricScore, FinalGrade, GradeChange)


def test_removing_a_student_in_no_other_class_deletes_their_work_and_account(teacher, make):
    assignment = make.assignment(teacher.classroom)
    sam = make.student("sam.p", classroom=teacher.classroom)
    sam_id = sam.id
    keep = make.student("keep.me", classroom=teacher.classroom)
    keep_id = keep.id
    mark_id = _work(make, assignment, sam, teacher.user)
    _work(make, assignment, keep, teacher.user)
    url = f"{teacher.class_url}/students/{sam_id}/remove"
    page = text_of(teacher.client.get(url))
    assert "Their work in this class will be deleted" in page
    assert "1 annotation" not in page
    assert "2 annotations" in page
    assert "1 submitted lesson" in page
    assert "account (sam.p) will be deleted too" in page
    assert _count(Enrollment, student_id=sam_id) == 1  # a GET changes nothing
    resp = teacher.post(url)
    assert resp.status_code == 302
    assert resp.headers["Location"] == teacher.class_url
    db.session.expunge_all()
    assert db.session.get(User, sam_id) is None
    for model in WORK_MODELS:
        assert _count(model, student_id=sam_id) == 0, model
        assert _count(model, student_id=keep_id) > 0, model  # classmates untouched
    assert db.session.get(OmissionMark, mark_id) is None
    assert _count(OmissionMark) == 1
    [said] = flash_messages(teacher.client.get(teacher.class_url))
    assert "was removed" in said


def test_removing_a_student_who_is_in_another_class_keeps_them_and_that_work(teacher, make):
    here = make.assignment(teacher.classroom)
    elsewhere_class = make.classroom(name="History")
    there = make.assignment(elsewhere_class)
    sam = make.student("sam.p", classroom=teacher.classroom)
    services.enroll(db.session, elsewhere_class, sam)
    db.session.commit()
    _work(make, here, sam, teacher.user)
    _work(make, there, sam, elsewhere_class.teacher)
    url = f"{teacher.class_url}/students/{sam.id}/remove"
    assert "They stay in their other class" in html_of(teacher.client.get(url))
    assert teacher.post(url).status_code == 302
    db.session.expire_all()
    assert db.session.get(User, sam.id) is not None
    assert _count(Enrollment, student_id=sam.id, classroom_id=teacher.classroom.id) == 0
    assert _count(Enrollment, student_id=sam.id, classroom_id=elsewhere_class.id) == 1
    for model in WORK_MODELS:
        assert _count(model, student_id=sam.id, assignment_id=here.id) == 0, model
        assert _count(model, student_id=sam.id, assignment_id=there.id) > 0, model


# ---------------------------------------------------------------- the class itself


def test_rename(teacher):
    resp = teacher.post(f"{teacher.class_url}/settings", {"name": "  Period 4 English  "})
    assert resp.status_code == 302
    db.session.refresh(teacher.classroom)
    assert teacher.classroom.name == "Period 4 English"
    resp = teacher.post(f"{teacher.class_url}/settings", {"name": ""})
    assert resp.status_code == 422
    assert "Give the class a name" in text_of(resp)
    resp = teacher.post(f"{teacher.class_url}/settings", {"name": "x" * 81})
    assert resp.status_code == 422
    db.session.refresh(teacher.classroom)
    assert teacher.classroom.name == "Period 4 English"
    assert teacher.client.get(f"{teacher.class_url}/settings").status_code == 200


def test_archive_and_unarchive(teacher, make, app):
    code = teacher.classroom.join_code
    resp = teacher.post(f"{teacher.class_url}/archive")
    assert resp.status_code == 302
    db.session.refresh(teacher.classroom)
    assert teacher.classroom.archived_at is not None
    assert services.classroom_by_code(db.session, code) is None
    home = html_of(teacher.client.get("/teacher/"))
    archived = home[home.index('<h2 id="archived-h">') :]
    assert "Period 3 English" in archived
    assert "Archived" in html_of(teacher.client.get(teacher.class_url))
    resp = teacher.post(f"{teacher.class_url}/unarchive")
    assert resp.status_code == 302
    db.session.refresh(teacher.classroom)
    assert teacher.classroom.archived_at is None
    assert services.classroom_by_code(db.session, code).id == teacher.classroom.id
    assert 'id="archived-h"' not in html_of(teacher.client.get("/teacher/"))


def test_an_archived_class_refuses_joining_through_the_join_page(teacher, app):
    teacher.post(f"{teacher.class_url}/archive")
    student = app.test_client()
    token = page_csrf_token(student, "/join")
    resp = student.post(
        "/join",
        data={
            "csrf_token": token,
            "code": teacher.classroom.join_code,
            "first_name": "Late",
            "last_name": "Comer",
            "username": "late.one",
            "password": "long enough pw",
            "confirm": "long enough pw",
        },
    )
    assert resp.status_code == 200
    assert "We don't know that class code" in text_of(resp)
    assert students() == {}


def test_a_new_join_code_replaces_the_old_one(teacher):
    old = teacher.classroom.join_code
    resp = teacher.post(f"{teacher.class_url}/join-code")
    assert resp.status_code == 302
    db.session.refresh(teacher.classroom)
    new = teacher.classroom.join_code
    assert new != old
    assert len(new) == 6
    assert services.classroom_by_code(db.session, old) is None
    assert services.classroom_by_code(db.session, new).id == teacher.classroom.id
    assert new in html_of(teacher.client.get(teacher.class_url))


def test_class_actions_with_an_expired_form_change_nothing(teacher):
    old = teacher.classroom.join_code
    for action in ("archive", "join-code"):
        resp = teacher.client.post(f"{teacher.class_url}/{action}", data={"csrf_token": "old"})
        assert resp.status_code == 302
    db.session.refresh(teacher.classroom)
    assert teacher.classroom.join_code == old
    assert teacher.classroom.archived_at is None
    said = flash_messages(teacher.client.get(teacher.class_url))
    assert ["nothing was changed" in m for m in said] == [True, True]  # once for each


# ---------------------------------------------------------------- who may


ROUTES = [
    ("GET", "/teacher/classes/{c}/settings"),
    ("POST", "/teacher/classes/{c}/settings"),
    ("POST", "/teacher/classes/{c}/archive"),
    ("POST", "/teacher/classes/{c}/unarchive"),
    ("POST", "/teacher/classes/{c}/join-code"),
    ("GET", "/teacher/classes/{c}/roster/import"),
    ("POST", "/teacher/classes/{c}/roster/import"),
    ("GET", "/teacher/classes/{c}/roster/example.csv"),
    ("GET", "/teacher/classes/{c}/students/{s}/edit"),
    ("POST", "/teacher/classes/{c}/students/{s}/edit"),
    ("GET", "/teacher/classes/{c}/students/{s}/reset-password"),
    ("POST", "/teacher/classes/{c}/students/{s}/reset-password"),
    ("GET", "/teacher/classes/{c}/students/{s}/remove"),
    ("POST", "/teacher/classes/{c}/students/{s}/remove"),
]


@dataclass
class Others:
    classroom: Classroom
    student: User
    snapshot: tuple


@pytest.fixture
def theirs(make) -> Others:
    """Teacher Y's class with a student in it."""
    c = make.classroom(make.teacher(), name="Mr Y's class")
    s = make.student("ys.student", classroom=c)
    return Others(c, s, (c.name, c.join_code, c.archived_at, s.password_hash, s.display_name))


def _request(client, method: str, path: str, token: str):
    if method == "GET":
        return client.get(path)
    return client.post(
        path,
        data={"csrf_token": token, "name": "Hijacked", "file": (io.BytesIO(GOOD), "r.csv")},
        content_type="multipart/form-data",
    )


def _unchanged(theirs: Others) -> None:
    db.session.expire_all()
    c = db.session.get(Classroom, theirs.classroom.id)
    s = db.session.get(User, theirs.student.id)
    assert s is not None
    assert (c.name, c.join_code, c.archived_at, s.password_hash, s.display_name) == theirs.snapshot
    assert _count(Enrollment, classroom_id=c.id) == 1


@pytest.mark.parametrize(("method", "path"), ROUTES)
def test_teacher_x_gets_404_on_teacher_ys_class(teacher, theirs, method, path):
    url = path.format(c=theirs.classroom.id, s=theirs.student.id)
    token = page_csrf_token(teacher.client, teacher.class_url)
    resp = _request(teacher.client, method, url, token)
    assert resp.status_code == 404
    assert theirs.classroom.join_code not in html_of(resp)
    _unchanged(theirs)
    assert "amira.k" not in students()


@pytest.mark.parametrize(("method", "path"), [r for r in ROUTES if "{s}" in r[1]])
def test_a_student_not_in_the_class_is_404_even_for_its_teacher(teacher, theirs, method, path):
    url = path.format(c=teacher.classroom.id, s=theirs.student.id)
    token = page_csrf_token(teacher.client, teacher.class_url)
    assert _request(teacher.client, method, url, token).status_code == 404
    _unchanged(theirs)


@pytest.mark.parametrize("huge", [2**63, 10**30])
def test_ids_too_large_for_the_database_are_404(teacher, huge):
    assert teacher.client.get(f"/teacher/classes/{huge}/settings").status_code == 404
    url = f"{teacher.class_url}/students/{huge}/remove"
    assert teacher.client.get(url).status_code == 404


@pytest.mark.parametrize(("method", "path"), ROUTES)
def test_students_get_403(app, theirs, method, path):
    student = app.test_client()
    assert login(student, theirs.student).status_code == 302
    token = page_csrf_token(student, "/student/")
    url = path.format(c=theirs.classroom.id, s=theirs.student.id)
    assert _request(student, method, url, token).status_code == 403
    _unchanged(theirs)


@pytest.mark.parametrize(("method", "path"), ROUTES)
def test_someone_not_logged_in_is_sent_to_log_in(app, theirs, method, path):
    anonymous = app.test_client()
    token = page_csrf_token(anonymous, "/login")
    url = path.format(c=theirs.classroom.id, s=theirs.student.id)
    resp = _request(anonymous, method, url, token)
    assert resp.status_code == 302
    assert resp.headers["Location"].startswith("/login")
    _unchanged(theirs)


def test_the_teachers_own_class_page_works_for_archived_classes_too(teacher):
    teacher.classroom.archived_at = datetime(2024, 6, 30)
    db.session.commit()
    page = html_of(teacher.client.get(teacher.class_url))
    assert "Unarchive" in page
    assert "Joining is closed" in page
