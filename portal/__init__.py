"""portal: a small publishing portal for public-sector information sites."""

from __future__ import annotations

import fcntl
import os
import re
import secrets
import sqlite3
from pathlib import Path

import sqlalchemy as sa
from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

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
    _register_converters(app)
    _register_blueprints(app)

    from portal import attachments, audit, cache, cli, search
    from portal.web import errors, presentation, security, static

    errors.init_app(app)
    security.init_app(app)
    presentation.init_app(app)
    static.init_app(app)
    cli.init_app(app)
    cache.init_app(app)
    search.init_app(app)
    audit.init_app(app)
    attachments.init_app(app)
    proxies = app.config["PROXY_FIX_X_FOR"]
    if proxies:
        # Outermost, so the page cache's front door (cache.init_app) sees the client's scheme
        # and host too. Flask's documented way to add WSGI middleware.
        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]
            app.wsgi_app, x_for=proxies, x_proto=proxies
        )
    return app


def _register_converters(app: Flask) -> None:
    """Numbers in paths: ``<id:…>``, and ``<int:…>`` in place of werkzeug's, which would take
    ``01`` or ``١`` (any Unicode digit) for 1 and answer the same page under several URLs."""
    from portal.web.params import IdConverter

    app.url_map.converters["id"] = IdConverter
    app.url_map.converters["int"] = IdConverter


@sa.event.listens_for(sa.engine.Engine, "connect")
def _sqlite_for_several_writers(dbapi_connection, _record) -> None:
    """SQLite, the embedded default, serves several threads and gunicorn workers: readers must
    not block the writer (WAL), and a writer waits for the lock instead of failing at once."""
    if isinstance(dbapi_connection, sqlite3.Connection):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        # In WAL mode NORMAL loses no committed transaction when a process dies (only, on a
        # power cut, the last ones); FULL would wait for the disk at every counted view.
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA busy_timeout=15000")
        cursor.close()


def _init_extensions(app: Flask) -> None:
    from portal.attachments import models as attachment_models  # noqa: F401
    from portal.audit import models as audit_models  # noqa: F401
    from portal.cache import models as cache_models  # noqa: F401  (tables for the metadata)
    from portal.extensions import csrf, db, login, migrate
    from portal.posts import models, review_models  # noqa: F401
    from portal.search import models as search_models

    db.init_app(app)
    # What migration 0005 makes by hand (the search index) is not for autogenerate to compare.
    migrate.init_app(
        app,
        db,
        directory=str(MIGRATIONS_DIR),
        render_as_batch=True,
        include_name=search_models.include_name,
    )
    csrf.init_app(app)
    login.init_app(app)


def _register_blueprints(app: Flask) -> None:
    from portal import admin, attachments, auth, editor, feeds, public, review, search
    from portal.web import prefs

    app.register_blueprint(auth.bp)
    app.register_blueprint(editor.bp)
    app.register_blueprint(admin.bp)
    app.register_blueprint(review.bp)
    app.register_blueprint(feeds.bp)
    app.register_blueprint(prefs.bp)
    app.register_blueprint(search.bp)
    app.register_blueprint(attachments.bp)
    app.register_blueprint(public.bp)  # last: its /<channel>/ rules are the catch-all


def _generate_secret_key(instance_path: str) -> str:
    """Make a SECRET_KEY once, into instance/config.py (never committed).

    Several gunicorn workers may start at once: under an exclusive lock, the first writes the
    key and the others read it back, so every worker signs sessions with the same key."""
    config_file = Path(instance_path) / "config.py"
    with config_file.open("a+", encoding="utf-8") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        handle.seek(0)
        existing = re.search(r"^SECRET_KEY = '([0-9a-f]{64})'$", handle.read(), re.MULTILINE)
        if existing:
            return existing.group(1)
        key = secrets.token_hex(32)
        handle.write(
            f"\n# Generated on first run; keep it secret and stable.\nSECRET_KEY = {key!r}\n"
        )
        return key
