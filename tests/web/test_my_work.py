"""A student can download everything the site keeps about them, and only that."""

from __future__ import annotations

import json

from tests.support.client import ApiClient
from tests.support.factory import highlight, new_id


def test_a_student_downloads_all_their_own_work_and_nobody_elses(app, make, lesson):
    classroom = make.classroom()
    assignment = make.assignment(classroom)
    me = make.student("me-student", classroom=classroom)
    other = make.student("classmate", classroom=classroom)
    mine = ApiClient(app.test_client()).login(me)
    mine.put(
        assignment,
        new_id(),
        highlight(
            lesson,
            "vented its anger",
            category="loaded",
            prompt="loaded",
            note="my own <b>note</b> 😀",
        ),
    )
    theirs = ApiClient(app.test_client()).login(other)
    theirs.put(
        assignment,
        new_id(),
        highlight(
            lesson, "pointed out", category="loaded", prompt="loaded", note="classmate's secret"
        ),
    )
    resp = mine.client.get("/student/my-work.json")
    assert resp.status_code == 200
    assert "attachment" in resp.headers["Content-Disposition"]
    data = json.loads(resp.get_data(as_text=True))
    assert data["account"]["username"] == "me-student"
    assert data["classes"] == [classroom.name]
    [lesson_work] = data["work"]
    assert [a["note"] for a in lesson_work["annotations"]] == ["my own <b>note</b> 😀"]
    assert "classmate's secret" not in resp.get_data(as_text=True)
    assert "classmate" not in json.dumps(data)
