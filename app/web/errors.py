"""Error pages: JSON for the API, HTML for people; never a bare 500.

An unexpected error is logged with its traceback (files, lines, functions and the code on
them) but never with what a student wrote. Exception messages can quote it: SQLAlchemy's list
a statement's parameters, PostgreSQL's a failing row, and a bug may put any value it was given
in its message. So the log keeps a message only for exception types whose messages describe
the code (``CODE_MESSAGES``); a database error keeps the first line of the driver's message
(which constraint, which table: the parameters and the row come after it); other messages
are withheld. Text the request carried is blanked out of what remains all the same, and the
request's body, headers and query string, and the frames' local variables, are never logged.
What a request can put in a line (its method, its path, a message) is escaped (``log_safe``),
so no request can start a line of its own.
"""

from __future__ import annotations

import logging
import traceback
from collections.abc import Iterator
from typing import Any

import jinja2
from flask import Flask, Response, jsonify, render_template, request
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import DBAPIError
from werkzeug.exceptions import HTTPException

from ..domain.text import log_safe
from ..extensions import db

log = logging.getLogger(__name__)

# exception types whose messages come from the code, not from the data it handled
CODE_MESSAGES = (
    AttributeError,
    NameError,
    ImportError,
    TypeError,
    AssertionError,
    NotImplementedError,
    RecursionError,
    ZeroDivisionError,
    IndexError,
    jinja2.TemplateError,
)
WITHHELD = "(message withheld from the log: it may quote what someone wrote)"
MIN_REDACTED = 4  # shorter request values ("en", "12") would blank out whole messages

MESSAGES = {
    400: "Something in that request didn't make sense to us.",
    401: "Please log in first.",
    403: "That page isn't for your account.",
    404: "We couldn't find that page. It may belong to someone else, or the link is old.",
    405: "That action isn't possible here.",
    413: "That's too much to send at once. Make it shorter and try again.",
    429: "Too many tries. Wait a moment and try again.",
    500: "Something went wrong on our side. Your saved work is safe; please try again.",
}


def wants_json() -> bool:
    return request.path.startswith("/api/") or (
        request.accept_mimetypes.best_match(["application/json", "text/html"]) == "application/json"
    )


def json_body() -> Any:
    """The request's JSON, or None when it is not JSON (or nested too deeply to read)."""
    try:
        return request.get_json(silent=True)
    except RecursionError:
        return None


def json_error(
    status: int,
    message: str,
    code: str | None = None,
    fields: dict[str, str] | None = None,
    **extra: Any,
) -> tuple[Response, int]:
    """The one shape of a JSON error: ``{"error", "fields", "code"?, ...}`` and its status."""
    body: dict[str, Any] = {"error": message, "fields": fields or {}}
    if code:
        body["code"] = code
    body.update(extra)
    return jsonify(body), status


def _respond(status: int, message: str, code: str | None = None):
    if wants_json():
        return json_error(status, message, code)
    return render_template("errors/error.html", status=status, message=message), status


def _chain(last: BaseException) -> list[BaseException]:
    """The exception and those it came from, oldest first (as Python prints them)."""
    found: list[BaseException] = []
    e: BaseException | None = last
    while e is not None and all(e is not seen for seen in found):
        found.append(e)
        e = e.__cause__ or (None if e.__suppress_context__ else e.__context__)
    return found[::-1]


def _message(e: BaseException, drivers: list[BaseException]) -> str:
    if isinstance(e, DBAPIError) or any(e is d for d in drivers):
        driver = e.orig if isinstance(e, DBAPIError) else e
        return (str(driver).strip().splitlines() or [""])[0] + " (details withheld)"
    return str(e) if isinstance(e, CODE_MESSAGES) else WITHHELD


def _request_values() -> Iterator[str]:
    """Every text the request carried in its body or query string."""

    def walk(value) -> Iterator[str]:
        if isinstance(value, str):
            yield value
        elif isinstance(value, dict):
            for v in value.values():
                yield from walk(v)
        elif isinstance(value, list):
            for v in value:
                yield from walk(v)

    yield from walk(request.get_json(silent=True))
    for values in (*request.form.listvalues(), *request.args.listvalues()):
        yield from values


def _redact(text: str) -> str:
    """Blank out of a message any text the request carried."""
    try:
        values = sorted({v.strip() for v in _request_values()}, key=len, reverse=True)
    except Exception:  # an unreadable body: nothing of it can be in the message
        values = []
    for value in values:
        if len(value) >= MIN_REDACTED:
            for form in (value, repr(value)[1:-1]):
                text = text.replace(form, "[request text]")
    return text


def safe_traceback(e: BaseException) -> str:
    """The traceback as Python prints it (its lines are code, read from the files), with
    messages only where they are safe to keep."""
    chain = _chain(e)
    drivers: list[BaseException] = [
        x.orig for x in chain if isinstance(x, DBAPIError) and x.orig is not None
    ]
    parts = []
    for i, exc in enumerate(chain):
        if i:
            parts.append(
                "\nThe above exception was the direct cause of the following exception:\n\n"
                if exc.__cause__ is chain[i - 1]
                else "\nDuring handling of the above exception, another exception occurred:\n\n"
            )
        parts.append("Traceback (most recent call last):\n")
        parts.extend(traceback.format_list(traceback.extract_tb(exc.__traceback__)))
        kind = type(exc)
        name = (
            kind.__qualname__
            if kind.__module__ == "builtins"
            else f"{kind.__module__}.{kind.__qualname__}"
        )
        parts.append(f"{name}: {log_safe(_redact(_message(exc, drivers)))}\n")
    return "".join(parts)


def init_app(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def csrf_error(e: CSRFError):
        return _respond(
            400,
            "This page's security token has expired or is missing. "
            "Reload the page and try again: your saved work is safe.",
            "csrf",
        )

    @app.errorhandler(HTTPException)
    def http_error(e: HTTPException):
        status = e.code or 500
        return _respond(status, MESSAGES.get(status, e.description or "Something went wrong."))

    @app.errorhandler(Exception)
    def unexpected(e: Exception):
        log.error(
            "unhandled error on %s %s\n%s",
            log_safe(request.method),
            log_safe(request.path),
            safe_traceback(e),
        )
        try:
            db.session.rollback()  # a failed transaction must not break the error page
        except Exception:
            log.error("rollback after the error failed too")
        return _respond(500, MESSAGES[500])
