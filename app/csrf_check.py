"""The CSRF check on every write, with the tokens a worker has verified kept.

Flask-WTF's ``CSRFProtect.protect`` verifies the signed token on every write (HMAC, base64,
JSON) and first parses the body as a form to look for it there. An autosave does little
else, sends the same token all lesson long in a header, and its body is JSON. So this check
gives Flask-WTF's answers, in the same order and words, with two differences in cost only:

- a body that is not a form (urlencoded or multipart) is not parsed as one: its form is
  empty, so the token can only be in a header (``WTF_CSRF_HEADERS``);
- each worker keeps the tokens it has verified (the token's text and the secret key are the
  key, so a new key or a changed token is verified the usual way) with what they hold and
  when they were signed, and checks only the age of a token it has seen, as itsdangerous
  does (older than ``WTF_CSRF_TIME_LIMIT`` or from the future: expired).

The token must still match the session's own (``compare_digest``), on HTTPS the referrer
must be this host, and forms that check their own token (``FlaskForm``) are unchanged.
"""

from __future__ import annotations

import hmac
import logging
import threading
import time

from flask import current_app, g, request, session
from flask_wtf.csrf import CSRFProtect, same_origin
from itsdangerous import BadData, SignatureExpired, URLSafeTimedSerializer
from wtforms import ValidationError

logger = logging.getLogger("flask_wtf.csrf")  # where Flask-WTF logs its refusals

FORMS = ("application/x-www-form-urlencoded", "multipart/form-data")
SALT = "wtf-csrf-token"  # Flask-WTF's


class VerifiedTokens:
    """Signed CSRF tokens already verified by this worker: (token, secret) -> (what it
    holds, when it was signed)."""

    max_entries = 4096
    clock = staticmethod(time.time)

    def __init__(self) -> None:
        self._verified: dict[tuple[str, str | bytes], tuple[str, int]] = {}
        self._lock = threading.Lock()

    def loads(self, token: str, secret: str | bytes, max_age: int | None) -> str:
        """What the token holds, as ``URLSafeTimedSerializer.loads`` says; raises
        ValidationError with Flask-WTF's words when it is expired or invalid."""
        key = (token, secret)
        known = self._verified.get(key)
        if known is not None:
            data, signed = known
            age = int(self.clock()) - signed
            if max_age is not None and (age > max_age or age < 0):
                raise ValidationError("The CSRF token has expired.")
            return data
        try:
            data, when = URLSafeTimedSerializer(secret, salt=SALT).loads(
                token, max_age=max_age, return_timestamp=True
            )
        except SignatureExpired as e:
            raise ValidationError("The CSRF token has expired.") from e
        except BadData as e:
            raise ValidationError("The CSRF token is invalid.") from e
        if isinstance(data, str):
            with self._lock:
                if len(self._verified) >= self.max_entries:
                    del self._verified[next(iter(self._verified))]  # the oldest
                self._verified[key] = (data, int(when.timestamp()))
        return data


class VerifiedCSRF(CSRFProtect):
    """``CSRFProtect`` whose ``protect`` verifies each token once per worker (see above)."""

    def __init__(self, app=None) -> None:
        self.tokens = VerifiedTokens()
        super().__init__(app)

    def _token(self) -> str | None:
        config = current_app.config
        if request.mimetype in FORMS:
            return self._get_csrf_token()  # Flask-WTF's own search: form fields, then headers
        for header in config["WTF_CSRF_HEADERS"]:
            token = request.headers.get(header)
            if token:
                return token
        return None

    def _validate(self, token: str | None) -> None:
        """``flask_wtf.csrf.validate_csrf``, with the signature checked once per worker."""
        config = current_app.config
        field = config["WTF_CSRF_FIELD_NAME"]
        if not token:
            raise ValidationError("The CSRF token is missing.")
        if field not in session:
            raise ValidationError("The CSRF session token is missing.")
        secret = config.get("WTF_CSRF_SECRET_KEY", current_app.secret_key)  # as Flask-WTF
        if secret is None:
            raise RuntimeError("A secret key is required to use CSRF.")
        data = self.tokens.loads(token, secret, config["WTF_CSRF_TIME_LIMIT"])
        if not hmac.compare_digest(session[field], data):
            raise ValidationError("The CSRF tokens do not match.")

    def protect(self, apply_exemptions: bool = False) -> None:
        if apply_exemptions and (not request.endpoint or self._is_exempt()):
            return
        if request.method not in current_app.config["WTF_CSRF_METHODS"]:
            return
        try:
            self._validate(self._token())
        except ValidationError as e:
            logger.info(e.args[0])
            self._error_response(e.args[0])
        if request.is_secure and current_app.config["WTF_CSRF_SSL_STRICT"]:
            if not request.referrer:
                self._error_response("The referrer header is missing.")
            if not same_origin(request.referrer, f"https://{request.host}/"):
                self._error_response("The referrer does not match the host.")
        g.csrf_valid = True
