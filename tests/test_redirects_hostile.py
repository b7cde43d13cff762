"""Redirects under attack: query arguments named like url_for's own keywords, a forged Host.
No request argument reaches url_for (no 500, no other URL); every redirect the portal makes —
its views', the login's, werkzeug's slash redirects — is on SITE_URL when it is set, and a path
(never the request's host) when it is not. And error pages keep the headers of their status:
a 405 says which methods are allowed."""

from __future__ import annotations

import re

import pytest
from support import csrf_token, login, press, write_post

SITE_URL = "https://pf.example.gov.cn"
EVIL = "evil.example"
# url_for's keywords and the article's own arguments, each able to break the redirect once.
HOSTILE_QUERIES = [
    "slug=x",
    "post_id=5",
    "_method=POST",
    "_external=1",
    "_scheme=https",
    "_external=1&_scheme=javascript",
    "_anchor=x",
    "print=1&slug=x&post_id=abc",
    "a=%0D%0ALocation:%20http://other.example/",  # an encoded header break stays encoded
    "q=%E6%B3%95&q=2&empty=&flag",
]


@pytest.fixture
def site_url(app_config):
    app_config["SITE_URL"] = SITE_URL


def moved_post(make_channel, make_post):
    """A post in ``news``, so that /notices/<id>.html redirects to its canonical URL."""
    make_channel("news", name="普法动态", column_type="工作动态")
    return make_post(channel="news")


def assert_nothing_of_the_forged_host(response):
    """Neither the headers nor the page name the host the request claimed."""
    for name, value in response.headers.items():
        assert EVIL not in value, (name, value)
    assert EVIL.encode() not in response.data


@pytest.mark.usefixtures("site_url")
@pytest.mark.parametrize("query", HOSTILE_QUERIES)
def test_wrong_channel_redirect_keeps_the_query_as_a_string_on_site_url(
    client, make_channel, make_post, query
):
    post = moved_post(make_channel, make_post)
    response = client.get(f"/notices/{post.id}.html?{query}", headers={"Host": EVIL})
    assert response.status_code == 301
    assert response.headers["Location"] == f"{SITE_URL}/news/{post.id}.html?{query}"
    assert_nothing_of_the_forged_host(response)


@pytest.mark.parametrize("query", HOSTILE_QUERIES)
def test_without_site_url_the_redirect_is_a_path(client, make_channel, make_post, query):
    post = moved_post(make_channel, make_post)
    response = client.get(f"/notices/{post.id}.html?{query}", headers={"Host": EVIL})
    assert response.status_code == 301
    assert response.headers["Location"] == f"/news/{post.id}.html?{query}"
    assert_nothing_of_the_forged_host(response)


def test_a_raw_query_string_is_made_safe_for_the_location(client, make_channel, make_post):
    """Bytes no client should send unencoded (a space, UTF-8, "#") are encoded, not dropped."""
    post = moved_post(make_channel, make_post)
    raw = "q=中 文#x".encode().decode("latin-1")  # WSGI carries the bytes as latin-1
    response = client.get(f"/notices/{post.id}.html", environ_overrides={"QUERY_STRING": raw})
    assert response.status_code == 301
    assert response.headers["Location"] == f"/news/{post.id}.html?q=%E4%B8%AD%20%E6%96%87%23x"


def test_the_canonical_article_ignores_url_for_keywords(client, make_post):
    post = make_post(title="原文")
    for query in HOSTILE_QUERIES:
        response = client.get(f"/notices/{post.id}.html?{query}", headers={"Host": EVIL})
        assert response.status_code == 200, query
        assert "原文" in response.get_data(as_text=True)


@pytest.mark.parametrize(
    ("path", "target"),
    [
        ("/notices", "/notices/"),
        ("/notices?page=2", "/notices/?page=2"),
        ("/feeds", "/feeds/"),
        ("/editor", "/editor/"),
    ],
)
@pytest.mark.parametrize("configured", [True, False], ids=["site-url", "no-site-url"])
def test_slash_redirects_never_follow_a_forged_host(
    app, client, make_post, path, target, configured
):
    make_post()
    app.config["SITE_URL"] = SITE_URL if configured else None
    response = client.get(path, headers={"Host": EVIL})
    assert response.status_code == 308
    assert response.headers["Location"] == (SITE_URL if configured else "") + target
    assert_nothing_of_the_forged_host(response)
    assert target.encode() in response.data  # the redirect's page links the same target


@pytest.mark.usefixtures("site_url")
def test_every_redirect_of_an_editing_session_is_on_site_url(app, make_editor, make_channel):
    """A whole session sent with a forged Host: each redirect points on SITE_URL."""
    make_editor("admin", admin=True)
    channel = make_channel("notices", name="信息公告")
    client = app.test_client()
    client.environ_base["HTTP_HOST"] = EVIL
    redirects = []

    def check(response, status=302):
        assert response.status_code == status, response.get_data(as_text=True)[:500]
        assert response.headers["Location"].startswith(SITE_URL + "/"), response.headers
        assert_nothing_of_the_forged_host(response)
        redirects.append(response.headers["Location"])
        return response.headers["Location"].removeprefix(SITE_URL)

    check(client.get("/editor/"))  # to the login
    check(login(client, "admin", next_url="/editor/posts/new?from=mail"))
    check(client.get("/editor/login"))  # already logged in
    edit = check(write_post(client, channel, title="草稿一篇", action="draft"))
    assert re.fullmatch(r"/editor/posts/[0-9]+/edit", edit), edit
    post_path = edit.removesuffix("/edit")
    check(press(client, f"{post_path}/trash", page=edit))
    check(client.get(edit))  # a trashed post cannot be edited: to the trash
    check(press(client, f"{post_path}/restore", page="/editor/?state=trash"))
    check(client.get(f"{post_path}/delete"))  # only from the trash
    check(client.get("/prefs/font-size/large?next=/editor/"), status=303)
    check(press(client, "/editor/logout"))
    assert len(redirects) == 10


@pytest.mark.parametrize(
    ("method", "path", "allowed"),
    [
        ("PUT", "/", {"GET", "HEAD", "OPTIONS"}),
        ("DELETE", "/notices/", {"GET", "HEAD", "OPTIONS"}),
        ("POST", "/feeds/all.rss", {"GET", "HEAD", "OPTIONS"}),
        ("PATCH", "/sitemap.xml", {"GET", "HEAD", "OPTIONS"}),
        ("GET", "/editor/logout", {"POST", "OPTIONS"}),
    ],
)
def test_405_says_which_methods_are_allowed(client, make_post, method, path, allowed):
    make_post()
    response = client.open(path, method=method)
    assert response.status_code == 405
    assert {part.strip() for part in response.headers["Allow"].split(",")} == allowed
    assert "请求方法不允许" in response.get_data(as_text=True)
    assert response.headers["Content-Type"] == "text/html; charset=utf-8"


def test_a_405_to_an_editor_keeps_its_allow_header(editor_client):
    response = editor_client.put("/editor/")
    assert response.status_code == 405
    assert "GET" in response.headers["Allow"]
    assert csrf_token(editor_client.get("/editor/"))  # the session still works


@pytest.mark.usefixtures("site_url")
@pytest.mark.parametrize(
    ("method", "path", "status"),
    [("GET", "/no/such/page", 404), ("GET", "/no such/页面", 404), ("PUT", "/", 405)],
)
def test_error_pages_name_no_forged_host(client, method, path, status):
    response = client.open(path, method=method, headers={"Host": EVIL})
    assert response.status_code == status
    assert_nothing_of_the_forged_host(response)
