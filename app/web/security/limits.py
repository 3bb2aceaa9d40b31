"""The app's rate limits, on top of ``ratelimit``: failed logins, wrong class codes, teacher
sign-ups per address, saves per student.

A whole school usually shares one address, so no limit may refuse everyone at that address
because of what one person does there (anyone could repeat it and lock the school out):

- Wrong passwords are counted per account. A browser that has logged in to that account
  before (its device cookie: ``devices``) is counted on its own and is never held back by
  anything counted per address; any other browser is counted per account *and* address (one
  student's typos, or someone guessing one account, don't stop the rest of the class).
- Per address, wrong passwords only *slow* guessing: past ``RATE_LIMIT_LOGIN_FAILURES_PER_
  ADDRESS`` in the window, each further wrong password for an account makes the next try at
  that account from that address (in a browser not known for it) wait, longer each time
  (``slow_down``). Accounts nobody is guessing at log in as usual.
- Wrong class codes, and usernames someone already has, typed when joining a class are
  counted per browser (a random id kept in its session), and per address only as a backstop
  far above what a class mistypes.

- Usernames someone outside the teacher's classes has, found in the teacher's roster files,
  are counted per teacher (teacher sign-up is open, so a stranger could otherwise upload
  files of guesses to learn which usernames exist); past the limit the whole import is
  refused. Imports without such usernames count nothing.

Limits answer 429 with ``Retry-After`` and say in words how long to wait.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable

from flask import Flask, current_app, request, session

from . import devices
from .ratelimit import Limit, Limiter, in_words, storage


def limiter() -> Limiter:
    return current_app.extensions["limiter"]


# name -> (the setting that gives the count, the window in seconds)
LIMITS = {
    "login_failures": ("RATE_LIMIT_LOGIN_FAILURES", 15 * 60),
    "login_failures_per_address": ("RATE_LIMIT_LOGIN_FAILURES_PER_ADDRESS", 15 * 60),
    "join_failures": ("RATE_LIMIT_JOIN_FAILURES", 15 * 60),
    "join_failures_per_browser": ("RATE_LIMIT_JOIN_FAILURES_PER_BROWSER", 15 * 60),
    "signups": ("RATE_LIMIT_SIGNUPS_PER_HOUR", 60 * 60),
    "api_writes": ("RATE_LIMIT_API_PER_MINUTE", 60),
    "roster_taken": ("RATE_LIMIT_ROSTER_TAKEN_PER_HOUR", 60 * 60),
}
WINDOW = 15 * 60  # the login and join windows
# the first wait once an address is slowed down; it doubles with each wrong password
SLOW_FIRST_WAIT = 15


def _limit(name: str) -> Limit:
    setting, seconds = LIMITS[name]
    return Limit(name, int(current_app.config[setting]), seconds)


def _address() -> str:
    return request.remote_addr or "?"


def slow_down(failures: int, first: int = SLOW_FIRST_WAIT, longest: int = WINDOW) -> int:
    """Seconds before the next try at an account after its ``failures``-th wrong password
    from a slowed-down address: ``first``, then twice as long each time, at most
    ``longest``."""
    if failures < 1:
        return 0
    return min(first * 2 ** min(failures - 1, 30), longest)


def _login_counter(login: str) -> str:
    """Whose wrong passwords count: this account in this browser, if the browser has logged
    in to it before; else this account from this address."""
    who = devices.normalise_login(login)
    device = devices.current()
    if device is not None and device.knows(devices.tag(login)):
        return f"{who}|device:{device.id}"
    return f"{who}|{_address()}"


def _slow(wait: int) -> Limit:
    return Limit("login_slow", 1, wait)


def login_wait(login: str) -> float | None:
    """Seconds to wait before this username may try again from this browser, or None."""
    who = _login_counter(login)
    return limiter().over(_limit("login_failures"), who) or limiter().over(_slow(1), who)


def login_failed(login: str) -> None:
    who = _login_counter(login)
    limiter().hit(_limit("login_failures"), who)
    if "|device:" in who:
        return  # a known browser: nothing is counted per address
    crowded = limiter().hit(_limit("login_failures_per_address"), _address())
    if crowded is not None:  # past the address's allowance: this account slows down
        failures = limiter().count(_limit("login_failures"), who)
        limiter().hit(_slow(slow_down(failures)), who)


def login_succeeded(login: str) -> None:
    who = _login_counter(login)
    limiter().reset(_limit("login_failures"), who)
    limiter().reset(_slow(1), who)


def _wait_message(text: str) -> Callable[[float], str]:
    """What a 429 says: ``text`` with ``{wait}`` put in words ("about 3 minutes")."""
    return lambda wait: text.format(wait=in_words(wait))


too_many_logins = _wait_message(
    "Too many wrong passwords for this username. Wait {wait}, then try again. Students: if "
    "you forgot your password, your teacher can give you a new one."
)
too_many_codes = _wait_message(
    "Too many wrong class codes or taken usernames. Wait {wait}, then try again, and check "
    "the code with your teacher."
)
too_many_signups = _wait_message(
    "Too many accounts were made from this network just now. Wait {wait}, then try again."
)


def _browser(create: bool = False) -> str | None:
    """A random id for this browser, kept in its session (where its CSRF token is)."""
    if "browser" not in session and create:
        session["browser"] = secrets.token_hex(8)
    browser = session.get("browser")
    return browser if isinstance(browser, str) else None


def join_wait() -> float | None:
    """Seconds before this browser may try joining a class again, or None."""
    browser = _browser()
    mine = limiter().over(_limit("join_failures_per_browser"), browser) if browser else None
    return mine or limiter().over(_limit("join_failures"), _address())


def join_failed() -> None:
    """A wrong class code, or a username someone has (each answer tells a guesser something:
    which codes open a class, which usernames exist), from this browser and address."""
    limiter().hit(_limit("join_failures_per_browser"), _browser(create=True) or "?")
    limiter().hit(_limit("join_failures"), _address())


def signup_wait() -> float | None:
    return limiter().hit(_limit("signups"), _address())


def roster_taken_wait(teacher_id: int) -> float | None:
    """Seconds before this teacher may import a roster again, or None: only once past the
    limit (a teacher who reached it exactly may still import files with no taken username;
    only a file that goes past it is refused, and then every file until the window ends)."""
    limit, who = _limit("roster_taken"), str(teacher_id)
    if limiter().count(limit, who) <= limit.count:
        return None
    return limiter().over(limit, who)


def roster_taken(teacher_id: int, usernames: int) -> float | None:
    """Count the usernames an import found taken by someone outside the teacher's classes;
    the seconds to wait if that went past the limit (the import is then refused), else None."""
    if usernames < 1:
        return None
    return limiter().add(_limit("roster_taken"), str(teacher_id), usernames)


def too_many_taken(wait: float) -> str:
    return (
        "Your roster files this hour have had more than "
        f"{current_app.config['RATE_LIMIT_ROSTER_TAKEN_PER_HOUR']} usernames that someone "
        "outside your classes already has. To keep students' usernames private, imports are "
        f"paused for a while. Wait {in_words(wait)}, then upload the file again; meanwhile, "
        "give new students usernames less likely to be taken (e.g. add a number)."
    )


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
