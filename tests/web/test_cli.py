"""`flask --app app lessons check [PATH...]`: every error as `file: item: problem` and every
warning as `file: item: warning: problem`, a non-zero exit when there is any error, and no
secret key or debug mode needed. `flask --app app lessons export LESSON_ID [-o FILE]`: a
built-in lesson as a file that passes the check with the same version. `flask --app app purge
--archived-before DATE`: deletes classes archived before the date, with everything in them,
after listing them."""

from __future__ import annotations

import contextlib
import os
import re
import subprocess
import sys
import tomllib
from datetime import date, datetime, timedelta
from pathlib import Path

import click
import pytest

from app import create_app
from app.domain.lessons import lesson_to_toml, load_lesson_file
from app.extensions import db
from app.models import Classroom, User
from tests.support.client import login
from tests.web.test_privacy import build_school, counts, only_these_went, rows_of

ROOT = Path(__file__).resolve().parents[2]
LESSONS_DIR = ROOT / "lessons"

LESSON = """\
id = "{id}"
title = "A tiny lesson"

[[blocks]]
kind = "paragraph"
text = "Ukraine has vented its anger on a top US general."

[[prompts]]
id = "loaded"
category = "loaded"
question = "Which words push you?"

[[key]]
id = "loaded-vented"
category = "loaded"
quote = "{quote}"
explanation = "An emotional word."
points = {points}
"""

LINE = re.compile(r"^(?P<file>[^:\n]+\.toml): (?P<item>[^:\n]+): (?P<problem>.+)$")


def lesson(lesson_id: str = "tiny", quote: str = "vented its anger", points: str = "2") -> str:
    return LESSON.format(id=lesson_id, quote=quote, points=points)


def check(runner, *paths):
    return runner.invoke(args=["lessons", "check", *(str(p) for p in paths)])


def test_checking_the_real_lessons_passes(runner):
    result = check(runner, LESSONS_DIR)
    assert result.exit_code == 0, result.output
    assert result.stdout == ""
    assert "1 lesson(s) OK, 0 problem(s)" in result.stderr


def test_with_no_path_it_checks_the_configured_lessons_dir(runner):
    result = check(runner)
    assert result.exit_code == 0, result.output
    assert "lesson(s) OK, 0 problem(s)" in result.stderr


def test_a_broken_lesson_prints_file_item_problem_lines_and_fails(runner, tmp_path):
    (tmp_path / "a-good.toml").write_text(lesson("good"), encoding="utf-8")
    (tmp_path / "b-broken.toml").write_text(
        lesson("broken", quote="furious outburst", points="-3"), encoding="utf-8"
    )
    result = check(runner, tmp_path)
    assert result.exit_code != 0
    lines = result.stdout.splitlines()
    assert lines, result.output
    for line in lines:
        assert LINE.match(line), f"not a 'file: item: problem' line: {line!r}"
    assert (
        "b-broken.toml: key loaded-vented: quote 'furious outburst' is not in the article" in lines
    )
    assert any(
        line.startswith("b-broken.toml: key loaded-vented: points must not be negative")
        for line in lines
    )
    assert not any(line.startswith("a-good.toml") for line in lines)
    assert "1 lesson(s) OK, 2 problem(s)" in result.stderr


def test_a_file_with_bad_toml_syntax_is_reported_not_crashed(runner, tmp_path):
    path = tmp_path / "oops.toml"
    path.write_text('id = "oops"\ntitle = "no closing quote\n', encoding="utf-8")
    result = check(runner, path)
    assert result.exit_code == 1
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert result.stdout.startswith("oops.toml: syntax: ")


def test_several_paths_are_checked_together(runner, tmp_path):
    good = tmp_path / "good.toml"
    good.write_text(lesson("good"), encoding="utf-8")
    result = check(runner, good, LESSONS_DIR)
    assert result.exit_code == 0, result.output
    assert "2 lesson(s) OK" in result.stderr


def test_the_same_lesson_id_in_two_files_fails_the_check(runner, tmp_path):
    (tmp_path / "one.toml").write_text(lesson("same"), encoding="utf-8")
    (tmp_path / "two.toml").write_text(lesson("same"), encoding="utf-8")
    result = check(runner, tmp_path)
    assert result.exit_code == 1
    assert result.stdout.strip() == "two.toml: id: lesson id 'same' is already used by one.toml"


def test_a_folder_with_no_lessons_fails_the_check(runner, tmp_path):
    result = check(runner, tmp_path)
    assert result.exit_code == 1
    assert "no lesson files found" in result.stderr


