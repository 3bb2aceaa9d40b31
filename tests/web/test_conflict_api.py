"""Two tabs, one annotation: the 409 a stale write gets carries the server's current annotation
(as GET shows it, with its ETag), so the page can offer "keep the saved one" or "keep mine";
keeping mine is a PUT with If-Match set to that version. The other 409s (closed work, someone
else logged in) are unchanged. And the same UUID sent twice, even at the same moment, makes one
row."""

from __future__ import annotations

import threading
from types import SimpleNamespace

import pytest
import sqlalchemy as sa

from app import saves
from app.extensions import db
from app.models import Annotation
from app.saves import decide
from app.services import grading
from tests.support.client import ApiClient
from tests.support.factory import highlight, new_id


def body(lesson, note: str) -> dict:
    return highlight(
        lesson, "media reports said on Tuesday", category="source", prompt="sources", note=note
    )


def rows(uid: str) -> list[Annotation]:
    db.session.expire_all()
    return list(db.session.scalars(sa.select(Annotation).filter_by(id=uid)))


def stale_write(work, lesson):
    """Tab A saves version 2; tab B, still on version 1, sends its note."""
    uid = new_id()
    work.api.put(work.assignment, uid, body(lesson, "first"))
    work.api.put(work.assignment, uid, body(lesson, "tab A"), if_match=1)
    return uid, work.api.put(work.assignment, uid, body(lesson, "tab B"), if_match=1)


# ---------------------------------------------------------------- the 409 and the choice


def test_the_409_carries_the_current_annotation_as_get_shows_it_with_its_etag(work, lesson):
    uid, resp = stale_write(work, lesson)
    assert resp.status_code == 409
    got = resp.get_json()
    assert got["code"] == "conflict"
    assert "another tab or device" in got["error"]
    [listed] = work.api.mine(work.assignment)
    assert got["current"] == listed  # same shape and values as GET
    assert got["current"]["note"] == "tab A"
    assert resp.headers["ETag"] == '"2"'
    assert rows(uid)[0].note == "tab A"


def test_keep_mine_is_a_put_with_if_match_set_to_the_current_version(work, lesson):
    uid, resp = stale_write(work, lesson)
    current = resp.get_json()["current"]
    mine = work.api.put(work.assignment, uid, body(lesson, "tab B"), if_match=resp.headers["ETag"])
    assert mine.status_code == 200
    assert mine.get_json()["version"] == current["version"] + 1
    assert mine.headers["ETag"] == f'"{current["version"] + 1}"'
    [row] = rows(uid)
    assert (row.note, row.version) == ("tab B", 3)


def test_keep_mine_loses_again_if_the_other_tab_saved_once_more_meanwhile(work, lesson):
    uid, _ = stale_write(work, lesson)
    work.api.put(work.assignment, uid, body(lesson, "tab A again"), if_match=2)
    again = work.api.put(work.assignment, uid, body(lesson, "tab B"), if_match=2)
    assert again.status_code == 409
    assert again.get_json()["current"]["note"] == "tab A again"
    assert again.headers["ETag"] == '"3"'


def test_keep_the_saved_one_needs_no_request_and_the_next_edit_builds_on_it(work, lesson):
    uid, resp = stale_write(work, lesson)
    later = work.api.put(
        work.assignment,
        uid,
        body(lesson, "later, on top of tab A"),
        if_match=resp.get_json()["current"]["version"],
    )
    assert later.status_code == 200
    assert rows(uid)[0].version == 3


def test_an_edit_of_an_annotation_deleted_elsewhere_is_a_409_with_the_deleted_one(work, lesson):
    uid = new_id()
    work.api.put(work.assignment, uid, body(lesson, "first"))
    assert work.api.delete(work.assignment, uid, if_match=1).status_code == 204
    resp = work.api.put(work.assignment, uid, body(lesson, "still mine"), if_match=1)
    assert resp.status_code == 409
    current = resp.get_json()["current"]
    assert (current["deleted"], current["version"]) == (True, 2)
    assert resp.headers["ETag"] == '"2"'
    # keep mine: it comes back, with this tab's note
    back = work.api.put(work.assignment, uid, body(lesson, "still mine"), if_match=2)
    assert back.status_code == 200
    [row] = rows(uid)
    assert (row.note, row.deleted_at, row.version) == ("still mine", None, 3)


