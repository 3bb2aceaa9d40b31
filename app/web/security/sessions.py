"""The session cookie, verified once per worker.

Flask checks the signed session cookie on every request: the HMAC, base64, then its tagged
JSON. On an autosave, which does little else, that is about a tenth of the request, and a
worker sees the same cookie again and again (a student's cookie only changes when their
session does). So the cookies a worker has verified are kept in a ``SignedValueCache``.

What it keeps is exactly what Flask would decode: the key is the cookie's whole text and the
secret keys (a new key or a tampered cookie is a miss, and verified the usual way); a
cookie past ``PERMANENT_SESSION_LIFETIME`` is treated as Flask treats it (an empty session);
only sessions whose values are plain (text, numbers, booleans) are kept, so no list in a
cached session (such as the flashed messages) can be changed in place by a request and seen
by the next; each request gets its own copy.

A login ends on the server's say, whatever the cookie's own age: the session holds when it
logged in (``LOGGED_IN``) and when it was last used (``SEEN``), both inside what is signed.
One unused for ``SESSION_IDLE_TIMEOUT`` seconds, or logged in more than
``SESSION_MAX_AGE`` seconds ago, opens as a logged-out session carrying a message that says
why (``ENDED``), which the login page then shows in place of Flask-Login's "Please log
in". The last-used time is written again at most once every ``SEEN_EVERY`` seconds, so most
requests set no cookie.
"""

from __future__ import annotations

import time
from typing import Any

from flask import Flask, Request, session
from flask.sessions import SecureCookieSession, SecureCookieSessionInterface
from itsdangerous import BadSignature, URLSafeTimedSerializer

from ...extensions import login_manager
from .ratelimit import in_words
from .signed import SignedValueCache

PLAIN = (str, int, float, bool, type(None))
LOGGED_IN, SEEN = "_logged_in_at", "_seen_at"  # seconds since the epoch
ENDED = "_ended"  # why the login ended, for the login page
SEEN_EVERY = 60


def login_ended(data: Any, now: float, idle: int, max_age: int) -> str | None:
    """Why a session that names someone has ended ("idle", "max_age"; "unstamped" for a
    session from before logins were stamped), or None if it goes on."""
    logged_in, seen = data.get(LOGGED_IN), data.get(SEEN)
    if not (isinstance(logged_in, int) and isinstance(seen, int)):
        return "unstamped"
    if now - logged_in > max_age:
        return "max_age"
    if now - seen > idle:
        return "idle"
    return None


def ended_message(reason: str, idle: int, max_age: int) -> str:
    if reason == "idle":
        return (
            f"You were logged out after {in_words(idle)} without using the site. Log in "
            "again to carry on."
        )
    if reason == "max_age":
        return (
            f"You were logged out because you logged in {in_words(max_age)} ago. Log in "
            "again to carry on."
        )
    return "Your login has ended. Log in again to carry on."


def stamp(session: Any, now: float | None = None) -> None:
    """Mark a session as logged in now (at login)."""
    now = int(time.time() if now is None else now)
    session[LOGGED_IN] = session[SEEN] = now


def _plain(data: Any) -> bool:
    return isinstance(data, dict) and all(isinstance(v, PLAIN) for v in data.values())


class VerifiedCookieSessions(SecureCookieSessionInterface):
    def __init__(self) -> None:
        self.cookies = SignedValueCache()

    def open_session(self, app: Flask, request: Request) -> SecureCookieSession | None:
        if not app.secret_key:
            return None
        cookie = request.cookies.get(self.get_cookie_name(app))
        if not cookie:
            return self.session_class()
        secrets = (app.secret_key, tuple(app.config["SECRET_KEY_FALLBACKS"] or ()))
        try:
            data = self.cookies.loads(
                cookie,
                secrets,
                max_age=int(app.permanent_session_lifetime.total_seconds()),
                serializer=lambda: self._serializer(app),
                keep=_plain,
            )
        except BadSignature:
            return self.session_class()
        session = self.session_class(data)  # a copy: a request changes only its own
        if "_user_id" not in session:
            return session
        now = time.time()
        idle, max_age = int(app.config["SESSION_IDLE_TIMEOUT"]), int(app.config["SESSION_MAX_AGE"])
        reason = login_ended(session, now, idle, max_age)
        if reason is not None:
            ended = self.session_class({ENDED: ended_message(reason, idle, max_age)})
            ended.modified = True  # the browser forgets the old cookie
            return ended
        if now - session[SEEN] >= SEEN_EVERY:
            session[SEEN] = int(now)
        return session

    def _serializer(self, app: Flask) -> URLSafeTimedSerializer:
        serializer = self.get_signing_serializer(app)
        if serializer is None:  # create_app does not start without a secret key
            raise RuntimeError("sessions need a secret key")
        return serializer


def why_logged_out(message: str) -> str:
    """What the login page says to someone sent there: why their login ended, if it just
    did, else ``message`` (Flask-Login's "Please log in")."""
    ended = session.pop(ENDED, None)
    return ended if isinstance(ended, str) else message


def init_app(app: Flask) -> None:
    app.session_interface = VerifiedCookieSessions()
    login_manager.localize_callback = why_logged_out
