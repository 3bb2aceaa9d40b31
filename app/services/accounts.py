"""Accounts: teachers and students, passwords, logging in and out everywhere."""

from __future__ import annotations

from functools import cache

import sqlalchemy as sa
from flask import current_app
from werkzeug.security import check_password_hash, generate_password_hash

from ..extensions import DbSession, writing
from ..models import (
    User,
)
from .errors import AccountError
from .rows import insert_unique


def hash_password(password: str) -> str:
    """Werkzeug's default (scrypt) unless PASSWORD_HASH_METHOD says otherwise (tests use a
    fast method; a hash records its method, so logins keep working if it changes)."""
    return generate_password_hash(password, current_app.config["PASSWORD_HASH_METHOD"])


def _add_account(
    session: DbSession, unique: str, taken: str, password: str, password_hash: str | None, **values
) -> User:
    """A new account, unless someone has its ``unique`` value (asked first; then the unique
    constraint, for someone who took it a moment ago): AccountError(``taken``) then."""
    if session.execute(sa.select(User.id).filter_by(**{unique: values[unique]})).first():
        raise AccountError(unique, taken)
    user = User(**values, password_hash=password_hash or hash_password(password))
    if not insert_unique(session, user):
        raise AccountError(unique, taken)
    return user


def create_teacher(
    session: DbSession, email: str, name: str, password: str, password_hash: str | None = None
) -> User:
    taken = "An account with that email already exists. Log in instead."
    return _add_account(
        session,
        "email",
        taken,
        password,
        password_hash,
        role="teacher",
        email=email.strip().lower(),
        display_name=name.strip(),
    )


def create_student(
    session: DbSession, username: str, name: str, password: str, password_hash: str | None = None
) -> User:
    taken = "That username is taken. Try adding a number to it."
    username = username.strip().lower()
    return _add_account(
        session,
        "username",
        taken,
        password,
        password_hash,
        role="student",
        username=username,
        display_name=name.strip() or username,
    )


def find_account(session: DbSession, login: str) -> User | None:
    """The account a login names: a teacher's email or a student's username."""
    login = login.strip().lower()
    column = User.email if "@" in login else User.username
    return session.execute(sa.select(User).where(column == login)).scalar_one_or_none()


def authenticate(session: DbSession, login: str, password: str) -> User | None:
    user = find_account(session, login)
    if user is None:
        check_password_hash(_DUMMY_HASH, password)  # same time whether or not the user exists
        return None
    return user if check_password_hash(user.password_hash, password) else None


def log_in(session: DbSession, login: str, password: str) -> User | None:
    """``authenticate`` for the login form: the hash is checked (and, if the policy changed,
    re-made) outside any write transaction, so a class logging in at once never queues on
    SQLite's write lock for ~0.1 s of scrypt each; only the upgrade's UPDATE writes."""
    with writing(False):
        user = authenticate(session, login, password)
        stale = (
            user is not None and not user.password_is_temporary and needs_rehash(user.password_hash)
        )
        session.rollback()  # end the read: nothing is held while hashing below
    if stale and user is not None:
        user.password_hash = hash_password(password)  # upgraded on login
        session.commit()
    return user


def needs_rehash(password_hash: str) -> bool:
    """The hash was made with other settings than PASSWORD_HASH_METHOD makes now (a hash
    starts with its method and parameters, e.g. ``scrypt:32768:8:1$``)."""
    return password_hash.split("$", 1)[0] != _method_prefix(
        current_app.config["PASSWORD_HASH_METHOD"]
    )


@cache
def _method_prefix(method: str) -> str:
    return generate_password_hash("x", method).split("$", 1)[0]


def set_password(user: User, password: str, *, temporary: str | None = None) -> None:
    """A new password (or, with ``temporary``, the hash of a one-time one): every session
    the person has open ends, on every device."""
    user.password_hash = temporary or hash_password(password)
    user.password_is_temporary = temporary is not None
    end_sessions(user)


def end_sessions(user: User) -> None:
    """Log the person out everywhere: sessions hold ``id.session_version`` (``User.get_id``),
    so moving the version on makes every existing session load no one."""
    user.session_version = (user.session_version or 0) + 1


_DUMMY_HASH = generate_password_hash("not-a-real-password")