def test_a_stale_delete_gets_the_current_annotation_and_keep_mine_deletes_it(work, lesson):
    uid, _ = stale_write(work, lesson)
    resp = work.api.delete(work.assignment, uid, if_match=1)
    assert resp.status_code == 409
    assert resp.get_json()["current"]["note"] == "tab A"
    assert resp.headers["ETag"] == '"2"'
    assert rows(uid)[0].deleted_at is None
    assert work.api.delete(work.assignment, uid, if_match=2).status_code == 204
    assert rows(uid)[0].deleted_at is not None


@pytest.mark.parametrize(
    "named", ['"2147483648"', '"99999999999999999999"', '"\u00b2"', '"-1"', '"1.0"', '"abc"', '""']
)
def test_an_if_match_that_cannot_be_a_version_is_a_conflict_never_a_500(work, lesson, named):
    uid = new_id()
    work.api.put(work.assignment, uid, body(lesson, "stored"))
    for note in ("stored", "changed"):  # the same content (a retry) and a change
        resp = work.api.put(work.assignment, uid, body(lesson, note), if_match=named)
        assert resp.status_code == (200 if note == "stored" else 409)
    assert [(r.note, r.version) for r in rows(uid)] == [("stored", 1)]
    assert work.api.delete(work.assignment, uid, if_match=named).status_code == 409


def test_if_match_on_an_annotation_never_saved_is_a_409_with_no_current_and_no_etag(work, lesson):
    resp = work.api.put(work.assignment, new_id(), body(lesson, "x"), if_match=1)
    assert resp.status_code == 409
    assert resp.get_json()["current"] is None
    assert "ETag" not in resp.headers


# ---------------------------------------------------------------- the other 409s are unchanged


def test_submitted_released_and_wrong_user_409s_carry_no_current(work, lesson):
    uid = new_id()
    work.api.put(work.assignment, uid, body(lesson, "first"))
    headers = {**work.api.headers(1), "X-Expected-User": str(work.student.id + 1000)}
    wrong = work.api.client.put(
        work.api.url(work.assignment, uid), json=body(lesson, "x"), headers=headers
    )
    assert wrong.status_code == 409
    assert wrong.get_json()["code"] == "wrong_user"
    assert "current" not in wrong.get_json()

    grading.release(db.session, work.assignment)
    db.session.commit()
    released = work.api.put(work.assignment, uid, body(lesson, "late"), if_match=1)
    assert released.status_code == 409
    assert released.get_json()["code"] == "released"
    assert "current" not in released.get_json()
    assert "ETag" not in released.headers

    grading.undo_release(db.session, work.assignment)
    db.session.commit()
    assert work.api.submit(work.assignment).status_code == 200
    stale = work.api.put(work.assignment, uid, body(lesson, "late"), if_match=99)
    assert stale.status_code == 409
    assert stale.get_json()["code"] == "submitted"  # closed work first, not a conflict
    assert "current" not in stale.get_json()
    assert rows(uid)[0].note == "first"


# ---------------------------------------------------------------- one UUID, one row


