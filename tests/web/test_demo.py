"""`flask --app app demo`: a populated class for newcomers, never mixed into real data, with
the address to open; from a fresh clone as the README shows it (no secret key, no debug)."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa

from app.cli import login_url
from app.extensions import db
from app.models import Annotation, Assignment, Classroom, Enrollment, OmissionMark, Submission, User
from tests.support.client import login
from tests.web.test_cli import flask_as_a_newcomer

TEST_LESSONS = Path(__file__).resolve().parents[1] / "data" / "lessons"


def count(model) -> int:
    return db.session.execute(sa.select(sa.func.count()).select_from(model)).scalar_one()


def test_demo_creates_a_teacher_and_a_class_with_varied_work(runner):
    result = runner.invoke(args=["demo"])
    assert result.exit_code == 0, result.output
    assert "Demo class created with 25 students" in result.output
    assert "@demo.example" in result.output
    assert count(Enrollment) == 25
    assert count(Annotation) > 200
    assert count(OmissionMark) > 0
    assert 0 < count(Submission) < 25
    per_student = dict(
        db.session.execute(
            sa.select(Annotation.student_id, sa.func.count()).group_by(Annotation.student_id)
        ).all()
    )
    assert len(per_student) < 25  # some students did nothing
    assert max(per_student.values()) > 3 * min(per_student.values())  # strong and weak work


def test_demo_refuses_a_database_with_real_accounts(runner, make):
    make.teacher("real.teacher@school.test")
    result = runner.invoke(args=["demo"])
    assert result.exit_code != 0
    assert "real accounts" in result.output
    assert count(Enrollment) == 0


def test_demo_can_be_forced_next_to_real_accounts(runner, make):
    make.teacher("real.teacher@school.test")
    result = runner.invoke(args=["demo", "--force", "--students", "5"])
    assert result.exit_code == 0, result.output
    assert (
        db.session.execute(
            sa.select(sa.func.count()).select_from(User).where(User.role == "student")
        ).scalar_one()
        == 5
    )


def demo_teacher_logs_in(result, client) -> Assignment:
    """Log in as the teacher the demo printed; their demo assignment."""
    line = next(x for x in result.output.splitlines() if "@demo.example" in x)
    email, password = line.split()[-2:]
    teacher = db.session.execute(sa.select(User).filter_by(email=email)).scalar_one()
    assert login(client, email, password).status_code == 302
    return db.session.execute(
        sa.select(Assignment).join(Classroom).where(Classroom.teacher_id == teacher.id)
    ).scalar_one()


def test_the_demo_dashboard_answers_what_the_class_missed(runner, client):
    assignment = demo_teacher_logs_in(runner.invoke(args=["demo"]), client)
    html = client.get(f"/teacher/assignments/{assignment.id}").get_data(as_text=True)
    assert "What the class missed" in html
    assert "answers to mark" in html or "answer to mark" in html
    assert html.count('class="heat"') > 20


def test_the_demo_works_with_a_lessons_folder_holding_only_another_lesson(app, runner, client):
    app.config["LESSONS_DIR"] = str(TEST_LESSONS)
    result = runner.invoke(args=["demo"])
    assert result.exit_code == 0, result.output
    assert 'on "Parking fees in the park' in result.output
    assignment = demo_teacher_logs_in(result, client)
    assert assignment.lesson_version.lesson_id == "eastbrook-parking"
    assert count(OmissionMark) > 0
    assert 0 < count(Submission) < 25
    dashboard = client.get(f"/teacher/assignments/{assignment.id}")
    assert dashboard.status_code == 200
    assert "What the class missed" in dashboard.get_data(as_text=True)
    busiest = db.session.execute(
        sa.select(Annotation.student_id)
        .group_by(Annotation.student_id)
        .order_by(sa.func.count().desc(), Annotation.student_id)
        .limit(1)
    ).scalar_one()
    review = client.get(f"/teacher/assignments/{assignment.id}/students/{busiest}")
    assert review.status_code == 200
    html = review.get_data(as_text=True)
    assert "Parking fees in the park" in html
    assert "Matches the key" in html


def test_the_demo_prints_the_address_flask_run_serves_on(runner):
    """`flask run` reads FLASK_RUN_HOST and FLASK_RUN_PORT; the demo reads the same ones."""
    result = runner.invoke(args=["demo", "--students", "2"], env={"FLASK_RUN_PORT": "5077"})
    assert result.exit_code == 0, result.output
    assert "Log in at http://127.0.0.1:5077/login with:" in result.output
    again = runner.invoke(args=["demo", "--students", "2", "--port", "8123"])
    assert "Log in at http://127.0.0.1:8123/login with:" in again.output


@pytest.mark.parametrize(
    ("host", "port", "url"),
    [
        ("127.0.0.1", 5000, "http://127.0.0.1:5000/login"),
        ("0.0.0.0", 5001, "http://127.0.0.1:5001/login"),  # noqa: S104 (a string, not a bind)
        ("::", 5001, "http://127.0.0.1:5001/login"),
        ("192.168.1.20", 8000, "http://192.168.1.20:8000/login"),
        ("::1", 8000, "http://[::1]:8000/login"),
    ],
)
def test_the_login_address_is_one_a_browser_on_this_computer_can_open(host, port, url):
    assert login_url(host, port) == url


@pytest.mark.parametrize("command", [["demo"], ["purge", "--archived-before", "2026-07-01"]])
def test_before_the_first_upgrade_the_commands_say_how_to_make_the_tables(tmp_path, command):
    done = flask_as_a_newcomer(tmp_path / "fresh.sqlite3", *command)
    assert done.returncode == 1
    assert "Traceback" not in done.stderr
    assert "The database has no tables yet" in done.stderr
    assert "flask --app app db upgrade" in done.stderr


def test_a_fresh_clone_gets_a_demo_with_no_secret_key_or_debug_mode(tmp_path):
    """As the README shows it, on a database of its own: upgrade, then demo."""
    database = tmp_path / "demo.sqlite3"
    assert flask_as_a_newcomer(database, "db", "upgrade").returncode == 0
    done = flask_as_a_newcomer(database, "demo", "--students", "2", FLASK_RUN_PORT="5099")
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    assert "Log in at http://127.0.0.1:5099/login with:" in done.stdout
    purged = flask_as_a_newcomer(database, "purge", "--archived-before", "2026-07-01")
    assert purged.returncode == 0, purged.stderr
    assert "Nothing to delete." in purged.stdout