def test_warnings_are_printed_but_do_not_fail_the_check(runner, tmp_path):
    path = tmp_path / "warned.toml"
    path.write_text(lesson("warned").replace("points = 2", "points = 2\noccurence = 1"))
    result = check(runner, path)
    assert result.exit_code == 0, result.output
    assert result.stdout == (
        "warned.toml: key loaded-vented: warning: unknown field 'occurence' "
        "(did you mean 'occurrence'?)\n"
    )
    assert "1 lesson(s) OK, 0 problem(s), 1 warning(s)" in result.stderr


def test_errors_fail_the_check_whatever_the_warnings(runner, tmp_path):
    path = tmp_path / "both.toml"
    text = lesson("both", quote="Ukraine\u2019s").replace("points = 2", "points = 2\nhint = 1")
    path.write_text(text, encoding="utf-8")
    result = check(runner, path)
    assert result.exit_code == 1
    assert result.stdout.splitlines() == [
        "both.toml: key loaded-vented: warning: unknown field 'hint' (it is ignored)",
        "both.toml: key loaded-vented: quote 'Ukraine\u2019s' is not in the article",
    ]
    assert "0 lesson(s) OK, 1 problem(s), 1 warning(s)" in result.stderr


def _no_secret_env() -> dict[str, str]:
    """This machine's environment with no secret key, no debug mode and no app setting."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("FLASK_") and k not in ("SECRET_KEY", "DATABASE_URL")
    }
    return {**env, "FLASK_DEBUG": "0", "FLASK_SQLALCHEMY_DATABASE_URI": "sqlite://"}


def flask_without_a_secret(*args: str) -> subprocess.CompletedProcess[str]:
    """``flask --app app ARGS`` run as a shell would, with no secret key and no debug mode;
    it must succeed without a traceback."""
    done = subprocess.run(
        [sys.executable, "-m", "flask", "--app", "app", *args],
        cwd=ROOT,
        env=_no_secret_env(),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    return done


def flask_as_a_newcomer(database: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    """``flask --app app ARGS`` as someone who has just cloned the project types it: no secret
    key, no FLASK_DEBUG, the SQLite file ``database``; may fail (the caller checks)."""
    return subprocess.run(
        [sys.executable, "-m", "flask", "--app", "app", *args],
        cwd=ROOT,
        env={
            **_no_secret_env(),
            "FLASK_SQLALCHEMY_DATABASE_URI": f"sqlite:///{database}",
            **env,
        },
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_the_check_needs_no_secret_key_or_debug_mode(tmp_path):
    warned = tmp_path / "warned.toml"
    warned.write_text(lesson("warned").replace("points = 2", "points = 2\nhint = 1"))
    done = flask_without_a_secret("lessons", "check", str(LESSONS_DIR), str(warned))
    assert done.stdout.startswith("warned.toml: key loaded-vented: warning: unknown field 'hint'")
    assert "2 lesson(s) OK, 0 problem(s), 1 warning(s)" in done.stderr


@pytest.mark.parametrize("command", [None, "run"])
def test_outside_debug_the_app_still_will_not_serve_without_a_secret_key(monkeypatch, command):
    """Only the command line's loading of the app for one of its own commands goes without:
    an app made in code (gunicorn) or for `flask run` still refuses to start."""
    for name in ("SECRET_KEY", "FLASK_SECRET_KEY"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("FLASK_DEBUG", "0")
    settings = {"SQLALCHEMY_DATABASE_URI": "sqlite://"}
    with contextlib.ExitStack() as stack:
        if command is not None:  # as `flask run` loads the app: inside its own command
            stack.enter_context(click.Context(click.Command(command)))
        with pytest.raises(RuntimeError, match="Set FLASK_SECRET_KEY") as refused:
            create_app(settings)
    # and says how to try it on one's own computer instead
    assert "flask --app app run --debug" in str(refused.value)


# ---------------------------------------------------------------- export

REAL_ID = "kiev-anger-milley"


def real_lesson():
    lesson, problems = load_lesson_file(LESSONS_DIR / f"{REAL_ID}.toml")
    assert lesson is not None, problems
    return lesson


def test_an_exported_lesson_passes_the_check_with_the_same_version(runner, tmp_path):
    out = tmp_path / "exported.toml"
    result = runner.invoke(args=["lessons", "export", REAL_ID, "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert result.stdout == ""
    version = real_lesson().version
    assert f"Wrote {REAL_ID} (version {version}) to {out}" in result.stderr
    checked = check(runner, out)
    assert checked.exit_code == 0, checked.output
    assert checked.stdout == ""  # not even a warning
    assert "1 lesson(s) OK, 0 problem(s)" in checked.stderr
    again, _ = load_lesson_file(out)
    assert again is not None
    assert again.version == version


def test_without_a_file_the_lesson_is_printed(runner):
    result = runner.invoke(args=["lessons", "export", REAL_ID])
    assert result.exit_code == 0, result.output
    assert result.stdout == lesson_to_toml(real_lesson())
    assert tomllib.loads(result.stdout)["id"] == REAL_ID


def test_an_unknown_lesson_id_fails_and_lists_the_known_ones(runner, tmp_path):
    out = tmp_path / "nothing.toml"
    result = runner.invoke(args=["lessons", "export", "no-such-lesson", "-o", str(out)])
    assert result.exit_code == 1
    assert result.stdout == ""
    assert "no lesson 'no-such-lesson' in " in result.stderr
    assert f"Known lesson ids: {REAL_ID}" in result.stderr
    assert not out.exists()


def test_the_export_needs_no_secret_key_or_debug_mode():
    done = flask_without_a_secret("lessons", "export", REAL_ID)
    assert tomllib.loads(done.stdout)["id"] == REAL_ID


# ---------------------------------------------------------------- purge


@pytest.fixture
def archived(make):
    """Teacher T's "Period 3 English" (Sam, and Kim who is also in U's class) archived in
    June 2024, U's "History" archived in August 2024, T's "Period 5 English" not archived."""
    school = build_school(make)
    school.here.archived_at = datetime(2024, 6, 30, 15, 0)
    school.theirs.archived_at = datetime(2024, 8, 2, 9, 0)
    db.session.commit()
    return school


def purge(runner, *args, input=None):
    return runner.invoke(args=["purge", *args], input=input)


def test_purge_deletes_classes_archived_before_the_date_and_students_left_in_no_class(
    runner, archived
):
    s = archived
    here_id, sam_id = s.here.id, s.sam.id
    gone = rows_of({"classrooms": {here_id}, "users": {sam_id}})
    before = counts()
    result = purge(runner, "--archived-before", "2024-07-31", "--yes")
    assert result.exit_code == 0, result.output
    assert "Classes archived before 2024-07-31 (UTC):" in result.output
    assert (
        f"  #{here_id} Period 3 English, t@school.test, archived 2024-06-30: 2 students, "
        "8 annotations"
    ) in result.output
    assert "History" not in result.output
    assert result.output.rstrip().endswith(
        "Deleted 1 class, 2 enrolments, 2 assignments, 8 annotations, 4 submissions, and "
        "1 student account in no other class."
    )
    only_these_went(before, gone)
    assert db.session.get(User, s.kim.id) is not None  # still in History
    assert db.session.get(Classroom, s.mine_too.id).archived_at is None  # never archived


def test_a_later_date_takes_every_class_archived_before_it(runner, archived):
    s = archived
    ids = {s.here.id, s.theirs.id}
    gone = rows_of({"classrooms": ids, "users": {s.sam.id, s.kim.id, s.ola.id}})
    before = counts()
    result = purge(runner, "--archived-before", "2024-12-31", "--yes")
    assert result.exit_code == 0, result.output
    assert (
        "Deleted 2 classes, 4 enrolments, 4 assignments, 16 annotations, 8 submissions, "
        "and 3 student accounts in no other class." in result.output
    )
    only_these_went(before, gone)
    assert db.session.get(User, s.lee.id) is not None  # Lee's class was never archived


def test_a_dry_run_lists_what_would_go_and_deletes_nothing(runner, archived):
    before = counts()
    result = purge(runner, "--archived-before", "2024-12-31", "--dry-run")
    assert result.exit_code == 0, result.output
    assert "Period 3 English" in result.output
    assert "History" in result.output
    assert result.output.rstrip().endswith(
        "Dry run, nothing deleted. It would delete 2 classes, 4 enrolments, 4 assignments, "
        "16 annotations, 8 submissions, and 3 student accounts in no other class."
    )
    assert counts() == before


def test_purge_asks_first_and_no_deletes_nothing(runner, archived):
    before = counts()
    result = purge(runner, "--archived-before", "2024-07-31", input="n\n")
    assert result.exit_code == 1
    assert "Delete this class and all their students' work for good? [y/N]" in result.output
    assert "Aborted" in result.output
    assert counts() == before
    result = purge(runner, "--archived-before", "2024-07-31", input="y\n")
    assert result.exit_code == 0, result.output
    assert "Deleted 1 class" in result.output
    assert counts()["classrooms"] == before["classrooms"] - 1


@pytest.mark.parametrize("bad", ["31/07/2024", "2024-7-31", "2024-02-30", "last june", ""])
def test_a_date_purge_cannot_read_is_refused_with_an_example(runner, archived, bad):
    before = counts()
    result = purge(runner, "--archived-before", bad, "--yes")
    assert result.exit_code == 2
    assert "Invalid value for '--archived-before'" in result.output
    assert "Use a date like 2026-07-31 (year-month-day)." in result.output
    assert counts() == before


def test_a_date_in_the_future_is_refused_even_with_yes(runner, archived):
    before = counts()
    later = (date.today() + timedelta(days=2)).isoformat()
    result = purge(runner, "--archived-before", later, "--yes")
    assert result.exit_code == 2
    assert f"{later} is in the future. Use a date up to today" in result.output
    assert counts() == before


def test_the_date_is_required(runner):
    result = purge(runner)
    assert result.exit_code == 2
    assert "Missing option '--archived-before'" in result.output


def test_nothing_archived_before_the_date_is_said_plainly(runner, archived):
    before = counts()
    result = purge(runner, "--archived-before", "2024-01-01", "--yes")
    assert result.exit_code == 0
    assert result.output == "No class was archived before 2024-01-01 (UTC). Nothing to delete.\n"
    assert counts() == before


def test_the_date_starts_at_midnight_in_the_schools_time_zone(app, runner, archived):
    app.config["SCHOOL_TIMEZONE"] = "America/New_York"
    archived.here.archived_at = datetime(2024, 7, 31, 3, 0)  # 30 July, 11 pm in New York
    db.session.commit()
    result = purge(runner, "--archived-before", "2024-07-31", "--dry-run")
    assert "before 2024-07-31 (America/New_York)" in result.output
    assert "Period 3 English" in result.output
    archived.here.archived_at = datetime(2024, 7, 31, 5, 0)  # 31 July, 1 am in New York
    db.session.commit()
    result = purge(runner, "--archived-before", "2024-07-31", "--dry-run")
    assert "No class was archived before 2024-07-31" in result.output


def test_class_names_cannot_send_escape_codes_to_the_terminal(runner, archived):
    archived.here.name = "Period 3\x1b[2J\x07"
    db.session.commit()
    result = purge(runner, "--archived-before", "2024-07-31", "--dry-run")
    assert "Period 3?[2J?," in result.output
    assert "\x1b" not in result.output


# ---------------------------------------------------------------- reset-password


def new_password_from(result) -> str:
    line = next(x for x in result.output.splitlines() if x.startswith("New password for "))
    return line.rsplit(": ", 1)[1]


def test_a_teacher_who_forgot_their_password_gets_a_new_one_from_the_administrator(
    runner, make, app
):
    teacher = make.teacher("forgetful@school.test", "Ms Forgetful")
    elsewhere = app.test_client()
    assert login(elsewhere, teacher).status_code == 302
    assert elsewhere.get("/teacher/").status_code == 200
    result = runner.invoke(args=["reset-password", "Forgetful@School.test "])
    assert result.exit_code == 0, result.output
    assert "New password for Ms Forgetful (forgetful@school.test): " in result.output
    assert "change it with the Password link" in result.output
    password = new_password_from(result)
    assert login(app.test_client(), teacher).status_code == 401  # the old one: refused
    assert login(app.test_client(), teacher, password).status_code == 302
    assert elsewhere.get("/teacher/").status_code == 302  # logged out where they were


def test_a_student_reset_from_the_command_line_chooses_their_own_at_the_next_login(runner, make):
    student = make.student("sam-forgot")
    result = runner.invoke(args=["reset-password", "sam-forgot"])
    assert result.exit_code == 0, result.output
    assert "They choose their own at the next login." in result.output
    db.session.refresh(student)
    assert student.password_is_temporary


def test_an_unknown_login_is_said_plainly_and_nothing_changes(runner, make):
    make.teacher("someone@school.test")
    result = runner.invoke(args=["reset-password", "nobody@school.test"])
    assert result.exit_code == 1
    assert "No account has the email or username 'nobody@school.test'." in result.output
    assert "New password" not in result.output


def test_the_reset_needs_no_secret_key_or_debug_mode(tmp_path):
    database = tmp_path / "school.sqlite3"
    assert flask_as_a_newcomer(database, "db", "upgrade").returncode == 0
    done = flask_as_a_newcomer(database, "reset-password", "nobody@school.test")
    assert done.returncode == 1
    assert "Traceback" not in done.stderr
    assert "No account has the email or username" in done.stderr
