"""The annotations API (JSON): the caller's own annotations on one assignment."""

from __future__ import annotations

import json

from flask import Blueprint, Flask, Response, abort, request
from flask_login import current_user
from flask_wtf.csrf import generate_csrf

from .. import saves, services
from ..domain.annotations import Invalid
from ..extensions import db
from ..models import Annotation
from . import present
from .errors import MESSAGES, json_error
from .loaders import annotation_id, largest, student_assignment
from .main import when
from .policy import (
    CHECKS_OWN_LOGIN,
    choose_password_first,
    declares,
    hot_save,
    must_choose_password,
    session_claim,
)

bp = Blueprint("api", __name__, url_prefix="/api")


def _login_ended():
    return json_error(
        401,
        "Your login has ended. Log in again: your unsaved work is kept on this device until then.",
        code="login",
    )


@bp.before_request
def require_student():
    if declares(CHECKS_OWN_LOGIN):
        # the save checks the login inside its one query (see app/saves), not here
        claim = session_claim()
        user_id = claim[0] if claim else None
    else:
        user_id = current_user.id if current_user.is_authenticated else None
    if user_id is None:
        return _login_ended()
    expected = request.headers.get("X-Expected-User")
    if expected is not None and expected != str(user_id):
        # a page left open by someone who logged out: never file their work under this account
        return json_error(
            409,
            "Someone else is logged in on this browser now. Log back in as "
            "yourself to send your unsaved work.",
            code="wrong_user",
        )
    return None


VERSION_MAX = largest(Annotation.__table__.c.version)


def _if_match() -> int | None:
    """The version ``If-Match`` names; -1 (no version: a conflict) for anything that can't be
    one (not plain digits, or past what the column holds)."""
    raw = request.headers.get("If-Match")
    if raw is None or raw.strip() == "*":
        return None
    value = raw.strip().removeprefix("W/").strip('"')
    if not (value.isascii() and value.isdigit() and len(value) <= 10):
        return -1
    return int(value) if int(value) <= VERSION_MAX else -1


def _saved(annotation, status: int) -> Response:
    """The saved annotation as JSON, with its version as the ETag. Every save answers with
    this, so it is made directly: the same data as ``jsonify``'s, without its machinery (keys
    in their own order, no newline at the end)."""
    body = json.dumps(present.annotation_json(annotation), separators=(",", ":"))
    return Response(body, status, {"ETag": f'"{annotation.version}"'}, mimetype="application/json")


@bp.errorhandler(services.WorkClosed)
def closed(e: services.WorkClosed):
    if e.submitted_at is None:
        return json_error(
            409,
            "Your teacher has released the feedback for this lesson, so it can't be changed now.",
            code="released",
        )
    return json_error(
        409,
        f"You submitted this lesson on {when(e.submitted_at)}, so it can't be changed now.",
        code="submitted",
        submitted_at=e.submitted_at.isoformat() + "Z",
    )


@bp.errorhandler(services.VersionConflict)
def conflict(e: services.VersionConflict):
    """409 with the server's current annotation (as GET shows it, ``"deleted": true`` when it
    was deleted; null when it never existed) and its ETag, so the page can offer "keep the
    saved one" or "keep mine" (a PUT with ``If-Match`` set to this version)."""
    current = present.annotation_json(e.current) if e.current is not None else None
    resp, status = json_error(
        409,
        "This annotation was changed in another tab or device.",
        code="conflict",
        current=current,
    )
    if e.current is not None:
        resp.headers["ETag"] = f'"{e.current.version}"'
    return resp, status


@bp.errorhandler(services.TooMany)
def too_many(e: services.TooMany):
    return json_error(422, e.message, code="too_many", limit=e.cap)


@bp.errorhandler(services.NotYours)
def not_yours(e: services.NotYours):
    return json_error(404, MESSAGES[404])  # as for any id that names nothing of theirs


@bp.get("/csrf-token")
def csrf_token():
    """A fresh token for a page that has been open longer than the token lives."""
    return {"csrf_token": generate_csrf()}


@bp.get("/assignments/<id:assignment_id>/annotations")
def list_annotations(assignment_id: int):
    a = student_assignment(assignment_id)
    rows = services.student_annotations(db.session, a, current_user)
    sub = services.submission_of(db.session, a, current_user)
    return {
        "annotations": [present.annotation_json(r) for r in rows],
        "submitted_at": sub.submitted_at.isoformat() + "Z" if sub else None,
    }


@bp.put("/assignments/<id:assignment_id>/annotations/<uuid>")
@hot_save
def put_annotation(assignment_id: int, uuid: str):
    """Create or update one annotation (idempotent by its UUID). The login named by the
    session is checked in the save's own query: no user is loaded first."""
    uuid = annotation_id(uuid)
    try:
        payload = request.get_json(silent=True)
    except RecursionError:  # JSON nested too deeply to parse is as unreadable as bad JSON
        payload = None
    claim = session_claim()
    if claim is None:  # require_student answered before the view runs
        return _login_ended()
    student = saves.Student(*claim)
    try:
        if payload is None:
            saves.check_member(db.session, student, assignment_id)  # 404 before 400
            return json_error(
                400,
                "The app sent something we couldn't read (not JSON). Reload the "
                "page; your work on this device is kept.",
                code="malformed",
            )
        annotation, created = saves.put_annotation(
            db.session, student, assignment_id, uuid, payload, _if_match()
        )
    except saves.NotMember:  # the gate let nothing through: say why
        if not current_user.is_authenticated:  # logged out, or a new password, elsewhere
            return _login_ended()
        if must_choose_password():
            return choose_password_first()
        abort(404)
    except Invalid as e:
        return json_error(422, e.message, "invalid", e.fields)
    return _saved(annotation, 201 if created else 200)


@bp.delete("/assignments/<id:assignment_id>/annotations/<uuid>")
def delete_annotation(assignment_id: int, uuid: str):
    a = student_assignment(assignment_id)
    services.delete_annotation(db.session, a, current_user, annotation_id(uuid), _if_match())
    db.session.commit()
    return "", 204


@bp.post("/assignments/<id:assignment_id>/submit")
def submit(assignment_id: int):
    a = student_assignment(assignment_id)
    sub = services.submit(db.session, a, current_user)
    db.session.commit()
    return {"submitted_at": sub.submitted_at.isoformat() + "Z"}


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
