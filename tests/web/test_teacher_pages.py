"""What the teacher's pages say and where they lead: every time a person reads is in the
school's time zone with its name (dashboard, review page, the student's "You submitted..."
banner and the API's refusal); the review page's previous/next walk the dashboard's list as it
was sorted and filtered; the heatmap legend."""

from __future__ import annotations

import re
from datetime import datetime
from urllib.parse import parse_qs, urlsplit

import pytest

from app.extensions import db
from tests.support.client import ApiClient, FormClient
from tests.support.factory import new_class, new_id
from tests.support.html import page, text_of
from tests.web.grading_helpers import dashboard_url, progress_rows, review_url

ZONE = "America/New_York"
SUBMITTED = datetime(2026, 12, 7, 19, 5)  # stored as UTC: 14:05 in New York (EST)
DUE = datetime(2026, 12, 8, 4, 59, 59)  # the end of 7 Dec in New York


@pytest.fixture
def school(make, lesson):
    """A class in New York: Ada submitted (6 points), Ben has not started, Cy is in progress
    (2 points), Dee submitted (4 points)."""
    make.app.config["SCHOOL_TIMEZONE"] = ZONE
    k = new_class(make, lesson)
    k.assignment.due_at = DUE
    db.session.commit()
    ada, ben, cy, dee = (k.student(n) for n in ("Ada", "Ben", "Cy", "Dee"))
    k.mark(ada, "media reports said on Tuesday", "source", at=SUBMITTED)
    k.mark(ada, "vented its anger", "loaded", at=SUBMITTED)
    k.mark(ada, "Kremlin Press Secretary Dmitry Peskov", "source", at=SUBMITTED)
    k.submit(ada, at=SUBMITTED)
    k.mark(cy, "media reports said on Tuesday", "source", at=SUBMITTED)
    k.mark(dee, "media reports said on Tuesday", "source", at=SUBMITTED)
    k.mark(dee, "vented its anger", "loaded", at=SUBMITTED)
    k.submit(dee, at=SUBMITTED)
    k.names = {s.id: s.display_name for s in (ada, ben, cy, dee)}
    k.ada, k.ben, k.cy, k.dee = ada, ben, cy, dee
    k.browser = FormClient(make.app, k.teacher)
    return k


def no_bare_utc(text: str) -> None:
    assert "UTC" not in text
    assert not re.search(r"\d{4}-\d\d-\d\dT\d\d:\d\d", text)


# ---------------------------------------------------------------- the school's time zone


def test_the_dashboard_shows_due_date_and_activity_in_the_schools_zone(school):
    resp = school.browser.get(dashboard_url(school.assignment))
    assert "due 7 Dec 2026, 23:59 EST" in text_of(resp)
    rows = {r["name"]: r for r in progress_rows(page(resp))}
    assert rows["Ada"]["Last activity"] == "7 Dec 2026, 14:05 EST"
    no_bare_utc(text_of(resp))


def test_the_review_page_shows_when_they_submitted_and_the_history_in_the_schools_zone(school):
    url = review_url(school.assignment, school.ada)
    assert "submitted 7 Dec 2026, 14:05 EST" in text_of(school.browser.get(url))
    assert school.browser.post(f"{url}/reopen").status_code == 302
    text = text_of(school.browser.get(url))
    assert "submitted at 7 Dec 2026, 14:05 EST" in text  # the history's words
    history = re.search(r"History When Who What From To Why (.*)", text)[1]
    assert re.match(r"\d{1,2} \w{3} \d{4}, \d\d:\d\d ES?T", history)
    no_bare_utc(text)


def test_the_student_reads_when_they_submitted_in_the_schools_zone(school, make, lesson):
    student = FormClient(make.app, school.ada)
    resp = student.get(f"/student/assignments/{school.assignment.id}")
    text = text_of(resp)
    assert "You submitted this lesson on 7 Dec 2026, 14:05 EST." in text
    no_bare_utc(text)
    home = text_of(student.get("/student/"))
    assert "due 7 Dec 2026, 23:59 EST" in home


