"""Fixtures shared by the whole suite.

Every test that uses ``app`` runs once per database backend: SQLite always, PostgreSQL too when
``PORTAL_TEST_DATABASE_URL`` is set (CI sets it). The schema is made by the Alembic migrations,
once per run and backend (PostgreSQL: in a fresh schema, dropped at the end); each test starts
from empty tables and builds the data it needs. A PostgreSQL run that cannot reach the server
errors; it never skips.
"""

from __future__ import annotations

import os
import uuid
from datetime import UTC, datetime, timedelta
from urllib.parse import quote

import pytest
import sqlalchemy as sa
from flask_migrate import upgrade

from portal import create_app
from portal.extensions import db
from portal.posts.models import Channel, Post
from portal.posts.states import PostState
from portal.timeutil import frozen_clock, now_utc

POSTGRES_URL = os.environ.get("PORTAL_TEST_DATABASE_URL")
BACKENDS = ["sqlite"] + (["postgresql"] if POSTGRES_URL else [])
SECRET_KEY = "test-secret-key-not-for-production"


def pytest_configure(config):
    if os.environ.get("CI") == "true" and not POSTGRES_URL:
        raise pytest.UsageError("CI must run the suite on PostgreSQL: set PORTAL_TEST_DATABASE_URL")


def base_config(database_url: str) -> dict:
    return {
        "TESTING": True,
        "SECRET_KEY": SECRET_KEY,
        "SQLALCHEMY_DATABASE_URI": database_url,
        "SERVER_NAME": None,
    }


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
    tables = [t for t in reversed(db.metadata.sorted_tables)]
    if db.engine.dialect.name == "postgresql":
        names = ", ".join(f'"{table.name}"' for table in tables)
        db.session.execute(sa.text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
    else:
        for table in tables:
            db.session.execute(table.delete())
    db.session.commit()


@pytest.fixture
def app_config(database_url) -> dict:
    """Override or extend per test (e.g. ``app_config["SITE_URL"] = …``) before ``app``."""
    return base_config(database_url)


@pytest.fixture
def app(app_config):
    app = create_app(dict(app_config))
    with app.app_context():
        empty_all_tables()
    yield app
    with app.app_context():
        db.session.remove()
        empty_all_tables()
        db.engine.dispose()


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
def make_channel(app):
    def make(slug="notices", name=None, column_type="通知公告", **fields) -> Channel:
        with app.app_context():
            channel = db.session.scalar(sa.select(Channel).where(Channel.slug == slug))
            if channel is None:
                channel = Channel(
                    slug=slug, name=name or slug.title(), column_type=column_type, **fields
                )
                db.session.add(channel)
                db.session.commit()
            db.session.refresh(channel)
            db.session.expunge(channel)
            return channel

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
            post = Post(title=title, channel_id=channel_row.id, **fields)
            db.session.add(post)
            db.session.commit()
            db.session.refresh(post)
            db.session.expunge(post)
            return post

    return make


# --- editors and their login (issue 3) ---------------------------------------------------------

import re  # noqa: E402  (appended section)

from portal.posts.models import User  # noqa: E402

EDITOR_PASSWORD = "correct horse battery"
_CSRF_INPUT = re.compile(
    r'name="csrf_token"[^>]*value="([^"]+)"|value="([^"]+)"[^>]*name="csrf_token"'
)


@pytest.fixture
def csrf_token():
    """The CSRF token a rendered page carries in its forms (as a browser would submit it)."""

    def extract(response) -> str:
        match = _CSRF_INPUT.search(response.get_data(as_text=True))
        assert match, "the page has no form with a CSRF token"
        return match.group(1) or match.group(2)

    return extract


@pytest.fixture
def make_editor(app):
    """Create an editor account; returns the (detached) User."""

    def make(username="editor", password=EDITOR_PASSWORD, admin=False, **fields) -> User:
        with app.app_context():
            user = User(username=username, is_admin=admin, **fields)
            user.set_password(password)
            db.session.add(user)
            db.session.commit()
            db.session.refresh(user)
            db.session.expunge(user)
            return user

    return make


@pytest.fixture
def login(csrf_token):
    """Log ``client`` in through the real login form (GET it, submit its token)."""

    def log_in(
        client, username="editor", password=EDITOR_PASSWORD, next_url=None, remote_addr=None
    ):
        page = client.get("/editor/login", query_string={"next": next_url} if next_url else None)
        data = {"csrf_token": csrf_token(page), "username": username, "password": password}
        if next_url is not None:
            data["next"] = next_url
        environ = {"REMOTE_ADDR": remote_addr} if remote_addr else {}
        return client.post("/editor/login", data=data, environ_base=environ)

    return log_in


@pytest.fixture
def editor_client(app, make_editor, login):
    """A test client logged in as the editor "editor" through the login form, CSRF on."""
    make_editor("editor", display_name="张编辑")
    client = app.test_client()
    response = login(client)
    assert response.status_code == 302, response.get_data(as_text=True)
    return client


class _FormFields(__import__("html.parser").parser.HTMLParser):
    """What a browser would submit from a page's forms: input values, textarea text, the
    selected option, checked boxes (by name; the last form wins on a repeated name)."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.values: dict[str, str] = {}
        self.textarea: str | None = None
        self.select: str | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        name = attrs.get("name")
        if tag == "input" and name:
            if attrs.get("type") in ("checkbox", "radio"):
                if "checked" in attrs:
                    self.values[name] = attrs.get("value") or "y"
            else:
                self.values[name] = attrs.get("value") or ""
        elif tag == "textarea" and name:
            self.textarea = name
            self.values[name] = ""
        elif tag == "select" and name:
            self.select = name
        elif tag == "option" and self.select and "selected" in attrs:
            self.values[self.select] = attrs.get("value") or ""

    def handle_endtag(self, tag):
        if tag == "textarea" and self.textarea:
            text = self.values[self.textarea]  # a browser drops one newline after <textarea>
            if text.startswith("\n") or text.startswith("\r\n"):
                text = text.split("\n", 1)[1]
            self.values[self.textarea] = text
            self.textarea = None
        elif tag == "select":
            self.select = None

    def handle_data(self, data):
        if self.textarea:
            self.values[self.textarea] += data


@pytest.fixture
def form_fields():
    def parse(response) -> dict[str, str]:
        parser = _FormFields()
        parser.feed(response.get_data(as_text=True))
        return parser.values

    return parse
