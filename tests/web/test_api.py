"""The annotations API, path by path: create, retry, update, conflicts, validation, delete and
undo, submit, authentication, CSRF, and code-point offsets."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from app import services
from app.extensions import db
from app.models import Annotation, Submission
from tests.support.client import ApiClient, logout, page_csrf_token
from tests.support.factory import highlight, new_id

EMOJI = "\U0001f600"


def rows(annotation_id: str) -> list[Annotation]:
    db.session.expire_all()
    return list(db.session.execute(sa.select(Annotation).filter_by(id=annotation_id)).scalars())


def source_body(lesson, note: str = "Which reports?") -> dict:
    return highlight(
        lesson, "media reports said on Tuesday", category="source", prompt="sources", note=note
    )


# ---------------------------------------------------------------- create, retry, update


def test_a_student_creates_an_annotation_with_put(work, lesson):
    uid = new_id()
    resp = work.api.put(work.assignment, uid, source_body(lesson))
    assert resp.status_code == 201
    assert resp.headers["ETag"] == '"1"'
    body = resp.get_json()
    assert body["id"] == uid
    assert body["version"] == 1
    assert body["category"] == "source"
    assert body["prompt"] == "sources"
    assert body["note"] == "Which reports?"
    assert body["anchored_by"] == "exact"
    assert body["target"]["exact"] == "media reports said on Tuesday"
    assert body["target"]["suffix"].startswith(" that Milley's comments")
    assert [a["id"] for a in work.api.mine(work.assignment)] == [uid]


def test_a_retried_put_never_makes_a_second_row(work, lesson):
    uid = new_id()
    first = work.api.put(work.assignment, uid, source_body(lesson))
    second = work.api.put(work.assignment, uid, source_body(lesson))
    assert (first.status_code, second.status_code) == (201, 200)
    assert second.get_json()["version"] == 1
    assert second.headers["ETag"] == '"1"'
    assert len(rows(uid)) == 1
    assert len(work.api.mine(work.assignment)) == 1


def test_an_update_with_the_current_version_moves_to_version_2(work, lesson):
    uid = new_id()
    work.api.put(work.assignment, uid, source_body(lesson))
    resp = work.api.put(
        work.assignment, uid, source_body(lesson, note="Unnamed reports."), if_match=1
    )
    assert resp.status_code == 200
    assert resp.get_json()["version"] == 2
    assert resp.headers["ETag"] == '"2"'
    assert rows(uid)[0].note == "Unnamed reports."


def test_an_update_from_a_stale_tab_gets_409_with_the_current_annotation(work, lesson):
    uid = new_id()
    work.api.put(work.assignment, uid, source_body(lesson))
    work.api.put(work.assignment, uid, source_body(lesson, note="From the laptop."), if_match=1)
    resp = work.api.put(
        work.assignment, uid, source_body(lesson, note="From the tablet."), if_match=1
    )
    assert resp.status_code == 409
    body = resp.get_json()
    assert body["code"] == "conflict"
    assert body["error"]
    assert body["current"]["version"] == 2
    assert body["current"]["note"] == "From the laptop."
    assert rows(uid)[0].note == "From the laptop."


def test_a_stale_if_match_with_identical_content_is_a_harmless_retry(work, lesson):
    uid = new_id()
    work.api.put(work.assignment, uid, source_body(lesson))
    work.api.put(work.assignment, uid, source_body(lesson, note="Second."), if_match=1)
    resp = work.api.put(work.assignment, uid, source_body(lesson, note="Second."), if_match=1)
    assert resp.status_code == 200
    assert resp.get_json()["version"] == 2


def test_if_match_accepts_weak_and_unquoted_etags(work, lesson):
    uid = new_id()
    work.api.put(work.assignment, uid, source_body(lesson))
    resp = work.api.put(work.assignment, uid, source_body(lesson, note="a"), if_match='W/"1"')
    assert resp.status_code == 200
    resp = work.api.put(work.assignment, uid, source_body(lesson, note="b"), if_match="2")
    assert resp.status_code == 200
    assert resp.get_json()["version"] == 3


def test_if_match_star_means_any_version(work, lesson):
    uid = new_id()
    work.api.put(work.assignment, uid, source_body(lesson))
    resp = work.api.put(work.assignment, uid, source_body(lesson, note="changed"), if_match="*")
    assert resp.status_code == 200


def test_a_garbled_if_match_with_new_content_is_a_conflict(work, lesson):
    uid = new_id()
    work.api.put(work.assignment, uid, source_body(lesson))
    resp = work.api.put(work.assignment, uid, source_body(lesson, note="x"), if_match="abc")
    assert resp.status_code == 409
    assert resp.get_json()["code"] == "conflict"


def test_if_match_on_an_annotation_that_does_not_exist_is_a_conflict(work, lesson):
    resp = work.api.put(work.assignment, new_id(), source_body(lesson), if_match=3)
    assert resp.status_code == 409
    assert resp.get_json()["current"] is None
    assert work.api.mine(work.assignment) == []


def test_a_uuid_in_capitals_is_the_same_annotation(work, lesson):
    uid = new_id()
    work.api.put(work.assignment, uid.upper(), source_body(lesson))
    resp = work.api.put(work.assignment, uid, source_body(lesson))
    assert resp.status_code == 200
    assert [a["id"] for a in work.api.mine(work.assignment)] == [uid]


def test_structured_fields_are_stored_and_returned(work, lesson):
    uid = new_id()
    body = source_body(lesson)
    body["fields"] = {
        "named": "unnamed",
        "independence": "unsure",
        "checked_url": "https://edition.cnn.com/politics",
    }
    resp = work.api.put(work.assignment, uid, body)
    assert resp.status_code == 201
    assert resp.get_json()["fields"] == body["fields"]
    assert work.api.mine(work.assignment)[0]["fields"] == body["fields"]


def test_an_omission_with_no_target_is_saved(work):
    uid = new_id()
    resp = work.api.put(
        work.assignment,
        uid,
        {
            "category": "omission",
            "prompt": "omissions",
            "note": "",
            "fields": {"missing": "Where Milley spoke", "why": "It changes who he was talking to"},
        },
    )
    assert resp.status_code == 201
    assert resp.get_json()["target"] is None
    assert rows(uid)[0].start_offset is None


def test_an_omission_may_point_at_a_place(work, lesson):
    at = lesson.text.index(" he said to the Kiev officials")
    resp = work.api.put(
        work.assignment,
        new_id(),
        {
            "category": "omission",
            "prompt": "omissions",
            "target": {"start": at, "end": at, "exact": ""},
            "fields": {"missing": "Where?"},
        },
    )
    assert resp.status_code == 201
    target = resp.get_json()["target"]
    assert (target["start"], target["end"], target["exact"]) == (at, at, "")


def test_a_target_with_off_offsets_but_a_unique_quote_is_reanchored_and_says_so(work, lesson):
    body = source_body(lesson)
    body["target"]["start"] += 3
    body["target"]["end"] += 3
    resp = work.api.put(work.assignment, new_id(), body)
    assert resp.status_code == 201
    got = resp.get_json()
    assert got["anchored_by"] == "quote"
    assert got["target"]["start"] == body["target"]["start"] - 3


# ---------------------------------------------------------------- validation: 422 and 400


def test_a_target_whose_words_do_not_match_the_text_gets_422(work, lesson):
    body = source_body(lesson)
    body["target"]["exact"] = "media reports said on Monday"
    resp = work.api.put(work.assignment, new_id(), body)
    assert resp.status_code == 422
    got = resp.get_json()
    assert got["code"] == "invalid"
    assert "don't match the article" in got["fields"]["target"]
    assert got["error"]
    assert work.api.mine(work.assignment) == []


def test_a_note_over_2000_characters_gets_422(work, lesson):
    resp = work.api.put(work.assignment, new_id(), source_body(lesson, note="n" * 2001))
    assert resp.status_code == 422
    assert "2,001" in resp.get_json()["fields"]["note"]


def test_an_empty_required_field_gets_422(work):
    resp = work.api.put(
        work.assignment,
        new_id(),
        {
            "category": "omission",
            "prompt": "omissions",
            "note": "Something is missing",
            "fields": {"missing": ""},
        },
    )
    assert resp.status_code == 422
    assert "fields.missing" in resp.get_json()["fields"]


def test_a_zero_length_target_on_a_highlight_gets_422(work, lesson):
    at = lesson.text.index("media reports")
    body = source_body(lesson)
    body["target"] = {"start": at, "end": at, "exact": ""}
    resp = work.api.put(work.assignment, new_id(), body)
    assert resp.status_code == 422
    assert "at least one word" in resp.get_json()["fields"]["target"]


def test_a_target_past_the_end_of_the_article_gets_422(work, lesson):
    n = len(lesson.text)
    body = source_body(lesson)
    body["target"] = {"start": n - 2, "end": n + 10**12, "exact": "ku"}
    resp = work.api.put(work.assignment, new_id(), body)
    assert resp.status_code == 422
    assert "past the end" in resp.get_json()["fields"]["target"]


def test_a_json_array_instead_of_an_object_gets_422(work):
    resp = work.api.put(work.assignment, new_id(), ["source"])
    assert resp.status_code == 422
    assert resp.get_json()["error"] == "Send the annotation as a JSON object."


@pytest.mark.parametrize(
    ("raw", "content_type"),
    [
        ("{bad json", "application/json"),
        ("", "application/json"),
        ("null", "application/json"),
        (b"\xff\xfe{}", "application/json"),
        ('{"category": "source"}', "text/plain"),
        ("[" * 100_000 + "]" * 100_000, "application/json"),
    ],
    ids=["syntax", "empty", "null", "not-utf8", "not-json-content-type", "nested-too-deep"],
)
def test_a_body_that_is_not_readable_json_gets_400_with_a_readable_error(work, raw, content_type):
    resp = work.api.put(work.assignment, new_id(), None, raw=raw, content_type=content_type)
    assert resp.status_code == 400
    body = resp.get_json()
    assert body["code"] == "malformed"
    assert "couldn't read" in body["error"]
    assert body["fields"] == {}


def test_a_body_too_large_gets_413_as_json(work):
    resp = work.api.put(work.assignment, new_id(), None, raw='{"note": "' + "x" * 600_000 + '"}')
    assert resp.status_code == 413
    assert resp.is_json
    assert resp.get_json()["error"]


# ---------------------------------------------------------------- CSRF and login


def test_a_write_without_the_csrf_header_gets_400_csrf(work, lesson):
    uid = new_id()
    resp = work.api.put(work.assignment, uid, source_body(lesson), csrf=False)
    assert resp.status_code == 400
    assert resp.is_json
    assert resp.get_json()["code"] == "csrf"
    assert rows(uid) == []


def test_a_write_with_a_forged_csrf_token_gets_400_csrf(work, lesson):
    work.api.token = "forged." + (work.api.token or "")
    resp = work.api.put(work.assignment, new_id(), source_body(lesson))
    assert resp.status_code == 400
    assert resp.get_json()["code"] == "csrf"


def test_delete_and_submit_need_the_csrf_header_too(work, lesson):
    uid = new_id()
    work.api.put(work.assignment, uid, source_body(lesson))
    assert work.api.delete(work.assignment, uid, csrf=False).get_json()["code"] == "csrf"
    assert work.api.submit(work.assignment, csrf=False).get_json()["code"] == "csrf"
    assert len(work.api.mine(work.assignment)) == 1
    assert db.session.execute(sa.select(Submission)).first() is None


def test_someone_not_logged_in_gets_401_json(app, make, lesson):
    assignment = make.assignment()
    anon = ApiClient(app.test_client())
    resp = anon.get(assignment)
    assert resp.status_code == 401
    assert resp.get_json()["code"] == "login"
    assert "Log in again" in resp.get_json()["error"]
    # with a valid page token (so CSRF passes) writes are refused for the missing login
    anon.token = page_csrf_token(anon.client)
    for resp in (
        anon.put(assignment, new_id(), source_body(lesson)),
        anon.delete(assignment, new_id()),
        anon.submit(assignment),
        anon.client.get("/api/csrf-token"),
    ):
        assert resp.status_code == 401
        assert resp.get_json()["code"] == "login"


def test_a_write_from_someone_not_logged_in_without_a_token_is_told_to_log_in(app, make, lesson):
    assignment = make.assignment()
    anon = ApiClient(app.test_client())
    resp = anon.put(assignment, new_id(), source_body(lesson))
    # 401 "log in", not 400 "bad token": an expired session must not look like a bad token
    assert resp.status_code == 401
    assert resp.get_json()["code"] == "login"
    assert db.session.execute(sa.select(Annotation)).first() is None


def test_after_logging_out_the_api_answers_401(work):
    assert logout(work.api.client).status_code == 302
    resp = work.api.get(work.assignment)
    assert resp.status_code == 401


# ---------------------------------------------------------------- delete and undo


def test_delete_answers_204_and_keeps_the_row_soft_deleted(work, lesson):
    uid = new_id()
    work.api.put(work.assignment, uid, source_body(lesson))
    resp = work.api.delete(work.assignment, uid)
    assert resp.status_code == 204
    assert resp.get_data() == b""
    [row] = rows(uid)
    assert row.deleted_at is not None
    assert row.version == 2
    assert work.api.mine(work.assignment) == []


def test_deleting_twice_is_fine(work, lesson):
    uid = new_id()
    work.api.put(work.assignment, uid, source_body(lesson))
    assert work.api.delete(work.assignment, uid).status_code == 204
    assert work.api.delete(work.assignment, uid).status_code == 204
    assert rows(uid)[0].version == 2


def test_deleting_an_unknown_annotation_is_404(work):
    resp = work.api.delete(work.assignment, new_id())
    assert resp.status_code == 404
    assert resp.is_json


def test_deleting_with_a_stale_version_is_a_conflict(work, lesson):
    uid = new_id()
    work.api.put(work.assignment, uid, source_body(lesson))
    work.api.put(work.assignment, uid, source_body(lesson, note="newer"), if_match=1)
    resp = work.api.delete(work.assignment, uid, if_match=1)
    assert resp.status_code == 409
    assert resp.get_json()["current"]["note"] == "newer"
    assert rows(uid)[0].deleted_at is None


def test_put_after_delete_restores_the_annotation(work, lesson):
    uid = new_id()
    work.api.put(work.assignment, uid, source_body(lesson))
    work.api.delete(work.assignment, uid)
    resp = work.api.put(work.assignment, uid, source_body(lesson))
    assert resp.status_code == 200
    assert resp.get_json()["version"] == 3
    assert "deleted" not in resp.get_json()
    assert rows(uid)[0].deleted_at is None
    assert [a["id"] for a in work.api.mine(work.assignment)] == [uid]


# ---------------------------------------------------------------- submit


def test_after_submitting_writes_answer_409_submitted_and_say_when(work, lesson):
    uid = new_id()
    work.api.put(work.assignment, uid, source_body(lesson))
    resp = work.api.submit(work.assignment)
    assert resp.status_code == 200
    sub = db.session.execute(sa.select(Submission)).scalar_one()
    when = f"{sub.submitted_at.day} {sub.submitted_at:%b %Y, %H:%M} UTC"
    assert resp.get_json()["submitted_at"] == sub.submitted_at.isoformat() + "Z"

    for resp in (
        work.api.put(work.assignment, uid, source_body(lesson, note="late change")),
        work.api.put(work.assignment, new_id(), source_body(lesson)),
        work.api.delete(work.assignment, uid),
    ):
        assert resp.status_code == 409
        body = resp.get_json()
        assert body["code"] == "submitted"
        assert when in body["error"]
        assert body["submitted_at"] == sub.submitted_at.isoformat() + "Z"

    [row] = rows(uid)
    assert (row.note, row.deleted_at, row.version) == ("Which reports?", None, 1)
    listing = work.api.get(work.assignment).get_json()
    assert listing["submitted_at"] == sub.submitted_at.isoformat() + "Z"
    assert len(listing["annotations"]) == 1


def test_submitting_twice_keeps_the_first_time(work):
    first = work.api.submit(work.assignment).get_json()["submitted_at"]
    second = work.api.submit(work.assignment).get_json()["submitted_at"]
    assert first == second
    assert len(db.session.execute(sa.select(Submission)).all()) == 1


def test_before_submitting_the_listing_says_not_submitted(work):
    assert work.api.get(work.assignment).get_json() == {"annotations": [], "submitted_at": None}


# ---------------------------------------------------------------- listing and URLs


def test_get_lists_only_the_callers_own_annotations(work, make, lesson, app):
    mine = new_id()
    work.api.put(work.assignment, mine, source_body(lesson))
    classmate = make.student(classroom=work.classroom)
    other = ApiClient(app.test_client()).login(classmate)
    theirs = new_id()
    assert other.put(work.assignment, theirs, source_body(lesson, "Mine!")).status_code == 201
    assert [a["id"] for a in work.api.mine(work.assignment)] == [mine]
    assert [a["id"] for a in other.mine(work.assignment)] == [theirs]


def test_the_listing_is_in_text_order_with_omissions_last(work, lesson):
    late, early, omission = new_id(), new_id(), new_id()
    work.api.put(work.assignment, late, highlight(lesson, "huge funds", category="loaded"))
    work.api.put(
        work.assignment,
        omission,
        {"category": "omission", "prompt": "omissions", "fields": {"missing": "Who runs Press TV"}},
    )
    work.api.put(work.assignment, early, highlight(lesson, "vented its anger", category="loaded"))
    assert [a["id"] for a in work.api.mine(work.assignment)] == [early, late, omission]


@pytest.mark.parametrize(
    "bad",
    [
        "not-a-uuid",
        "12345",
        "0" * 36,
        "g" * 8 + "-aaaa-bbbb-cccc-" + "d" * 12,
        "3f2b1c4e-1a2b-4c3d-8e9f-0a1b2c3d4e5f-extra",
    ],
)
def test_an_invalid_uuid_in_the_url_is_404(work, lesson, bad):
    put = work.api.put(work.assignment, bad, source_body(lesson))
    delete = work.api.delete(work.assignment, bad)
    assert (put.status_code, delete.status_code) == (404, 404)
    assert put.is_json
    assert work.api.mine(work.assignment) == []


def test_an_assignment_that_does_not_exist_is_404(work, lesson):
    assert work.api.get(999_999).status_code == 404
    assert work.api.put(999_999, new_id(), source_body(lesson)).status_code == 404


# ---------------------------------------------------------------- code points


EMOJI_LESSON = f"""\
id = "emoji-lesson"
title = "Smiles in the news"

