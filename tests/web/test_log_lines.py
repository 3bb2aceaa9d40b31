"""No request can add a line to a log: the access log (gunicorn.conf.py's ``AccessLogger``) and
the app's error log (app/web/errors.py) escape what a request carries (``log_safe``). The
access log under a real gunicorn is in test_gunicorn.py."""

from __future__ import annotations

import logging
import re
import runpy
from datetime import timedelta
from pathlib import Path
from types import SimpleNamespace

import pytest
from flask import request
from gunicorn.config import Config
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.support.properties import examples

ROOT = Path(__file__).resolve().parents[2]
FORGED = '127.0.0.1 [07/Dec/2026:02:00:00 +0000] "POST /teacher/classes/1/delete HTTP/1.1" 302'
# a line as the access log writes it: address, [time], "method path protocol", status...
LINE = re.compile(r'^\S+ \[[^\]]+\] "(\S+) (.*) (HTTP/1\.[01])" (\d{3}) ')


def access_logger(path: Path):
    """gunicorn's logger as gunicorn.conf.py sets it up, writing its access log to ``path``."""
    conf = runpy.run_path(str(ROOT / "gunicorn.conf.py"))
    cfg = Config()
    for name in ("logger_class", "access_log_format"):
        cfg.set(name, conf[name])
    cfg.set("accesslog", str(path))
    return cfg.logger_class(cfg)


def log_request(logger, method: str, path: str) -> None:
    """One request as gunicorn logs it: ``PATH_INFO`` is the path percent-decoded (as latin-1)."""
    environ = {
        "REQUEST_METHOD": method,
        "RAW_URI": "/",
        "PATH_INFO": path,
        "QUERY_STRING": "",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "10.0.0.7",
    }
    resp = SimpleNamespace(status="404 NOT FOUND", sent=0, headers=[])
    logger.access(resp, SimpleNamespace(headers=[]), environ, timedelta(milliseconds=3))


def test_the_configured_logger_is_the_escaping_one():
    conf = runpy.run_path(str(ROOT / "gunicorn.conf.py"))
    assert conf["logger_class"].__name__ == "AccessLogger"


paths = st.text(
    st.one_of(
        st.sampled_from('\n\r\x00\x0b\x0c\x1b\x7f\x85\u2028\u2029\\" /'),
        st.characters(codec="latin-1"),
    ),
    max_size=40,
)


@settings(
    max_examples=examples(100),
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(method=st.sampled_from(["GET", "POST", "G\nET"]), path=paths)
def test_every_request_is_one_line_of_the_access_log(tmp_path, method, path):
    log = tmp_path / "access.log"
    log.unlink(missing_ok=True)
    logger = access_logger(log)
    try:
        log_request(logger, method, f"/x{path}")
        log_request(logger, "GET", f"/{FORGED}\n{FORGED}")
    finally:
        for handler in logger.access_log.handlers:
            handler.close()
    lines = log.read_text(encoding="utf-8").splitlines()
    assert len(lines) == 2, lines
    assert [LINE.match(line) is not None for line in lines] == [True, True], lines
    assert lines[1].startswith("10.0.0.7 ")
    assert "\\n" + FORGED.replace('"', '\\"') in lines[1]  # gunicorn escapes the quotes


def test_a_line_feed_in_a_path_is_written_as_an_escape(tmp_path):
    log = tmp_path / "access.log"
    logger = access_logger(log)
    log_request(logger, "GET", "/login\r\nhi\x00\\")
    for handler in logger.access_log.handlers:
        handler.close()
    [line] = log.read_text(encoding="utf-8").splitlines()
    assert '"GET /login\\r\\nhi\\x00\\\\ HTTP/1.1" 404' in line


@pytest.fixture
def failing_page(app, monkeypatch):
    """Any address with a line feed fails before its page, with a message quoting the path (a
    TypeError: its message is logged, as it names code)."""

    @app.before_request
    def broken():
        if "\n" in request.path:
            raise TypeError(f"no page at {request.path}")

    for logger in (logging.getLogger("app.web.errors"), logging.getLogger("app")):
        monkeypatch.setattr(logger, "disabled", False)  # Alembic's set-up turns loggers off
    return app.test_client()


def test_no_request_adds_a_line_to_the_error_log(failing_page, caplog):
    caplog.set_level(logging.ERROR, logger="app.web.errors")
    path = "/x%0a" + FORGED.replace(" ", "%20") + "%0d%0a%00"  # anonymous
    assert failing_page.get(path).status_code == 500
    [record] = [r for r in caplog.records if r.name == "app.web.errors"]
    message = record.getMessage()
    first, *traceback = message.splitlines()
    assert first == f"unhandled error on GET /x\\n{FORGED}\\r\\n\\x00"
    assert not [line for line in message.splitlines() if line.startswith(FORGED[:9])]
    assert traceback[0] == "Traceback (most recent call last):"
    assert traceback[-1] == f"TypeError: no page at /x\\n{FORGED}\\r\\n\\x00"
