"""The PostgreSQL floor for `make bench`: the same bare Flask endpoint as `bench/floor.py`,
storing one annotation row in PostgreSQL with psycopg (3), served by the same gunicorn settings
as the app.

`PUT /floor/annotations/<uuid>` takes the app's JSON body and upserts one row (id, note,
offsets, version) with one statement, answering like the app (201/200, `version`, `ETag`). No
login, CSRF, validation, ORM or templates: whatever the app spends beyond this is its own
overhead. As a careful bare app would: one connection per worker thread (a sync worker: one per
process), opened at its first request and kept open (opened again if the server dropped it), in
autocommit, so a save is one round trip (the statement is its own transaction). Durability is
the server's own `synchronous_commit` (its default, `on`: a commit waits for the disk), as for
the app's default. The database is `FLOOR_DATABASE_URL` (a libpq URL, `postgresql://...`; made
by `bench/load.py`, with `SCHEMA`).

Run: FLOOR_DATABASE_URL=postgresql://postgres@127.0.0.1/bench_app_floor \\
         gunicorn -c gunicorn.conf.py bench.floor_pg:app
"""

from __future__ import annotations

import os
import threading

import psycopg
from flask import Flask, jsonify, request

SCHEMA = """CREATE TABLE IF NOT EXISTS annotations (
    id TEXT PRIMARY KEY, note TEXT NOT NULL, start_offset INTEGER, end_offset INTEGER,
    exact TEXT NOT NULL, version INTEGER NOT NULL)"""

UPSERT = """INSERT INTO annotations (id, note, start_offset, end_offset, exact, version)
VALUES (%s, %s, %s, %s, %s, 1)
ON CONFLICT (id) DO UPDATE SET note = excluded.note, start_offset = excluded.start_offset,
    end_offset = excluded.end_offset, exact = excluded.exact,
    version = annotations.version + 1
RETURNING version"""

app = Flask(__name__)
_local = threading.local()


def connection() -> psycopg.Connection:
    conn = getattr(_local, "conn", None)
    if conn is None or conn.closed or conn.broken:
        url = os.environ["FLOOR_DATABASE_URL"].replace("postgresql+psycopg://", "postgresql://", 1)
        conn = _local.conn = psycopg.connect(url, autocommit=True)
    return conn


@app.put("/floor/annotations/<uid>")
def save(uid: str):
    data = request.get_json()
    target = data.get("target") or {}
    (version,) = (
        connection()
        .execute(
            UPSERT,
            (uid, data["note"], target.get("start"), target.get("end"), target.get("exact", "")),
        )
        .fetchone()
    )
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
