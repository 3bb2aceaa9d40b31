"""The floor for `make bench`: a bare Flask endpoint that stores one annotation row with the
standard library's sqlite3 module, served by the same gunicorn settings as the app.

`PUT /floor/annotations/<uuid>` takes the app's JSON body and upserts one row (id, note,
offsets, version) in one short transaction, answering like the app (201/200, `version`,
`ETag`). No login, CSRF, validation, ORM or templates: whatever the app spends beyond this is its
own overhead. The database file is `FLOOR_DB` (made by `bench/load.py`), with the app's SQLite
settings: write-ahead log, NORMAL sync, a 5 s busy timeout, `BEGIN IMMEDIATE` for the write.

Run: FLOOR_DB=/tmp/floor.sqlite3 gunicorn -c gunicorn.conf.py bench.floor:app
"""

from __future__ import annotations

import os
import sqlite3
import threading

from flask import Flask, jsonify, request

SCHEMA = """CREATE TABLE IF NOT EXISTS annotations (
    id TEXT PRIMARY KEY, note TEXT NOT NULL, start_offset INTEGER, end_offset INTEGER,
    exact TEXT NOT NULL, version INTEGER NOT NULL)"""

UPSERT = """INSERT INTO annotations (id, note, start_offset, end_offset, exact, version)
VALUES (?, ?, ?, ?, ?, 1)
ON CONFLICT (id) DO UPDATE SET note = excluded.note, start_offset = excluded.start_offset,
    end_offset = excluded.end_offset, exact = excluded.exact, version = version + 1
RETURNING version"""

app = Flask(__name__)
_local = threading.local()


def connection() -> sqlite3.Connection:
    conn = getattr(_local, "conn", None)
    if conn is None:
        conn = sqlite3.connect(os.environ["FLOOR_DB"], isolation_level=None, timeout=5)
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=NORMAL")
        _local.conn = conn
    return conn


@app.put("/floor/annotations/<uid>")
def save(uid: str):
    data = request.get_json()
    target = data.get("target") or {}
    conn = connection()
    conn.execute("BEGIN IMMEDIATE")
    try:
        (version,) = conn.execute(
            UPSERT,
            (uid, data["note"], target.get("start"), target.get("end"), target.get("exact", "")),
        ).fetchone()
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    resp = jsonify(
        {
            "id": uid,
            "note": data["note"],
            "version": version,
            "target": {"start": target.get("start"), "end": target.get("end")},
        }
    )
    resp.status_code = 201 if version == 1 else 200
    resp.headers["ETag"] = f'"{version}"'
    return resp
