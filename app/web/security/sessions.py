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
"""

from __future__ import annotations

from typing import Any

from flask import Flask, Request
from flask.sessions import SecureCookieSession, SecureCookieSessionInterface
from itsdangerous import BadSignature, URLSafeTimedSerializer

from .signed import SignedValueCache

PLAIN = (str, int, float, bool, type(None))


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
        return self.session_class(data)  # a copy: a request changes only its own

    def _serializer(self, app: Flask) -> URLSafeTimedSerializer:
        serializer = self.get_signing_serializer(app)
        if serializer is None:  # create_app does not start without a secret key
            raise RuntimeError("sessions need a secret key")
        return serializer


def init_app(app: Flask) -> None:
    app.session_interface = VerifiedCookieSessions()
