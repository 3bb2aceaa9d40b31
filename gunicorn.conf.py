"""gunicorn settings for `make serve`, read from the environment (documented in the README).

- `BIND`: address(es) to listen on, comma-separated (`0.0.0.0:8000`, `unix:/run/app.sock`);
  default `127.0.0.1:$PORT`, with `PORT` default 8000.
- `WEB_CONCURRENCY`: worker processes, default 2 x cores + 1. Any request can hit any worker.
- `GUNICORN_THREADS`: threads per worker, default 1; above 1 gunicorn uses its gthread worker.
- `GUNICORN_TIMEOUT`: seconds a request may take before its worker is killed, default 120 (a
  10,000-row roster import takes ~25 s).
- `GUNICORN_GRACEFUL_TIMEOUT`: seconds running requests get to finish on a stop, default 30.
- `GUNICORN_KEEPALIVE`: seconds an idle keep-alive connection stays open (gthread), default 5.
- `GUNICORN_ACCESSLOG`: access log file, default `-` (standard output); `off` for none. It has
  paths only: no query strings, bodies, referrers or user agents. Every value in a line is
  escaped (``AccessLogger``), so a request can't start a line of its own.
- `GUNICORN_LOGLEVEL`: gunicorn's own log level, default `info` (errors go to standard error).
- `GUNICORN_CONTROL_SOCKET`: path of gunicorn's control socket (`gunicornc`); off by default.

The workers keep nothing between requests that another worker would need: sessions are signed
cookies, data is in the database, rate-limit counters in Redis (`REDIS_URL`).
"""

from __future__ import annotations

import importlib.util
import os
from pathlib import Path

from gunicorn.glogging import Logger


def _int(name: str, default: int) -> int:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise SystemExit(f"gunicorn.conf.py: {name} must be a whole number, not {raw!r}") from None
    if value < 1:
        raise SystemExit(f"gunicorn.conf.py: {name} must be at least 1, not {value}")
    return value


wsgi_app = "app:create_app()"

bind = [b.strip() for b in os.environ.get("BIND", "").split(",") if b.strip()] or [
    f"127.0.0.1:{_int('PORT', 8000)}"
]
workers = _int("WEB_CONCURRENCY", 2 * (os.cpu_count() or 1) + 1)
threads = _int("GUNICORN_THREADS", 1)
# Longer than the slowest legitimate request (importing a 10,000-row roster, ~25 s), so a
# teacher's import is never cut off; a truly stuck worker is still replaced.
timeout = _int("GUNICORN_TIMEOUT", 120)
graceful_timeout = _int("GUNICORN_GRACEFUL_TIMEOUT", 30)
keepalive = _int("GUNICORN_KEEPALIVE", 5)

# The app is imported in each worker, not in the master: a worker that is killed or replaced
# starts from a clean import, and no database connection is ever shared across a fork.
preload_app = False

# Access log without query strings (%(U)s is the path alone), request bodies, referrers or user
# agents: student notes travel only in JSON bodies, and a join code may ride in a query string.
_accesslog = os.environ.get("GUNICORN_ACCESSLOG", "-")
accesslog = None if _accesslog.lower() in ("", "off", "none") else _accesslog
access_log_format = '%(h)s %(t)s "%(m)s %(U)s %(H)s" %(s)s %(B)s %(M)sms %(p)s'


def _log_safe():
    """``app.domain.text.log_safe``, the app's one escape for log lines, loaded from its file:
    importing it as ``app.domain.text`` would import the app's package into the master (see
    ``preload_app``)."""
    path = Path(__file__).resolve().parent / "app" / "domain" / "text.py"
    spec = importlib.util.spec_from_file_location("read_closely_log_text", path)
    if spec is None or spec.loader is None:
        raise SystemExit(f"gunicorn.conf.py: can't read {path}")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.log_safe


class AccessLogger(Logger):
    """gunicorn's logger, with every text in an access line escaped: ``%(U)s`` is the path
    decoded, so ``%0a`` in a URL would otherwise end the line and start a forged one."""

    log_safe = staticmethod(_log_safe())

    def atoms(self, resp, req, environ, request_time):
        atoms = super().atoms(resp, req, environ, request_time)
        texts = "".join(v for v in atoms.values() if isinstance(v, str))
        if texts.isprintable() and "\\" not in texts:  # the usual line: nothing to escape
            return atoms
        return {k: self.log_safe(v) if isinstance(v, str) else v for k, v in atoms.items()}


logger_class = AccessLogger
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOGLEVEL", "info")

# gunicorn >= 25 opens a control socket at one fixed path per user by default, which two
# servers on one machine would fight over; it is opt-in here.
_control = os.environ.get("GUNICORN_CONTROL_SOCKET", "").strip()
if _control:
    control_socket = _control
else:
    control_socket_disable = True
