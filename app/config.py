"""Settings: class defaults, then FLASK_* environment variables, then a test dict."""

from __future__ import annotations

import os
import secrets

import click
from flask import Flask
from flask.cli import FlaskGroup

# PostgreSQL's values for synchronous_commit ("" = leave the server's setting)
SYNCHRONOUS_COMMIT = ("", "on", "off", "local", "remote_write", "remote_apply")


class Config:
    SECRET_KEY: str | None = None
    SQLALCHEMY_DATABASE_URI: str | None = None
    # hide_parameters: SQL errors and SQL logging never show values (students' notes)
    SQLALCHEMY_ENGINE_OPTIONS: dict = {"pool_pre_ping": True, "hide_parameters": True}  # noqa: RUF012
    WTF_CSRF_TIME_LIMIT = 3600  # Flask-WTF's default; the lesson page refreshes its token
    MAX_CONTENT_LENGTH = 512 * 1024
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE: bool | None = None  # None: Secure everywhere but debug and tests
    # a login ends after this many seconds unused, or this long after logging in (sessions.py)
    SESSION_IDLE_TIMEOUT = 8 * 60 * 60
    SESSION_MAX_AGE = 24 * 60 * 60
    SCHOOL_TIMEZONE = "UTC"  # due dates end at midnight here (e.g. "America/New_York")
    PASSWORD_HASH_METHOD = "scrypt"  # noqa: S105  (a method name, not a password)
    NOTE_MAX_CHARS = 2000
    FIELD_MAX_CHARS = 500
    # annotations a student may keep on one assignment: a lesson page, its API answer and the
    # teacher's review grow with them (10,000 made a 72 MB page)
    ANNOTATIONS_MAX = 300
    # rate limits (app/web/security/limits.py); counters in Redis when REDIS_URL is set
    REDIS_URL: str | None = None
    RATE_LIMIT_PREFIX = "rl"
    # wrong passwords per username and address (per username and browser, in a browser that
    # has logged in to it before), per 15 minutes
    RATE_LIMIT_LOGIN_FAILURES = 10
    # wrong passwords per address (a whole school) per 15 minutes before each further one slows
    # down the account it was for (never refuses the address as a whole)
    RATE_LIMIT_LOGIN_FAILURES_PER_ADDRESS = 300
    RATE_LIMIT_JOIN_FAILURES_PER_BROWSER = 10  # wrong class codes per browser, per 15 minutes
    RATE_LIMIT_JOIN_FAILURES = 300  # wrong class codes per address (a backstop), per 15 minutes
    RATE_LIMIT_SIGNUPS_PER_HOUR = 20  # teacher accounts per address
    # usernames someone outside the teacher's classes has, in one teacher's roster files
    RATE_LIMIT_ROSTER_TAKEN_PER_HOUR = 30
    RATE_LIMIT_API_PER_MINUTE = 600  # saves per student
    RATE_LIMIT_API_LEASE = 10  # saves a worker claims at once from that count (security/ratelimit)
    # PostgreSQL: whether an annotation save waits for its commit to reach the disk. "" (the
    # default): the server's own setting (PostgreSQL's default: yes). "off": no, as SQLite's
    # NORMAL sync doesn't (a crash of the database server or the machine may lose the last
    # fraction of a second of saves; the database is never corrupted). Only saves; see saves.py
    SAVE_SYNCHRONOUS_COMMIT = ""
    # behind a reverse proxy: how many proxies set X-Forwarded-For / -Proto / -Host (0 = none)
    PROXY_FIX_X_FOR = 0
    PROXY_FIX_X_PROTO: int | None = None  # None: the same as PROXY_FIX_X_FOR
    PROXY_FIX_X_HOST = 0

    @staticmethod
    def finalise(app: Flask) -> None:
        """Fill settings that depend on others; refuse to run insecurely outside debug."""
        url = os.environ.get("DATABASE_URL")
        if not app.config.get("SQLALCHEMY_DATABASE_URI"):
            if url:
                if url.startswith("postgresql://"):
                    url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
                app.config["SQLALCHEMY_DATABASE_URI"] = url
            else:
                os.makedirs(app.instance_path, exist_ok=True)
                path = os.path.join(app.instance_path, "app.sqlite3")
                app.config["SQLALCHEMY_DATABASE_URI"] = f"sqlite:///{path}"
        if str(app.config["SQLALCHEMY_DATABASE_URI"]).startswith("sqlite"):
            # a file can't go stale as a server's connection can: no test query before each
            # use (PostgreSQL keeps it: a restarted server must not cost anyone a 500)
            app.config["SQLALCHEMY_ENGINE_OPTIONS"] = {
                **app.config["SQLALCHEMY_ENGINE_OPTIONS"],
                "pool_pre_ping": False,
            }
        if not app.config.get("REDIS_URL") and os.environ.get("REDIS_URL"):
            app.config["REDIS_URL"] = os.environ["REDIS_URL"]
        sync = str(app.config.get("SAVE_SYNCHRONOUS_COMMIT") or "").strip().lower()
        if sync not in SYNCHRONOUS_COMMIT:
            raise RuntimeError(
                f"SAVE_SYNCHRONOUS_COMMIT must be one of {', '.join(SYNCHRONOUS_COMMIT[1:])} or "
                f"empty (the database server's own setting), not {sync!r}."
            )
        app.config["SAVE_SYNCHRONOUS_COMMIT"] = sync
        if app.config.get("PROXY_FIX_X_PROTO") is None:
            app.config["PROXY_FIX_X_PROTO"] = app.config["PROXY_FIX_X_FOR"]
        if not app.config.get("SECRET_KEY") and os.environ.get("SECRET_KEY"):
            app.config["SECRET_KEY"] = os.environ["SECRET_KEY"]
        if not app.config.get("SECRET_KEY"):
            if app.debug or app.testing or os.environ.get("FLASK_DEBUG") == "1":
                app.config["SECRET_KEY"] = _dev_secret(app)
            elif not _loaded_for_an_app_command():
                raise RuntimeError(
                    "Set FLASK_SECRET_KEY (or SECRET_KEY) outside debug mode. To try the app "
                    "on this computer, serve it in debug mode instead: `flask --app app run "
                    "--debug` (or `make run`), which keeps a random key in instance/dev-secret."
                )
        if app.config.get("SESSION_COOKIE_SECURE") is None:
            app.config["SESSION_COOKIE_SECURE"] = not (app.debug or app.testing)


def _loaded_for_an_app_command() -> bool:
    """Whether the ``flask`` command line is loading the app to find one of the app's own
    commands (app/cli.py: ``lessons check``, ``lessons export``, ``demo``, ``purge``), which
    serve no request and sign nothing, so need no secret key. ``flask run`` and ``flask
    shell`` load the app from their own command; gunicorn and code (tests) have no command
    line: all need the key."""
    ctx = click.get_current_context(silent=True)
    return ctx is not None and isinstance(ctx.command, FlaskGroup)


def _dev_secret(app: Flask) -> str:
    """A per-checkout secret kept in instance/, so debug sessions survive a restart."""
    secret = os.environ.get("SECRET_KEY")
    if secret:
        return secret
    os.makedirs(app.instance_path, exist_ok=True)
    path = os.path.join(app.instance_path, "dev-secret")
    if not os.path.exists(path):
        with open(path, "w", encoding="utf-8") as f:
            f.write(secrets.token_hex(32))
    with open(path, encoding="utf-8") as f:
        return f.read().strip()
