"""先审后发: who may do what to a post, and where a review step leads — decided only here.

Roles (``User.role``): an author (撰稿) writes and submits; a reviewer (审核) also edits any
post, approves, returns, and publishes directly (their save is the approval, recorded as such);
an admin (管理员) does everything. A reviewer limited to some channels (``User.review_channels``)
is a reviewer there and an author elsewhere.

``REVIEW_STEPS`` (a channel's ``review_steps`` overrides it): 0 lets every account publish
directly, as before review existed; 1 is 审核; 2 is 初审 then 终审/签发, by two different people
(an admin may take both). With steps above 0 an author can never publish: their post goes
draft → 待审核 (→ 待签发) → published or scheduled, and their edit of a live post waits as a
pending revision while the live text stays as it was.

Views ask ``actions_for`` which buttons to show and check the same answer before acting (a
refused action is a 403); ``posts.service`` carries the steps out. The reads of the review
(the queue, a post's steps, what waits) are here too, next to the rules they serve.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm import joinedload

from portal.extensions import db
from portal.posts import states
from portal.posts.models import Channel, Post, Revision, User
from portal.posts.review_models import OPEN_STAGES, PendingRevision, ReviewStep
from portal.posts.states import AWAITING_REVIEW, PostAction, PostState

AUTHOR, REVIEWER, ADMIN = "author", "reviewer", "admin"


def steps_for(channel: Channel) -> int:
    """How many review steps a post of ``channel`` goes through (0, 1 or 2)."""
    if channel.review_steps is not None:
        return channel.review_steps
    return current_app.config["REVIEW_STEPS"]


def reviews(user: User, channel: Channel) -> bool:
    """Is ``user`` a reviewer of ``channel`` (an admin reviews everywhere)?"""
    if user.role == ADMIN:
        return True
    if user.role != REVIEWER:
        return False
    limits = user.review_channels
    return not limits or any(limit.id == channel.id for limit in limits)


def may_publish(user: User, channel: Channel) -> bool:
    return steps_for(channel) == 0 or reviews(user, channel)


def may_edit(user: User, post: Post) -> bool:
    """Reviewers edit every post of their channels, authors their own (everyone every post
    where review is off)."""
    return may_publish(user, post.channel) or post.created_by_id == user.id


def publishes(user: User, post: Post, pending: PendingRevision | None = None) -> bool:
    """May a save of ``post`` by ``user`` publish it, the save being the approval? With two
    steps, a reviewer's save publishes their own post, or one at 待签发 whose 初审 another
    person did; someone else's earlier in the review is approved on its review page."""
    channel = post.channel
    if not may_publish(user, channel):
        return False
    if steps_for(channel) < 2 or user.role == ADMIN or post.created_by_id == user.id:
        return True
    stage = PostState(pending.stage if pending is not None else post.status)
    return stage is PostState.SIGNOFF and may_approve(user, post, pending, stage)


def holds_edits(user: User, post: Post, pending: PendingRevision | None = None) -> bool:
    """Does a save of ``post`` by ``user`` wait as a pending revision (the post is approved,
    published or scheduled, and this save may not publish)?"""
    return post.status == PostState.PUBLISHED and not publishes(user, post, pending)


def may_save(
    user: User,
    post: Post | None,
    channel: Channel,
    action: PostAction,
    pending: PendingRevision | None = None,
) -> bool:
    """The check of a save from the post form, in the channel chosen in it."""
    if post is not None and not may_edit(user, post):
        return False
    if action is not PostAction.PUBLISH:
        return True
    return may_publish(user, channel) and (post is None or publishes(user, post, pending))


def after_approval(channel: Channel, stage: PostState) -> PostState:
    """Where an approval leads: 待签发 after the 初审 of two steps, else published."""
    if stage is PostState.SUBMITTED and steps_for(channel) >= 2:
        return PostState.SIGNOFF
    return PostState.PUBLISHED


def may_approve(user: User, post: Post, pending: PendingRevision | None, stage: PostState) -> bool:
    """The 终审 of two steps is another person's than the 初审 (an admin may take both)."""
    if stage is not PostState.SIGNOFF or user.role == ADMIN:
        return True
    first = last_step(post, pending, PostAction.APPROVE)
    return first is None or first.actor_id != user.id


# --- what a user may do here: the buttons shown, and the check before acting --------------------


def new_post_actions(user: User, channels: list[Channel]) -> frozenset[str]:
    """The buttons of the new-post form (its channel is chosen in it: ``may_save`` checks)."""
    publishing = [may_publish(user, channel) for channel in channels] or [True]
    shown = {"draft", "preview"}
    shown |= {"publish"} if any(publishing) else set()
    shown |= set() if all(publishing) else {"submit"}
    return frozenset(shown)


