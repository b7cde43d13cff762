"""No public request does work that grows with the archive.

With a few thousand posts (of every state, in several channels), every query each public page
issues is EXPLAINed on the engine under test: none may scan the whole ``post`` table or sort it
(each is served by an index in the order it asks for). And each page issues a small, fixed
number of statements, the same for a small site and a large one."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from datetime import timedelta

import sqlalchemy as sa
from support import statements_on

import portal.cache as page_cache
from portal.extensions import db
from portal.posts import service
from portal.posts.models import Channel, Post
from portal.timeutil import now_utc

CHANNELS = ("notices", "news", "law")


def fill(app, posts: int) -> None:
    """``posts`` more posts across three channels: mostly public, some drafts, scheduled,
    trashed, pinned (rows written directly: this is data for the planner, not a test of
    saving)."""
    now = now_utc()
    with app.app_context():
        channels = list(db.session.scalars(sa.select(Channel).order_by(Channel.id)))
        if not channels:
            channels = [Channel(slug=slug, name=slug, column_type="通知公告") for slug in CHANNELS]
            db.session.add_all(channels)
            db.session.flush()
        rows = [
            {
                "channel_id": channels[n % len(channels)].id,
                "title": f"公告{n}",
                "body_html": "<p>正文</p>",
                "status": "draft" if n % 10 == 3 else "published",
                "pinned": n % 400 == 0,
                "published_at": now + timedelta(days=3)
                if n % 50 == 7
                else now - timedelta(hours=n),
                "trashed_at": now if n % 40 == 11 else None,
                "created_at": now,
                "updated_at": now - timedelta(minutes=n),
            }
            for n in range(posts)
        ]
        db.session.execute(sa.insert(Post), rows)
        service.recount(channel.id for channel in channels)
        db.session.commit()
        # The planner decides from statistics, as autovacuum/ANALYZE keep them in production.
        db.session.execute(sa.text("ANALYZE"))
        db.session.commit()
        page_cache.invalidate()


@contextlib.contextmanager
def queries_on(app) -> Iterator[list[tuple[str, object]]]:
    """(statement, parameters) of every SELECT the app sends while the block runs."""
    with app.app_context():
        engine = db.engine
    seen: list[tuple[str, object]] = []

    def record(_connection, _cursor, statement, parameters, *_args):
        if statement.lstrip().upper().startswith("SELECT"):
            seen.append((statement, parameters))

    sa.event.listen(engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        sa.event.remove(engine, "before_cursor_execute", record)


def problems_in_plan(app, statement: str, parameters) -> list[str]:
    with app.app_context():
        connection = db.session.connection()
        if connection.dialect.name == "sqlite":
            plan = [row[-1] for row in connection.exec_driver_sql(
                f"EXPLAIN QUERY PLAN {statement}", parameters
            )]  # fmt: skip
            bad = [step for step in plan if step.startswith("SCAN post") or "TEMP B-TREE" in step]
        else:
            plan = [
                row[0] for row in connection.exec_driver_sql(f"EXPLAIN {statement}", parameters)
            ]
            bad = [
                step for step in plan if "Seq Scan on post" in step or "Sort" in step.split("(")[0]
            ]
        db.session.rollback()
    where = " ".join(statement.split()).partition(" FROM ")[2]
    return [f"{step}  <-  FROM {where[:300]}" for step in bad]


def public_urls(app) -> list[str]:
    with app.app_context():
        post = db.session.scalar(
            sa.select(Post).where(Post.is_public, Post.channel_id == 1).order_by(Post.id).offset(5)
        )
        pages = -(-db.session.scalar(
            sa.select(sa.func.count()).select_from(Post).where(Post.is_public, Post.channel_id == 1)
        ) // app.config["POSTS_PER_PAGE"])  # fmt: skip
        assert post is not None
        return [
            "/",
            "/notices/",
            f"/notices/?page={pages}",  # the last page
            f"/notices/{post.id}.html",
            "/feeds/all.atom",
            "/feeds/notices.rss",
            "/sitemap.xml",
            "/sitemap-pages.xml",
            "/sitemap-posts-2.xml",
        ]


def test_every_public_query_is_served_by_an_index_in_its_order(app, client):
    fill(app, 3000)
    checked = 0
    for url in public_urls(app):
        with queries_on(app) as queries:
            assert client.get(url).status_code == 200, url
        for statement, parameters in queries:
            if " post" in statement:
                assert problems_in_plan(app, statement, parameters) == [], url
                checked += 1
    assert checked >= 12  # every page's queries were looked at, not none


def statement_counts(app, client) -> dict[str, tuple[int, int]]:
    """Per kind of public page: statements of its first (rendering) and second (cached) GET."""
    counts = {}
    for url in public_urls(app):
        with statements_on(app) as first:
            client.get(url)
        with statements_on(app) as cached:
            client.get(url)
        counts[url.split("?")[0].rsplit("/", 1)[0] or url] = (len(first), len(cached))
        assert len(first) <= 12, (url, first)
        # Cached: the validity row, and for an article its view count (UPDATE … RETURNING).
        assert len(cached) <= 2, (url, cached)
    return counts


def test_each_page_issues_a_small_fixed_number_of_statements(app, client):
    fill(app, 30)
    small = statement_counts(app, client)
    fill(app, 570)  # (fill tells the page cache, as the write path would)
    # The same numbers for a small site and one twenty times larger.
    assert statement_counts(app, client) == small