def test_the_same_uuid_sent_twice_at_the_same_moment_makes_one_row(app, work, lesson):
    """Six requests with one new UUID arrive together (a retry racing the original, two tabs
    handing over the same queued change): one 201, the rest 200, one row, version 1."""
    student = work.student
    clients = [ApiClient(app.test_client()).login(student) for _ in range(6)]
    uid, aid = new_id(), work.assignment.id  # read here: threads have no app context
    # this thread's session (shared with the test client's requests) may hold SQLite's write
    # lock from the last login; let go of it, as the end of a real request would
    db.session.rollback()
    barrier = threading.Barrier(len(clients))
    statuses: list[int] = []
    errors: list[str] = []

    sent = body(lesson, "once")

    def send(api: ApiClient) -> None:
        try:
            barrier.wait(timeout=30)
            statuses.append(api.put(aid, uid, sent).status_code)
        except Exception as e:  # reported below
            errors.append(repr(e))

    threads = [threading.Thread(target=send, args=(c,)) for c in clients]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert errors == []
    assert sorted(statuses) == [200] * 5 + [201]
    [row] = rows(uid)
    assert (row.note, row.version) == ("once", 1)


def _gate_seeing(monkeypatch, uid: str, **stale) -> list[str]:
    """Make the save's first gate read of ``uid`` see ``stale`` values (as if another request
    wrote between the gate and the write, which PostgreSQL's read committed allows); later
    reads are real. Returns the uuids the gate was asked about, edits apart (PostgreSQL's
    edit runs the gate again in its own statement, also at the version a save read)."""
    real = decide.gate
    calls: list[str] = []
    asked: list[str] = []

    def gate(statements, student, assignment_id, uuid, create=None, update=None):
        row, written = real(statements, student, assignment_id, uuid, create, update)
        asked.append(uuid)
        if update is None:
            calls.append(uuid)
        if uuid == uid and asked.count(uid) == 1:
            return SimpleNamespace(**{**row._asdict(), **stale}), written
        return row, written

    monkeypatch.setattr(decide, "gate", gate)
    return calls


def test_a_duplicate_that_loses_the_insert_race_updates_the_winners_row(work, lesson, monkeypatch):
    """The interleaving the race above may or may not hit: the row is written by the other
    request after this one looked and found nothing. The insert does nothing and the save is
    decided again from what is stored: a retry of the same content (200, version 1), one row."""
    uid = new_id()
    assert work.api.put(work.assignment, uid, body(lesson, "once")).status_code == 201
    calls = _gate_seeing(monkeypatch, uid, a_id=None)
    resp = work.api.put(work.assignment, uid, body(lesson, "once"))
    assert resp.status_code == 200
    assert calls.count(uid) == 2  # the insert did nothing and the row was read again
    assert resp.get_json()["version"] == 1
    changed = work.api.put(work.assignment, uid, body(lesson, "twice"))
    assert changed.get_json()["version"] == 2
    assert len(rows(uid)) == 1


def test_an_update_that_read_a_version_since_replaced_is_decided_again(work, lesson, monkeypatch):
    """The update names the version it read; if another save replaced it in between, nothing
    is overwritten: the save reads again and builds on the new version (with If-Match naming
    the old one, that is a conflict)."""
    uid = new_id()
    work.api.put(work.assignment, uid, body(lesson, "one"))
    assert work.api.put(work.assignment, uid, body(lesson, "two")).get_json()["version"] == 2
    calls = _gate_seeing(monkeypatch, uid, a_version=1, a_note="one")
    resp = work.api.put(work.assignment, uid, body(lesson, "three"))
    assert resp.status_code == 200
    assert calls.count(uid) == 2
    assert resp.get_json()["version"] == 3
    assert [(r.note, r.version) for r in rows(uid)] == [("three", 3)]

    calls = _gate_seeing(monkeypatch, uid, a_version=2, a_note="two")
    resp = work.api.put(work.assignment, uid, body(lesson, "four"), if_match=2)
    assert resp.status_code == 409
    assert resp.get_json()["current"]["note"] == "three"
    assert [(r.note, r.version) for r in rows(uid)] == [("three", 3)]


def test_the_save_paths_content_columns_are_the_stored_content():
    """saves.CONTENT names what an edit writes: exactly services.annotation_values' columns."""
    from app import services
    from app.domain.annotations import AnnotationInput

    data = AnnotationInput("source", None, None, "a note", {})
    assert set(saves.CONTENT) == set(services.annotation_values(data))