def test_the_apis_refusal_after_submitting_says_when_in_the_schools_zone(school, make):
    api = ApiClient(make.app.test_client()).login(school.ada)
    resp = api.delete(school.assignment, new_id())
    assert resp.status_code == 409
    body = resp.get_json()
    assert "You submitted this lesson on 7 Dec 2026, 14:05 EST" in body["error"]
    assert body["submitted_at"] == "2026-12-07T19:05:00Z"  # for programs: UTC, unchanged


# ---------------------------------------------------------------- previous / next


def pager(school, student, **view) -> tuple[str | None, str | None, str]:
    """(previous name, next name, the place) on the review page, following its links."""
    query = "&".join(f"{k}={v}" for k, v in view.items())
    resp = school.browser.get(
        review_url(school.assignment, student) + (f"?{query}" if query else "")
    )
    assert resp.status_code == 200
    doc = page(resp)
    nav = doc.find("nav", cls="pager")
    links = {a.attrs["rel"]: a for a in nav.find_all("a")}
    for a in links.values():  # every link keeps the view
        got = {k: v[0] for k, v in parse_qs(urlsplit(a.attrs["href"]).query).items()}
        assert got == view
    name = lambda rel: links[rel].text.strip(" ←→") if rel in links else None  # noqa: E731
    return name("prev"), name("next"), nav.find("span").text.strip()


def test_previous_and_next_follow_the_dashboards_sort(school):
    view = {"sort": "score", "dir": "desc"}
    # the dashboard lists Ada (6), Dee (4), Cy (2), Ben (0) and links each with its view
    resp = school.browser.get(dashboard_url(school.assignment, **view))
    rows = progress_rows(page(resp))
    assert [r["name"] for r in rows] == ["Ada", "Dee", "Cy", "Ben"]
    assert f"students/{school.dee.id}?sort=score&amp;dir=desc" in resp.get_data(as_text=True)
    assert pager(school, school.dee, **view) == ("Ada", "Cy", "2 of 4")
    assert pager(school, school.ada, **view) == (None, "Dee", "1 of 4")
    assert pager(school, school.dee) == ("Cy", None, "4 of 4")  # no view: by name


def test_previous_and_next_stay_inside_the_dashboards_filter(school):
    view = {"status": "submitted"}
    assert pager(school, school.ada, **view) == (None, "Dee", "1 of 2 submitted")
    assert pager(school, school.dee, **view) == ("Ada", None, "2 of 2 submitted")
    # Cy is not submitted: the nearest submitted students either side by name
    assert pager(school, school.cy, **view) == ("Ada", "Dee", "not among the 2 submitted")


def test_marking_a_student_comes_back_to_the_same_list(school):
    url = review_url(school.assignment, school.dee) + "?sort=score&dir=desc"
    page_html = school.browser.get(url).get_data(as_text=True)
    assert f'students/{school.dee.id}/final?sort=score&amp;dir=desc#final"' in page_html
    resp = school.browser.post(
        review_url(school.assignment, school.dee, "/final?sort=score&dir=desc"),
        {"score": "5", "reason": "a fairer mark"},
    )
    assert resp.status_code == 302
    assert resp.headers["Location"].endswith(f"students/{school.dee.id}?sort=score&dir=desc#final")


# ---------------------------------------------------------------- the heatmap legend


def legend_numbers(resp) -> list[str]:
    """The numbers the legend shows (outside its tags: the swatches' shades are not labels)."""
    legend = re.search(r'<div class="heat-legend".*?</div>', resp.get_data(as_text=True), re.S)
    return re.findall(r"\d+", re.sub(r"<[^>]*>", " ", legend[0]))


def test_the_heatmap_legend_never_labels_its_middle_0(school, make, lesson):
    assert legend_numbers(school.browser.get(dashboard_url(school.assignment))) == ["0", "2", "3"]
    one = new_class(make, lesson, school.teacher, name="Period 4")
    one.mark(one.student("Ivy"), "vented its anger", "loaded")  # the most is 1: no middle
    assert legend_numbers(school.browser.get(dashboard_url(one.assignment))) == ["0", "1"]
    none = new_class(make, lesson, school.teacher, name="Period 5")
    none.student("Jo")
    text = text_of(school.browser.get(dashboard_url(none.assignment)))
    assert "No one has highlighted anything yet." in text
