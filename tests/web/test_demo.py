"""`flask --app app demo`: a populated class for newcomers, never mixed into real data."""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa

from app.extensions import db
from app.models import Annotation, Assignment, Classroom, Enrollment, OmissionMark, Submission, User
from tests.support.client import login

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