[[blocks]]
kind = "headline"
text = "Officials {EMOJI} react"

[[blocks]]
kind = "paragraph"
text = "A spokesman {EMOJI}{EMOJI} said Ukraine has vented its anger on a top US general."

[[prompts]]
id = "sources"
category = "source"
question = "Who says so?"

[[prompts]]
id = "loaded"
category = "loaded"
question = "Which words push you?"

[[key]]
id = "loaded-vented"
category = "loaded"
quote = "vented its anger"
explanation = "An emotional word."
points = 1
"""


@pytest.fixture
def emoji_work(app, make, tmp_path):
    lessons_dir = tmp_path / "lessons"
    lessons_dir.mkdir()
    (lessons_dir / "emoji-lesson.toml").write_text(EMOJI_LESSON, encoding="utf-8")
    app.config["LESSONS_DIR"] = str(lessons_dir)
    loaded = services.current_lessons(str(lessons_dir))
    assert loaded.problems == []
    lesson = loaded.lessons["emoji-lesson"]
    classroom = make.classroom()
    assignment = make.assignment(classroom, lesson=lesson)
    student = make.student(classroom=classroom)
    api = ApiClient(app.test_client()).login(student)
    return api, assignment, lesson


def test_offsets_count_code_points_and_round_trip(emoji_work):
    api, assignment, lesson = emoji_work
    words = "vented its anger"
    start = lesson.text.index(words)
    assert EMOJI in lesson.text[:start]
    body = {
        "category": "loaded",
        "target": {"start": start, "end": start + len(words), "exact": words},
    }
    uid = new_id()
    resp = api.put(assignment, uid, body)
    assert resp.status_code == 201
    assert resp.get_json()["anchored_by"] == "exact"
    [saved] = api.mine(assignment)
    assert (saved["target"]["start"], saved["target"]["end"]) == (start, start + len(words))
    assert saved["target"]["exact"] == words
    assert saved["target"]["prefix"].endswith(f"{EMOJI}{EMOJI} said Ukraine has ")
    row = rows(uid)[0]
    assert (row.start_offset, row.end_offset) == (start, start + len(words))


def test_utf16_offsets_from_a_browser_that_forgot_to_convert_are_fixed_by_quote(emoji_work):
    api, assignment, lesson = emoji_work
    words = "vented its anger"
    start = lesson.text.index(words)
    utf16 = len(lesson.text[:start].encode("utf-16-le")) // 2
    assert utf16 == start + 3  # three emoji before the words
    resp = api.put(
        assignment,
        new_id(),
        {
            "category": "loaded",
            "target": {"start": utf16, "end": utf16 + len(words), "exact": words},
        },
    )
    assert resp.status_code == 201
    got = resp.get_json()
    assert got["anchored_by"] == "quote"
    assert (got["target"]["start"], got["target"]["end"]) == (start, start + len(words))


def test_an_emoji_itself_can_be_highlighted_across_blocks(emoji_work):
    api, assignment, lesson = emoji_work
    start = lesson.text.index(EMOJI)
    end = lesson.text.index("spokesman") + len("spokesman")
    exact = lesson.text[start:end]
    assert "\n\n" in exact
    resp = api.put(
        assignment,
        new_id(),
        {"category": "source", "target": {"start": start, "end": end, "exact": exact}},
    )
    assert resp.status_code == 201
    assert resp.get_json()["target"]["exact"] == exact


# ---------------------------------------------------------------- review follow-ups


def test_a_page_left_open_by_another_student_cannot_save_into_this_account(work, lesson):
    """A logs out, B logs in on the same browser; A's open page still has unsent work."""
    uid = new_id()
    headers = {**work.api.headers(), "X-Expected-User": str(work.student.id + 1000)}
    resp = work.api.client.put(
        work.api.url(work.assignment, uid), json=source_body(lesson), headers=headers
    )
    assert resp.status_code == 409
    assert resp.get_json()["code"] == "wrong_user"
    assert rows(uid) == []
    ok = {**work.api.headers(), "X-Expected-User": str(work.student.id)}
    resp = work.api.client.put(
        work.api.url(work.assignment, uid), json=source_body(lesson), headers=ok
    )
    assert resp.status_code == 201


