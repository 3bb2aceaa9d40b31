"""Every route x {anonymous, student A, student B, teacher X, teacher Y}, generated from the URL
map: a new route without an entry in EXPECT fails here, so none can be forgotten.

Teacher X owns the class and an unshared draft lesson; students A and B are in the class;
teacher Y has a class of their own. The URLs name X's class, assignment and draft, student A
and A's annotation. CSRF is off here (it has its
own tests): this is about who may reach what. "ok" means the request got through (any answer
but a redirect to log in, 401, 403, 404 or 5xx); a number is the exact refusal.
"""

from __future__ import annotations

from dataclasses import replace

import pytest

from app import services
from app.domain.lessons.export import lesson_data
from app.extensions import db
from app.services import library
from tests.support.client import login
from tests.support.factory import highlight
from tests.support.routes import all_routes

ACTORS = ("anonymous", "student_a", "student_b", "teacher_x", "teacher_y")
OK = "ok"


def row(anonymous, a, b, x, y):
    return dict(zip(ACTORS, (anonymous, a, b, x, y), strict=True))


PUBLIC = row(OK, OK, OK, OK, OK)
STUDENT_PAGE = row(302, OK, OK, 403, 403)  # in the class: A and B; teachers are refused
STUDENT_API = row(401, OK, OK, 404, 404)
A_ONLY_API = row(401, OK, 404, 404, 404)  # A's own annotation: B gets 404, like a stranger
A_ONLY_PAGE = row(302, OK, 404, 403, 403)
TEACHER_X = row(302, 403, 403, OK, 404)  # X's class: Y gets 404, students 403

EXPECT: dict[tuple[str, str], dict[str, object]] = {
    ("main.index", "GET"): PUBLIC,
    ("main.service_worker", "GET"): PUBLIC,
    ("main.favicon", "GET"): PUBLIC,
    ("static", "GET"): PUBLIC,
    ("auth.login", "GET"): PUBLIC,
    ("auth.login", "POST"): PUBLIC,
    ("auth.signup", "GET"): PUBLIC,
    ("auth.signup", "POST"): PUBLIC,
    ("auth.join", "GET"): PUBLIC,
    ("auth.join", "POST"): PUBLIC,
    ("auth.logout", "POST"): row(302, 302, 302, 302, 302),  # always back to the login page
    ("auth.change_password", "GET"): row(302, OK, OK, OK, OK),
    ("auth.change_password", "POST"): row(302, OK, OK, OK, OK),  # only ever their own
    ("account.new_password", "GET"): row(302, OK, OK, OK, OK),
    ("account.new_password", "POST"): row(302, OK, OK, OK, OK),
    ("api.csrf_token", "GET"): row(401, OK, OK, OK, OK),
    ("api.list_annotations", "GET"): STUDENT_API,
    ("api.put_annotation", "PUT"): A_ONLY_API,
    ("api.delete_annotation", "DELETE"): A_ONLY_API,
    ("api.submit", "POST"): STUDENT_API,
    ("student.home", "GET"): STUDENT_PAGE,
    ("student.download_my_work", "GET"): STUDENT_PAGE,
    ("student.lesson", "GET"): STUDENT_PAGE,
    ("student.annotate_by_quote", "POST"): STUDENT_PAGE,
    ("student.delete_annotation", "POST"): A_ONLY_PAGE,
    ("student.submit", "POST"): STUDENT_PAGE,
    ("teacher.home", "GET"): row(302, 403, 403, OK, OK),
    ("teacher.home", "POST"): row(302, 403, 403, OK, OK),
    ("teacher.classroom", "GET"): TEACHER_X,
    ("teacher.classroom", "POST"): TEACHER_X,
    ("teacher.dashboard", "GET"): TEACHER_X,
    ("teacher.export", "GET"): TEACHER_X,
    ("teacher.set_due", "POST"): TEACHER_X,
    ("teacher.release", "GET"): TEACHER_X,
    ("teacher.release", "POST"): TEACHER_X,  # no "who" chosen: the page re-shown, 422
    ("teacher.undo_release", "POST"): TEACHER_X,  # nothing released: back to the dashboard
    ("teacher.review", "GET"): TEACHER_X,
    ("teacher.mark_omission", "POST"): TEACHER_X,
    ("teacher.set_rubric", "POST"): TEACHER_X,
    ("teacher.set_final", "POST"): TEACHER_X,
    ("teacher.reopen", "POST"): TEACHER_X,
    ("teacher.move", "GET"): TEACHER_X,
    ("teacher.move", "POST"): TEACHER_X,  # no version named: the review re-shown, 422
    ("teacher.delete_assignment", "GET"): TEACHER_X,
    ("teacher.delete_assignment", "POST"): TEACHER_X,  # A's work, box not ticked: re-shown, 422
    ("teacher.archive_assignment", "POST"): TEACHER_X,
    ("teacher.unarchive_assignment", "POST"): TEACHER_X,
    ("lessons.index", "GET"): row(302, 403, 403, OK, OK),
    ("lessons.builtin", "GET"): row(302, 403, 403, OK, OK),
    ("lessons.authored", "GET"): TEACHER_X,  # X's draft, not shared: Y gets 404
    ("authoring.edit", "GET"): TEACHER_X,  # only the author edits, shared or not
    ("authoring.save", "POST"): TEACHER_X,
    ("authoring.publish", "POST"): TEACHER_X,
    ("authoring.share", "POST"): TEACHER_X,
    ("intake.new", "GET"): row(302, 403, 403, OK, OK),
    ("intake.new", "POST"): row(302, 403, 403, OK, OK),  # nothing typed: re-shown, 422
    ("intake.paste", "POST"): row(302, 403, 403, OK, OK),
    ("intake.import_file", "POST"): row(302, 403, 403, OK, OK),  # no file: re-shown, 422
    ("authoring.delete", "POST"): TEACHER_X,
    ("authoring.duplicate_builtin", "POST"): row(302, 403, 403, OK, OK),
    ("authoring.duplicate_authored", "POST"): TEACHER_X,  # Y could if X shared it
    ("authoring.export_builtin", "GET"): row(302, 403, 403, OK, OK),
    ("authoring.export_authored", "GET"): TEACHER_X,
    ("authoring.preview_authored", "GET"): TEACHER_X,  # only the author previews a draft
    ("authoring.preview_feedback_authored", "GET"): TEACHER_X,
    ("authoring.preview_builtin", "GET"): row(302, 403, 403, OK, OK),
    ("authoring.preview_feedback_builtin", "GET"): row(302, 403, 403, OK, OK),
    ("roster.settings", "GET"): TEACHER_X,
    ("roster.settings", "POST"): TEACHER_X,
    ("roster.archive", "POST"): TEACHER_X,
    ("roster.unarchive", "POST"): TEACHER_X,
    ("roster.new_join_code", "POST"): TEACHER_X,
    ("roster.delete_class", "GET"): TEACHER_X,
    ("roster.delete_class", "POST"): TEACHER_X,  # no class name typed: re-shown, 422
    ("roster.import_roster", "GET"): TEACHER_X,
    ("roster.import_roster", "POST"): TEACHER_X,
    ("roster.example_csv", "GET"): TEACHER_X,
    ("roster.edit_student", "GET"): TEACHER_X,
    ("roster.edit_student", "POST"): TEACHER_X,  # nothing typed: re-shown, 422
    ("roster.reset_password", "GET"): TEACHER_X,
    ("roster.reset_password", "POST"): TEACHER_X,
    ("roster.remove_student", "GET"): TEACHER_X,
    ("roster.remove_student", "POST"): TEACHER_X,
}


