"""`flask --app app lessons check [PATH...]`: every problem as `file: item: problem`, and a
non-zero exit when there is any."""

from __future__ import annotations

import re
from pathlib import Path

LESSONS_DIR = Path(__file__).resolve().parents[2] / "lessons"

LESSON = '''\
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
'''

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
        lesson("broken", quote="furious outburst", points="-3"), encoding="utf-8")
    result = check(runner, tmp_path)
    assert result.exit_code != 0
    lines = result.stdout.splitlines()
    assert lines, result.output
    for line in lines:
        assert LINE.match(line), f"not a 'file: item: problem' line: {line!r}"
    assert "b-broken.toml: key loaded-vented: quote 'furious outburst' is not in the article" \
        in lines
    assert any(line.startswith("b-broken.toml: key loaded-vented: points must not be negative")
               for line in lines)
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
