"""Error pages: JSON for the API, HTML for people; never a bare 500."""

from __future__ import annotations

import logging

from flask import Flask, jsonify, render_template, request
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

log = logging.getLogger(__name__)

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


def _respond(status: int, message: str, code: str | None = None):
    if wants_json():
        body = {"error": message, "fields": {}}
        if code:
            body["code"] = code
        return jsonify(body), status
    return render_template("errors/error.html", status=status, message=message), status


def init_app(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def csrf_error(e: CSRFError):
        return _respond(400, "This page's security token has expired or is missing. "
                             "Reload the page and try again: your saved work is safe.", "csrf")

    @app.errorhandler(HTTPException)
    def http_error(e: HTTPException):
        status = e.code or 500
        return _respond(status, MESSAGES.get(status, e.description or "Something went wrong."))

    @app.errorhandler(Exception)
    def unexpected(e: Exception):
        log.exception("unhandled error on %s %s", request.method, request.path)
        return _respond(500, MESSAGES[500])
