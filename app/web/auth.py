"""Sign-up, log-in, log-out and joining a class with a code."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, Flask, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_required, login_user, logout_user

from .. import services
from ..extensions import db
from .forms import (
    ActionForm,
    JoinCodeForm,
    LoginForm,
    StudentSignupForm,
    TeacherSignupForm,
    csrf_message,
)
from .main import form_view

bp = Blueprint("auth", __name__)


def _start_session(user) -> None:
    session.clear()  # a fresh session on login: nothing from before carries over
    login_user(user, remember=False)


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
    if form.validate_on_submit():
        try:
            user = services.create_teacher(
                db.session, form.email.data, form.name.data, form.password.data)
        except services.AccountError as e:
            form[e.field].errors.append(e.message)
        else:
            db.session.commit()
            _start_session(user)
            flash("Welcome! Create your first class below.", "success")
            return redirect(url_for("teacher.home"))
    return render_template("auth/signup.html", form=form, csrf_error=csrf_message(form))


@bp.route("/login", methods=["GET", "POST"])
@form_view
def login():
    form = LoginForm()
    error = None
    if form.validate_on_submit():
        user = services.authenticate(db.session, form.login.data, form.password.data)
        if user is not None:
            _start_session(user)
            home = url_for("teacher.home" if user.is_teacher else "student.home")
            return redirect(_safe_next(home))
        error = "That username or password is not right. Check the spelling and try again."
    return render_template("auth/login.html", form=form, error=error,
                           csrf_error=csrf_message(form)), 200 if error is None else 401


@bp.post("/logout")
@login_required
@form_view
def logout():
    form = ActionForm()
    # an expired token must not keep someone logged in on a shared laptop, so a request from
    # this site logs out even then; one from another site needs the token
    if form.validate_on_submit() or same_origin():
        logout_user()
        session.clear()
        flash("You are logged out.", "success")
    return redirect(url_for("auth.login"))


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
    if form.validate_on_submit():
        classroom = services.classroom_by_code(db.session, form.code.data)
        if classroom is None:
            form.code.errors.append(
                "We don't know that class code. Check it with your teacher (letters and numbers).")
        else:
            try:
                if student is None:
                    student = services.create_student(
                        db.session, form.username.data, form.name.data, form.password.data)
                services.enroll(db.session, classroom, student)
            except services.AccountError as e:
                form[e.field].errors.append(e.message)
            else:
                db.session.commit()
                if not current_user.is_authenticated:
                    _start_session(student)
                flash(f"You joined {classroom.name}.", "success")
                return redirect(url_for("student.home"))
    return render_template("auth/join.html", form=form, signed_in=student is not None,
                           csrf_error=csrf_message(form))


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
