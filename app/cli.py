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


@click.command("demo")
@click.option("--force", is_flag=True, help="Add the demo class even if real accounts exist.")
@click.option("--students", default=25, show_default=True, help="How many students.")
def demo(force: bool, students: int) -> None:
    """Create a demo teacher and a class with varied work on the first lesson."""
    from . import demo as demo_data
    from . import services
    from .extensions import db

    lessons = services.current_lessons(current_app.config["LESSONS_DIR"]).lessons
    lesson = lessons.get("kiev-anger-milley") or next(iter(lessons.values()), None)
    if lesson is None:
        raise click.ClickException("No lesson loads: run `flask --app app lessons check`.")
    try:
        logins = demo_data.create_demo(db.session, lesson, size=students, force=force)
    except demo_data.RealDataError as e:
        raise click.ClickException(str(e)) from e
    db.session.commit()
    click.echo(f"Demo class created with {students} students on \"{lesson.title}\".")
    click.echo("Log in at http://127.0.0.1:5000/login with:")
    for login in logins[:4]:
        click.echo(f"  {login.name:<22} {login.login:<36} {login.password}")
    if len(logins) > 4:
        click.echo(f"  ... and {len(logins) - 4} more students, all with the password "
                   f"{logins[1].password}")


def init_app(app: Flask) -> None:
    app.cli.add_command(lessons_cli)
    app.cli.add_command(demo)
