"""The media-literacy annotation app: ``create_app()`` wires settings, extensions and blueprints."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from .config import Config
from .extensions import csrf, db, login_manager, migrate

ROOT = Path(__file__).resolve().parent.parent


def _web_modules() -> tuple:
    """What registers on the app, in order: policy registers every app-wide request rule, in
    its order; the blueprints add their own."""
    from .web import (
        api,
        auth,
        authoring,
        errors,
        intake,
        lessons,
        main,
        policy,
        roster,
        student,
        teacher,
    )
    from .web.security import limits, sessions

    return (
        sessions,
        policy,
        main,
        limits,
        auth,
        student,
        teacher,
        roster,
        lessons,
        authoring,
        intake,
        api,
        errors,
    )


def create_app(config: dict[str, Any] | None = None) -> Flask:
    """Build the app. No side effects: no migrations, no network, no database writes."""
    app = Flask(
        __name__,
        template_folder=str(ROOT / "templates"),
        static_folder=str(ROOT / "static"),
        instance_relative_config=True,
    )
    app.config.from_object(Config)
    app.config["LESSONS_DIR"] = str(ROOT / "lessons")
    app.config.from_prefixed_env()  # FLASK_SECRET_KEY, FLASK_LESSONS_DIR, ...
    if config:
        app.config.update(config)
    Config.finalise(app)

    db.init_app(app)
    migrate.init_app(app, db, directory=str(ROOT / "migrations"))
    csrf.init_app(app)
    login_manager.init_app(app)

    for module in _web_modules():
        module.init_app(app)

    hops = {k: int(app.config[f"PROXY_FIX_X_{k.upper()}"]) for k in ("for", "proto", "host")}
    if any(hops.values()):  # trust only as many proxies as the deployment says it has
        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]
            app.wsgi_app, x_for=hops["for"], x_proto=hops["proto"], x_host=hops["host"]
        )

    from . import cli

    cli.init_app(app)
    if not app.debug and not app.testing:
        logging.basicConfig(level=logging.INFO)
    return app
