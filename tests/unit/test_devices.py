"""Device cookies (app/web/security/devices.py) and the login slow-down's growing wait."""

from __future__ import annotations

from flask import Flask

from app.web.security import devices
from app.web.security.devices import MAX_ACCOUNTS, Device, account_tag, parse
from app.web.security.limits import slow_down


def _app(secret: str = "one key") -> Flask:  # noqa: S107 (a test key)
    app = Flask(__name__)
    app.secret_key = secret
    return app


def _signed(app: Flask, data) -> str:
    return devices._serializer(app).dumps(data)


def test_an_account_tag_hides_the_login_and_ignores_case_and_spaces():
    tag = account_tag("k", "Amy.K ")
    assert tag == account_tag("k", "amy.k")
    assert "amy" not in tag
    assert tag != account_tag("another key", "amy.k")
    assert tag != account_tag("k", "amy.j")


def test_a_genuine_cookie_reads_back_and_anything_else_is_none():
    app = _app()
    text = _signed(app, {"id": "abc", "a": ["t1", "t2"]})
    assert parse(app, text) == Device("abc", ("t1", "t2"))
    assert parse(_app("another key"), text) is None
    i = len(text) // 3  # inside what is signed (a last base64 digit may carry no bits)
    assert parse(app, text[:i] + ("A" if text[i] != "A" else "B") + text[i + 1 :]) is None
    assert parse(app, None) is None
    assert parse(app, "") is None
    for data in ([1, 2], {"id": 3, "a": []}, {"id": "x", "a": "t1"}, {"id": "x", "a": [1]}):
        assert parse(app, _signed(app, data)) is None


def test_remembering_puts_the_account_first_once_and_keeps_at_most_the_newest():
    device = Device("d", ())
    for n in range(MAX_ACCOUNTS + 3):
        device = device.remembering(f"t{n}")
    assert len(device.accounts) == MAX_ACCOUNTS
    assert device.accounts[0] == f"t{MAX_ACCOUNTS + 2}"
    device = device.remembering("t5")
    assert device.accounts[0] == "t5"
    assert device.accounts.count("t5") == 1
    assert device.knows("t5")
    assert not device.knows("t0")


def test_the_slow_down_doubles_from_the_first_wait_up_to_the_window():
    assert [slow_down(n, first=15, longest=900) for n in range(8)] == [
        0,
        15,
        30,
        60,
        120,
        240,
        480,
        900,
    ]
    assert slow_down(10_000, first=15, longest=900) == 900
