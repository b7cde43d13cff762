"""A post's state: the one enum, and the one rule that tells it (for a row and for SQL).

``Post.status`` stores what the editor chose or the review reached (``DRAFT``, the review states
``SUBMITTED``, ``SIGNOFF`` and ``RETURNED``, or ``PUBLISHED``: only that one is ever public, once
approved). ``SCHEDULED`` and ``TRASH``
are never stored: a published post whose time has not come is scheduled, and a post with a
trash mark is in the trash whatever its status, so a scheduled post comes due with no job and a
restored post comes back as it was. ``state_of`` tells a loaded post's state, ``condition``
selects the posts in a state in SQL; the two are kept side by side here and a test walks every
state through both, the dashboard filter, the labels and ``Post.is_public``.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any, Protocol

import sqlalchemy as sa

from portal.timeutil import now_utc


class PostState(StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"  # 待审核: waiting for a reviewer (先审后发)
    SIGNOFF = "signoff"  # 待签发: passed 初审, waiting for 终审 (two review steps)
    RETURNED = "returned"  # 已退回: a reviewer sent it back to its author with a comment
    SCHEDULED = "scheduled"
    PUBLISHED = "published"
    TRASH = "trash"


# The values ``Post.status`` may hold.
STORED = (
    PostState.DRAFT,
    PostState.SUBMITTED,
    PostState.SIGNOFF,
    PostState.RETURNED,
    PostState.PUBLISHED,
)
# Waiting for a reviewer: a post in one of these, or a pending edit of a live post at one.
AWAITING_REVIEW = (PostState.SUBMITTED, PostState.SIGNOFF)

# The rows that are public or will be when their time comes: the predicate of the partial
# indexes that serve every public query (models.Post). Queries repeat it with the status as a
# literal (``_status``), so PostgreSQL can prove the index applies.
PUBLIC_ROWS = sa.text("status = 'published' AND trashed_at IS NULL")


class PostAction(StrEnum):
    """A change to a post: the ``action`` of its revision and of the ``post_changed`` signal."""

    DRAFT = "draft"  # saved as a draft (new or edited)
    PUBLISH = "publish"  # saved as published, now or at a later time
    WITHDRAW = "withdraw"
    TRASH = "trash"
    RESTORE = "restore"  # from the trash
    RESTORE_REVISION = "restore_revision"
    DELETE = "delete"  # forever: the only action that leaves no revision
    SUBMIT = "submit"  # for review (a post, or an edit of a live post: a pending revision)
    APPROVE = "approve"  # a review step passed: to 待签发, or published
    RETURN = "return"  # back to the author, with a comment
    MOVE = "move"  # to another channel, when its channel is deleted


class _PostRow(Protocol):
    status: str
    published_at: datetime | None
    trashed_at: datetime | None


def state_of(post: _PostRow, now: datetime | None = None) -> PostState:
    """The state of a loaded post (or of anything with its three columns) at ``now``."""
    if post.trashed_at is not None:
        return PostState.TRASH
    if post.status != PostState.PUBLISHED:
        return PostState(post.status)
    due = post.published_at is not None and post.published_at <= (now or now_utc())
    return PostState.PUBLISHED if due else PostState.SCHEDULED


def _status(state: PostState) -> sa.BindParameter[str]:
    # Rendered into the SQL (not a parameter): PostgreSQL matches a partial index's predicate
    # only against literal values, also in the generic plans of prepared statements.
    return sa.literal(state.value, literal_execute=True)


def listed_condition(post: Any) -> sa.ColumnElement[bool]:
    """The rows of ``PUBLIC_ROWS``: public now, or when their time comes."""
    return sa.and_(post.status == _status(PostState.PUBLISHED), post.trashed_at.is_(None))


def condition(post: Any, state: PostState, now: datetime | None = None) -> sa.ColumnElement[bool]:
    """SQL for "``post`` (the mapped class) is in ``state`` at ``now``": ``state_of`` as a
    WHERE clause that the partial indexes on ``PUBLIC_ROWS`` serve."""
    now = now or now_utc()
    not_trashed = post.trashed_at.is_(None)
    if state is PostState.TRASH:
        return post.trashed_at.is_not(None)
    if state is PostState.PUBLISHED:
        # NULL compares as unknown: a published post without a time is never public.
        published = post.status == _status(PostState.PUBLISHED)
        return sa.and_(published, not_trashed, post.published_at <= now)
    if state is PostState.SCHEDULED:
        later = sa.or_(post.published_at.is_(None), post.published_at > now)
        return sa.and_(post.status == _status(PostState.PUBLISHED), not_trashed, later)
    return sa.and_(post.status == _status(state), not_trashed)
