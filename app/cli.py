"""Command-line tools: ``flask --app app lessons check [PATH...]``."""

from __future__ import annotations

from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import AppGroup

from .domain.lessons import lesson_files, load_lessons

lessons_cli = AppGroup("lessons", help="Work with lesson files.")


@lessons_cli.command("check")
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
def check(paths: tuple[Path, ...]) -> None:
    """Validate lesson files (default: every file in lessons/); print file: item: problem."""
    files: list[Path] = []
    for p in paths or (Path(current_app.config["LESSONS_DIR"]),):
        files.extend(lesson_files(p) if p.is_dir() else [p])
    if not files:
        click.echo("no lesson files found", err=True)
        raise SystemExit(1)
    result = load_lessons(files)
    for problem in result.problems:
        click.echo(str(problem))
    click.echo(f"{len(result.lessons)} lesson(s) OK, {len(result.problems)} problem(s)", err=True)
    if result.problems:
        raise SystemExit(1)


def init_app(app: Flask) -> None:
    app.cli.add_command(lessons_cli)
