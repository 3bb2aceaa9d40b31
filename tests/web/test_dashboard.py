"""The class dashboard: what the class understood at a glance (progress, key items most-missed
first, heatmap, candidates, confusion, score chart), sorting and filtering, and the fixed number
of SQL queries it takes whatever the class size."""

from __future__ import annotations

from datetime import datetime

import pytest
import sqlalchemy as sa
from flask import current_app

from app.domain.scoring import score_work
from app.domain.work import StudentWork
from app.extensions import db
from app.models import (
    Annotation,
    FinalGrade,
    GradeChange,
    OmissionMark,
    RubricScore,
    Submission,
)
from tests.support.client import FormClient
from tests.support.factory import new_class, new_id, omission
from tests.support.html import page, parse
from tests.web.grading_helpers import dashboard_url, names, progress_rows, review_url

DUE = datetime(2024, 1, 3, 0, 0)
JAN = {d: datetime(2024, 1, d, 9, 0) for d in range(1, 8)}
CANDIDATE = "a regional capital in southern Ukraine"


@pytest.fixture
def four(make, lesson):
    """Ada submitted on time (6 points), Ben has not started, Cy is in progress (4 points, and
    calls a loaded phrase a source), Dee submitted after the due date (1 point). The due date
    has passed, so Ben's and Cy's work is missing."""
    k = new_class(make, lesson)
    k.assignment.due_at = DUE
    db.session.commit()
    ada, _ben, cy, dee = (
        k.student(n) for n in ("Ada Lovelace", "Ben Okri", "Cy Twombly", "Dee Dee Ramone")
    )
    k.mark(ada, "media reports said on Tuesday", "source", at=JAN[1])
    k.mark(ada, "vented its anger", "loaded", at=JAN[1])
    k.mark(ada, "Kremlin Press Secretary Dmitry Peskov", "source", at=JAN[1])
    k.mark(ada, CANDIDATE, "loaded", at=JAN[1])
    k.put(ada, omission("Where he gave the speech: the Economic Club of New York"), at=JAN[1])
    k.submit(ada, at=JAN[2])
    k.mark(cy, "media reports said on Tuesday", "source", at=JAN[5])
    k.mark(cy, "top officials in Washington", "source", at=JAN[5])
    k.mark(cy, CANDIDATE, "loaded", at=JAN[5])
    k.mark(cy, "pointed out", "source", at=JAN[5])
    k.mark(dee, "US Army General Mark Milley", "source", at=JAN[1])
    k.submit(dee, at=JAN[4])
    k.browser = FormClient(make.app, k.teacher)
    return k


def dashboard(k, **query):
    resp = k.browser.get(dashboard_url(k.assignment, **query))
    assert resp.status_code == 200, resp.status_code
    return page(resp)


# ---------------------------------------------------------------- what the page shows


def test_the_teacher_sees_each_students_status_counts_and_scores(four):
    rows = {r["name"]: r for r in progress_rows(dashboard(four))}
    assert set(rows) == {"Ada Lovelace", "Ben Okri", "Cy Twombly", "Dee Dee Ramone"}
    got = {
        name: (
            r["Status"],
            r["Source"],
            r["Loaded wording"],
            r["Left out"],
            r["Auto score"],
            r["Final grade"],
        )
        for name, r in rows.items()
    }
    assert got == {
        "Ada Lovelace": ("Submitted", "2", "2", "1", "6.0", "6.0"),
        "Ben Okri": ("Missing never started", "0", "0", "0", "0.0", "— no grade"),
        "Cy Twombly": ("Missing", "3", "1", "0", "4.0", "4.0 not submitted"),
        "Dee Dee Ramone": ("Late", "1", "0", "0", "1.0", "1.0"),
    }
    assert rows["Ben Okri"]["Last activity"] == "—"
    assert rows["Cy Twombly"]["Last activity"].startswith("5 Jan 20")
    assert rows["Cy Twombly"]["Last activity"].endswith(", 09:00 UTC")


