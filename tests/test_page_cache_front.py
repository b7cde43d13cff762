"""The page cache's front door: a kept page is answered before Flask dispatches, exactly as
Flask finished it; HEAD and conditional GETs of kept pages; what is never kept."""

from __future__ import annotations

import gc
import threading

import pytest
import sqlalchemy as sa
from flask import make_response

from portal import cache
from portal.cache.pages import KEEP_HEADER, marker_for
from portal.extensions import db

FEED = "/feeds/notices.atom"


@pytest.fixture
def dispatched(app):
    """How many requests Flask itself dispatched (its before_request hooks ran)."""
    calls: list[str] = []
    app.before_request_funcs.setdefault(None, []).append(lambda: calls.append("dispatched"))
    yield calls
    app.before_request_funcs[None].pop()


@pytest.mark.own_app
@pytest.mark.parametrize("path", ["/", "/notices/", FEED, "/sitemap.xml", "ARTICLE"])
def test_a_kept_page_is_answered_without_flask(client, make_post, dispatched, path):
    post = make_post("前门公告")
    path = f"/notices/{post.id}.html" if path == "ARTICLE" else path
    first = client.get(path)
    assert first.status_code == 200
    assert dispatched == ["dispatched"]
    second = client.get(path)
    assert dispatched == ["dispatched"]  # not dispatched again
    assert second.status_code == 200
    if path.endswith(".html"):  # the view count was filled in, one more each time
        assert second.get_data() != first.get_data()
    else:
        assert second.get_data() == first.get_data()
    # The headers Flask finished it with: security headers, caching, type, the right length.
    for name in ("Content-Security-Policy", "X-Frame-Options", "Content-Type", "Cache-Control"):
        assert second.headers.get(name) == first.headers.get(name), name
    assert second.headers["Content-Security-Policy"]
    assert int(second.headers["Content-Length"]) == len(second.get_data())
    assert KEEP_HEADER not in first.headers
    assert KEEP_HEADER not in second.headers


@pytest.mark.parametrize("path", ["/", FEED])
def test_head_has_the_headers_of_get_and_no_body(client, make_post, path):
    make_post("头部公告")
    head_first = client.head(path)  # not kept yet: rendered as the GET it stands for
    get = client.get(path)
    head_kept = client.head(path)
    for head in (head_first, head_kept):
        assert head.status_code == 200
        assert head.get_data() == b""
        assert head.headers["Content-Length"] == get.headers["Content-Length"]
        assert head.headers["Content-Type"] == get.headers["Content-Type"]
    assert "头部公告" in get.get_data(as_text=True)  # a HEAD never kept an empty page


def test_head_of_an_article_does_not_count_a_view(client, make_post, load_post):
    post = make_post()
    path = f"/notices/{post.id}.html"
    for _ in range(3):
        assert client.head(path, headers={"User-Agent": "Mozilla/5.0 Firefox/128.0"}).status_code
    assert load_post(post.id).view_count == 0
    client.get(path, headers={"User-Agent": "Mozilla/5.0 Firefox/128.0"})
    assert load_post(post.id).view_count == 1


def test_conditional_gets_of_a_kept_feed(client, make_post):
    make_post("条件请求")
    full = client.get(FEED)
    etag, modified = full.headers["ETag"], full.headers["Last-Modified"]
    bare = etag.strip('"')
    not_modified = [
        {"If-None-Match": etag},
        {"If-None-Match": f'W/"{bare}"'},  # weak comparison (RFC 9110 §13.1.2)
        {"If-None-Match": f'"other", {etag}'},
        {"If-None-Match": "*"},
        {"If-Modified-Since": modified},
        {"If-Modified-Since": "Fri, 01 Jan 2100 00:00:00 GMT"},
    ]
    for headers in not_modified:
        response = client.get(FEED, headers=headers)
        assert response.status_code == 304, headers
        assert response.get_data() == b""
        assert response.headers["ETag"] == etag
        assert "Content-Length" not in response.headers
        assert response.headers["Cache-Control"] == full.headers["Cache-Control"]
    modified_again = [
        {"If-None-Match": '"other"'},
        {"If-Modified-Since": "Fri, 01 Jan 1999 00:00:00 GMT"},
        # If-None-Match decides when sent (RFC 9110 §13.2.2), whatever If-Modified-Since says.
        {"If-None-Match": '"other"', "If-Modified-Since": "Fri, 01 Jan 2100 00:00:00 GMT"},
        {"If-Modified-Since": "not a date"},
    ]
    for headers in modified_again:
        response = client.get(FEED, headers=headers)
        assert response.status_code == 200, headers
        assert response.get_data() == full.get_data()


