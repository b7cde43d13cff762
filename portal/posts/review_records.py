"""Writes of the review's own rows (``review_models``): called only by ``posts.service``, in the
transaction of the post change each belongs to, so a step and its change commit together or
not at all. Nothing here writes a post or a revision."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa

from portal.extensions import db
from portal.posts import workflow
from portal.posts.content import PostContent
from portal.posts.review_models import OPEN_STAGES, SUPERSEDED, PendingRevision, ReviewStep
from portal.posts.states import PostAction

# A loaded pending edit keeps the stage it had until the commit: the step records where it
# came from.
_KEEP_LOADED = {"synchronize_session": False}


def step(post, action, editor, before, at: datetime, comment="", pending=None, after=None) -> None:
    """The record of a review step on ``post`` (or its ``pending`` edit): who, when, from which
    state to which (``after`` None: the post's state now), the comment. A publish under review
    is its publisher's approval, recorded as such; other saves are no review steps."""
    reviewed = action in (PostAction.SUBMIT, PostAction.APPROVE, PostAction.RETURN)
    if not reviewed and not (action is PostAction.PUBLISH and workflow.steps_for(post.channel)):
        return
    db.session.add(
        ReviewStep(
            post_id=post.id,
            pending_id=pending.id if pending is not None else None,
            actor_id=editor.id if editor is not None else None,
            at=at,
            action=action,
            from_state=before,
            to_state=after or post.state,
            comment=comment.strip(),
        )
    )


def add_pending(
    content: PostContent, post: Any, stage: str, editor: Any, published_at: datetime | None
) -> PendingRevision:
    """An edit of ``post`` (its ``content``, its time; None: the post's), in place of its open
    one (kept, superseded)."""
    close_pending(post.id, SUPERSEDED)
    pending = PendingRevision(
        **content.revision_values(),
        attached=PendingRevision.attached_json(content.attachments),
        post_id=post.id,
        base_version=post.version,
        stage=stage,
        editor_id=editor.id,
        published_at=published_at or post.published_at,
    )
    db.session.add(pending)
    db.session.flush()
    return pending


def set_stage(pending_id: int, stage: str) -> None:
    change = sa.update(PendingRevision).where(PendingRevision.id == pending_id)
    db.session.execute(change.values(stage=stage), execution_options=_KEEP_LOADED)


def close_pending(post_id: int, stage: str) -> None:
    """The post's open pending edit (if any) is closed: approved or superseded (it stays)."""
    where = (PendingRevision.post_id == post_id, PendingRevision.stage.in_(OPEN_STAGES))
    change = sa.update(PendingRevision).where(*where).values(stage=stage)
    db.session.execute(change, execution_options=_KEEP_LOADED)


def forget(post_id: int) -> None:
    """A post deleted forever: its review's rows, before it (SQLite enforces no ON DELETE)."""
    db.session.execute(sa.delete(ReviewStep).where(ReviewStep.post_id == post_id))
    db.session.execute(sa.delete(PendingRevision).where(PendingRevision.post_id == post_id))