@pytest.mark.parametrize(
    ("submitted", "due", "status"),
    [
        (datetime(2024, 3, 1, 10, 0), "2024-03-01", "Submitted"),  # the due day itself
        (datetime(2024, 3, 1, 23, 59, 30), "2024-03-01", "Submitted"),  # its last minute
        (datetime(2024, 3, 2, 0, 1), "2024-03-01", "Late"),  # just after
        (datetime(2024, 3, 9, 0, 0), "", "Submitted"),  # no due date at all
    ],
)
def test_a_submission_after_the_due_date_the_teacher_set_is_flagged_late(
    make, lesson, submitted, due, status
):
    k = new_class(make, lesson)
    s = k.student("Eve Arden")
    k.mark(s, "pointed out", "loaded")
    k.submit(s, at=submitted)
    teacher = FormClient(make.app, k.teacher)
    resp = teacher.post(f"{dashboard_url(k.assignment)}/due", {"due": due})
    assert resp.status_code == 302
    db.session.refresh(k.assignment)
    assert k.assignment.due_at == (datetime(2024, 3, 1, 23, 59, 59) if due else None)
    [row] = progress_rows(page(teacher.get(dashboard_url(k.assignment))))
    assert row["Status"] == status


def test_key_items_are_listed_most_missed_first_with_their_explanation(four, lesson):
    items = dashboard(four).find_all("li", cls="item")
    assert len(items) == len(lesson.key)
    shares = [int(li.find("span", cls="pct").words.rstrip("%")) for li in items]
    assert shares == sorted(shares)
    assert shares[-1] == 50
    best = items[-1]
    assert best.find("q").words == "media reports said on Tuesday"
    assert "(2 of 4)" in best.words
    media = next(k for k in lesson.key if k.id == "src-media-reports")
    assert best.find("details").find("p").words == " ".join(media.explanation.split())
    # an omission shows its statement (the class hasn't been marked yet: 0%)
    venue = next(li for li in items if "Where Milley spoke" in li.words)
    assert venue.find("span", cls="pct").words == "0%"
    assert "1 answer to mark" in venue.words


@pytest.mark.parametrize(
    ("heat", "phrase", "count"),
    [
        ("all", "media reports said on Tuesday", 2),
        ("all", CANDIDATE, 2),
        ("all", "vented its anger", 1),
        ("source", "media reports said on Tuesday", 2),
        ("source", CANDIDATE, None),
        ("loaded", CANDIDATE, 2),
        ("loaded", "media reports said on Tuesday", None),
        ("loaded", "pointed out", None),  # Cy called it a source
        ("source", "pointed out", 1),  # next to Ada's Peskov: one run "... Peskov pointed out"
    ],
)
def test_the_heatmap_shows_how_many_students_highlighted_each_phrase(four, heat, phrase, count):
    marks = dashboard(four, heat=heat).find_all("mark", cls="heat")
    hot = {m.seen_words: m for m in marks}
    if count is None:
        assert not any(phrase in text for text in hot)
        return
    [text] = [t for t in hot if phrase in t]  # a run of words with the same count
    mark = hot[text]
    assert mark.attrs["title"] == f"{count} of 4 students"
    # a screen reader hears where the run starts and ends, and how many highlighted it
    assert mark.said == [
        f"start of highlight by {count} of 4 students",
        f"end of highlight by {count} of 4 students",
    ]
    assert mark.attrs["tabindex"] == "0"  # counts on keyboard focus too


@pytest.mark.parametrize("heat", ["bogus", "omission", "", "ALL"])
def test_an_unknown_heatmap_category_falls_back_to_any_category(four, heat):
    fallback = dashboard(four, heat=heat)
    everything = dashboard(four, heat="all")
    current = [
        a.words
        for a in fallback.find("nav", aria_label="Heatmap category").find_all("a")
        if a.attrs.get("aria-current") == "page"
    ]
    assert current == ["Any category"]
    assert [(s.words, s.attrs["title"]) for s in fallback.find_all("span", cls="heat")] == [
        (s.words, s.attrs["title"]) for s in everything.find_all("span", cls="heat")
    ]


