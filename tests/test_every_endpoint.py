"""Two rules checked on every URL rule the app has, read from its URL map (so a new endpoint is
covered the day it is added; one with a URL argument this file does not know fails):

- ``HEAD`` answers as ``GET`` does, without a body, and changes nothing (``GET`` never does);
- everything under ``/editor`` — pages, forms, redirects, error pages, for editors and for
  anonymous visitors — is ``Cache-Control: no-store``.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from support import EDITOR_PASSWORD, csrf_token, form_fields, login

from portal.posts.states import PostState
from portal.timeutil import now_utc
from portal.web.security import is_editor_path

COMPARED_HEADERS = ("Content-Type", "Location", "Cache-Control", "Vary", "Allow")
ASIDE = {"OPTIONS", "HEAD"}


@pytest.fixture
def site(make_post, load_post, admin_client, make_editor):
    """The admin "admin", a published post (with a revision, saved through the editor) and a
    post in the trash."""
    published = make_post("已发布的文章")
    trashed = make_post("回收站里的文章", trashed_at=now_utc() - timedelta(minutes=5))
    # A revision for the published post, saved through the real form.
    edit = admin_client.get(f"/editor/posts/{published.id}/edit")
    assert edit.status_code == 200
    saved = admin_client.post(
        f"/editor/posts/{published.id}/edit", data=form_fields(edit) | {"action": "publish"}
    )
    assert saved.status_code == 302, saved.get_data(as_text=True)[:500]
    channel = published.channel_id
    author = make_editor("author", role="author").id  # the admin pages act on an account
    return {"published": published.id, "trashed": trashed.id, "load": load_post} | {
        "channel": channel,
        "user": author,
    }


def url_arguments(rule, site) -> dict:
    """Values for a rule's arguments that name something that exists."""
    known = {
        "filename": "css/site.css",
        "post_id": site["trashed"]
        if rule.endpoint == "editor.delete_forever"
        else site["published"],
        "number": 1,
        "slug": "notices",
        "kind": "rss",
        "size": "large",
        "state": "on",
        "chunk": 1,
        "channel_id": site["channel"],
        "user_id": site["user"],
        "sha256": "0" * 64,  # no such file: its 404, alike for HEAD and GET
        "name": "附件.pdf",
    }
    unknown = set(rule.arguments) - set(known)
    assert not unknown, f"{rule.rule}: give this test a value for {sorted(unknown)}"
    return {name: known[name] for name in rule.arguments}


def every_rule(app, site):
    with app.test_request_context():
        adapter = app.url_map.bind("localhost")
        for rule in app.url_map.iter_rules():
            yield rule, adapter.build(rule.endpoint, url_arguments(rule, site))


def assert_head_like_get(client, url):
    # Closed as a WSGI server closes them (a static file's handle is released there).
    with client.head(url) as head, client.get(url) as get:
        assert head.status_code == get.status_code, (url, head.status_code, get.status_code)
        for name in COMPARED_HEADERS:
            assert head.headers.get(name) == get.headers.get(name), (url, name)
        assert head.get_data() == b"", url


def test_head_answers_like_get_on_every_get_endpoint(app, client, site):
    admin = app.test_client()
    assert login(admin, "admin").status_code == 302
    checked = []
    for rule, url in every_rule(app, site):
        if "GET" not in rule.methods:
            continue
        assert_head_like_get(client, url)  # an anonymous reader
        assert_head_like_get(admin, url)  # a logged-in administrator
        checked.append(rule.endpoint)
    assert {"auth.login", "editor.dashboard", "public.article", "feeds.feed"} <= set(checked)
    # HEAD of a confirmation page confirmed nothing: the post is still in the trash.
    kept = site["load"](site["trashed"])
    assert kept is not None
    assert kept.state is PostState.TRASH


def test_head_of_the_login_page_is_200_like_get(client):
    response = client.head("/editor/login")
    assert response.status_code == 200
    assert response.get_data() == b""


# --- no-store under /editor -------------------------------------------------------------------


def assert_no_store(response, what):
    assert response.headers.get("Cache-Control") == "no-store", (
        what,
        response.status_code,
        response.headers.get("Cache-Control"),
    )


def editor_rules(app, site):
    rules = [(rule, url) for rule, url in every_rule(app, site) if is_editor_path(rule.rule)]
    endpoints = {rule.endpoint for rule, _ in rules}
    # Every rule of the editor's blueprints is under the prefix the header rule uses.
    for rule in app.url_map.iter_rules():
        if rule.endpoint.split(".")[0] in ("auth", "editor"):
            assert rule.endpoint in endpoints, rule.rule
    return rules


def test_every_editor_endpoint_is_no_store_for_an_editor(app, site):
    for rule, url in editor_rules(app, site):
        for method in sorted(rule.methods - ASIDE):
            browser = app.test_client()  # each request from a fresh login: logout is one
            assert login(browser, "admin").status_code == 302
            if method == "GET":
                assert_no_store(browser.get(url), f"GET {url}")
                continue
            token = csrf_token(browser.get("/editor/"))
            assert_no_store(browser.open(url, method=method, data={"csrf_token": token}), url)
            assert_no_store(browser.open(url, method=method), f"{method} {url} without CSRF")


def test_every_editor_endpoint_is_no_store_for_a_visitor(app, client, site):
    for rule, url in editor_rules(app, site):
        for method in sorted(rule.methods - ASIDE):
            token = csrf_token(client.get("/editor/login"))
            data = {"csrf_token": token} if method != "GET" else None
            assert_no_store(client.open(url, method=method, data=data), f"{method} {url}")


@pytest.mark.parametrize(
    ("method", "url", "status"),
    [
        ("GET", "/editor", 308),  # the routing redirect to /editor/
        ("GET", "/editor/no-such-page", 404),
        ("GET", "/editor/posts/999999/edit", 404),
        ("GET", "/editor/logout", 405),
        ("PUT", "/editor/login", 405),
    ],
)
def test_editor_redirects_and_error_pages_are_no_store(editor_client, method, url, status):
    response = editor_client.open(url, method=method)
    assert response.status_code == status
    assert_no_store(response, url)


def test_the_failed_and_locked_login_pages_are_no_store(client, make_editor):
    make_editor()
    for _ in range(5):
        assert_no_store(login(client, "editor", "wrong password!"), "failed login")
    locked = login(client, "editor", EDITOR_PASSWORD)
    assert locked.status_code == 429
    assert_no_store(locked, "locked login")


@pytest.mark.own_app
def test_an_editor_500_page_is_no_store(app, make_editor_client):
    @app.get("/editor/__test_boom")
    def boom():
        raise RuntimeError("boom")

    editor_client = make_editor_client()
    response = editor_client.get("/editor/__test_boom")
    assert response.status_code == 500
    assert_no_store(response, "500")


def test_public_pages_keep_their_own_cache_control(client, make_post):
    post = make_post()
    assert "no-store" not in client.get(f"/notices/{post.id}.html").headers.get("Cache-Control", "")
    assert "no-store" not in client.get("/feeds/all.rss").headers.get("Cache-Control", "")
