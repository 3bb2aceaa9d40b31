"""Simulated students for load tests, standard library only (http.client in threads).

Each student logs in through the real form over HTTP, opens the lesson page (which carries the
CSRF token and the user id, as the browser reads them), then autosaves annotations as the page
does: a PUT with a fresh UUID for a new annotation, now and then an edit of one of its own with
`If-Match`, and after a dropped connection, a 5xx or a 429 the SAME request again (same UUID,
body and `If-Match`) until it is acknowledged. Every 2xx is recorded with the content that was
sent; `verify` then compares those acknowledgements with the rows in the database.

Used by `tests/web/test_gunicorn.py` and `bench/load.py` (the 60-second run with `kill -9`).
"""

from __future__ import annotations

import hashlib
import http.client
import json
import os
import random
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

Content = tuple[str, int | None, int | None]  # (note, start, end): what a checksum covers

_CSRF_INPUT = re.compile(r'<input[^>]*name="csrf_token"[^>]*>')
_VALUE = re.compile(r'value="([^"]+)"')
_LESSON_DATA = re.compile(r'<script type="application/json" id="lesson-data">(.*?)</script>', re.S)


def word_targets(
    text: str, snap: Callable[[str, int, int], tuple[int, int]], step: int = 23, width: int = 12
) -> list[tuple[int, int, str]]:
    """Whole-word ranges over the lesson text (code points), as the page would send them, so
    the server stores the offsets exactly as sent."""
    out: dict[tuple[int, int], str] = {}
    for s in range(0, max(0, len(text) - width), step):
        a, b = snap(text, s, s + width)
        if a < b and snap(text, a, b) == (a, b) and "\n" not in text[a:b]:
            out[(a, b)] = text[a:b]
    return [(a, b, exact) for (a, b), exact in out.items()]


def checksum(items: Iterable[tuple[str, Content]]) -> str:
    """sha256 over sorted (uuid, note, start, end): equal sums mean equal content."""
    h = hashlib.sha256()
    for uid, (note, start, end) in sorted(items):
        h.update(json.dumps([uid, note, start, end], ensure_ascii=False).encode())
        h.update(b"\n")
    return h.hexdigest()


@dataclass
class Verdict:
    acknowledged: int
    stored: int
    missing: list[str]  # acknowledged, not in the database
    wrong_content: list[str]  # stored with other content than the last acknowledgement
    never_sent: list[str]  # in the database, never sent by any student
    unacknowledged: list[str]  # sent and stored, never acknowledged (a save given up)
    ack_checksum: str
    stored_checksum: str

    @property
    def ok(self) -> bool:
        return (
            not self.missing
            and not self.wrong_content
            and not self.never_sent
            and not self.unacknowledged
            and self.acknowledged == self.stored
            and self.ack_checksum == self.stored_checksum
        )

    def summary(self) -> str:
        return (
            f"acknowledged {self.acknowledged}, stored {self.stored}, "
            f"missing {len(self.missing)}, wrong content {len(self.wrong_content)}, "
            f"stored never sent {len(self.never_sent)}, "
            f"stored unacknowledged {len(self.unacknowledged)}, checksums "
            f"{'equal' if self.ack_checksum == self.stored_checksum else 'DIFFER'}"
        )


def verify(acked: dict[str, Content], sent: set[str], stored: dict[str, Content]) -> Verdict:
    """Compare what the students were told was saved with what the database holds.

    ``stored`` maps annotation id to (note, start, end) for every row of the assignment."""
    return Verdict(
        acknowledged=len(acked),
        stored=len(stored),
        missing=sorted(set(acked) - set(stored)),
        wrong_content=sorted(u for u in set(acked) & set(stored) if acked[u] != stored[u]),
        never_sent=sorted(set(stored) - sent),
        unacknowledged=sorted((set(stored) & sent) - set(acked)),
        ack_checksum=checksum(acked.items()),
        stored_checksum=checksum(stored.items()),
    )


