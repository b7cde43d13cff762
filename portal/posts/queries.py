"""Every read of posts and channels. The one place that decides what "public" means (with
``states``, whose PUBLISHED condition ``Post.is_public`` is)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import joinedload
from sqlalchemy.orm.attributes import set_committed_value

from portal.extensions import db
from portal.posts import states
from portal.posts.models import Channel, Post, Revision
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


def latest(channel: Channel, limit: int, *, pinned_first: bool = False) -> list[Post]:
    query = published().where(Post.channel_id == channel.id).limit(limit)
    if pinned_first:
        query = query.order_by(None).order_by(
            Post.pinned.desc(), Post.published_at.desc(), Post.id.desc()
        )
    return list(db.session.scalars(query))


def sidebar_notices(slug: str, limit: int) -> list[Post]:
    """The sidebar's latest notices: one indexed query, pinned first."""
    channel = channel_by_slug(slug)
    return [] if channel is None else latest(channel, limit, pinned_first=True)


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


def paginate(query: sa.Select, where: list, number: int, per_page: int) -> Page | None:
    """Page ``number`` (from 1) of ``query`` (posts ordered, filtered by ``where``); None for
    a page past the end (page 1 always exists, even when empty)."""
    total = db.session.scalar(sa.select(sa.func.count()).select_from(Post).where(*where)) or 0
    pages = max(1, -(-total // per_page))
    if number > pages:
        return None
    items = db.session.scalars(query.offset((number - 1) * per_page).limit(per_page))
    return Page(list(items), number, pages, total)


def page_of(channel: Channel, number: int, per_page: int) -> Page | None:
    """Page ``number`` of a channel: pinned posts lead page 1 and appear only there, because
    the whole list is ordered pinned-first before it is cut into pages."""
    where = [public_condition(), Post.channel_id == channel.id]
    query = (
        sa.select(Post)
        .where(*where)
        .order_by(Post.pinned.desc(), Post.published_at.desc(), Post.id.desc())
    )
    return paginate(query, where, number, per_page)


def public_post(post_id: int) -> Post | None:
    return db.session.scalar(published().where(Post.id == post_id))


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


def record_view(post: Post) -> int:
    """Count one view atomically (no read-modify-write) and return the new count.

    The new count is put on the loaded ``post`` as its committed value: assigning it would
    make SQLAlchemy write the plain number back (a read-modify-write holding the lock)."""
    count = db.session.execute(
        sa.update(Post)
        .where(Post.id == post.id)
        .values(view_count=Post.view_count + 1)
        .returning(Post.view_count)
    ).scalar_one()
    db.session.commit()
    set_committed_value(post, "view_count", count)
    return count


def sitemap_posts() -> list[tuple[int, str, datetime]]:
    """(id, channel slug, updated_at) of every public post, for /sitemap.xml."""
    rows = db.session.execute(
        sa.select(Post.id, Channel.slug, Post.updated_at)
        .join(Channel)
        .where(public_condition())
        .order_by(Post.published_at.desc(), Post.id.desc())
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


@dataclass(frozen=True)
class FeedState:
    """What decides whether a feed changed, without its content."""

    rows: list[tuple]  # (id, channel_id, published_at, updated_at) of each post in the window
    last_change: datetime | None  # newest updated_at of ANY post in scope, public or not


def feed_state(channel: Channel | None, limit: int) -> FeedState:
    """One small indexed query: the feed's window (ids and times, no content) and the newest
    change of any post in scope.

    An edit (updated_at), a move (channel_id), a new post, a withdrawal, a trash and a scheduled
    post coming due all change ``rows`` (the ETag). A withdrawal or trash takes its post out of
    the window, so ``last_change`` also counts posts that are no longer public: Last-Modified
    must never go back in time, or If-Modified-Since pollers would keep the withdrawn post.
    """
    newest = sa.select(sa.func.max(Post.updated_at).label("last_change"))
    if channel is not None:
        newest = newest.where(Post.channel_id == channel.id)
    scope = newest.subquery()
    window = _feed_window(
        sa.select(Post.id, Post.channel_id, Post.published_at, Post.updated_at), channel, limit
    ).subquery()
    query = (
        # scope has exactly one row; an empty window still yields it (with NULL post columns).
        sa.select(
            window.c.id,
            window.c.channel_id,
            window.c.published_at,
            window.c.updated_at,
            scope.c.last_change,
        )
        .select_from(scope)
        .outerjoin(window, sa.true())
        .order_by(window.c.published_at.desc(), window.c.id.desc())
    )
    result = db.session.execute(query).all()
    rows = [tuple(row[:4]) for row in result if row[0] is not None]
    return FeedState(rows, result[0][4] if result else None)


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
        sa.select(Post)
        .where(*where)
        .options(joinedload(Post.channel), joinedload(Post.created_by))
        .order_by(Post.updated_at.desc(), Post.id.desc())
    )
    return paginate(query, where, number, per_page)


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
