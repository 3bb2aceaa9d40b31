"""Sign-up, log-in, log-out, passwords and joining a class with a code.

Two blueprints: ``auth`` at the root, and ``account`` under ``/account``, where a student
holding a one-time password chooses their own (until they do, every other page sends them
there and the API answers 403)."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, Flask, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_required, login_user, logout_user
from werkzeug.security import check_password_hash

from .. import services
from ..extensions import db
from ..services import rosters
from .forms import (
    ActionForm,
    ChangePasswordForm,
    JoinCodeForm,
    LoginForm,
    NewPasswordForm,
    StudentSignupForm,
    TeacherSignupForm,
    csrf_message,
)
from .policy import form_view, open_to_temporary_password
from .security import devices, limits, sessions

bp = Blueprint("auth", __name__)
account = Blueprint("account", __name__, url_prefix="/account")


def _start_session(user) -> None:
    session.clear()  # a fresh session on login: nothing from before carries over
    login_user(user, remember=False)
    sessions.stamp(session)  # when the login started, and was last used: security/sessions


def _safe_next(default: str) -> str:
    target = request.args.get("next", "")
    parts = urlsplit(target)
    if target.startswith("/") and not target.startswith("//") and not parts.netloc:
        return target
    return default


@bp.route("/signup", methods=["GET", "POST"])
@form_view
def signup():
    form = TeacherSignupForm()
    error, status, headers = None, 200, {}
    if form.validate_on_submit():
        wait = limits.signup_wait()
        if wait:
            error, status, headers = limits.too_many_signups(wait), 429, limits.retry_after(wait)
        else:
            try:
                user = services.create_teacher(
                    db.session, form.email.data, form.name.data, form.password.data
                )
            except services.AccountError as e:
                form[e.field].errors.append(e.message)
            else:
                db.session.commit()
                _start_session(user)
                flash("Welcome! Create your first class below.", "success")
                return redirect(url_for("teacher.home"))
    return (
        render_template("auth/signup.html", form=form, error=error, csrf_error=csrf_message(form)),
        status,
        headers,
    )


@bp.route("/login", methods=["GET", "POST"])
@form_view
def login():
    form = LoginForm()
    error, status, headers = None, 200, {}
    if form.validate_on_submit():
        wait = limits.login_wait(form.login.data)
        user = None if wait else services.log_in(db.session, form.login.data, form.password.data)
        if user is not None:
            limits.login_succeeded(form.login.data)
            _start_session(user)
            home = url_for("teacher.home" if user.is_teacher else "student.home")
            resp = redirect(_safe_next(home))
            devices.remember(resp, form.login.data)  # this browser knows this account now
            return resp
        if wait:
            error, status, headers = limits.too_many_logins(wait), 429, limits.retry_after(wait)
        else:
            limits.login_failed(form.login.data)
            error, status = (
                ("That username or password is not right. Check the spelling and try again."),
                401,
            )
    return (
        render_template("auth/login.html", form=form, error=error, csrf_error=csrf_message(form)),
        status,
        headers,
    )


@bp.post("/logout")
@login_required
@form_view
@open_to_temporary_password
def logout():
    form = ActionForm()
    # an expired token must not keep someone logged in on a shared laptop, so a request from
    # this site logs out even then; one from another site needs the token
    if form.validate_on_submit() or same_origin():
        services.end_sessions(current_user)  # the cookie, if copied, logs no one in any more
        db.session.commit()
        logout_user()
        session.clear()
        flash("You are logged out.", "success")
    return redirect(url_for("auth.login"))


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
@form_view
def change_password():
    """Anyone logged in changes their password; their other sessions end (this one goes on)."""
    form = ChangePasswordForm()
    error, status, headers = None, 200, {}
    login = current_user.email or current_user.username
    if form.validate_on_submit():
        wait = limits.login_wait(login)
        if wait:
            error, status, headers = limits.too_many_logins(wait), 429, limits.retry_after(wait)
        elif not check_password_hash(current_user.password_hash, form.current.data):
            limits.login_failed(login)
            form.current.errors.append("That is not the password you use now.")
            status = 422
        else:
            user = current_user._get_current_object()
            services.set_password(user, form.password.data)
            db.session.commit()
            _start_session(user)
            flash(
                "Your new password is saved. Anywhere else you were logged in, you are now "
                "logged out.",
                "success",
            )
            return redirect(url_for("main.index"))
    if request.method == "POST" and status == 200:
        status = 422
    return (
        render_template(
            "auth/password.html", form=form, error=error, csrf_error=csrf_message(form)
        ),
        status,
        headers,
    )


def same_origin() -> bool:
    """The browser says the request came from one of this site's own pages."""
    source = request.headers.get("Origin") or request.headers.get("Referer") or ""
    return bool(source) and urlsplit(source).netloc == request.host


@bp.route("/join", methods=["GET", "POST"])
@form_view
def join():
    """Students join a class with the code; new ones pick a username and password here."""
    student = current_user if current_user.is_authenticated and current_user.is_student else None
    if current_user.is_authenticated and not student:
        flash("Teachers don't join classes: share the class code with your students.", "info")
        return redirect(url_for("teacher.home"))
    form = JoinCodeForm() if student else StudentSignupForm()
    if request.method == "GET" and request.args.get("code"):
        form.code.data = request.args["code"]
    error, status, headers = None, 200, {}
    if form.validate_on_submit():
        wait = limits.join_wait()  # first: a throttled browser costs no hashing
        # scrypt (~0.1 s) before any query: never inside SQLite's write lock, so a whole class
        # joining at once doesn't queue on it
        new_hash = services.hash_password(form.password.data) if not (student or wait) else None
        classroom = None if wait else services.classroom_by_code(db.session, form.code.data)
        if wait:
            error, status, headers = limits.too_many_codes(wait), 429, limits.retry_after(wait)
        elif classroom is None:
            limits.join_failed()
            form.code.errors.append(
                "We don't know that class code. Check it with your teacher (letters and numbers)."
            )
        else:
            try:
                if student is None:
                    student = services.create_student(
                        db.session,
                        form.username.data,
                        form.full_name,
                        form.password.data,
                        password_hash=new_hash,
                    )
                services.enroll(db.session, classroom, student)
            except services.AccountError as e:
                limits.join_failed()  # which usernames exist is asked only so often
                form[e.field].errors.append(e.message)
            else:
                db.session.commit()
                resp = redirect(url_for("student.home"))
                if not current_user.is_authenticated:
                    _start_session(student)
                    devices.remember(resp, student.username or "")
                flash(f"You joined {classroom.name}.", "success")
                return resp
    return (
        render_template(
            "auth/join.html",
            form=form,
            signed_in=student is not None,
            error=error,
            csrf_error=csrf_message(form),
        ),
        status,
        headers,
    )


@account.route("/new-password", methods=["GET", "POST"])
@login_required
@form_view
@open_to_temporary_password
def new_password():
    if not (current_user.is_student and current_user.password_is_temporary):
        return redirect(url_for("main.index"))
    form = NewPasswordForm()
    if form.validate_on_submit():
        if check_password_hash(current_user.password_hash, form.password.data):
            form.password.errors.append("Choose a password of your own, not the one on the card.")
        else:
            user = current_user._get_current_object()
            rosters.set_own_password(db.session, user, form.password.data)
            db.session.commit()
            login_user(user, remember=False)  # this session goes on with the new version
            flash("Your new password is saved. Use it from now on.", "success")
            return redirect(url_for("student.home"))
    return render_template(
        "teacher/roster_new_password.html", form=form, csrf_error=csrf_message(form)
    )


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
    app.register_blueprint(account)
