"""Command-line tools: ``flask --app app lessons check [PATH...]``, ``flask --app app lessons
export LESSON_ID [-o FILE]``, ``flask --app app demo``, ``flask --app app purge
--archived-before DATE`` and ``flask --app app reset-password LOGIN``."""

from __future__ import annotations

from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import AppGroup

from .domain.lessons import lesson_files, lesson_to_toml, load_lessons

lessons_cli = AppGroup("lessons", help="Work with lesson files.")


@lessons_cli.command("check")
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
def check(paths: tuple[Path, ...]) -> None:
    """Validate lesson files (default: every file in lessons/). Prints each error as
    "file: item: problem" and each warning as "file: item: warning: problem"; fails only on
    errors (a lesson with warnings loads). Needs no secret key and no debug mode."""
    files: list[Path] = []
    for p in paths or (Path(current_app.config["LESSONS_DIR"]),):
        files.extend(lesson_files(p) if p.is_dir() else [p])
    if not files:
        click.echo("no lesson files found", err=True)
        raise SystemExit(1)
    result = load_lessons(files)
    for problem in result.reports:
        click.echo(str(problem))
    errors, warnings = len(result.problems), len(result.warnings)
    summary = f"{len(result.lessons)} lesson(s) OK, {errors} problem(s)"
    click.echo(summary + (f", {warnings} warning(s)" if warnings else ""), err=True)
    if errors:
        raise SystemExit(1)


@lessons_cli.command("export")
@click.argument("lesson_id")
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, writable=True, path_type=Path),
    help="Write the lesson file here (default: print it).",
)
def export(lesson_id: str, output: Path | None) -> None:
    """Write a built-in lesson (from the lessons folder) as a lesson file: the exchange format
    between servers. `lessons check` accepts it, and it reads back as the same lesson, with
    the same version. Needs no secret key and no debug mode."""
    directory = Path(current_app.config["LESSONS_DIR"])
    found = load_lessons(lesson_files(directory))
    lesson = found.lessons.get(lesson_id)
    if lesson is None:
        known = ", ".join(sorted(found.lessons)) or "none"
        broken = (
            f" ({len(found.problems)} problem(s): run `lessons check`)" if found.problems else ""
        )
        raise click.ClickException(
            f"no lesson {lesson_id!r} in {directory}{broken}. Known lesson ids: {known}"
        )
    text = lesson_to_toml(lesson)
    if output is None:
        click.echo(text, nl=False)
        return
    output.write_text(text, encoding="utf-8", newline="")
    click.echo(f"Wrote {lesson.id} (version {lesson.version}) to {output}", err=True)


def _database_ready() -> None:
    """Stop with what to do, not a traceback, when the database has no tables yet (a fresh
    clone before its first ``flask db upgrade``)."""
    import sqlalchemy as sa

    from .extensions import db

    if not sa.inspect(db.engine).has_table("users"):
        raise click.ClickException(
            "The database has no tables yet. Create them first with "
            "`flask --app app db upgrade` (`make run` and `make demo` do it)."
        )


@click.command("demo")
@click.option("--force", is_flag=True, help="Add the demo class even if real accounts exist.")
@click.option("--students", default=25, show_default=True, help="How many students.")
@click.option(
    "--host",
    default="127.0.0.1",
    show_default=True,
    envvar="FLASK_RUN_HOST",
    help="The address `flask run` will serve on (read from FLASK_RUN_HOST, as `flask run` does).",
)
@click.option(
    "--port",
    default=5000,
    show_default=True,
    envvar="FLASK_RUN_PORT",
    type=click.IntRange(1, 65535),
    help="The port `flask run` will serve on (read from FLASK_RUN_PORT, as `flask run` does).",
)
def demo(force: bool, students: int, host: str, port: int) -> None:
    """Create a demo teacher and a class with varied work on the first lesson, and print the
    logins and the address to open (give the --host and --port you serve with)."""
    from . import demo as demo_data
    from . import services
    from .extensions import db, writing

    _database_ready()
    lessons = services.current_lessons(current_app.config["LESSONS_DIR"]).lessons
    lesson = lessons.get("kiev-anger-milley") or next(iter(lessons.values()), None)
    if lesson is None:
        raise click.ClickException("No lesson loads: run `flask --app app lessons check`.")
    try:
        with writing():  # SQLite: the write lock first, so a running server can't interleave
            logins = demo_data.create_demo(db.session, lesson, size=students, force=force)
            db.session.commit()
    except demo_data.RealDataError as e:
        raise click.ClickException(str(e)) from e
    click.echo(f'Demo class created with {students} students on "{lesson.title}".')
    click.echo(f"Log in at {login_url(host, port)} with:")
    for login in logins[:4]:
        click.echo(f"  {login.name:<22} {login.login:<36} {login.password}")
    if len(logins) > 4:
        click.echo(
            f"  ... and {len(logins) - 4} more students, all with the password {logins[1].password}"
        )


