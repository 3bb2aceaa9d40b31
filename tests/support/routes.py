"""Every route of the app's URL map, for tests that visit them all (the access matrix, the
404s): ``(endpoint, method, rule)``, sorted, without HEAD and OPTIONS."""

from __future__ import annotations

from app import create_app
from tests.conftest import _base_config


def all_routes() -> list[tuple[str, str, str]]:
    app = create_app({**_base_config("sqlite://")})
    return sorted(
        (r.endpoint, m, r.rule)
        for r in app.url_map.iter_rules()
        for m in r.methods - {"HEAD", "OPTIONS"}
    )
