"""Polling a feed is cheap: validators on every feed, 304 from one small query, and every change
a subscriber must see (edit, new post, withdrawal, trash, a scheduled post coming due, a move)
changes the ETag."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import feedparser
import pytest
import sqlalchemy as sa
from support import statements_on

import portal.cache as page_cache
from portal.extensions import db
from portal.posts.states import PostState
from portal.timeutil import now_utc

FEEDS = ["/feeds/all.rss", "/feeds/all.atom", "/feeds/notices.rss", "/feeds/notices.atom"]


def titles(response) -> list[str]:
    parsed = feedparser.parse(response.data)
    assert not parsed.bozo
    return [entry.title for entry in parsed.entries]


def reading_posts(statements: list[str]) -> list[str]:
    return [s for s in statements if " FROM post" in s]


@pytest.mark.parametrize("path", FEEDS)
def test_200_then_304_with_the_same_validators_then_200_after_an_edit(
    clock, client, make_post, edit_post, path
):
    post = make_post(title="原标题")
    first = client.get(path)
    assert first.status_code == 200
    etag, last_modified = first.headers["ETag"], first.headers["Last-Modified"]

    again = client.get(path, headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert again.data == b""
    assert again.headers["ETag"] == etag
    assert again.headers["Cache-Control"] == "public, max-age=300"

    by_date = client.get(path, headers={"If-Modified-Since": last_modified})
    assert by_date.status_code == 304
    assert by_date.data == b""

    clock(now_utc() + timedelta(minutes=3))
    edit_post(post.id, title="修改后的标题")

    for headers in ({"If-None-Match": etag}, {"If-Modified-Since": last_modified}):
        changed = client.get(path, headers=headers)
        assert changed.status_code == 200
        assert changed.headers["ETag"] != etag
        assert titles(changed) == ["修改后的标题"]


def test_weak_validators_lists_and_star_are_understood(client, make_post):
    make_post()
    etag = client.get("/feeds/all.atom").headers["ETag"]
    for header in (
        f"W/{etag}",
        f'"something-else", {etag}',
        f'W/"older", W/{etag}, "x"',
        "*",
    ):
        response = client.get("/feeds/all.atom", headers={"If-None-Match": header})
        assert response.status_code == 304, header
        assert response.data == b""
    other = client.get("/feeds/all.atom", headers={"If-None-Match": '"a", W/"b"'})
    assert other.status_code == 200


def test_if_none_match_takes_precedence_over_if_modified_since(client, make_post):
    make_post()
    first = client.get("/feeds/all.rss")
    future = "Fri, 01 Jan 2100 00:00:00 GMT"
    stale = client.get(
        "/feeds/all.rss", headers={"If-None-Match": '"old"', "If-Modified-Since": future}
    )
    assert stale.status_code == 200  # RFC 9110 §13.2.2: If-Modified-Since is ignored here
    fresh = client.get(
        "/feeds/all.rss",
        headers={"If-None-Match": first.headers["ETag"], "If-Modified-Since": "garbage"},
    )
    assert fresh.status_code == 304


def test_last_modified_is_the_newest_entry_time(make_post, client):
    moment = datetime(2024, 4, 26, 1, 0, 30, 123456, tzinfo=UTC)
    make_post(published_at=moment, updated_at=moment)
    make_post(published_at=moment - timedelta(days=3), updated_at=moment - timedelta(days=3))
    response = client.get("/feeds/notices.atom")
    assert response.headers["Last-Modified"] == "Fri, 26 Apr 2024 01:00:30 GMT"
    earlier = client.get(
        "/feeds/notices.atom", headers={"If-Modified-Since": "Fri, 26 Apr 2024 01:00:29 GMT"}
    )
    assert earlier.status_code == 200


@pytest.mark.parametrize("path", ["/feeds/all.rss", "/feeds/notices.atom"])
def test_a_304_reads_no_post_only_the_caches_validity(app, client, make_post, path):
    for day in range(1, 6):
        make_post(title=f"公告{day}", published_at=datetime(2024, 5, day, tzinfo=UTC))
    with statements_on(app) as first_statements:
        etag = client.get(path).headers["ETag"]
    assert any("body_html" in statement for statement in reading_posts(first_statements))

    with statements_on(app) as not_modified_statements:
        assert client.get(path, headers={"If-None-Match": etag}).status_code == 304
    with statements_on(app) as full_statements:
        assert client.get(path).status_code == 200
    # The page cache answers both: no post is loaded, the feed is not built again; what is
    # left is the one read of the cache's validity, the same for every server.
    for statements in (not_modified_statements, full_statements):
        (validity,) = statements
        assert "cache_state" in validity
        assert "max(updated_at) FROM post" in validity  # one index step, no post read
        assert "body_html" not in validity


# --- every change a subscriber must see changes the ETag ---------------------------------------


@dataclass
class Feed:
    """Five notices, newest first, and the means to change them."""

    posts: list
    make_post: Callable
    edit_post: Callable


def _publish_new(feed: Feed):
    feed.make_post(title="新发布", published_at=now_utc() - timedelta(minutes=1))


def _edit(feed: Feed):
    feed.edit_post(feed.posts[1].id, body_html="<p>更正后的正文</p>")


def _withdraw(feed: Feed):
    # Even if withdrawing did not touch updated_at, the post leaving the feed must show.
    feed.edit_post(feed.posts[1].id, status=PostState.DRAFT, bump_updated_at=False)


def _trash(feed: Feed):
    feed.edit_post(feed.posts[1].id, trashed_at=now_utc(), bump_updated_at=False)


def _move(feed: Feed):
    other = feed.make_post(title="别处", channel="news")
    feed.edit_post(feed.posts[1].id, channel_id=other.channel_id, bump_updated_at=False)


CHANGES = {
    "new post": (_publish_new, ["新发布", "公告5", "公告4"]),
    "edit": (_edit, ["公告5", "公告4", "公告3"]),
    "withdrawal": (_withdraw, ["公告5", "公告3", "公告2"]),
    "trash": (_trash, ["公告5", "公告3", "公告2"]),
    "move to another channel": (_move, ["公告5", "公告3", "公告2"]),
}


@pytest.mark.parametrize("change", list(CHANGES))
def test_every_change_in_a_full_feed_changes_the_etag(
    clock, app, client, make_post, edit_post, change
):
    """A full window (3 of 5 posts): a post leaving it is replaced, so the count stays the same."""
    app.config["FEED_ENTRIES"] = 3
    posts = [
        make_post(title=f"公告{n}", published_at=now_utc() - timedelta(days=10 - n))
        for n in range(1, 6)
    ]
    posts.reverse()  # newest first, as in the feed
    path = "/feeds/notices.atom"
    before = client.get(path)
    assert titles(before) == ["公告5", "公告4", "公告3"]

    clock(now_utc() + timedelta(minutes=5))
    apply, expected_titles = CHANGES[change]
    apply(Feed(posts, make_post, edit_post))

    after = client.get(path, headers={"If-None-Match": before.headers["ETag"]})
    assert after.status_code == 200
    assert after.headers["ETag"] != before.headers["ETag"]
    assert titles(after) == expected_titles


def test_a_scheduled_post_coming_due_changes_the_etag(clock, client, make_post):
    make_post(title="已发布")
    due = now_utc() + timedelta(hours=1)
    make_post(title="定时发布", published_at=due)
    before = client.get("/feeds/all.rss")
    assert (
        client.get("/feeds/all.rss", headers={"If-None-Match": before.headers["ETag"]}).status_code
        == 304
    )

    clock(due + timedelta(seconds=1))

    for headers in (
        {"If-None-Match": before.headers["ETag"]},
        {"If-Modified-Since": before.headers["Last-Modified"]},
    ):
        after = client.get("/feeds/all.rss", headers=headers)
        assert after.status_code == 200
        assert titles(after) == ["定时发布", "已发布"]


def test_renaming_the_channel_or_a_setting_changes_the_etag(
    app, client, make_channel, make_post, new_app
):
    channel = make_channel("notices", name="信息公告")
    make_post()
    etag = client.get("/feeds/notices.rss").headers["ETag"]
    with app.app_context():
        db.session.execute(sa.update(type(channel)).values(name="通知公告"))
        db.session.commit()
        page_cache.invalidate()  # as a channel's writer must
    renamed = client.get("/feeds/notices.rss", headers={"If-None-Match": etag})
    assert renamed.status_code == 200
    assert feedparser.parse(renamed.data).feed.title == "普法宣传网 · 通知公告"

    # Settings are read at start: the same site restarted with another name.
    restarted = new_app({**app.config, "SITE_NAME": "某市普法网"})
    retitled = restarted.test_client().get(
        "/feeds/notices.rss", headers={"If-None-Match": renamed.headers["ETag"]}
    )
    assert retitled.status_code == 200
    assert feedparser.parse(retitled.data).feed.title == "某市普法网 · 通知公告"


def test_an_unknown_channel_is_404_even_with_a_star(client, make_channel):
    make_channel("notices")
    assert client.get("/feeds/gone.rss", headers={"If-None-Match": "*"}).status_code == 404
