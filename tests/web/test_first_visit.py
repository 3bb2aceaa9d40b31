"""What a newcomer meets on the first page: the site's icon (no 404 on every page) and, on the
login page, what to do about a forgotten password."""

from __future__ import annotations

from tests.support.html import page


def test_the_site_icon_is_served_where_browsers_look_for_it(client):
    resp = client.get("/favicon.ico")
    assert resp.status_code == 200
    assert resp.mimetype == "image/svg+xml"
    assert resp.get_data(as_text=True).startswith("<svg")
    resp.close()  # files are streamed from disk


def test_every_page_links_its_icon_and_the_icon_is_there(client):
    icon = page(client.get("/login")).find("link", rel="icon")
    assert icon.attrs["type"] == "image/svg+xml"
    resp = client.get(icon.attrs["href"])
    assert resp.status_code == 200
    assert resp.mimetype == "image/svg+xml"
    resp.close()


def test_the_login_page_tells_students_and_teachers_what_to_do_about_a_forgotten_password(client):
    forgot = page(client.get("/login")).find("p", id="forgot-password").words
    assert forgot.startswith("Forgot your password?")
    assert (
        "Students: ask your teacher, who can give you a new one from your class's roster" in forgot
    )
    assert "Teachers: ask whoever runs Read Closely for your school" in forgot