def test_a_cut_off_word_is_completed_by_the_server(work, lesson):
    start = lesson.text.index("vented its anger") + 1
    end = start + len("ented its ang")
    body = {
        "category": "loaded",
        "prompt": "loaded",
        "note": "",
        "target": {"start": start, "end": end, "exact": lesson.text[start:end]},
    }
    resp = work.api.put(work.assignment, new_id(), body)
    assert resp.status_code == 201
    assert resp.get_json()["target"]["exact"] == "vented its anger"


@pytest.mark.parametrize("raw_note", ['"nul \\u0000 here"', '"half \\ud83d emoji"'])
def test_a_note_no_database_can_store_is_refused_with_422_not_500(work, raw_note):
    raw = (
        '{"category": "omission", "prompt": "omissions", "fields": {"missing": "x"}, '
        f'"note": {raw_note}}}'
    )
    uid = new_id()
    resp = work.api.put(work.assignment, uid, None, raw=raw)
    assert resp.status_code == 422
    assert "can't store" in resp.get_json()["fields"]["note"]
    assert rows(uid) == []


def test_a_note_with_a_hidden_direction_change_gets_422_and_nothing_is_stored(work, lesson):
    uid = new_id()
    resp = work.api.put(work.assignment, uid, source_body(lesson, note="Bob \u202eevil.exe"))
    assert resp.status_code == 422
    assert "changes the direction of the text" in resp.get_json()["fields"]["note"]
    assert rows(uid) == []


def test_the_api_answers_are_never_cached(work, lesson):
    """They carry students' notes and the session's CSRF token: no browser or proxy keeps
    them (a shared Chromebook's next user must not read them from its cache)."""
    assert work.api.put(work.assignment, new_id(), source_body(lesson)).status_code == 201
    for resp in (
        work.api.client.get("/api/csrf-token"),
        work.api.client.get(f"/api/assignments/{work.assignment.id}/annotations"),
        work.api.put(work.assignment, new_id(), source_body(lesson, note="n" * 2001)),
    ):
        assert resp.headers["Cache-Control"] == "no-store", resp.status_code


def test_a_duplicate_insert_is_reported_not_raised(work):
    from app.models import Enrollment

    dup = Enrollment(classroom_id=work.classroom.id, student_id=work.student.id)
    assert services.insert_unique(db.session, dup) is False
    # the session is still usable afterwards
    assert services.enroll(db.session, work.classroom, work.student).student_id == work.student.id
