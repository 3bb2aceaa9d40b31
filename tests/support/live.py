"""The one live server: the app served on 127.0.0.1 by a thread, for the browser tests, on its
own copy of the migrated database (SQLite) or on TEST_DATABASE_URL, with a lessons folder of
its own. ``tests/browser/conftest.py`` starts the everyday one; a test module that needs other
lessons or settings starts its own with ``live_server(...)``."""

from __future__ import annotations

import contextlib
import logging
import shutil
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from werkzeug.serving import make_server

from app import create_app
from app.extensions import db
from tests.support.factory import Factory

ROOT = Path(__file__).resolve().parents[2]
REAL_LESSON = ROOT / "lessons" / "kiev-anger-milley.toml"


@dataclass
class LiveServer:
    url: str
    app: object
    thread: threading.Thread
    server: object

    def factory(self) -> Factory:
        """The factory, for use inside ``with server.app.app_context():``."""
        return Factory(self.app)


def _buffered(app):
    """Read each response whole, then close it, before sending. The development server leaves
    a file response unclosed when the browser drops the connection (offline tests do), and the
    file's ResourceWarning would then surface in some later, unrelated test."""

    def wsgi(environ, start_response):
        result = app(environ, start_response)
        try:
            body = b"".join(result)
        finally:
            close = getattr(result, "close", None)
            if close is not None:
                close()
        return [body]

    return wsgi


@contextlib.contextmanager
def live_server(
    config: dict, folder: Path, lessons: dict[str, str] | None = None, **overrides
) -> Iterator[LiveServer]:
    """Serve the app made from ``config`` (tests/conftest.py's base config, whose database URL
    is a template SQLite file or PostgreSQL) from a thread, with the real lesson and
    ``lessons`` (file name -> text) in a folder of its own under ``folder``; ``overrides``
    change the config (e.g. a rate limit)."""
    url = config["SQLALCHEMY_DATABASE_URI"]
    if url.startswith("sqlite:///"):
        copy = folder / "live.sqlite3"
        shutil.copy(url.removeprefix("sqlite:///"), copy)
        url = f"sqlite:///{copy}"
    lesson_dir = folder / "lessons"
    lesson_dir.mkdir()
    shutil.copy(REAL_LESSON, lesson_dir)
    for name, text in (lessons or {}).items():
        (lesson_dir / name).write_text(text, encoding="utf-8")
    app = create_app(
        {**config, "SQLALCHEMY_DATABASE_URI": url, "LESSONS_DIR": str(lesson_dir), **overrides}
    )
    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # no line per request in the output
    server = make_server("127.0.0.1", 0, _buffered(app), threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield LiveServer(f"http://127.0.0.1:{server.server_port}", app, thread, server)
    finally:
        server.shutdown()
        thread.join(5)
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
