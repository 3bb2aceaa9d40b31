"""The app's rate limits, on top of ``ratelimit``: failed logins per username and address,
wrong class codes and teacher sign-ups per address, saves per student.

A whole class usually shares one school address, so limits per address alone would lock the
class out together: failed logins are counted per username *and* address (one student's
typos don't stop the others), with a much higher ceiling per address against someone trying
one password on many usernames. Limits answer 429 with ``Retry-After`` and say in words how
long to wait.
"""

from __future__ import annotations

from collections.abc import Callable

from flask import Flask, current_app, request

from .ratelimit import Limit, Limiter, in_words, storage


def limiter() -> Limiter:
    return current_app.extensions["limiter"]


# name -> (the setting that gives the count, the window in seconds)
LIMITS = {
    "login_failures": ("RATE_LIMIT_LOGIN_FAILURES", 15 * 60),
    "login_failures_per_address": ("RATE_LIMIT_LOGIN_FAILURES_PER_ADDRESS", 15 * 60),
    "join_failures": ("RATE_LIMIT_JOIN_FAILURES", 15 * 60),
    "signups": ("RATE_LIMIT_SIGNUPS_PER_HOUR", 60 * 60),
    "api_writes": ("RATE_LIMIT_API_PER_MINUTE", 60),
}


def _limit(name: str) -> Limit:
    setting, seconds = LIMITS[name]
    return Limit(name, int(current_app.config[setting]), seconds)


def _address() -> str:
    return request.remote_addr or "?"


def login_wait(login: str) -> float | None:
    """Seconds to wait before this username may try again from here, or None."""
    who = f"{login.strip().lower()}|{_address()}"
    return limiter().over(_limit("login_failures"), who) or limiter().over(
        _limit("login_failures_per_address"), _address()
    )


def login_failed(login: str) -> None:
    limiter().hit(_limit("login_failures"), f"{login.strip().lower()}|{_address()}")
    limiter().hit(_limit("login_failures_per_address"), _address())


def login_succeeded(login: str) -> None:
    limiter().reset(_limit("login_failures"), f"{login.strip().lower()}|{_address()}")


def _wait_message(text: str) -> Callable[[float], str]:
    """What a 429 says: ``text`` with ``{wait}`` put in words ("about 3 minutes")."""
    return lambda wait: text.format(wait=in_words(wait))


too_many_logins = _wait_message(
    "Too many wrong passwords for this username. Wait {wait}, then try again. Students: if "
    "you forgot your password, your teacher can give you a new one."
)
too_many_codes = _wait_message(
    "Too many wrong class codes were typed on this network. Wait {wait}, then try again, "
    "and check the code with your teacher."
)
too_many_signups = _wait_message(
    "Too many accounts were made from this network just now. Wait {wait}, then try again."
)


def wrong_code_wait() -> float | None:
    return limiter().over(_limit("join_failures"), _address())


def wrong_code() -> None:
    limiter().hit(_limit("join_failures"), _address())


def signup_wait() -> float | None:
    return limiter().hit(_limit("signups"), _address())


def retry_after(wait: float) -> dict[str, str]:
    return {"Retry-After": str(int(wait + 0.999))}


def api_write_wait(user_id: int) -> float | None:
    """Seconds this student must wait before saving again (None: go on), from a lease of the
    shared count (``RATE_LIMIT_API_LEASE``); the rule is ``policy.api_write_limit``."""
    lease = int(current_app.config["RATE_LIMIT_API_LEASE"])
    return limiter().hit(_limit("api_writes"), str(user_id), lease=lease)


def init_app(app: Flask) -> None:
    store = storage(app.config.get("REDIS_URL"), prefix=app.config["RATE_LIMIT_PREFIX"])
    app.extensions["limiter"] = Limiter(store)
