"""Browsers that have logged in to an account before: OWASP's "device cookies".

A successful login leaves a signed cookie in the browser naming the accounts it has logged in
to (at most ``MAX_ACCOUNTS``, newest first), each as a keyed hash of the login, so the cookie
tells nobody reading it who they are. A browser that shows such a cookie for the login it
types is *known* for that account: its wrong passwords are counted per account and browser,
and the per-address limits (a whole school behind one address) never hold it back. Other
browsers are counted per account and address, and by address (``limits``).

The cookie is signed with the app's secret key (a forged or edited one is ignored) and lives a
year; logging out keeps it (it lets no one in: the password is still needed).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass

from flask import Flask, current_app, request
from itsdangerous import BadSignature, URLSafeSerializer
from werkzeug.wrappers import Response

COOKIE = "device"
MAX_ACCOUNTS = 10
LIFETIME = 365 * 24 * 60 * 60  # seconds


@dataclass(frozen=True)
class Device:
    id: str  # random, per browser
    accounts: tuple[str, ...]  # account_tag of each login, newest first

    def knows(self, tag: str) -> bool:
        return tag in self.accounts

    def remembering(self, tag: str) -> Device:
        """This browser, with ``tag`` first in its list."""
        kept = tuple(t for t in self.accounts if t != tag)
        return Device(self.id, (tag, *kept)[:MAX_ACCOUNTS])


def normalise_login(login: str) -> str:
    """A login as accounts are looked up (``services.find_account``)."""
    return login.strip().lower()


def account_tag(secret: str | bytes, login: str) -> str:
    """A keyed hash of a login: the same login gives the same tag with the same key."""
    key = secret.encode() if isinstance(secret, str) else secret
    digest = hmac.new(key, b"device-account:" + normalise_login(login).encode(), hashlib.sha256)
    return digest.hexdigest()[:24]


def _serializer(app: Flask) -> URLSafeSerializer:
    return URLSafeSerializer(app.secret_key or "", salt="device-cookie")


def parse(app: Flask, text: str | None) -> Device | None:
    """The device a cookie's text names, or None if it is missing, forged or malformed."""
    if not text:
        return None
    try:
        data = _serializer(app).loads(text)
    except BadSignature:
        return None
    if not isinstance(data, dict):
        return None
    device_id, accounts = data.get("id"), data.get("a")
    if not isinstance(device_id, str) or not isinstance(accounts, list):
        return None
    if not all(isinstance(a, str) for a in accounts):
        return None
    return Device(device_id, tuple(accounts[:MAX_ACCOUNTS]))


def current() -> Device | None:
    """The device cookie this request carries, if it is genuine."""
    return parse(current_app, request.cookies.get(COOKIE))


def tag(login: str) -> str:
    return account_tag(current_app.secret_key or "", login)


def remember(response: Response, login: str) -> None:
    """Add the account ``login`` names to this browser's device cookie (after a login)."""
    app = current_app
    device = current() or Device(secrets.token_hex(12), ())
    device = device.remembering(tag(login))
    response.set_cookie(
        COOKIE,
        _serializer(app).dumps({"id": device.id, "a": list(device.accounts)}),
        max_age=LIFETIME,
        httponly=True,
        secure=bool(app.config.get("SESSION_COOKIE_SECURE")),
        samesite="Lax",
    )
