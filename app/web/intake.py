"""Bringing a lesson in: a new lesson from a pasted or uploaded article, and a lesson file
imported whole. Each makes a draft of the teacher's and opens it in the editor; a problem is
said beside the field it is about, with everything typed kept."""

from __future__ import annotations

import json
from typing import Any

from flask import (
    Blueprint,
    Flask,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user
from werkzeug.exceptions import RequestEntityTooLarge

from .. import services
from ..domain.lessons import LessonSet
from ..domain.lessons.article import (
    MAX_PASTE_CHARS,
    TOO_DEEP,
    ArticleError,
    article_from_upload,
    blocks_from_text,
    draft_from_html,
    lesson_data_from_toml,
)
from ..domain.lessons.draft import TooDeep, new_draft, plain
from ..extensions import db
from ..services import library
from ..services.errors import FieldError
from .errors import json_body, json_error
from .forms import ImportLessonForm, NewLessonForm, csrf_message
from .main import only_for

bp = only_for("teacher", Blueprint("intake", __name__, url_prefix="/teacher/lessons"))

UPLOAD_LIMIT = 4 * MAX_PASTE_CHARS  # a pasted or uploaded page, in bytes, with the form around it
MAX_UPLOAD_MB = UPLOAD_LIMIT // 1_000_000


def _builtin() -> LessonSet:
    return services.current_lessons(current_app.config["LESSONS_DIR"])


def _page(form: NewLessonForm, imports: ImportLessonForm, status: int = 200):
    return render_template(
        "teacher/lesson_new.html",
        form=form,
        imports=imports,
        csrf_error=csrf_message(form) or csrf_message(imports),
        max_mb=MAX_UPLOAD_MB,
    ), status


def _kinds(raw: str | None) -> dict[str, str]:
    """The kinds the page's script kept for pasted blocks, by their text ({} if none)."""
    try:
        kinds = json.loads(raw or "{}")
    except ValueError:
        return {}
    if not isinstance(kinds, dict):
        return {}
    return {k: v for k, v in kinds.items() if isinstance(k, str) and isinstance(v, str)}


def _article(form: NewLessonForm) -> tuple[str, list[tuple[str, str]]]:
    """(a suggested title, the blocks) from the upload, else the pasted text; FieldError
    naming the field when neither gives an article."""
    upload = form.file.data
    if upload and getattr(upload, "filename", ""):
        try:
            draft = article_from_upload(upload.filename, upload.read(UPLOAD_LIMIT))
        except ArticleError as e:
            raise FieldError("file", str(e)) from None
        return draft.title, draft.blocks
    try:
        blocks = blocks_from_text(form.article.data or "")
    except ArticleError as e:
        raise FieldError("article", str(e)) from None
    if not blocks:
        raise FieldError("article", "Paste the article's text here, or upload it as a file.")
    kinds = _kinds(form.kinds.data)
    return "", [(kinds.get(text, kind), text) for kind, text in blocks]


def _meta(form: NewLessonForm, title: str) -> dict[str, Any]:
    published = form.published.data.isoformat() if form.published.data else ""
    if published and form.approximate.data:
        published = f"about {published}"
    return {
        "title": title,
        "outlet": (form.outlet.data or "").strip(),
        "byline": (form.byline.data or "").strip(),
        "url": (form.url.data or "").strip(),
        "published": published,
        "grade_band": (form.grade_band.data or "").strip(),
        "minutes": form.minutes.data or 30,
        "teacher_note": (form.teacher_note.data or "").strip(),
    }


@bp.route("/new", methods=["GET", "POST"])
def new():
    request.max_content_length = UPLOAD_LIMIT
    form, imports = NewLessonForm(), ImportLessonForm(formdata=None, prefix="import")
    if not form.validate_on_submit():
        return _page(form, imports, 422 if request.method == "POST" else 200)
    try:
        suggested, blocks = _article(form)
    except FieldError as e:
        form[e.field].errors = [e.message]
        return _page(form, imports, 422)
    title = (form.title.data or "").strip() or suggested
    if not title:
        form.title.errors = ["Give the lesson a title (students see it above the article)."]
        return _page(form, imports, 422)
    data = new_draft(library.free_id(db.session, _builtin(), title), _meta(form, title), blocks)
    row = library.create_authored(db.session, current_user, data, _builtin())
    db.session.commit()
    flash(
        "Your draft is ready. Check the article's blocks, then build the answer key by "
        "highlighting the article.",
        "success",
    )
    return redirect(url_for("authoring.edit", authored_id=row.id))


@bp.post("/paste")
def paste():
    """Pasted HTML read into blocks for the new-lesson page's script: text, never HTML."""
    request.max_content_length = UPLOAD_LIMIT
    body = json_body()
    html = body.get("html") if isinstance(body, dict) else None
    if not isinstance(html, str):
        return json_error(400, "Paste the article again.")
    try:
        draft = draft_from_html(html)
    except ArticleError as e:
        return json_error(422, str(e))
    return {"title": draft.title, "blocks": [list(b) for b in draft.blocks]}


@bp.post("/import")
def import_file():
    request.max_content_length = UPLOAD_LIMIT
    form, imports = NewLessonForm(formdata=None), ImportLessonForm(prefix="import")
    if not imports.validate_on_submit():
        return _page(form, imports, 422)
    data, error = lesson_data_from_toml(imports.file.data.read(UPLOAD_LIMIT))
    if data is None:
        imports.file.errors = [error or "This file could not be read as a lesson file."]
        return _page(form, imports, 422)
    try:
        data = plain(data)
    except TooDeep:
        imports.file.errors = [TOO_DEEP]
        return _page(form, imports, 422)
    wanted = data.get("id")
    builtin = _builtin()
    if not isinstance(wanted, str) or library.free_id(db.session, builtin, wanted) != wanted:
        data["id"] = library.free_id(db.session, builtin, str(data.get("title") or "lesson"))
    row = library.create_authored(db.session, current_user, data, builtin)
    db.session.commit()
    errors = sum(p.is_error for p in library.checked(row).problems)
    flash(
        "Imported as a draft."
        + (
            f" The check found {errors} problem{'s' if errors != 1 else ''} to fix: each is "
            "shown beside its part of the lesson."
            if errors
            else " It is ready to publish."
        ),
        "success" if not errors else "error",
    )
    return redirect(url_for("authoring.edit", authored_id=row.id))


@bp.errorhandler(RequestEntityTooLarge)
def too_large(e: RequestEntityTooLarge):
    message = f"That is more than {MAX_UPLOAD_MB} MB: upload or paste only the article."
    if request.endpoint == "intake.paste":
        return json_error(413, message)
    form, imports = NewLessonForm(formdata=None), ImportLessonForm(formdata=None, prefix="import")
    (imports if request.endpoint == "intake.import_file" else form).file.errors = [message]
    return _page(form, imports, 413)


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