def test_phrases_several_students_chose_outside_the_key_are_offered_as_candidates(four):
    doc = dashboard(four)
    assert "Often highlighted, not in the key" in [h.words for h in doc.find_all("h3")]
    table = next(
        t
        for t in doc.find_all("table")
        if t.find_all("th") and t.find_all("th")[0].words == "Phrase"
    )
    rows = [[c.words for c in tr.find_all("td")] for tr in table.find("tbody").find_all("tr")]
    assert rows == [[CANDIDATE, "Loaded wording", "2"]]


def test_the_confusion_table_counts_a_key_phrase_tagged_with_another_category(four):
    table = dashboard(four).find("table", cls="confusion")
    cols = [th.words for th in table.find("thead").find_all("th")][1:]
    assert cols == ["Source", "Loaded wording"]
    cells = {}
    for tr in table.find("tbody").find_all("tr"):
        said = tr.find("th").words
        for col, td in zip(cols, tr.find_all("td"), strict=True):
            cells[(said, col)] = int(td.words)
    assert cells == {
        ("Source", "Source"): 5,  # Ada 2, Cy 2, Dee 1
        ("Source", "Loaded wording"): 1,  # Cy's "pointed out"
        ("Loaded wording", "Source"): 0,
        ("Loaded wording", "Loaded wording"): 1,  # Ada's "vented its anger"
    }


