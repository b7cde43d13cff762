"""portal: a small publishing portal for public-sector information sites."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from flask import Flask

from portal.config import DefaultConfig
from portal.config import check as check_config

MIGRATIONS_DIR = Path(__file__).resolve().parent.parent / "migrations"


def create_app(test_config: dict | None = None, instance_path: str | None = None) -> Flask:
    """Build the app. ``test_config`` replaces the instance file and environment layers."""
    app = Flask(
        __name__,
        instance_path=instance_path,
        instance_relative_config=True,
        template_folder="../templates",
        static_folder="../static",
    )
    os.makedirs(app.instance_path, exist_ok=True)
    app.config.from_object(DefaultConfig)
    if test_config is None:
        app.config.from_pyfile("config.py", silent=True)
        app.config.from_prefixed_env("PORTAL")
        if not app.config["SECRET_KEY"]:
            app.config["SECRET_KEY"] = _generate_secret_key(app.instance_path)
    else:
        app.config.from_mapping(test_config)
    if not app.config["SQLALCHEMY_DATABASE_URI"]:
        database = Path(app.instance_path) / "portal.sqlite3"
        app.config["SQLALCHEMY_DATABASE_URI"] = f"sqlite:///{database}"

    for warning in check_config(app.config):
        app.logger.warning(warning)

    _init_extensions(app)
    _register_blueprints(app)

    from portal import cli, errors, presentation, security

    errors.init_app(app)
    security.init_app(app)
    presentation.init_app(app)
    cli.init_app(app)
    return app


def _init_extensions(app: Flask) -> None:
    from portal import models  # noqa: F401  (the tables must be known to the metadata)
    from portal.extensions import csrf, db, login, migrate

    db.init_app(app)
    migrate.init_app(app, db, directory=str(MIGRATIONS_DIR), render_as_batch=True)
    csrf.init_app(app)
    login.init_app(app)


def _register_blueprints(app: Flask) -> None:
    from portal import auth, editor, feeds, prefs, public

    app.register_blueprint(auth.bp)
    app.register_blueprint(editor.bp)
    app.register_blueprint(feeds.bp)
    app.register_blueprint(prefs.bp)
    app.register_blueprint(public.bp)  # last: its /<channel>/ rules are the catch-all


def _generate_secret_key(instance_path: str) -> str:
    """Make a SECRET_KEY once, into instance/config.py (never committed)."""
    key = secrets.token_hex(32)
    config_file = Path(instance_path) / "config.py"
    with config_file.open("a", encoding="utf-8") as handle:
        handle.write(
            f"\n# Generated on first run; keep it secret and stable.\nSECRET_KEY = {key!r}\n"
        )
    return key
