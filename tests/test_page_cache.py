"""The shared page cache: what readers see is cached, and never stale.

After a publish, edit, withdrawal or trash through the editor, the next request shows it; a
scheduled post appears at its time with no write; the view count stays live; a logged-in
editor is never served a cached page; with Redis, servers share one copy."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa
from page import page
from support import base_config, edit_url, login, post_id_of, press, submit, write_post

from portal.cache import store
from portal.extensions import db
from portal.posts.models import Post
from portal.timeutil import now_utc

PUBLIC_PAGES = ("/", "/notices/", "/feeds/all.atom", "/feeds/notices.rss", "/sitemap-posts-1.xml")


def everything_public(client) -> str:
    return "".join(client.get(url).get_data(as_text=True) for url in PUBLIC_PAGES)


def stale_write(app, post_id: int, title: str) -> None:
    """Change a row behind the write path's back (no signal): what the cache then serves
    shows whether it was cached."""
    with app.app_context():
        db.session.execute(sa.update(Post).where(Post.id == post_id).values(title=title))
        db.session.commit()


@pytest.fixture
def notices(make_channel):
    make_channel("news", name="普法动态")
    return make_channel("notices", name="信息公告")


def test_pages_are_cached(app, client, make_post):
    post = make_post("原来的标题")
    assert "原来的标题" in everything_public(client)
    stale_write(app, post.id, "背着写入路径改的")
    shown = everything_public(client)
    assert "背着写入路径改的" not in shown  # served from the cache
    assert "原来的标题" in shown


def test_every_change_through_the_editor_shows_on_the_next_request(editor_client, client, notices):
    post_id = post_id_of(edit_url(write_post(editor_client, notices, title="第一版公告")))
    article = f"/notices/{post_id}.html"
    assert "第一版公告" in everything_public(client) + client.get(article).get_data(as_text=True)

    submit(editor_client, f"/editor/posts/{post_id}/edit", "publish", title="第二版公告")
    shown = everything_public(client) + client.get(article).get_data(as_text=True)
    assert "第二版公告" in shown
    assert "第一版公告" not in shown

    press(editor_client, f"/editor/posts/{post_id}/withdraw")
    assert "第二版公告" not in everything_public(client)
    assert client.get(article).status_code == 404

    submit(editor_client, f"/editor/posts/{post_id}/edit", "publish")
    assert "第二版公告" in everything_public(client)
    press(editor_client, f"/editor/posts/{post_id}/trash")
    assert "第二版公告" not in everything_public(client)
    assert client.get(article).status_code == 404


def test_a_change_whose_signal_was_lost_is_seen_all_the_same(app, client, make_post):
    """A process killed between a save's commit and its signal: the save's updated_at is part
    of every page's validity, so the next request renders anew."""
    post = make_post("原来的标题")
    assert "原来的标题" in everything_public(client)
    with app.app_context():
        db.session.execute(
            sa.update(Post)
            .where(Post.id == post.id)
            .values(title="信号丢失的修改", updated_at=now_utc())
        )
        db.session.commit()
    assert "信号丢失的修改" in everything_public(client)


def test_a_scheduled_post_appears_at_its_time_with_no_write(client, make_post, clock):
    make_post("已发布的")
    due = now_utc() + timedelta(hours=2)
    make_post("定时的", published_at=due)
    assert "定时的" not in everything_public(client)  # cached without it
    clock(due - timedelta(seconds=1))
    assert "定时的" not in everything_public(client)
    clock(due)
    assert "定时的" in everything_public(client)


def test_the_view_count_of_a_cached_article_is_live(client, make_post, load_post):
    post = make_post()
    url = f"/notices/{post.id}.html"
    counts = [page(client.get(url)).by_class("span", "view-count")[0].text for _ in range(3)]
    assert counts == ["1", "2", "3"]
    assert (
        page(client.get(url, query_string={"print": "1"})).by_class("span", "view-count")[0].text
        == "3"
    )  # a print view is not counted, and shows the live count too
    assert load_post(post.id).view_count == 3


def test_a_logged_in_editor_is_never_served_a_cached_page(app, client, editor_client, make_post):
    post = make_post("原来的标题")
    for url in PUBLIC_PAGES:
        client.get(url)
    stale_write(app, post.id, "编辑刚改的")
    assert "编辑刚改的" not in everything_public(client)
    assert "编辑刚改的" in everything_public(editor_client)


def test_each_reading_aid_choice_has_its_own_page(client, make_post):
    make_post()
    plain = page(client.get("/")).one("html").attrs["class"]
    client.set_cookie("font_size", "large")
    large = page(client.get("/")).one("html").attrs["class"]
    assert "font-large" in large
    assert "font-large" not in plain


@pytest.fixture
def two_servers_with_redis(database_url, redis_prefix, new_app):
    """Two apps (as two servers would be) on one database, sharing pages through Redis."""
    _server, prefix = redis_prefix
    config = base_config(database_url) | {
        "CACHE_REDIS_URL": "redis://127.0.0.1:6379/0",
        "CACHE_KEY_PREFIX": prefix,
    }
    return new_app(config), new_app(config)


def test_servers_share_pages_through_redis(app, make_post, two_servers_with_redis):
    first, second = two_servers_with_redis
    assert isinstance(first.extensions["page_cache"], store.RedisStore)
    post = make_post("原来的标题")
    assert "原来的标题" in first.test_client().get("/notices/").get_data(as_text=True)
    stale_write(app, post.id, "背着写入路径改的")
    # Rendered by the first, served by the second: one copy for every server.
    assert "原来的标题" in second.test_client().get("/notices/").get_data(as_text=True)

    editor = second.test_client()
    with second.app_context():
        from portal.posts.models import User

        user = User(username="redis-editor")
        user.set_password("correct horse battery")
        db.session.add(user)
        db.session.commit()
    assert login(editor, "redis-editor").status_code == 302
    submit(editor, f"/editor/posts/{post.id}/edit", "publish", title="经第二台服务器修改")
    for server in (first, second):
        listing = server.test_client().get("/notices/").get_data(as_text=True)
        assert "经第二台服务器修改" in listing
