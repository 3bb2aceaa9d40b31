"""The CSRF check on every write (``policy.csrf_guard``), with the tokens a worker has verified
kept.

Flask-WTF's ``CSRFProtect.protect`` verifies the signed token on every write (HMAC, base64,
JSON) and first parses the body as a form to look for it there. An autosave does little
else, sends the same token all lesson long in a header, and its body is JSON. So this check
gives the answers of Flask-WTF's public ``validate_csrf`` and ``CSRFProtect.protect``, in the
same order and words (a test holds it to them), with two differences in cost only:

- a body that is not a form (urlencoded or multipart) is not parsed as one: its form is
  empty, so the token can only be in a header (``WTF_CSRF_HEADERS``);
- the signature is checked with itsdangerous through a ``SignedValueCache``: a token this
  worker has verified (under the same secret) is only checked for age
  (``WTF_CSRF_TIME_LIMIT``).

The token must still match the session's own (``compare_digest``), on HTTPS the referrer
must be this host, and forms that check their own token (``FlaskForm``) are unchanged.
Flask-WTF's ``CSRFProtect`` (``extensions.csrf``) still sets the settings' defaults and gives
templates ``csrf_token()``; its own check is turned off (``policy.init_app``).
"""

from __future__ import annotations

import hmac
import logging

from flask import current_app, g, request, session
from flask_wtf.csrf import CSRFError, same_origin
from itsdangerous import BadData, SignatureExpired, URLSafeTimedSerializer
from wtforms import ValidationError

from .signed import SignedValueCache

logger = logging.getLogger("flask_wtf.csrf")  # where Flask-WTF logs its refusals

FORMS = ("application/x-www-form-urlencoded", "multipart/form-data")
SALT = "wtf-csrf-token"  # what Flask-WTF's generate_csrf signs with

tokens = SignedValueCache()  # this worker's verified tokens


def _is_text(value: object) -> bool:
    return isinstance(value, str)


def token_sent() -> str | None:
    """Where Flask-WTF looks: a form's field (also with a form prefix), then the headers."""
    config = current_app.config
    if request.mimetype in FORMS:
        form, field = request.form, config["WTF_CSRF_FIELD_NAME"]
        if form.get(field):
            return form[field]
        for key in form:  # a form with a prefix names it "<prefix>-csrf_token"
            if key.endswith(field) and form[key]:
                return form[key]
    for header in config["WTF_CSRF_HEADERS"]:
        token = request.headers.get(header)
        if token:
            return token
    return None


def validate(token: str | None) -> None:
    """``flask_wtf.csrf.validate_csrf(token)``: raises ValidationError with its words."""
    config = current_app.config
    field = config["WTF_CSRF_FIELD_NAME"]
    if not token:
        raise ValidationError("The CSRF token is missing.")
    if field not in session:
        raise ValidationError("The CSRF session token is missing.")
    secret = config.get("WTF_CSRF_SECRET_KEY", current_app.secret_key)  # as Flask-WTF
    if secret is None:
        raise RuntimeError("A secret key is required to use CSRF.")
    try:
        data = tokens.loads(
            token,
            secret,
            max_age=config["WTF_CSRF_TIME_LIMIT"],
            serializer=lambda: URLSafeTimedSerializer(secret, salt=SALT),
            keep=_is_text,
        )
    except SignatureExpired as e:
        raise ValidationError("The CSRF token has expired.") from e
    except BadData as e:
        raise ValidationError("The CSRF token is invalid.") from e
    if not hmac.compare_digest(session[field], data):
        raise ValidationError("The CSRF tokens do not match.")


def protect() -> None:
    """``CSRFProtect.protect()``: a write without a good token raises ``CSRFError`` (400)."""
    if request.method not in current_app.config["WTF_CSRF_METHODS"]:
        return
    try:
        validate(token_sent())
    except ValidationError as e:
        logger.info(e.args[0])
        raise CSRFError(e.args[0]) from None
    if request.is_secure and current_app.config["WTF_CSRF_SSL_STRICT"]:
        if not request.referrer:
            raise CSRFError("The referrer header is missing.")
        if not same_origin(request.referrer, f"https://{request.host}/"):
            raise CSRFError("The referrer does not match the host.")
    g.csrf_valid = True  # FlaskForm's own check then passes
