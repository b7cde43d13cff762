"""A reader who is not logged in gets nothing from /editor/: every rule of the editor blueprint,
read from the app's URL map (so a route added later is covered too), with every method."""

from __future__ import annotations

from datetime import UTC, datetime
from urllib.parse import quote

import pytest
import sqlalchemy as sa
from support import csrf_token

from portal.extensions import db
from portal.posts.models import Post, Revision, User


@pytest.fixture
def stored_post(app, make_post, make_editor):
    """A post in the trash with one revision, so every URL would have something to act on."""
    editor = make_editor("owner", admin=True)
    post = make_post("读者碰不到的文章", trashed_at=datetime(2026, 11, 1, tzinfo=UTC))
    with app.app_context():
        db.session.add(
            Revision(
                post_id=post.id,
                number=1,
                editor_id=editor.id,
                action="draft",
                status="draft",
                title=post.title,
                body_raw="<p>x</p>",
                body_html="<p>x</p>",
            )
        )
        db.session.commit()
    return post


def editor_urls(app, post_id):
    """(method, url) for every method of every rule of the editor blueprint."""
    rules = [rule for rule in app.url_map.iter_rules() if rule.endpoint.startswith("editor.")]
    assert len(rules) >= 10, "the editor blueprint lost its routes"
    for rule in rules:
        values = {name: post_id if name == "post_id" else 1 for name in rule.arguments}
        with app.test_request_context():
            url = app.url_for(rule.endpoint, **values)
        for method in sorted(rule.methods):
            yield method, url


def snapshot(app):
    with app.app_context():
        return (
            db.session.execute(sa.select(Post.id, Post.title, Post.version, Post.trashed_at)).all(),
            db.session.scalar(sa.select(sa.func.count()).select_from(Revision)),
            db.session.scalar(sa.select(sa.func.count()).select_from(User)),
        )


def test_every_editor_url_sends_a_reader_to_login_or_refuses(app, client, stored_post):
    before = snapshot(app)
    token = csrf_token(client.get("/editor/login"))  # a reader can get a valid token
    seen = set()
    for method, url in editor_urls(app, stored_post.id):
        seen.add(url)
        response = client.open(url, method=method, data={"csrf_token": token})
        if method in ("GET", "HEAD"):
            assert response.status_code == 302, (method, url)
            location = response.headers["Location"]
            assert location.startswith("/editor/login?next="), (method, url, location)
            assert quote(url, safe="") in location or url in location
        else:
            assert response.status_code == 403, (method, url, response.status_code)
        assert "读者碰不到的文章" not in response.get_data(as_text=True)
    assert "/editor/" in seen
    assert f"/editor/posts/{stored_post.id}/delete" in seen
    assert snapshot(app) == before


def test_every_editor_post_without_a_token_is_a_bad_request(app, client, stored_post):
    before = snapshot(app)
    for method, url in editor_urls(app, stored_post.id):
        if method == "POST":
            assert client.post(url).status_code == 400, url
    assert snapshot(app) == before


def test_login_page_explains_why(client):
    response = client.get("/editor/posts/new")
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "请先登录后再访问编辑后台。" in page


def test_editor_pages_are_not_indexed_and_carry_no_inline_script(app, editor_client, make_post):
    post = make_post()
    pages = [
        editor_client.get(url)
        for url in ("/editor/", "/editor/posts/new", f"/editor/posts/{post.id}/edit")
    ]
    pages.append(app.test_client().get("/editor/login"))
    for response in pages:
        url = response.request.path
        assert response.status_code == 200, url
        page = response.get_data(as_text=True)
        assert '<meta name="robots" content="noindex, nofollow">' in page, url
        assert "<script>" not in page, url
        assert " style=" not in page, url
        assert "/static/css/editor.css" in page, url