@pytest.mark.own_app
def test_a_response_that_sets_a_cookie_is_never_kept(app, client, dispatched):
    @app.get("/__cookie_page")
    def cookie_page():
        def render():
            response = make_response("一个带 cookie 的页面")
            response.set_cookie("tracker", "1")
            return response

        return cache.cached(render)

    for _ in range(2):
        response = client.get("/__cookie_page")
        assert response.status_code == 200
        assert "tracker=1" in response.headers["Set-Cookie"]
    assert dispatched == ["dispatched", "dispatched"]


@pytest.mark.own_app
def test_a_page_is_kept_per_host_when_site_url_is_unset(app, client, make_post):
    app.config["SITE_URL"] = None
    make_post()
    first = client.get("/", base_url="http://one.example").get_data(as_text=True)
    second = client.get("/", base_url="http://two.example").get_data(as_text=True)
    assert "http://one.example/" in first
    assert "two.example" not in first
    assert "http://two.example/" in second
    assert "one.example" not in second


@pytest.mark.own_app
def test_an_editor_is_answered_by_flask_and_their_view_counts(
    app, client, editor_client, make_post, load_post, dispatched
):
    post = make_post("编辑看的公告")
    path = f"/notices/{post.id}.html"
    client.get(path, headers={"User-Agent": "Mozilla/5.0 Firefox/128.0"})  # kept now
    del dispatched[:]
    for expected in (2, 3):
        page = editor_client.get(path, headers={"User-Agent": "Mozilla/5.0 Firefox/128.0"})
        assert page.status_code == 200
        assert KEEP_HEADER not in page.headers
        assert marker_for(app.config["SECRET_KEY"]) not in page.get_data(as_text=True)
        assert load_post(post.id).view_count == expected
    assert dispatched == ["dispatched", "dispatched"]  # never served the kept page


def test_the_session_cookie_of_any_name_setting_is_honoured(app, client, make_post):
    """A request that carries the configured session cookie goes to Flask (a renamed cookie
    too): the front door reads the setting, not a fixed name."""
    app.config["SESSION_COOKIE_NAME"] = "portal_session_renamed"
    make_post()
    assert client.get("/").status_code == 200
    client.set_cookie("portal_session_renamed", "anything")
    response = client.get("/")
    assert response.status_code == 200
    assert KEEP_HEADER not in response.headers


@pytest.fixture
def named_connections(app_config):
    """This test's app connects under a name of its own, so its backends can be counted."""
    name = "portal-front-close-test"
    app_config["SQLALCHEMY_ENGINE_OPTIONS"] = {"connect_args": {"application_name": name}}
    return name


@pytest.mark.own_app
@pytest.mark.postgresql_only
def test_close_gives_back_the_connections_of_threads_that_have_ended(
    named_connections, app, make_post
):
    """Each thread reads the validity on a connection of its own; one whose thread has ended is
    still the front's to give back (left to a thread's local storage, it would be dropped
    unclosed: a leaked backend until the garbage collector finds it, with a ResourceWarning).
    Counted as backends: after ``close()`` and the pool's ``dispose()`` none is left."""
    make_post()

    def backends() -> int:
        engine = sa.create_engine(str(app.config["SQLALCHEMY_DATABASE_URI"]))
        try:
            with engine.connect() as connection:
                return connection.scalar(
                    sa.text("SELECT count(*) FROM pg_stat_activity WHERE application_name = :name"),
                    {"name": named_connections},
                )
        finally:
            engine.dispose()

    def read() -> None:
        assert app.test_client().get("/").status_code == 200

    threads = [threading.Thread(target=read) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    gc.collect()
    assert backends() > 0
    app.extensions["page_cache_front"].close()
    with app.app_context():
        db.engine.dispose()
    assert backends() == 0
