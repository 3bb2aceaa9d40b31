"""Settings that are checked when the app starts: a wrong value stops it with a clear message."""

from __future__ import annotations

import pytest

from app import create_app


def test_an_unknown_save_synchronous_commit_value_stops_the_app():
    with pytest.raises(RuntimeError, match="SAVE_SYNCHRONOUS_COMMIT must be one of on, off"):
        create_app(
            {
                "TESTING": True,
                "SECRET_KEY": "x",
                "SQLALCHEMY_DATABASE_URI": "sqlite://",
                "SAVE_SYNCHRONOUS_COMMIT": "sometimes",
            }
        )


@pytest.mark.parametrize(
    ("given", "kept"),
    [("", ""), ("off", "off"), (" Off ", "off"), ("remote_apply", "remote_apply")],
)
def test_save_synchronous_commit_values_are_kept_in_a_plain_form(given, kept):
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "x",
            "SQLALCHEMY_DATABASE_URI": "sqlite://",
            "SAVE_SYNCHRONOUS_COMMIT": given,
        }
    )
    assert app.config["SAVE_SYNCHRONOUS_COMMIT"] == kept
