"""Every read of posts and channels. The one place that decides what "public" means (with
``states``, whose PUBLISHED condition ``Post.is_public`` is)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.sqlite.base import SQLiteCompiler
from sqlalchemy.orm import joinedload

from portal.extensions import DriverStatement, db
from portal.posts import states
from portal.posts.models import Channel, ChannelSlug, Post, Revision
from portal.posts.states import PostState


def public_condition():
    """A post is public when published, its time has come, and it is not in the trash; the
    rule itself is ``Post.is_public`` (its SQL form), so rows and queries cannot disagree."""
    return Post.is_public


def published():
    """SELECT of public posts, newest first (callers add filters, limits, pinned order)."""
    return (
        sa.select(Post)
        .where(public_condition())
        .options(joinedload(Post.channel))
        .order_by(Post.published_at.desc(), Post.id.desc())
    )


def channels() -> list[Channel]:
    return list(db.session.scalars(sa.select(Channel).order_by(Channel.position, Channel.id)))


def channel_by_slug(slug: str) -> Channel | None:
    return db.session.scalar(sa.select(Channel).where(Channel.slug == slug))


def nav_channels() -> list[Channel]:
    """The channels of the navigation and the home page (a hidden one's pages stay up)."""
    return [channel for channel in channels() if channel.in_nav]


def renamed_channel(slug: str) -> Channel | None:
    """The channel that had ``slug`` before (its old URLs redirect, 301, to the new ones)."""
    return db.session.scalar(
        sa.select(Channel).join(ChannelSlug).where(ChannelSlug.slug == slug.lower())
    )


@dataclass(frozen=True)
class Freshness:
    """How long a channel has gone without a new public post, against its update rule."""

    channel: Channel
    last: datetime | None  # its newest public post's time (None: it has none)
    days: int | None  # whole days since

    @property
    def overdue(self) -> bool:
        return self.days is None or self.days > self.channel.update_rule


def freshness(now: datetime) -> list[Freshness]:
    """Every channel's, in channel order: one statement, an index step per channel (the
    newest public time on the time-ordered public index)."""
    newest = sa.select(sa.func.max(Post.published_at)).where(
        public_condition(), Post.channel_id == Channel.id
    )
    rows = db.session.execute(
        sa.select(Channel, newest.scalar_subquery()).order_by(Channel.position, Channel.id)
    )
    return [
        Freshness(channel, last, None if last is None else (now - last).days)
        for channel, last in rows
    ]


def _sqlite_from_hint(_compiler: Any, _table: Any, text: str | None) -> str | None:
    return text  # "post INDEXED BY ix_…": SQLite's table hint goes right after the name


# SQLAlchemy renders table hints only for dialects that declare them; SQLite's INDEXED BY is
# one (https://sqlite.org/lang_indexedby.html), so its compiler is taught to render it.
SQLiteCompiler.get_from_hint_text = _sqlite_from_hint  # type: ignore[method-assign,assignment]


def pinned_first(query: sa.Select) -> sa.Select:
    """A channel's list order, pinned first. SQLite is told the index that serves it: left to
    itself, its planner may prefer the range on published_at of the time-ordered index and
    sort what it found (PostgreSQL's statistics choose right)."""
    return query.with_hint(Post, "INDEXED BY ix_post_public_channel", "sqlite")


def latest(channel: Channel, limit: int, *, pinned: bool = False) -> list[Post]:
    """The newest public posts of a channel (``pinned``: pinned ones first)."""
    query = published().where(Post.channel_id == channel.id).limit(limit)
    if pinned:
        query = (
            pinned_first(query)
            .order_by(None)
            .order_by(Post.pinned.desc(), Post.published_at.desc(), Post.id.desc())
        )
    return list(db.session.scalars(query))


def sidebar_notices(slug: str, limit: int) -> list[Post]:
    """The sidebar's latest notices: one indexed query, pinned first (from the channel that
    had ``slug``, if 栏目管理 has renamed it)."""
    channel = channel_by_slug(slug) or renamed_channel(slug)
    return [] if channel is None else latest(channel, limit, pinned=True)


@dataclass(frozen=True)
class Page:
    items: list[Post]
    number: int
    pages: int
    total: int

    @property
    def has_prev(self) -> bool:
        return self.number > 1

    @property
    def has_next(self) -> bool:
        return self.number < self.pages

    @property
    def numbers(self) -> list[int | None]:
        """The page links to show: the first two, the last two and two either side of this
        one, None where a gap (…) goes; a few whatever the number of pages."""
        near = range(self.number - 2, self.number + 3)
        wanted = {1, 2, self.pages - 1, self.pages, *near}
        shown = sorted(number for number in wanted if 1 <= number <= self.pages)
        numbers: list[int | None] = []
        for number in shown:
            if numbers and number - (numbers[-1] or 0) > 1:
                numbers.append(None)
            numbers.append(number)
        return numbers


def paginate(query: sa.Select, order: list, total: int, number: int, per_page: int) -> Page | None:
    """Page ``number`` (from 1) of ``query`` (posts, filtered) in ``order`` (columns, newest
    first), of ``total`` posts; None for a page past the end (page 1 always exists).

    A page in the second half is read from the other end of the index, so no page steps over
    more than half the list (the last page is as cheap as the first)."""
    pages = max(1, -(-total // per_page))
    if number > pages:
        return None
    start = (number - 1) * per_page
    if start <= total // 2:
        rows = query.order_by(*(column.desc() for column in order)).offset(start)
        items = list(db.session.scalars(rows.limit(per_page)))
    else:
        size = min(per_page, total - start)
        rows = query.order_by(*(column.asc() for column in order)).offset(total - start - size)
        items = list(db.session.scalars(rows.limit(size)))[::-1]
    return Page(items, number, pages, total)


def page_of(channel: Channel, number: int, per_page: int) -> Page | None:
    """Page ``number`` of a channel: pinned posts lead page 1 and appear only there, because
    the whole list is ordered pinned-first before it is cut into pages. The total comes from
    the channel's kept count, less its posts still scheduled (a few index steps)."""
    scheduled = db.session.scalar(
        sa.select(sa.func.count())
        .select_from(Post)
        .where(Post.channel_id == channel.id, states.condition(Post, PostState.SCHEDULED))
    )
    total = max(0, channel.listed_posts - (scheduled or 0))
    query = pinned_first(sa.select(Post).where(public_condition(), Post.channel_id == channel.id))
    return paginate(query, [Post.pinned, Post.published_at, Post.id], total, number, per_page)


def public_post(post_id: int) -> Post | None:
    return db.session.scalar(published().where(Post.id == post_id).order_by(None))


def neighbours(post: Post) -> tuple[Post | None, Post | None]:
    """The previous (older) and next (newer) public posts of the same channel."""
    same_channel = published().where(Post.channel_id == post.channel_id, Post.id != post.id)
    key = sa.tuple_(Post.published_at, Post.id)
    here = sa.tuple_(sa.literal(post.published_at, Post.published_at.type), sa.literal(post.id))
    older = db.session.scalar(same_channel.where(key < here).limit(1))
    newer = db.session.scalar(
        same_channel.where(key > here)
        .order_by(None)
        .order_by(Post.published_at.asc(), Post.id.asc())
        .limit(1)
    )
    return older, newer


# The view counter: one atomic UPDATE … RETURNING (no read-modify-write, no row loaded), or a
# read for a view that does not count. Run on a connection of the caller's, in autocommit: the
# page cache's front door counts an article's views before Flask, with no ORM session, and a
# counted view is committed at once, so it survives the process. (The one write to ``post``
# outside ``posts.service``: it changes no content.)
COUNT_VIEW = (
    sa.update(Post)
    .where(Post.id == sa.bindparam("post_id"))
    .values(view_count=Post.view_count + 1)
    .returning(Post.view_count)
)
READ_VIEWS = sa.select(Post.view_count).where(Post.id == sa.bindparam("post_id"))


# Run on every reader's view of an article: on the driver's own cursor.
_COUNT_VIEW = DriverStatement(COUNT_VIEW)
_READ_VIEWS = DriverStatement(READ_VIEWS)


def record_view(connection: sa.Connection, post_id: int, *, counted: bool) -> int:
    """The post's view count after this view (counted or not); 0 for no such post."""
    row = (_COUNT_VIEW if counted else _READ_VIEWS).first_row(connection, post_id=post_id)
    return int(row[0]) if row is not None else 0


def next_scheduled_time(now: datetime) -> datetime | None:
    """When the next scheduled post comes due (None: none is scheduled); one index step."""
    return db.session.scalar(
        sa.select(Post.published_at)
        .where(states.condition(Post, PostState.SCHEDULED, now), Post.published_at.is_not(None))
        .order_by(Post.published_at)
        .limit(1)
    )


# --- the sitemap: an index of files of SITEMAP_CHUNK posts each, by id ----------------------------

SITEMAP_CHUNK = 1000  # posts per file: far under sitemaps.org's 50,000, and the same work each


def sitemap_chunks() -> int:
    """How many post files the sitemap index lists (by id range, so a file's URLs stay put)."""
    highest = db.session.scalar(sa.select(sa.func.max(Post.id))) or 0
    return -(-highest // SITEMAP_CHUNK)


def sitemap_posts(chunk: int) -> list[tuple[int, str, datetime]]:
    """(id, channel slug, updated_at) of the public posts with ids in file ``chunk`` (from 1)."""
    first = (chunk - 1) * SITEMAP_CHUNK + 1
    rows = db.session.execute(
        sa.select(Post.id, Channel.slug, Post.updated_at)
        .join(Channel, Channel.id == Post.channel_id)
        .where(public_condition(), Post.id.between(first, first + SITEMAP_CHUNK - 1))
        .order_by(Post.id)
    )
    return [(post_id, slug, updated_at) for post_id, slug, updated_at in rows]


def database_ok() -> bool:
    db.session.execute(sa.text("SELECT 1"))
    return True


# --- feeds -------------------------------------------------------------------------------------


def _feed_window(query, channel: Channel | None, limit: int):
    """The newest public posts strictly by published time (pinned posts are not pinned in
    feeds). The one definition the feed and its validators share, so the two always agree."""
    query = (
        query.where(public_condition())
        .order_by(None)
        .order_by(Post.published_at.desc(), Post.id.desc())
        .limit(limit)
    )
    return query if channel is None else query.where(Post.channel_id == channel.id)


def feed_posts(channel: Channel | None, limit: int) -> list[Post]:
    """The posts of a feed (``channel`` None: every channel), newest first, with their channel."""
    query = sa.select(Post).options(joinedload(Post.channel))
    return list(db.session.scalars(_feed_window(query, channel, limit)))


def last_change_subquery() -> sa.ScalarSelect:
    """The newest ``updated_at`` of any post, to put in another statement (one index step)."""
    return sa.select(sa.func.max(Post.updated_at)).scalar_subquery()


def last_change(channel: Channel | None) -> datetime | None:
    """The newest ``updated_at`` of ANY post in scope, public or not: a withdrawal or a trash
    takes its post out of the feed, and Last-Modified must never go back in time, or
    If-Modified-Since pollers would keep the withdrawn post. One index step."""
    query = sa.select(sa.func.max(Post.updated_at))
    if channel is not None:
        query = query.where(Post.channel_id == channel.id)
    return db.session.scalar(query)


# --- the editor's dashboard: every post, in one of the states ------------------------------------


def editor_page(
    number: int,
    per_page: int,
    *,
    state: PostState | None = None,
    channel_id: int | None = None,
    created_by_id: int | None = None,
) -> Page | None:
    """Page ``number`` of the dashboard, most recently changed first; None past the end.
    ``state`` None means every post not in the trash."""
    where = [
        Post.trashed_at.is_(None) if state is None else states.condition(Post, state),
    ]
    if channel_id is not None:
        where.append(Post.channel_id == channel_id)
    if created_by_id is not None:
        where.append(Post.created_by_id == created_by_id)
    query = (
        sa.select(Post).where(*where).options(joinedload(Post.channel), joinedload(Post.created_by))
    )
    # The dashboard counts: it is the editors' (a few people), not the public's.
    total = db.session.scalar(sa.select(sa.func.count()).select_from(Post).where(*where)) or 0
    return paginate(query, [Post.updated_at, Post.id], total, number, per_page)


def post(post_id: int) -> Post | None:
    """Any post, in any state (the editor's)."""
    return db.session.get(Post, post_id)


def revisions_of(post: Post) -> list[Revision]:
    """Newest first."""
    query = sa.select(Revision).where(Revision.post_id == post.id).order_by(Revision.number.desc())
    return list(db.session.scalars(query))


def revision(post: Post, number: int) -> Revision | None:
    return db.session.scalar(
        sa.select(Revision).where(Revision.post_id == post.id, Revision.number == number)
    )


def post_at(channel: Channel, published_at: datetime) -> int | None:
    """The id of a post of ``channel`` published at exactly that time (any state), if any."""
    return db.session.scalar(
        sa.select(Post.id).where(Post.channel_id == channel.id, Post.published_at == published_at)
    )


def post_count() -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(Post)) or 0
