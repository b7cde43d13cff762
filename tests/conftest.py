"""Fixtures shared by the whole suite (plain helpers and constants are in support.py).

Every test that uses ``app`` runs once per database backend: SQLite always, PostgreSQL too when
``PORTAL_TEST_DATABASE_URL`` is set (CI sets it). The schema is made by the Alembic migrations,
once per run and backend (PostgreSQL: in a fresh schema, dropped at the end); each test starts
from empty tables and builds the data it needs. A PostgreSQL run that cannot reach the server
errors; it never skips.
"""

from __future__ import annotations

import functools
import os
import uuid
from datetime import UTC, datetime, timedelta
from urllib.parse import quote

import jinja2
import pytest
import redis
import sqlalchemy as sa
from flask import Flask
from flask_migrate import upgrade
from support import EDITOR_PASSWORD, REDIS_URL, base_config, login
from werkzeug.security import generate_password_hash

import portal.cache as page_cache
from portal import create_app
from portal.cache import store as page_cache_store
from portal.extensions import db
from portal.posts import service
from portal.posts.models import Channel, Post, User
from portal.posts.states import PostState
from portal.search import index as search_index
from portal.timeutil import frozen_clock, now_utc

POSTGRES_URL = os.environ.get("PORTAL_TEST_DATABASE_URL")
BACKENDS = ["sqlite"] + (["postgresql"] if POSTGRES_URL else [])


def pytest_configure():
    if os.environ.get("CI") == "true" and not POSTGRES_URL:
        raise pytest.UsageError("CI must run the suite on PostgreSQL: set PORTAL_TEST_DATABASE_URL")


def pytest_collection_modifyitems(config, items):
    """A test marked ``postgresql_only`` is not collected for the SQLite backend (deselected,
    not skipped: a skip must never stand for a pass)."""
    kept, dropped = [], []
    for item in items:
        backend = getattr(item, "callspec", None) and item.callspec.params.get("database_url")
        only_pg = item.get_closest_marker("postgresql_only") is not None
        (dropped if only_pg and backend != "postgresql" else kept).append(item)
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = kept


def _migrate(database_url: str) -> None:
    app = create_app(base_config(database_url))
    with app.app_context():
        upgrade()
        db.engine.dispose()


