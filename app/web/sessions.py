"""The session cookie, verified once per worker.

Flask checks the signed session cookie on every request: the HMAC, base64, then its tagged
JSON. On an autosave, which does little else, that is about a tenth of the request, and a
worker sees the same cookie again and again (a student's cookie only changes when their
session does). So each worker keeps the cookies it has verified, with what they hold and
when they were signed, and checks only the age for a cookie it has seen.

What it keeps is exactly what Flask would decode: the key is the cookie's whole text and the
secret keys (a new key or a tampered cookie is a miss, and verified the usual way); a
cookie past ``PERMANENT_SESSION_LIFETIME`` is treated as Flask treats it (an empty session);
only sessions whose values are plain (text, numbers, booleans) are kept, so no list in a
cached session (such as the flashed messages) can be changed in place by a request and seen
by the next; each request gets its own copy.
"""

from __future__ import annotations

import threading
import time

from flask import Flask, Request
from flask.sessions import SecureCookieSession, SecureCookieSessionInterface
from itsdangerous import BadSignature

PLAIN = (str, int, float, bool, type(None))


class VerifiedCookieSessions(SecureCookieSessionInterface):
    max_entries = 4096

    def __init__(self) -> None:
        self._verified: dict[tuple, tuple[dict, float]] = {}
        self._lock = threading.Lock()

    def open_session(self, app: Flask, request: Request) -> SecureCookieSession | None:
        if not app.secret_key:
            return None
        cookie = request.cookies.get(self.get_cookie_name(app))
        if not cookie:
            return self.session_class()
        max_age = int(app.permanent_session_lifetime.total_seconds())
        key = (cookie, app.secret_key, tuple(app.config["SECRET_KEY_FALLBACKS"] or ()))
        known = self._verified.get(key)
        if known is not None and time.time() - known[1] <= max_age:
            return self.session_class(known[0])
        try:
            data, signed = self.get_signing_serializer(app).loads(
                cookie, max_age=max_age, return_timestamp=True
            )
        except BadSignature:
            return self.session_class()
        if all(isinstance(value, PLAIN) for value in data.values()):
            with self._lock:
                if len(self._verified) >= self.max_entries:
                    del self._verified[next(iter(self._verified))]  # the oldest
                self._verified[key] = (dict(data), signed.timestamp())
        return self.session_class(data)


def init_app(app: Flask) -> None:
    app.session_interface = VerifiedCookieSessions()
