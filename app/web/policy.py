"""Every rule that applies to every request, registered here in the order it runs, and the
declarations a view makes to change one for itself (instead of lists of endpoint names).

Before the view: ``csrf_guard``, ``api_write_limit``, ``password_guard`` (``BEFORE``); after
it: ``security_headers`` (``AFTER``). A blueprint's own guards (students only, teachers only,
the API's login check) run after these, in the blueprint.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from typing import Any

from flask import Flask, current_app, g, redirect, request, session, url_for
from flask_login import current_user

from ..extensions import READ_METHODS, WRITES_ITSELF
from .errors import json_error
from .security import csrf, limits
from .security.ratelimit import in_words

# ---------------------------------------------------------------- what a view may declare

CHECKS_OWN_CSRF = "checks_own_csrf"
CHECKS_OWN_LOGIN = "checks_own_login"
OPEN_TO_TEMPORARY_PASSWORD = "open_to_temporary_password"  # noqa: S105 (a marker, not a password)


def _declare(*names: str) -> Callable[[Callable], Callable]:
    def decorator(view: Callable) -> Callable:
        for name in names:
            setattr(view, name, True)
        return view

    return decorator


# a view whose FlaskForm checks the CSRF token itself (and so can keep what was typed)
form_view = _declare(CHECKS_OWN_CSRF)
# a view whose writes all take SQLite's write lock themselves (``extensions.wants_write``)
writes_itself = _declare(WRITES_ITSELF)
# the annotation save: checks the login (and the one-time password) in its own query, and
# takes the write lock itself
hot_save = _declare(CHECKS_OWN_LOGIN, WRITES_ITSELF)
# a page a student on a one-time password may still open
open_to_temporary_password = _declare(OPEN_TO_TEMPORARY_PASSWORD)


def declares(name: str) -> bool:
    """Whether the view this request goes to declared ``name``."""
    view = current_app.view_functions.get(request.endpoint or "")
    return view is not None and getattr(view, name, False)


# ---------------------------------------------------------------- who the session names


def parse_session_id(session_id: object) -> tuple[int, int] | None:
    """(user id, session version) from the ``id.version`` Flask-Login keeps in the session."""
    if not isinstance(session_id, str):
        return None
    user_id, _, version = session_id.partition(".")
    if not (user_id.isascii() and user_id.isdigit() and version.isascii() and version.isdigit()):
        return None
    return int(user_id), int(version)


def session_claim() -> tuple[int, int] | None:
    """Who the signed session cookie says is logged in, as (user id, session version), not
    yet checked against the database. The annotation save checks it inside its one query
    instead of loading the user first; everything else uses ``current_user``."""
    return parse_session_id(session.get("_user_id"))


def must_choose_password() -> bool:
    """Whether the logged-in person is a student still on a one-time password."""
    return (
        current_user.is_authenticated
        and current_user.is_student
        and current_user.password_is_temporary
    )


def choose_password_first() -> Any:
    """The answer to anything but the "choose your password" page, for such a student."""
    if request.blueprint == "api" or request.path.startswith("/api/"):
        return json_error(
            403,
            "Choose your own password first (you logged in with a one-time password).",
            "new_password",
        )
    return redirect(url_for("account.new_password"))


# ---------------------------------------------------------------- the rules, in order


def csrf_guard() -> None:
    """Every write carries the CSRF token: a form checks its own (and keeps the typing); the
    API's calls without a login get the API's 401 instead, which tells the page what to do."""
    if request.method in READ_METHODS or not current_app.config.get("WTF_CSRF_ENABLED", True):
        return
    if declares(CHECKS_OWN_CSRF):
        return
    if request.blueprint == "api" and session_claim() is None:
        return
    csrf.protect()


def api_write_limit() -> Any:
    """Saves per student per minute: far above what a person types, low enough that a
    runaway script can't fill the database. Counted before the login is checked (saves
    check it themselves), from a lease of the shared count (``RATE_LIMIT_API_LEASE``)."""
    if request.blueprint != "api" or request.method in READ_METHODS:
        return None
    claim = session_claim()
    if claim is None:
        return None
    wait = limits.api_write_wait(claim[0])
    if wait is None:
        return None
    resp = json_error(
        429,
        f"Saving too fast. Your work is kept on this device and will be sent in {in_words(wait)}.",
        "rate_limited",
    )
    resp[0].headers.update(limits.retry_after(wait))
    return resp


def password_guard() -> Any:
    """Keep students with a one-time password on the "choose your password" page. (Sessions
    from before a password change load no one: see ``User.get_id``.)"""
    if request.endpoint == "static" or declares(OPEN_TO_TEMPORARY_PASSWORD):
        return None
    if declares(CHECKS_OWN_LOGIN):  # the save's own query refuses a one-time password
        return None
    return choose_password_first() if must_choose_password() else None


# Every script is a file under static/js, loaded by a <script> tag carrying this request's
# nonce: script-src allows no 'unsafe-inline' and no eval. Inline style attributes carry the
# per-category colours.
CSP = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self' 'nonce-{nonce}'",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data:",
        "connect-src 'self'",
        "worker-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "frame-ancestors 'none'",
        "form-action 'self'",
    ]
)


def csp_nonce() -> str:
    """This request's script nonce (templates put it on every <script> tag)."""
    if "csp_nonce" not in g:
        g.csp_nonce = secrets.token_urlsafe(18)
    return g.csp_nonce


def security_headers(response: Any) -> Any:
    """Headers on every response; pages (HTML) get the CSP and, with the API's answers, are
    never cached, since most show someone's work or marks."""
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    if response.mimetype == "text/html":
        response.headers.setdefault("Content-Security-Policy", CSP.format(nonce=csp_nonce()))
        response.headers.setdefault("Cache-Control", "no-store")
    elif request.blueprint == "api":  # students' notes, and the session's CSRF token
        response.headers.setdefault("Cache-Control", "no-store")
    if not (current_app.debug or current_app.testing):
        response.headers.setdefault("Strict-Transport-Security", "max-age=31536000")
    return response


BEFORE: tuple[Callable[[], Any], ...] = (csrf_guard, api_write_limit, password_guard)
AFTER: tuple[Callable[[Any], Any], ...] = (security_headers,)


def init_app(app: Flask) -> None:
    app.config["WTF_CSRF_CHECK_DEFAULT"] = False  # csrf_guard decides
    for rule in BEFORE:
        app.before_request(rule)
    for answer_rule in AFTER:
        app.after_request(answer_rule)
    app.add_template_global(csp_nonce, "csp_nonce")