@pytest.fixture(scope="session", params=BACKENDS)
def database_url(request, tmp_path_factory):
    """A migrated, empty database for this run; the param names the backend."""
    if request.param == "sqlite":
        path = tmp_path_factory.mktemp("db") / "portal.sqlite3"
        url = f"sqlite:///{path}"
        _migrate(url)
        yield url
        return
    schema = f"portal_test_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(POSTGRES_URL)
    try:
        with admin.begin() as connection:  # raises, failing the tests, if PostgreSQL is down
            connection.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
        separator = "&" if "?" in POSTGRES_URL else "?"
        url = f"{POSTGRES_URL}{separator}options={quote(f'-csearch_path={schema}')}"
        _migrate(url)
        yield url
    finally:
        with admin.begin() as connection:
            connection.execute(sa.text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        admin.dispose()


def empty_all_tables() -> None:
    tables = list(reversed(db.metadata.sorted_tables))
    if db.engine.dialect.name == "postgresql":
        names = ", ".join(f'"{table.name}"' for table in tables)
        db.session.execute(sa.text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
    else:
        for table in tables:
            db.session.execute(table.delete())
        search_index.clear()  # its SQLite FTS5 table is not in the metadata
    db.session.commit()


@pytest.fixture
def app_config(database_url) -> dict:
    """Override or extend per test (e.g. ``app_config["SITE_URL"] = …``) before ``app``."""
    return base_config(database_url)


class _SharedBytecode(jinja2.BytecodeCache):
    """Compiled templates shared by every test's app (each app has its own Jinja environment,
    which would otherwise compile every template again: a third of the suite's time). Jinja
    checks each entry against the template source, so an edited template is compiled anew."""

    def __init__(self):
        self.compiled: dict[str, bytes] = {}

    def load_bytecode(self, bucket):
        if bucket.key in self.compiled:
            bucket.bytecode_from_string(self.compiled[bucket.key])

    def dump_bytecode(self, bucket):
        self.compiled[bucket.key] = bucket.bytecode_to_string()


_TEMPLATES = _SharedBytecode()
_APPS: dict[str, Flask] = {}


def _app_for(config: dict) -> Flask:
    """One app per distinct configuration, made on first use: building the URL map and the
    extensions costs more than most tests. A test's own changes to ``app.config`` are undone
    after it (see ``app``); the database is emptied before each test."""
    key = repr(sorted(config.items()))
    if key not in _APPS:
        _APPS[key] = create_app(dict(config))
        _APPS[key].jinja_env.bytecode_cache = _TEMPLATES
    return _APPS[key]


@pytest.fixture
def app(app_config, request):
    """The app of the test's configuration; a test marked ``own_app`` (it adds routes) gets a
    new one of its own."""
    own = request.node.get_closest_marker("own_app") is not None
    app = create_app(dict(app_config)) if own else _app_for(app_config)
    settings = dict(app.config)
    with app.app_context():
        empty_all_tables()  # each test starts from empty tables, whatever the last one left
    # ... and so from an empty page cache: a new site, whose generations start again.
    app.extensions["page_cache"] = page_cache_store.make(app.config)
    yield app
    with app.app_context():
        db.session.remove()
    if own:
        close_app(app)
    app.config.clear()
    app.config.update(settings)


def close_app(app: Flask) -> None:
    """Give back every connection of an app that is done with: the front door's own (one per
    thread that served it) and its pool's. Left to the garbage collector, a PostgreSQL
    connection warns (a ResourceWarning: an error here) in whatever test happens to run then."""
    app.extensions["page_cache_front"].close()
    with app.app_context():
        db.engine.dispose()


@pytest.fixture
def new_app():
    """``new_app(config)``: an app of the test's own (a second server, a restarted one),
    closed when the test ends."""
    made: list[Flask] = []

    def make(config: dict) -> Flask:
        made.append(create_app(dict(config)))
        return made[-1]

    yield make
    for app in made:
        close_app(app)


@pytest.fixture(scope="session", autouse=True)
def _close_every_apps_connections():
    yield
    for app in _APPS.values():
        close_app(app)


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def clock():
    """Freeze ``now_utc()``; the yielded function moves it (tests never sleep)."""
    with frozen_clock(datetime(2026, 11, 26, 8, 0, tzinfo=UTC)) as move_to:
        yield move_to


@pytest.fixture
def two_per_page(app_config):
    """Lists (channels, the dashboard) of two posts a page."""
    app_config["POSTS_PER_PAGE"] = 2


@pytest.fixture
def redis_prefix():
    """A client of the local Redis and a key prefix of this test's own; the keys under the
    prefix are removed afterwards."""
    prefix = f"portal-test:{uuid.uuid4().hex}:"
    server = redis.Redis.from_url(REDIS_URL)
    yield server, prefix
    keys = list(server.scan_iter(f"{prefix}*"))
    if keys:
        server.delete(*keys)
    server.close()


# --- rows --------------------------------------------------------------------------------------


def _stored(row):
    """``row`` saved, read back and detached (usable after the app context). Rows written here,
    around the write path, tell the page cache as the write path's signal would."""
    db.session.add(row)
    db.session.commit()
    db.session.refresh(row)
    db.session.expunge(row)
    post_ids = [row.id] if isinstance(row, Post) else []
    _as_the_write_path_would(getattr(row, "channel_id", None), post_ids=post_ids)
    return row


def _as_the_write_path_would(*channel_ids, post_ids=()) -> None:
    """After a row written around ``posts.service``: its channel counts, the search index and
    the page cache."""
    service.recount(channel_ids)
    search_index.refresh(post_ids)
    db.session.commit()
    page_cache.invalidate()


@pytest.fixture
def make_channel(app):
    def make(slug="notices", name=None, column_type="通知公告", **fields) -> Channel:
        with app.app_context():
            channel = db.session.scalar(sa.select(Channel).where(Channel.slug == slug))
            if channel is not None:
                db.session.expunge(channel)
                return channel
            return _stored(
                Channel(slug=slug, name=name or slug.title(), column_type=column_type, **fields)
            )

    return make


@pytest.fixture
def make_post(app, make_channel):
    """Create a post; published an hour ago in ``notices`` unless told otherwise."""

    def make(title="测试公告", channel="notices", **fields) -> Post:
        channel_row = make_channel(channel)
        fields.setdefault("status", PostState.PUBLISHED)
        fields.setdefault("published_at", now_utc() - timedelta(hours=1))
        fields.setdefault("body_html", "<p>正文内容。</p>")
        with app.app_context():
            return _stored(Post(title=title, channel_id=channel_row.id, **fields))

    return make


@pytest.fixture
def load_post(app):
    """The stored post (detached), or None when there is none."""

    def load(post_id) -> Post | None:
        with app.app_context():
            post = db.session.get(Post, post_id)
            if post is not None:
                db.session.expunge(post)
            return post

    return load


@pytest.fixture
def edit_post(app):
    """Change a post's row as saving in the editor would: new values and a new updated_at
    (``bump_updated_at=False``: a change that leaves updated_at alone)."""

    def edit(post_id, *, bump_updated_at=True, **fields) -> None:
        with app.app_context():
            post = db.session.get(Post, post_id)
            channel_before = post.channel_id
            for name, value in fields.items():
                setattr(post, name, value)
            if bump_updated_at:
                post.updated_at = now_utc()
            db.session.commit()
            _as_the_write_path_would(channel_before, post.channel_id, post_ids=[post_id])

    return edit


# --- editors and their login -------------------------------------------------------------------


@pytest.fixture(scope="session")
def password_hash():
    """A cheap hash of a password, made once a run. Production hashes with scrypt (about 0.2 s
    a check, test_cli.py and test_models.py prove it); test accounts need not pay that at every
    login. werkzeug's check_password_hash reads the method from the hash, so logging in still
    goes through the real form and the real check."""
    return functools.cache(
        lambda password: generate_password_hash(password, method="pbkdf2:sha256:1")
    )


@pytest.fixture
def make_editor(app, password_hash):
    """Create an editor account; returns the (detached) User. Its password has the cheap hash
    of ``password_hash`` unless ``real_hash``: then scrypt, as production hashes it."""

    def make(
        username="editor", password=EDITOR_PASSWORD, admin=False, real_hash=False, **fields
    ) -> User:
        with app.app_context():
            user = User(username=username, is_admin=admin, **fields)
            if real_hash:
                user.set_password(password)
            else:
                user.password_hash = password_hash(password)
            return _stored(user)

    return make


@pytest.fixture
def make_editor_client(app, make_editor):
    """Create an editor account (``make_editor``'s arguments) and return a new test client
    logged in as that editor through the login form, CSRF on."""

    def make(username="editor", password=EDITOR_PASSWORD, **account):
        make_editor(username, password, **account)
        client = app.test_client()
        response = login(client, username, password)
        assert response.status_code == 302, response.get_data(as_text=True)
        return client

    return make


@pytest.fixture
def editor_client(make_editor_client):
    """A test client logged in as the editor "editor" (张编辑)."""
    return make_editor_client("editor", display_name="张编辑")


@pytest.fixture
def admin_client(make_editor_client):
    """A test client logged in as the admin "admin" (管理员甲)."""
    return make_editor_client("admin", admin=True, display_name="管理员甲")
