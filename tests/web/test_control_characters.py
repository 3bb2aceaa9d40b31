"""Every route, driven with what PostgreSQL refuses or can't hold (property test, both databases):
ids past what an ``id`` column holds (up to 2**63-1) are a 404, control characters (NUL among
them) in a URL's text, in every form field and in every query argument are never a 500, and no
form stores text with a control character (a text area's tabs and line breaks apart): each
text field of every form gets one, the other fields a valid answer.

The routes, the people and the world are the access matrix's (test_access_matrix.py): each route
is driven as the first of anonymous, student A and teacher X whose answer there is "ok"."""

from __future__ import annotations

import inspect
import re
from urllib.parse import quote

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from wtforms import Form
from wtforms.fields.core import UnboundField

from app.extensions import db
from app.web import forms
from app.web.loaders import ID_MAX
from tests.support.client import login
from tests.support.properties import examples
from tests.web.test_access_matrix import EXPECT, OK, ROUTES, _url
from tests.web.test_access_matrix import world as world  # the fixture, re-exported

pytestmark = pytest.mark.slow  # every route, three examples each: minutes

MARK = "Qz7"  # begins every text sent, so a stored one is found
# control characters a form refuses everywhere (tab, line feed and carriage return are kept
# in text areas)
CONTROLS = [
    chr(c) for c in (*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20), *range(0x7F, 0xA0))
]
QUERY = ("next", "code", "q", "sort", "status", "heat", "dir")
# fields that are no text get a valid answer (by name, without the page's prefix), so a form's
# text fields are the only thing wrong with it: a form that took them would store them
VALID = {
    "level": "basic",
    "score": "5",
    "due": "2030-06-30",
    "occurrence": "1",
    "prompt": "loaded",
    "named": "named",
    "independence": "independent",
    "shared": "yes",
    "understood": "y",
    "published": "2022-11-15",
    "minutes": "30",
    "approximate": "y",
}


def field_names(kind: type) -> set[str]:
    return {
        name
        for klass in kind.__mro__
        for name, value in vars(klass).items()
        if isinstance(value, UnboundField)
    }


def every_field(prompts: list[str], annotation: str) -> list[str]:
    """Every form field's name in the app's forms, with the prefixes the pages give them."""
    names: set[str] = set()
    for _, kind in inspect.getmembers(forms, inspect.isclass):
        if issubclass(kind, Form) and kind.__module__ == forms.__name__:
            names |= field_names(kind)
    names |= {f"r-{p}-{n}" for p in prompts for n in field_names(forms.RubricRowForm)}
    names |= {f"m-{annotation}-{n}" for n in field_names(forms.OmissionMarkForm)}
    names |= {f"import-{n}" for n in field_names(forms.ImportLessonForm)}
    return sorted(names - {"csrf_token"})


typed = st.builds(
    lambda before, control, after: f"{MARK}{before}{control}{after}x@school.test",
    st.text(max_size=6),
    st.sampled_from(CONTROLS),
    st.text(max_size=6),
)
too_big = st.integers(ID_MAX + 1, 2**63 - 1)


def actor_for(endpoint: str, method: str) -> str:
    expected = EXPECT[(endpoint, method)]
    return next((a for a in ("anonymous", "student_a", "teacher_x") if expected[a] == OK), "")


def stored_with_mark() -> list[str]:
    """Every table and text column holding text that begins with MARK."""
    found = []
    db.session.rollback()  # a fresh snapshot
    for table in db.metadata.sorted_tables:
        for column in table.c:
            if isinstance(column.type, sa.String | sa.Text):
                hit = db.session.execute(
                    sa.select(sa.func.count()).select_from(table).where(column.contains(MARK))
                ).scalar_one()
                if hit:
                    found.append(f"{table.name}.{column.name}")
    return found


def request(client, method: str, url: str, data: dict | None = None):
    resp = client.open(url, method=method, data=data if method != "GET" else None)
    status = resp.status_code
    resp.close()
    return status


@pytest.mark.parametrize(
    ("endpoint", "method", "rule"), ROUTES, ids=[f"{m} {e}" for e, m, _ in ROUTES]
)
@settings(
    max_examples=examples(3),
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    phases=[Phase.explicit, Phase.reuse, Phase.generate],  # no shrinking: minutes per route
)
@given(text=typed, big=too_big)
def test_no_id_or_control_character_gives_a_500_and_no_form_stores_one(
    app, world, endpoint, method, rule, text, big
):
    actor = actor_for(endpoint, method)
    client = app.test_client()
    if actor not in ("", "anonymous"):
        assert login(client, world["users"][actor]).status_code == 302
    values = world["values"]
    where = f"{method} {rule} as {actor or 'anyone'} with {text!r}"

    # an id past what the column holds names nothing
    if "<id:" in rule:
        big_ids = {k: (big if f"<id:{k}>" in rule else v) for k, v in values.items()}
        assert request(client, method, _url(rule, big_ids)) == 404, f"{where}, id {big}"

    # control characters in the URL's own text
    texts = {k: quote(text, safe="") for k in values if re.search(rf"<(path:)?{k}>", rule)}
    if texts:
        assert request(client, method, _url(rule, {**values, **texts})) < 500, where

    # ... and in every form field and query argument
    fields = every_field(["sources", "loaded", "omissions"], values["uuid"])
    query = "&".join(f"{k}={quote(text, safe='')}" for k in QUERY)
    url = f"{_url(rule, values)}?{query}"
    data = {name: VALID.get(name.rsplit("-", 1)[-1], text) for name in fields}
    assert request(client, method, url, data) < 500, where
    assert stored_with_mark() == [], where
