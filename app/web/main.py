"""Home page, the offline helper, login wiring and the template helpers every page uses."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from datetime import datetime
from functools import wraps
from typing import Any

from flask import (
    Blueprint,
    Flask,
    abort,
    current_app,
    redirect,
    render_template,
    send_from_directory,
    url_for,
)
from flask_login import current_user

from ..domain.dates import school_time
from ..domain.sanitise import linkify
from ..extensions import db, login_manager
from ..models import User
from .loaders import IdConverter
from .policy import open_to_temporary_password, parse_session_id

bp = Blueprint("main", __name__)


def when(moment: datetime | None, day_only: bool = False) -> str:
    """A stored time as a person reads it, in the school's zone with its name (SCHOOL_TIMEZONE):
    the ``when`` filter of every template, and every time a view writes into a message."""
    return school_time(moment, current_app.config["SCHOOL_TIMEZONE"], day_only=day_only)


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


def only_for(role: str, bp: Blueprint) -> Blueprint:
    """Every page of ``bp`` is for ``role``: anyone else logs in first, or gets 403."""
    bp.before_request(role_required(role)(lambda: None))
    return bp


@bp.get("/")
def index():
    if current_user.is_authenticated:
        return redirect(url_for("teacher.home" if current_user.is_teacher else "student.home"))
    return render_template("main/index.html")


@bp.get("/sw.js")
@open_to_temporary_password
def service_worker():
    """The offline helper: served from the root so it may cover the lesson pages."""
    resp = send_from_directory(str(current_app.static_folder), "js/sw.js", max_age=0)
    resp.headers["Service-Worker-Allowed"] = "/"
    resp.headers["Cache-Control"] = "no-cache"
    return resp


@bp.get("/favicon.ico")
@open_to_temporary_password
def favicon():
    """The site's icon where browsers and feed readers look for it without asking the page
    (an SVG: every browser the app supports reads one)."""
    return send_from_directory(
        str(current_app.static_folder), "favicon.svg", mimetype="image/svg+xml", max_age=86400
    )


def init_app(app: Flask) -> None:
    # before any blueprint's routes: ``<id:...>`` in a URL is a row id (see web.loaders)
    app.url_map.converters["id"] = IdConverter
    app.register_blueprint(bp)
    app.add_template_filter(dataclasses.asdict, "attr_dict")
    app.add_template_filter(linkify, "linkify")
    app.add_template_filter(when, "when")

    @login_manager.user_loader
    def load_user(session_id: str) -> User | None:
        """The person whose ``id.version`` the session holds, if that version is still theirs:
        sessions from before a logout or password change load no one."""
        claim = parse_session_id(session_id)
        if claim is None:
            return None
        user = db.session.get(User, claim[0])
        return user if user is not None and user.session_version == claim[1] else None