def test_the_score_chart_is_an_svg_image_with_a_text_description(four, lesson):
    svg = dashboard(four).find("svg")
    assert svg.attrs["role"] == "img"
    assert svg.find("title").words == "Score distribution"
    possible = score_work(lesson, StudentWork(0, "", "")).possible
    bands = [0] * 10
    for score in (6, 4, 1):  # Ben never started: apart, not in the chart
        bands[min(9, int(score * 100 / possible // 10))] += 1
    desc = svg.find("desc").words
    assert desc.startswith(f"Final scores of 3 students as a share of {possible:g} points")
    assert desc.endswith("Not in the chart: 1 student who never started.")
    assert (
        "Not in the chart: 1 student who never started"
        in dashboard(four).find("p", cls="not-started-note").words
    )
    for i, n in enumerate(bands):
        assert f"{i * 10}-{i * 10 + 10}%: {n}" in desc
    assert [t.words for t in svg.find_all("text", cls="count")] == [str(n) for n in bands]


def test_names_that_look_like_markup_are_shown_as_text(make, lesson):
    k = new_class(make, lesson)
    s = k.student('<img src=x onerror="alert(1)">')
    k.mark(s, "pointed out", "loaded", note="<b>bold</b> & =1+2")
    teacher = FormClient(make.app, k.teacher)
    for url in (dashboard_url(k.assignment), review_url(k.assignment, s)):
        html = teacher.get(url).get_data(as_text=True)
        assert "<img src=x" not in html
        assert "&lt;img src=x onerror=" in html
    review = teacher.get(review_url(k.assignment, s)).get_data(as_text=True)
    assert "<b>bold</b>" not in review
    assert "&lt;b&gt;bold&lt;/b&gt; &amp; =1+2" in review


# ---------------------------------------------------------------- sorting and filtering

ORDERS = {
    ("name", "asc"): ["Ada Lovelace", "Ben Okri", "Cy Twombly", "Dee Dee Ramone"],
    ("name", "desc"): ["Dee Dee Ramone", "Cy Twombly", "Ben Okri", "Ada Lovelace"],
    ("status", "asc"): ["Ada Lovelace", "Dee Dee Ramone", "Ben Okri", "Cy Twombly"],
    ("status", "desc"): ["Cy Twombly", "Ben Okri", "Dee Dee Ramone", "Ada Lovelace"],
    ("score", "asc"): ["Ben Okri", "Dee Dee Ramone", "Cy Twombly", "Ada Lovelace"],
    ("score", "desc"): ["Ada Lovelace", "Cy Twombly", "Dee Dee Ramone", "Ben Okri"],
}


@pytest.mark.parametrize(("sort", "direction"), list(ORDERS))
def test_the_teacher_sorts_the_students_by_each_column_both_ways(four, sort, direction):
    doc = dashboard(four, sort=sort, dir=direction)
    assert names(doc) == ORDERS[(sort, direction)]
    active = [
        a
        for a in doc.find("table", cls="progress").find("thead").find_all("a")
        if a.attrs.get("aria-current") == "true"
    ]
    assert len(active) == 1
    assert f"sorted {direction}ending" in active[0].words


@pytest.mark.parametrize(
    ("direction", "order"),
    [
        ("asc", ["Ada Lovelace", "Dee Dee Ramone", "Cy Twombly"]),
        ("desc", ["Cy Twombly", "Dee Dee Ramone", "Ada Lovelace"]),
    ],
)
def test_the_teacher_sorts_by_last_activity(four, direction, order):
    got = names(dashboard(four, sort="activity", dir=direction))
    assert got == [*order, "Ben Okri"]  # no activity at all comes last, whichever direction


def test_an_unknown_sort_falls_back_to_names(four):
    assert names(dashboard(four, sort="password")) == ORDERS[("name", "asc")]


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        ("missing", ["Ben Okri", "Cy Twombly"]),
        ("submitted", ["Ada Lovelace"]),
        ("late", ["Dee Dee Ramone"]),
        ("", ["Ada Lovelace", "Ben Okri", "Cy Twombly", "Dee Dee Ramone"]),
    ],
)
def test_the_teacher_filters_the_students_by_status(four, status, expected):
    assert names(dashboard(four, status=status)) == expected


@pytest.mark.parametrize(
    ("status", "expected"), [("not started", ["Ben Okri"]), ("in progress", ["Cy Twombly"])]
)
def test_before_the_due_date_unsubmitted_work_is_not_started_or_in_progress(four, status, expected):
    four.assignment.due_at = None
    db.session.commit()
    assert names(dashboard(four, status=status)) == expected


def test_a_filter_nobody_matches_says_so(four):
    db.session.execute(sa.delete(Submission))
    db.session.commit()
    doc = dashboard(four, status="late")
    assert doc.find_all("table", cls="progress") == []
    assert "No student is “late”." in doc.find("p", cls="empty").words


def test_filtering_keeps_the_sort_order(four):
    four.submit(four.students[2], at=JAN[6])  # Cy submits late too
    assert names(dashboard(four, status="late", sort="name", dir="desc")) == [
        "Dee Dee Ramone",
        "Cy Twombly",
    ]
    assert names(dashboard(four, status="late", sort="activity")) == [
        "Dee Dee Ramone",
        "Cy Twombly",
    ]


# ---------------------------------------------------------------- a fixed number of queries


def busy_class(make, lesson, teacher, size: int):
    """A class of ``size`` students, each with highlights (matched and not), an omission answer
    marked by the teacher, a rubric row per prompt, a final grade, a submission and history."""
    k = new_class(make, lesson, teacher, name=f"Class of {size}")
    rows = []
    for i in range(size):
        s = k.student(f"Student {i:03d}")
        for words, cat in (
            ("media reports said on Tuesday", "source"),
            ("vented its anger", "loaded"),
            (CANDIDATE, "loaded"),
            ("pointed out", "source"),
        ):
            start = lesson.text.index(words)
            rows.append(
                Annotation(
                    id=new_id(),
                    assignment_id=k.assignment.id,
                    student_id=s.id,
                    category=cat,
                    prompt_id="sources" if cat == "source" else "loaded",
                    start_offset=start,
                    end_offset=start + len(words),
                    exact=words,
                )
            )
        answer = new_id()
        rows.append(
            Annotation(
                id=answer,
                assignment_id=k.assignment.id,
                student_id=s.id,
                category="omission",
                prompt_id="omissions",
                fields_json='{"missing": "the Economic Club of New York"}',
            )
        )
        rows.append(OmissionMark(annotation_id=answer, key_item_id="om-venue", level="full"))
        rows += [
            RubricScore(
                assignment_id=k.assignment.id,
                student_id=s.id,
                prompt_id=p.id,
                level="emergent",
                comment="Look again",
            )
            for p in lesson.prompts
        ]
        rows.append(
            FinalGrade(
                assignment_id=k.assignment.id, student_id=s.id, score=9, reason="A fine answer"
            )
        )
        rows.append(Submission(assignment_id=k.assignment.id, student_id=s.id))
        rows.append(
            GradeChange(
                assignment_id=k.assignment.id,
                student_id=s.id,
                teacher_id=teacher.id,
                what="final grade",
                new_value="9",
            )
        )
    for row in rows:  # annotations before the marks that point at them
        db.session.add(row)
        if isinstance(row, Annotation):
            db.session.flush()
    db.session.commit()
    return k


class QueryCounter:
    def __init__(self, engine) -> None:
        self.engine = engine
        self.statements: list[str] = []

    def __enter__(self) -> QueryCounter:
        db.session.remove()  # nothing cached from setting up: the request loads what it needs
        sa.event.listen(self.engine, "before_cursor_execute", self._seen)
        return self

    def __exit__(self, *exc) -> None:
        sa.event.remove(self.engine, "before_cursor_execute", self._seen)

    def _seen(self, conn, cursor, statement, parameters, context, executemany) -> None:
        self.statements.append(statement)


def queries_for(teacher: FormClient, url: str) -> tuple[int, str]:
    """Queries for one page, counted cold: without lessons the app kept from earlier pages."""
    current_app.extensions.pop("lessons_by_version", None)
    with QueryCounter(db.engine) as counter:
        resp = teacher.get(url)
    assert resp.status_code == 200, url
    return len(counter.statements), resp.get_data(as_text=True)


@pytest.fixture
def classes_of_5_and_50(make, lesson):
    teacher = make.teacher()
    small, large = busy_class(make, lesson, teacher, 5), busy_class(make, lesson, teacher, 50)
    browser = FormClient(make.app, teacher)
    browser.token()
    return browser, small, large


def test_the_dashboard_takes_the_same_few_queries_for_5_or_50_students(
    classes_of_5_and_50, record_property
):
    teacher, small, large = classes_of_5_and_50
    small_url, large_url = dashboard_url(small.assignment), dashboard_url(large.assignment)
    n_small, small_html = queries_for(teacher, small_url)
    n_large, large_html = queries_for(teacher, large_url)
    n_again, _ = queries_for(teacher, small_url)
    record_property("dashboard_queries", (n_small, n_large))
    print(f"dashboard queries: 5 students {n_small}, 50 students {n_large}")
    assert len(progress_rows(parse(small_html))) == 5
    assert [r["name"] for r in progress_rows(parse(large_html))][-1] == "Student 049"
    assert n_small == n_large == n_again
    assert n_small <= 12


def test_the_review_page_takes_the_same_few_queries_for_5_or_50_students(
    classes_of_5_and_50, record_property
):
    teacher, small, large = classes_of_5_and_50
    small_url = review_url(small.assignment, small.students[2])
    large_url = review_url(large.assignment, large.students[25])
    n_small, small_html = queries_for(teacher, small_url)
    n_large, large_html = queries_for(teacher, large_url)
    record_property("review_queries", (n_small, n_large))
    print(f"review queries: 5 students {n_small}, 50 students {n_large}")
    assert "3 of 5" in small_html
    assert "26 of 50" in large_html
    assert n_small == n_large
    assert n_small <= 14


def test_the_review_page_in_a_sorted_list_takes_the_same_few_queries_for_5_or_50_students(
    classes_of_5_and_50,
):
    """Sorted by score, previous/next need the class's work: still a fixed number of queries."""
    teacher, small, large = classes_of_5_and_50
    view = "?sort=score&dir=desc&status=in+progress"
    small_url = review_url(small.assignment, small.students[2]) + view
    large_url = review_url(large.assignment, large.students[25]) + view
    n_small, _ = queries_for(teacher, small_url)
    n_large, _ = queries_for(teacher, large_url)
    print(f"review queries in a sorted list: 5 students {n_small}, 50 students {n_large}")
    assert n_small == n_large
    assert n_small <= 20
