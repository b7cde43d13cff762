"""Anonymous readers get responses every cache may share: no session cookie, no
``Vary: Cookie``. A page styled by a reader's 字号/老年人模式 cookies varies on them; a
logged-in editor keeps the session, and whatever is made from it is private."""

from __future__ import annotations

import pytest
from flask import render_template_string

from portal.web.prefs import ELDER_COOKIE, FONT_COOKIE

PUBLIC_URLS = [
    "/",
    "/notices/",
    "/notices/?page=2",  # past the end: the 404 page
    "/notices/?page=abc",  # the 400 page
    "/no-such-channel/",
    "ARTICLE",
    "/feeds/all.rss",
    "/feeds/notices.atom",
    "/static/css/site.css",
    "/static/js/site.js",
    "/robots.txt",
    "/sitemap.xml",
    "/healthz",
]


@pytest.fixture
def article_url(make_post) -> str:
    make_post("通知一")
    post = make_post("动态一", channel="news")
    return f"/news/{post.id}.html"


def get(client, url, article_url, **options):
    response = client.get(article_url if url == "ARTICLE" else url, **options)
    response.close()  # static files are streamed
    return response


def varies_on_cookie(response) -> bool:
    return "cookie" in {value.lower() for value in response.vary}


@pytest.mark.parametrize("url", PUBLIC_URLS)
def test_an_anonymous_reader_gets_no_cookie_and_no_vary(client, article_url, url):
    response = get(client, url, article_url)
    assert response.status_code in (200, 400, 404), response.status_code
    assert "Set-Cookie" not in response.headers, url
    assert not varies_on_cookie(response), (url, response.headers.get("Vary"))


def test_the_304_of_a_feed_and_a_head_request_vary_on_nothing_either(client, article_url):
    etag = client.get("/feeds/all.rss").headers["ETag"]
    again = client.get("/feeds/all.rss", headers={"If-None-Match": etag})
    head = client.head(article_url)
    for response in (again, head):
        assert "Set-Cookie" not in response.headers
        assert not varies_on_cookie(response)
    assert again.status_code == 304


@pytest.mark.own_app
def test_asking_who_is_logged_in_does_not_open_an_anonymous_session(app, client):
    """A public template that shows something to editors only (``current_user``) does not
    make every reader's page vary on the cookie."""

    @app.get("/__test_who")
    def who():
        return render_template_string(
            "{{ 'editor' if current_user.is_authenticated else 'reader' }}"
        )

    response = client.get("/__test_who")
    assert response.get_data(as_text=True) == "reader"
    assert not varies_on_cookie(response)
    assert "Set-Cookie" not in response.headers


@pytest.mark.parametrize("cookie", [(FONT_COOKIE, "large"), (ELDER_COOKIE, "on")])
@pytest.mark.parametrize("url", ["/", "/notices/", "ARTICLE", "/no-such-channel/"])
def test_a_page_styled_by_a_reading_aid_cookie_varies_on_it(client, article_url, url, cookie):
    client.set_cookie(*cookie)
    response = get(client, url, article_url)
    assert varies_on_cookie(response), url
    assert "Set-Cookie" not in response.headers


@pytest.mark.parametrize("url", ["/static/css/site.css", "/robots.txt"])
def test_what_no_cookie_styles_does_not_vary_even_with_one(client, article_url, url):
    client.set_cookie(FONT_COOKIE, "large")
    assert not varies_on_cookie(get(client, url, article_url))


@pytest.mark.parametrize("url", ["/", "/notices/", "ARTICLE"])
def test_a_logged_in_editor_keeps_the_session_on_public_pages(editor_client, article_url, url):
    response = get(editor_client, url, article_url)
    assert response.status_code == 200
    assert varies_on_cookie(response)
    cache_control = response.cache_control
    assert cache_control.private or cache_control.no_store, response.headers["Cache-Control"]
    assert not cache_control.public
    # Still logged in on the next editor page.
    assert editor_client.get("/editor/").status_code == 200


@pytest.mark.parametrize("url", ["/editor/", "/editor/posts/new", "/editor/login"])
def test_editor_pages_are_never_kept_by_a_shared_cache(editor_client, client, url):
    for who in (editor_client, client):  # the login page and the redirect to it too
        response = who.get(url)
        assert response.status_code in (200, 302), (url, response.status_code)
        cache_control = response.cache_control
        assert cache_control.private or cache_control.no_store, (url, cache_control)
        assert not cache_control.public


def test_the_login_form_starts_a_private_session(client):
    response = client.get("/editor/login")
    assert response.headers["Set-Cookie"].startswith("session=")
    assert varies_on_cookie(response)
    assert response.cache_control.private or response.cache_control.no_store


def test_an_editors_static_files_and_feeds_stay_shareable(editor_client, client):
    """Nothing about the session is in a stylesheet or a feed: an editor's browser caches the
    versioned stylesheet for a year like anyone's, and the feed stays public."""
    link = next(
        part.split('"')[0]
        for part in client.get("/").get_data(as_text=True).split('href="')
        if part.startswith("/static/css/site.css?v=")
    )
    with editor_client.get(link) as style:
        assert style.headers["Cache-Control"] == "public, max-age=31536000, immutable"
        assert not varies_on_cookie(style)
    feed = editor_client.get("/feeds/all.rss")
    assert feed.cache_control.public
    assert not varies_on_cookie(feed)


def test_flashed_messages_still_reach_the_editor(make_editor, client):
    """The session is opened when there is one: the login's flash shows on the next page, and
    logging out ends the session."""
    from support import login, press

    make_editor("editor", display_name="张编辑")
    response = login(client)
    assert response.status_code == 302
    assert "登录成功" in client.get(response.headers["Location"]).get_data(as_text=True)
    logged_out = press(client, "/editor/logout")
    assert "您已退出登录" in client.get(logged_out.headers["Location"]).get_data(as_text=True)
    assert client.get("/editor/").status_code == 302