@dataclass
class Tally:
    """What one student saw."""

    statuses: Counter = field(default_factory=Counter)
    connection_errors: int = 0
    retries: int = 0
    latencies_ms: list[float] = field(default_factory=list)  # acknowledged saves, last attempt
    failures: list[str] = field(default_factory=list)  # saves never acknowledged, with why
    acked: dict[str, Content] = field(default_factory=dict)
    sent: set[str] = field(default_factory=set)


class Student(threading.Thread):
    """One student autosaving until ``stop_at`` (time.monotonic()), then finishing the save in
    flight, as a page does before it says "All changes saved". ``run`` logs in first unless
    ``log_in`` was called already (so a load phase can start once everyone is in)."""

    def __init__(
        self,
        host: str,
        port: int,
        login: str,
        password: str,
        assignment_id: int,
        targets: list[tuple[int, int, str]],
        stop_at: float,
        *,
        seed: int = 0,
        retry: bool = True,
        edit_share: float = 0.2,
        backoff: float = 0.05,
        max_backoff: float = 1.0,
        give_up_after: float = 60.0,
    ) -> None:
        super().__init__(name=f"student-{login}", daemon=True)
        self.host, self.port = host, port
        self.login_name, self.password = login, password
        self.assignment_id = assignment_id
        self.targets = targets
        self.stop_at = stop_at
        self.rng = random.Random(seed)  # noqa: S311  (load shape, not security)
        self.retry = retry
        self.edit_share = edit_share
        self.backoff, self.max_backoff = backoff, max_backoff
        self.give_up_after = give_up_after
        self.tally = Tally()
        self.cookies: dict[str, str] = {}
        self.token = ""
        self.user_id = ""
        self.versions: dict[str, int] = {}
        self.error: BaseException | None = None
        self._conn: http.client.HTTPConnection | None = None

    # ------------------------------------------------------------------ HTTP
    def _request(
        self,
        method: str,
        path: str,
        body: bytes | None = None,
        headers: dict[str, str] | None = None,
    ) -> tuple[int, http.client.HTTPMessage, bytes]:
        if self._conn is None:
            self._conn = http.client.HTTPConnection(self.host, self.port, timeout=30)
        h = dict(headers or {})
        if self.cookies:
            h["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        try:
            self._conn.request(method, path, body=body, headers=h)
            resp = self._conn.getresponse()
            data = resp.read()
        except (OSError, http.client.HTTPException):
            self._conn.close()
            self._conn = None
            raise
        for raw in resp.msg.get_all("Set-Cookie") or []:
            name, _, rest = raw.partition("=")
            value = rest.split(";", 1)[0]
            if value and "max-age=0" not in raw.lower():
                self.cookies[name.strip()] = value
            else:
                self.cookies.pop(name.strip(), None)
        if resp.will_close:
            self._conn.close()
            self._conn = None
        return resp.status, resp.msg, data

    def _with_retries(
        self, what: str, fn: Callable[[], tuple[int, http.client.HTTPMessage, bytes]]
    ):
        """Run a request until it answers below 500 (and not 429); None when giving up."""
        give_up = time.monotonic() + self.give_up_after
        delay = self.backoff
        while True:
            started = time.perf_counter()
            try:
                status, msg, data = fn()
            except (OSError, http.client.HTTPException) as e:
                self.tally.connection_errors += 1
                reason = f"{what}: {type(e).__name__}: {e}"
            else:
                self.tally.statuses[status] += 1
                if status < 500 and status != 429:
                    return status, msg, data, (time.perf_counter() - started) * 1000
                reason = f"{what}: HTTP {status}"
            if not self.retry or time.monotonic() > give_up:
                self.tally.failures.append(reason)
                return None
            self.tally.retries += 1
            time.sleep(self.rng.uniform(delay / 2, delay))
            delay = min(delay * 2, self.max_backoff)

    # ------------------------------------------------------------------ the student
    def log_in(self) -> None:
        got = self._with_retries("GET /login", lambda: self._request("GET", "/login"))
        if got is None or got[0] != 200:
            raise RuntimeError(f"login page: {got and got[0]}")
        tag = _CSRF_INPUT.search(got[2].decode())
        form_token = _VALUE.search(tag.group(0)).group(1) if tag else ""
        form = urlencode(
            {"login": self.login_name, "password": self.password, "csrf_token": form_token}
        )
        got = self._with_retries(
            "POST /login",
            lambda: self._request(
                "POST",
                "/login",
                form.encode(),
                {"Content-Type": "application/x-www-form-urlencoded"},
            ),
        )
        if got is None or got[0] != 302:
            raise RuntimeError(f"login {self.login_name}: {got and got[0]}")
        # the lesson page, as a student opens it: it carries the CSRF token and the user id
        path = f"/student/assignments/{self.assignment_id}"
        got = self._with_retries(f"GET {path}", lambda: self._request("GET", path))
        page = _LESSON_DATA.search(got[2].decode()) if got and got[0] == 200 else None
        if page is None:
            raise RuntimeError(f"lesson page: {got and got[0]}")
        data = json.loads(page.group(1))
        self.token, self.user_id = data["csrfToken"], str(data["userId"])

    def save(self, uid: str, note: str, target: tuple[int, int, str], if_match: int | None) -> None:
        start, end, exact = target
        body = json.dumps(
            {
                "category": "source",
                "prompt": "sources",
                "note": note,
                "target": {"start": start, "end": end, "exact": exact},
            },
            ensure_ascii=False,
        ).encode()
        headers = {"Content-Type": "application/json", "X-CSRFToken": self.token}
        headers["X-Expected-User"] = self.user_id
        if if_match is not None:
            headers["If-Match"] = f'"{if_match}"'
        path = f"/api/assignments/{self.assignment_id}/annotations/{uid}"
        self.tally.sent.add(uid)
        got = self._with_retries(f"PUT {uid}", lambda: self._request("PUT", path, body, headers))
        if got is None:
            return
        status, _msg, data, ms = got
        if status not in (200, 201):
            self.tally.failures.append(f"PUT {uid}: HTTP {status} {data[:200]!r}")
            return
        answer = json.loads(data)
        echoed = (
            answer.get("note"),
            (answer.get("target") or {}).get("start"),
            (answer.get("target") or {}).get("end"),
        )
        if echoed != (note, start, end):
            self.tally.failures.append(f"PUT {uid}: stored {echoed!r}, sent {(note, start, end)!r}")
            return
        self.tally.latencies_ms.append(ms)
        self.tally.acked[uid] = (note, start, end)
        self.versions[uid] = answer["version"]

    def run(self) -> None:
        try:
            if not self.token:
                self.log_in()
            n = 0
            while time.monotonic() < self.stop_at:
                n += 1
                target = self.rng.choice(self.targets)
                if self.versions and self.rng.random() < self.edit_share:
                    uid = self.rng.choice(sorted(self.versions))
                    note = f"{self.login_name} edit {n}: is this source named? «{n}» 😀"
                    self.save(uid, note, target, self.versions[uid])
                else:
                    note = f"{self.login_name} #{n}: who is quoted here? <b>{n}</b> & é"
                    self.save(str(uuid.uuid4()), note, target, None)
        except BaseException as e:  # reported by the caller
            self.error = e
        finally:
            if self._conn is not None:
                self._conn.close()


def merge(students: Iterable[Student]) -> Tally:
    """All students' tallies as one."""
    total = Tally()
    for s in students:
        t = s.tally
        total.statuses.update(t.statuses)
        total.connection_errors += t.connection_errors
        total.retries += t.retries
        total.latencies_ms += t.latencies_ms
        total.failures += t.failures
        total.acked.update(t.acked)
        total.sent |= t.sent
    return total


def worker_pids(master: int) -> set[int]:
    """Child processes of a gunicorn master (its workers), read from /proc."""
    try:
        with open(f"/proc/{master}/task/{master}/children", encoding="ascii") as f:
            return {int(p) for p in f.read().split()}
    except OSError:  # a kernel without CONFIG_PROC_CHILDREN: scan every process's parent
        pass
    pids = set()
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat", encoding="utf-8", errors="replace") as f:
                    stat = f.read()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == master:
                pids.add(int(entry))
    return pids


def _established_sockets(port: int) -> set[str]:
    """Socket inodes of this machine's open TCP connections to ``port`` (from /proc)."""
    found = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        with open(table) as f:
            for line in f.readlines()[1:]:
                fields = line.split()
                local_port = int(fields[1].rsplit(":", 1)[1], 16)
                if local_port == port and fields[3] == "01":  # 01: ESTABLISHED
                    found.add(fields[9])
    return found


def kill_mid_request(pids: list[int], port: int, seconds: float = 10.0) -> int:
    """SIGKILL one of ``pids`` while it is serving a request: each in turn is frozen
    (SIGSTOP), killed if it holds a client's connection, else let go (SIGCONT) to try the
    next. A worker killed between two requests cuts nothing, and with fast saves most
    moments are between two requests. Falls back to the first worker after ``seconds``."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        for pid in pids:
            os.kill(pid, signal.SIGSTOP)
            try:
                fds = os.listdir(f"/proc/{pid}/fd")
                held = {os.readlink(f"/proc/{pid}/fd/{fd}") for fd in fds}
                if {f"socket:[{inode}]" for inode in _established_sockets(port)} & held:
                    os.kill(pid, signal.SIGKILL)
                    return pid
            finally:
                os.kill(pid, signal.SIGCONT)  # (a killed process ignores it)
        time.sleep(0.005)
    os.kill(pids[0], signal.SIGKILL)
    return pids[0]


# ---------------------------------------------------------------- a gunicorn server


ROOT = Path(__file__).resolve().parent.parent


class ServerFailed(RuntimeError):
    """gunicorn exited, or didn't answer with all its workers in time."""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def get(port: int, path: str, timeout: float = 5) -> int:
    """The status of a GET on 127.0.0.1."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request("GET", path)
        resp = conn.getresponse()
        resp.read()
        return resp.status
    finally:
        conn.close()


class GunicornServer:
    """One gunicorn master with gunicorn.conf.py and the given environment (the app, or with
    ``app_uri`` another WSGI app such as the floor), its output in ``log_path``; ready once
    it answers and all the workers gunicorn.conf.py asks for are up. For `make bench` and the
    kill test."""

    def __init__(
        self,
        env: dict[str, str],
        log_path: Path,
        app_uri: str | None = None,
        wait: float = 60,
        name: str = "gunicorn",
    ) -> None:
        self.name = name
        self.port = free_port()
        self.log_path = log_path
        self.env = {**env, "PORT": str(self.port)}
        gunicorn = [
            str(Path(sys.executable).parent / "gunicorn"),
            "-c",
            str(ROOT / "gunicorn.conf.py"),
        ]
        self.settings = self._configured(gunicorn)
        self.log = open(log_path, "wb")  # noqa: SIM115  (closed in stop())
        self.proc = subprocess.Popen(  # noqa: S603  (our own gunicorn, no shell)
            [*gunicorn, *([app_uri] if app_uri else [])],
            cwd=ROOT,
            env=self.env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + wait
        while not self._ready():
            if self.proc.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise ServerFailed(
                    f"gunicorn did not start (exit {self.proc.returncode}):\n{self.text()[-3000:]}"
                )
            time.sleep(0.1)

    def _configured(self, gunicorn: list[str]) -> dict[str, str]:
        out = subprocess.run(  # noqa: S603
            [*gunicorn, "--print-config"],
            cwd=ROOT,
            env=self.env,
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        settings = dict(re.findall(r"^(\w+)\s+= (.*)$", out, re.M))
        settings = {
            k: settings[k] for k in ("workers", "threads", "worker_class", "timeout", "keepalive")
        }
        if settings["worker_class"] == "sync" and int(settings["threads"]) > 1:
            settings["worker_class"] = "gthread"  # what gunicorn runs with threads > 1
        return settings

    def _ready(self) -> bool:
        try:
            get(self.port, "/login", timeout=2)  # any answer (the floor has no such page)
        except OSError:
            return False
        return len(self.workers()) == int(self.settings["workers"])

    def workers(self) -> set[int]:
        return worker_pids(self.proc.pid)

    def text(self) -> str:
        if not self.log.closed:
            self.log.flush()
        return self.log_path.read_text(errors="replace")

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=40)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.log.close()