def login_url(host: str, port: int) -> str:
    """Where a browser on this computer finds the login page of `flask run --host HOST --port
    PORT` (a server on every address, 0.0.0.0 or ::, answers on 127.0.0.1 too)."""
    if host in ("0.0.0.0", "::", ""):  # noqa: S104 (read, not bound to)
        host = "127.0.0.1"
    if ":" in host:
        host = f"[{host}]"
    return f"http://{host}:{port}/login"


def _printable(text: str) -> str:
    """A class name as the terminal should show it: no control characters (a name is typed by
    a teacher and could hold escape sequences)."""
    return "".join(ch if ch.isprintable() else "?" for ch in text)


def _plural(n: int, word: str, plural: str | None = None) -> str:
    return f"{n:,} {word if n == 1 else (plural or word + 's')}"


def _totals(d) -> str:
    return (
        f"{_plural(len(d.classes), 'class', 'classes')}, "
        f"{_plural(d.students, 'enrolment')}, {_plural(d.assignments, 'assignment')}, "
        f"{_plural(d.annotations, 'annotation')}, {_plural(d.submissions, 'submission')}, "
        f"and {_plural(d.accounts, 'student account')} in no other class"
    )


@click.command("purge")
@click.option(
    "--archived-before",
    "day",
    required=True,
    metavar="YYYY-MM-DD",
    help="Delete classes archived before this day (its start in the school's time "
    "zone). Not a future date.",
)
@click.option("--dry-run", is_flag=True, help="List what would be deleted; delete nothing.")
@click.option("--yes", is_flag=True, help="Don't ask before deleting (for scheduled jobs).")
def purge(day: str, dry_run: bool, yes: bool) -> None:
    """Delete classes archived before a date, for good: their assignments, every student's
    work and marks in them, and the accounts of students left in no class.

    Classes that are not archived are never touched. It lists the classes first and asks
    before deleting, unless --yes. A date after today is refused.
    """
    from .domain import dates
    from .extensions import db, writing
    from .services import deletion

    _database_ready()
    zone = current_app.config["SCHOOL_TIMEZONE"]
    try:
        cutoff_day = dates.parse_day(day)
        dates.check_cutoff(cutoff_day, dates.today_in(zone))
    except dates.BadDate as e:
        raise click.BadParameter(str(e), param_hint="'--archived-before'") from None
    cutoff = dates.start_of_day_utc(cutoff_day, zone)
    when = f"before {cutoff_day.isoformat()} ({zone})"
    found = deletion.contents(db.session, deletion.archived_before(db.session, cutoff))
    db.session.rollback()  # no transaction stays open while someone reads the list
    if not found.classes:
        click.echo(f"No class was archived {when}. Nothing to delete.")
        return
    click.echo(f"Classes archived {when}:")
    for c in found.classes:
        click.echo(
            f"  #{c.id} {_printable(c.name)}, {c.teacher}, archived "
            f"{c.archived_at:%Y-%m-%d}: {_plural(c.students, 'student')}, "
            f"{_plural(c.annotations, 'annotation')}"
        )
    if dry_run:
        click.echo(f"Dry run, nothing deleted. It would delete {_totals(found)}.")
        return
    if not yes:
        click.confirm(
            f"Delete {'this class' if len(found.classes) == 1 else 'these classes'} "
            "and all their students' work for good?",
            abort=True,
        )
    with writing():  # SQLite: take the write lock before reading what to delete
        gone = deletion.purge(db.session, cutoff, {c.id for c in found.classes})
        db.session.commit()
    click.echo(f"Deleted {_totals(gone)}.")


@click.command("reset-password")
@click.argument("login")
def reset_password(login: str) -> None:
    """Give someone who forgot their password a new one, printed once (LOGIN: a teacher's email
    or a student's username). Wherever they were logged in, they are logged out. A teacher
    can then change it with the Password link; a student must choose their own at the next
    login, as after a teacher's reset on the roster page."""
    from .extensions import db, writing
    from .services import accounts, rosters

    _database_ready()
    with writing():
        user = accounts.find_account(db.session, login)
        if user is None:
            raise click.ClickException(
                f"No account has the email or username {_printable(login)!r}."
            )
        if user.is_student:
            password = rosters.reset_password(db.session, user).password
        else:
            password = rosters.new_temporary_password()
            accounts.set_password(user, password)
        db.session.commit()
    who = f"{_printable(user.display_name)} ({_printable(user.email or user.username or '')})"
    click.echo(f"New password for {who}: {password}")
    click.echo(
        "Give it to them in person or by a channel only they read. "
        + (
            "They choose their own at the next login."
            if user.is_student
            else "Once logged in, they can change it with the Password link."
        )
    )


def init_app(app: Flask) -> None:
    app.cli.add_command(lessons_cli)
    app.cli.add_command(demo)
    app.cli.add_command(purge)
    app.cli.add_command(reset_password)
