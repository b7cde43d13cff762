"""A database that cannot be reached: every page answers the Chinese 503 page (服务暂时不可用),
never a 500 or a traceback, with the security headers; a bug in a query is still a 500.

No database server is needed: PostgreSQL is asked on a port where nothing listens, SQLite for
a file in a directory that does not exist. (The same page under a real PostgreSQL restart, on
two gunicorn servers, is tested in test_several_servers.py.)
"""

from __future__ import annotations

import socket

import pytest
import sqlalchemy as sa
from page import page
from support import base_config
from test_security_headers import FIXED_HEADERS

from portal import create_app
from portal.extensions import db

PAGES = (
    "/",
    "/healthz",
    "/notices/",
    "/notices/1.html",
    "/feeds/all.rss",
    "/feeds/notices.atom",
    "/sitemap.xml",
    "/editor/login",
)


@pytest.fixture(scope="module")
def closed_port():
    """A loopback port bound but never listening: connecting is refused at once, and nothing
    else can take the port while the tests run."""
    with socket.socket() as bound:
        bound.bind(("127.0.0.1", 0))
        yield bound.getsockname()[1]


@pytest.fixture(params=["postgresql", "sqlite"])
def unreachable_app(request, closed_port, tmp_path):
    if request.param == "postgresql":
        url = f"postgresql+psycopg://portal@127.0.0.1:{closed_port}/portal"
    else:
        url = f"sqlite:///{tmp_path}/no-such-dir/portal.sqlite3"
    app = create_app(base_config(url))
    yield app
    with app.app_context():
        db.engine.dispose()


def assert_unavailable_page(response, url=""):
    html = response.get_data(as_text=True)
    assert response.status_code == 503, (url, response.status_code, html[:500])
    assert page(response).one("html").attrs["lang"] == "zh-CN"
    assert "服务暂时不可用" in html
    assert "网站正在维护或访问量过大，请稍后再试。" in html
    for leak in ("Traceback", "psycopg", "sqlite3", "sqlalchemy", "OperationalError"):
        assert leak not in html, (url, leak)
    assert "Content-Security-Policy" in response.headers
    for name, value in FIXED_HEADERS.items():
        assert response.headers[name] == value, (url, name)
    assert response.headers["Retry-After"].isdigit()
    assert response.headers["Cache-Control"] == "no-store"  # no cache may keep the outage


def test_every_page_is_the_chinese_503_when_the_database_cannot_be_reached(unreachable_app, caplog):
    client = unreachable_app.test_client()
    for url in PAGES:
        assert_unavailable_page(client.get(url), url)
    # The operators' log says why, one line a request.
    assert "Database unavailable (503)" in caplog.text
    assert "Traceback" not in caplog.text


def test_a_logged_in_editor_gets_the_503_too(unreachable_app):
    client = unreachable_app.test_client()
    with client.session_transaction() as session:
        session["_user_id"] = "1:a-session-token"  # loading the editor is the first query
        session["_fresh"] = True
    assert_unavailable_page(client.get("/editor/"), "/editor/")
    response = client.post("/editor/posts/new", data={"title": "x"})
    assert_unavailable_page(response, "POST /editor/posts/new")


@pytest.mark.own_app
def test_a_wrong_query_is_still_a_500(app, client):
    """Only an unreachable database is a 503: a bug in a statement (SQLite reports "no such
    table" as an OperationalError too) is the 500 page, as any bug."""

    @app.get("/__test_bad_query")
    def bad_query():
        db.session.execute(sa.text("SELECT * FROM no_such_table"))
        return "unreachable"

    response = client.get("/__test_bad_query")
    assert response.status_code == 500
    assert "服务器内部错误" in response.get_data(as_text=True)


@pytest.mark.own_app
@pytest.mark.postgresql_only  # it ends a PostgreSQL session from another one
def test_a_connection_lost_after_the_answer_was_made_keeps_the_answer(app, client, caplog):
    """The database goes away between the view's last query and the end of the request: the
    ROLLBACK that ends the session fails, and must not turn the finished answer into a 500."""

    @app.get("/__test_lost_after_answer")
    def lost_after_answer():
        pid = db.session.execute(sa.text("SELECT pg_backend_pid()")).scalar_one()
        with db.engine.connect() as other:  # waits (up to 5 s) until that session is gone
            other.execute(sa.text("SELECT pg_terminate_backend(:pid, 5000)"), {"pid": pid})
        return "answered"

    response = client.get("/__test_lost_after_answer")
    assert response.status_code == 200
    assert response.get_data(as_text=True) == "answered"
    assert "Database connection lost at the end of a request" in caplog.text
    # The dead connection was dropped, not given back to the pool: the next request is fine.
    assert client.get("/healthz").status_code == 200