def actions_for(user: User, post: Post, pending: PendingRevision | None = None) -> frozenset[str]:
    """What ``user`` may do to ``post`` (with its open pending edit, if any): the names of the
    editor's buttons and one-button actions."""
    state = post.state
    publisher = may_publish(user, post.channel)
    own = post.created_by_id == user.id
    allowed: set[str] = set()
    if state is PostState.TRASH:
        if publisher or (own and post.status != PostState.PUBLISHED):
            allowed.add("restore")
        if user.role == ADMIN:
            allowed.add("delete")
        return frozenset(allowed)
    if may_edit(user, post):
        allowed |= {"edit", "draft", "preview"}
        allowed.add("publish" if publishes(user, post, pending) else "submit")
        if publisher or post.status != PostState.PUBLISHED:
            allowed |= {"trash", "restore_revision"}
    if publisher and state in (PostState.PUBLISHED, PostState.SCHEDULED):
        allowed.add("withdraw")
    stage = PostState(pending.stage) if pending is not None else state
    if stage in AWAITING_REVIEW and reviews(user, post.channel):
        allowed.add("review")
        if may_approve(user, post, pending, stage):
            allowed.add("approve")
    return frozenset(allowed)


# --- reads -------------------------------------------------------------------------------------


def open_pending(post: Post) -> PendingRevision | None:
    """The edit of ``post`` waiting (being written, for review, or returned), if any."""
    return db.session.scalar(
        sa.select(PendingRevision).where(
            PendingRevision.post_id == post.id, PendingRevision.stage.in_(OPEN_STAGES)
        )
    )


def last_approved(post: Post) -> Revision | None:
    """The post's latest revision that was public (published): what a resubmitted post's
    review compares with (None: it was never approved)."""
    query = sa.select(Revision).where(
        Revision.post_id == post.id, Revision.status == PostState.PUBLISHED
    )
    return db.session.scalar(query.order_by(Revision.number.desc()).limit(1))


def steps_of(post: Post) -> list[ReviewStep]:
    """Every review step of ``post`` (its pending edits' too), oldest first."""
    query = (
        sa.select(ReviewStep)
        .where(ReviewStep.post_id == post.id)
        .options(joinedload(ReviewStep.actor))
        .order_by(ReviewStep.at, ReviewStep.id)
    )
    return list(db.session.scalars(query))


def last_step(
    post: Post, pending: PendingRevision | None, action: PostAction | None = None
) -> ReviewStep | None:
    """The latest step of the post itself (``pending`` None) or of that pending edit."""
    query = sa.select(ReviewStep).where(
        ReviewStep.post_id == post.id,
        ReviewStep.pending_id.is_(None) if pending is None else ReviewStep.pending_id == pending.id,
    )
    if action is not None:
        query = query.where(ReviewStep.action == action)
    return db.session.scalar(query.order_by(ReviewStep.at.desc(), ReviewStep.id.desc()).limit(1))


def return_comment(post: Post, pending: PendingRevision | None) -> ReviewStep | None:
    """The step that returned it, while it stays returned (what its author is told)."""
    stage = pending.stage if pending is not None else post.status
    if stage != PostState.RETURNED or post.trashed_at is not None:
        return None
    return last_step(post, pending, PostAction.RETURN)


@dataclass(frozen=True)
class Waiting:
    """A post, or a pending edit of a live post, at a review stage."""

    post: Post
    pending: PendingRevision | None
    stage: PostState
    by: User | None  # who wrote it
    since: datetime

    @property
    def is_edit(self) -> bool:
        return self.pending is not None


def waiting(stages: tuple[PostState, ...], *, by: User | None = None) -> list[Waiting]:
    """Posts and pending edits at one of ``stages`` (not in the trash), oldest first;
    ``by``: only the ones that user wrote. An office has a handful: no paging."""
    posts = sa.select(Post).where(sa.or_(*(states.condition(Post, stage) for stage in stages)))
    edits = (
        sa.select(PendingRevision)
        .join(Post, Post.id == PendingRevision.post_id)
        .where(PendingRevision.stage.in_(stages), Post.trashed_at.is_(None))
    )
    if by is not None:
        posts = posts.where(Post.created_by_id == by.id)
        edits = edits.where(PendingRevision.editor_id == by.id)
    found = [
        Waiting(post, None, PostState(post.status), post.created_by, post.updated_at)
        for post in db.session.scalars(
            posts.options(joinedload(Post.channel), joinedload(Post.created_by))
        )
    ]
    found += [
        Waiting(edit.post, edit, PostState(edit.stage), edit.editor, edit.created_at)
        for edit in db.session.scalars(
            edits.options(
                joinedload(PendingRevision.post).joinedload(Post.channel),
                joinedload(PendingRevision.editor),
            )
        )
    ]
    return sorted(found, key=lambda item: (item.since, item.post.id))


def queue_for(user: User) -> list[Waiting]:
    """待我审核: what waits for a step ``user`` may take."""
    return [
        item
        for item in waiting(AWAITING_REVIEW)
        if reviews(user, item.post.channel)
        and may_approve(user, item.post, item.pending, item.stage)
    ]


def returned_to(user: User) -> list[tuple[Waiting, ReviewStep | None]]:
    """What was returned to ``user`` (their posts and edits), with the returning step."""
    return [
        (item, return_comment(item.post, item.pending))
        for item in waiting((PostState.RETURNED,), by=user)
    ]