ROUTES = all_routes()


def test_every_route_has_an_expected_answer_for_everyone():
    missing = [(e, m) for e, m, _ in ROUTES if (e, m) not in EXPECT]
    assert missing == [], f"add these routes to EXPECT: {missing}"
    stale = set(EXPECT) - {(e, m) for e, m, _ in ROUTES}
    assert stale == set()


@pytest.fixture
def world(app, make, lesson):
    app.config["WTF_CSRF_ENABLED"] = False
    x = make.teacher("x@school.test")
    y = make.teacher("y@school.test")
    cx = make.classroom(x, "X's class")
    make.classroom(y, "Y's class")
    assignment = make.assignment(cx)
    a = make.student("student-a", classroom=cx)
    b = make.student("student-b", classroom=cx)
    from tests.support.factory import save_annotation

    draft = library.create_authored(
        db.session,
        x,
        lesson_data(replace(lesson, id="x-draft")),
        services.current_lessons(make.lessons_dir),
    )
    db.session.commit()
    body = highlight(lesson, "vented its anger", category="loaded", prompt="loaded")
    uid = save_annotation(assignment.id, a, body)
    values = {
        "assignment_id": assignment.id,
        "classroom_id": cx.id,
        "student_id": a.id,
        "uuid": uid,
        "prompt_id": "loaded",
        "kind": "grades.csv",
        "filename": "css/app.css",
        "lesson_slug": lesson.id,
        "authored_id": draft.id,
    }
    return {
        "users": {"student_a": a, "student_b": b, "teacher_x": x, "teacher_y": y},
        "values": values,
        "lesson": lesson,
    }


def _url(rule: str, values: dict) -> str:
    url = rule
    for name, value in values.items():
        for conv in ("id:", "path:", ""):
            url = url.replace(f"<{conv}{name}>", str(value))
    assert "<" not in url, url
    return url


@pytest.mark.parametrize("actor", ACTORS)
@pytest.mark.parametrize(
    ("endpoint", "method", "rule"), ROUTES, ids=[f"{m} {e}" for e, m, _ in ROUTES]
)
def test_access_matrix(client, world, endpoint, method, rule, actor):
    expected = EXPECT[(endpoint, method)][actor]
    if actor != "anonymous":
        user = world["users"][actor]
        assert login(client, user).status_code == 302
    url = _url(rule, world["values"])
    body = None
    if endpoint == "api.put_annotation":
        body = highlight(world["lesson"], "pointed out", category="loaded", prompt="loaded")
    elif endpoint == "intake.paste":
        body = {"html": "<h1>Big news</h1><p>Officials said so.</p>"}
    elif endpoint == "authoring.save":
        body = {"revision": 0, "lesson": lesson_data(replace(world["lesson"], id="x-draft"))}
    resp = (
        client.open(url, method=method, json=body)
        if body
        else client.open(url, method=method, data={} if method == "POST" else None)
    )
    status = resp.status_code
    resp.close()  # static files are streamed from disk
    assert status < 500, f"{method} {url} as {actor}: {status}"
    if expected == OK:
        assert status not in (400, 401, 403, 404), f"{method} {url} as {actor}: {status}"
        if status in (301, 302, 303):
            assert "/login" not in resp.headers["Location"], f"{method} {url} as {actor}"
    else:
        assert status == expected, f"{method} {url} as {actor}: {status}, wanted {expected}"
        if expected == 302:
            assert "/login" in resp.headers["Location"]
