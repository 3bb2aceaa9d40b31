"""Home page, login wiring and the CSRF guard shared by every blueprint."""

from __future__ import annotations

import dataclasses
import secrets
from collections.abc import Callable
from functools import wraps
from typing import Any

from flask import (
    Blueprint,
    Flask,
    abort,
    current_app,
    g,
    redirect,
    render_template,
    request,
    send_from_directory,
    session,
    url_for,
)
from flask_login import current_user

from ..domain.dates import to_local
from ..domain.sanitise import linkify
from ..extensions import READ_METHODS, csrf, db, login_manager
from ..models import User

bp = Blueprint("main", __name__)


def form_view(view: Callable) -> Callable:
    """Mark a view whose FlaskForm checks the CSRF token itself (and so can keep the typing)."""
    view.checks_own_csrf = True  # type: ignore[attr-defined]
    return view


def role_required(role: str) -> Callable:
    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            if not current_user.is_authenticated:
                return login_manager.unauthorized()
            if current_user.role != role:
                abort(403)
            return view(*args, **kwargs)

        return wrapper

    return decorator


teacher_required = role_required("teacher")
student_required = role_required("student")


@bp.get("/")
def index():
    if current_user.is_authenticated:
        return redirect(url_for("teacher.home" if current_user.is_teacher else "student.home"))
    return render_template("main/index.html")


@bp.get("/sw.js")
def service_worker():
    """The offline helper: served from the root so it may cover the lesson pages."""
    resp = send_from_directory(current_app.static_folder, "js/sw.js", max_age=0)
    resp.headers["Service-Worker-Allowed"] = "/"
    resp.headers["Cache-Control"] = "no-cache"
    return resp


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


def csp_nonce() -> str:
    """This request's script nonce (templates put it on every <script> tag)."""
    if "csp_nonce" not in g:
        g.csp_nonce = secrets.token_urlsafe(18)
    return g.csp_nonce


def security_headers(response):
    """Headers on every response; pages (HTML) get the CSP and are never cached, since most
    show someone's work or marks."""
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    if response.mimetype == "text/html":
        response.headers.setdefault("Content-Security-Policy", CSP.format(nonce=csp_nonce()))
        response.headers.setdefault("Cache-Control", "no-store")
    if not (current_app.debug or current_app.testing):
        response.headers.setdefault("Strict-Transport-Security", "max-age=31536000")
    return response


def init_app(app: Flask) -> None:
    app.config["WTF_CSRF_CHECK_DEFAULT"] = False
    app.register_blueprint(bp)
    app.after_request(security_headers)
    app.add_template_global(csp_nonce, "csp_nonce")
    app.add_template_filter(dataclasses.asdict, "attr_dict")
    app.add_template_filter(linkify, "linkify")
    app.add_template_filter(lambda moment: to_local(moment, app.config["SCHOOL_TIMEZONE"]), "local")

    @app.before_request
    def csrf_guard() -> None:
        if request.method in READ_METHODS:
            return
        if not app.config.get("WTF_CSRF_ENABLED", True):
            return
        view = app.view_functions.get(request.endpoint or "")
        if view is not None and getattr(view, "checks_own_csrf", False):
            return
        if request.blueprint == "api" and session_claim() is None:
            return  # the API answers 401 "log in again", which tells the page what to do
        csrf.protect()

    @login_manager.user_loader
    def load_user(session_id: str) -> User | None:
        """The person whose ``id.version`` the session holds, if that version is still theirs:
        sessions from before a logout or password change load no one."""
        claim = parse_session_id(session_id)
        if claim is None:
            return None
        user = db.session.get(User, claim[0])
        return user if user is not None and user.session_version == claim[1] else None
