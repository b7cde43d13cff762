"""`flask --app portal bench-data N`: realistic posts in bulk, through the one write path."""

from __future__ import annotations

import re
from collections import Counter

import pytest
import sqlalchemy as sa
from page import page

from portal.extensions import db
from portal.posts.models import Channel, Post, Revision
from portal.posts.states import PostState
from portal.sanitize import clean

CJK = re.compile(r"[\u4e00-\u9fff]")


def bench_data(runner, *args: str):
    result = runner.invoke(args=["bench-data", *args])
    assert result.exit_code == 0, result.output
    return result


def stored_posts(app) -> list[Post]:
    with app.app_context():
        posts = db.session.scalars(sa.select(Post).order_by(Post.id)).all()
        db.session.expunge_all()
        return list(posts)


@pytest.mark.usefixtures("clock")
def test_bench_data_makes_posts_in_every_state_and_several_channels(app, runner):
    assert "300 post(s) added" in bench_data(runner, "300", "--seed", "1").output
    posts = stored_posts(app)
    assert len(posts) == 300
    states = Counter(post.state for post in posts)
    assert set(states) == set(PostState)
    assert states[PostState.PUBLISHED] > 250  # drafts, scheduled and trashed: a few percent
    assert any(post.pinned and post.state is PostState.PUBLISHED for post in posts)
    assert len({post.channel_id for post in posts}) >= 5
    assert all(CJK.search(post.title) for post in posts)
    assert len({post.title for post in posts}) > 200
    assert len({post.body_html for post in posts}) == 300
    published = [post.published_at for post in posts if post.state is PostState.PUBLISHED]
    assert (max(published) - min(published)).days > 8 * 365  # about ten years


def test_every_bench_post_is_version_1_with_its_one_revision_and_a_clean_body(app, runner):
    bench_data(runner, "300", "--seed", "1")
    with app.app_context():
        revisions = db.session.execute(
            sa.select(Revision.post_id, Revision.number, Revision.body_raw, Revision.title)
        ).all()
        assert Counter(post_id for post_id, *_ in revisions) == Counter(
            {post.id: 1 for post in stored_posts(app)}
        )
    by_post = {post_id: (number, raw, title) for post_id, number, raw, title in revisions}
    for post in stored_posts(app):
        number, raw, title = by_post[post.id]
        assert (post.version, number, title) == (1, 1, post.title)
        assert clean(raw).html == post.body_html  # stored as the sanitizer keeps it
        assert 200 < len(post.body_html.encode()) < 20_000


@pytest.mark.usefixtures("clock")  # the same seed and the same clock: the same posts
def test_bench_data_twice_adds_more_in_the_same_channels(app, runner):
    bench_data(runner, "300", "--seed", "1")
    bench_data(runner, "300", "--seed", "1")
    bench_data(runner, "50", "--seed", "2")
    posts = stored_posts(app)
    assert len(posts) == 650
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Channel)) == 6
    # The same seed makes the same posts; another seed, others.
    first, second, third = posts[:300], posts[300:600], posts[600:]
    content = [(p.title, p.body_html, p.state, p.published_at) for p in first]
    assert content == [(p.title, p.body_html, p.state, p.published_at) for p in second]
    assert [p.title for p in third] != [p.title for p in first[:50]]


def test_the_public_pages_render_with_bench_data(app, runner, client):
    client.get("/")  # the home page is seen (and may be cached) before the import
    bench_data(runner, "300", "--seed", "1")
    posts = [post for post in stored_posts(app) if post.state is PostState.PUBLISHED]
    news = [post for post in posts if post.channel_id == posts[0].channel_id]
    home = client.get("/")
    assert home.status_code == 200
    newest = max(posts, key=lambda post: (post.published_at, post.id))
    assert newest.title in page(home).text  # the import was noticed

    with app.app_context():
        slug = db.session.get(Channel, news[0].channel_id).slug
    first = client.get(f"/{slug}/")
    assert first.status_code == 200
    pages = -(-len(news) // app.config["POSTS_PER_PAGE"])
    last = client.get(f"/{slug}/?page={pages}")
    assert last.status_code == 200
    oldest = min((p for p in news if not p.pinned), key=lambda p: (p.published_at, p.id))
    assert oldest.title in page(last).text

    article = client.get(f"/{slug}/{news[0].id}.html")
    assert article.status_code == 200
    assert news[0].title in page(article).text
    for path in ("/feeds/all.atom", f"/feeds/{slug}.rss", "/sitemap.xml"):
        assert client.get(path).status_code == 200, path
