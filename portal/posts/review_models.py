"""The tables of 先审后发: pending edits of live posts, and the record of every review step.

Written only by ``posts.service`` (with the post change each belongs to); read by
``posts.workflow``.
"""

from __future__ import annotations

import json
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.extensions import Model
from portal.posts import content as sizes
from portal.posts.content import AttachedFile
from portal.posts.models import Channel, Post, User
from portal.posts.states import PostState
from portal.timeutil import UTCDateTime, now_utc

# A pending edit is open while it is being written, waits for review or was sent back; it is
# closed once approved (its content became the live text) or replaced by a later edit.
OPEN_STAGES = (PostState.DRAFT, PostState.SUBMITTED, PostState.SIGNOFF, PostState.RETURNED)
APPROVED = "approved"
SUPERSEDED = "superseded"
_OPEN = sa.text("stage IN ('draft', 'submitted', 'signoff', 'returned')")


class PendingRevision(Model):
    """An edit of an approved post (published or scheduled) by someone who may not publish.
    The post stays as readers see it; this holds the edit (its content as ``PostContent``
    declares it) until a reviewer approves it (it then becomes the live text, as a new
    revision of the post) or returns it. Rows are kept after they close: nothing submitted
    is lost."""

    # At most one open pending edit per post.
    __table_args__ = (
        sa.Index(
            "uq_pending_revision_open",
            "post_id",
            unique=True,
            sqlite_where=_OPEN,
            postgresql_where=_OPEN,
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    post_id: Mapped[int] = mapped_column(sa.ForeignKey("post.id", ondelete="CASCADE"), index=True)
    base_version: Mapped[int]  # the post's version the edit was made from
    stage: Mapped[str] = mapped_column(sa.String(16))
    editor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now_utc)
    title: Mapped[str] = mapped_column(sa.String(sizes.TITLE_MAX))
    channel_id: Mapped[int] = mapped_column(sa.ForeignKey("channel.id"))
    source: Mapped[str] = mapped_column(sa.String(sizes.SOURCE_MAX), default="")
    author: Mapped[str] = mapped_column(sa.String(sizes.AUTHOR_MAX), default="")
    keywords: Mapped[str] = mapped_column(sa.String(sizes.KEYWORDS_MAX), default="")
    image_url: Mapped[str] = mapped_column(sa.String(sizes.IMAGE_URL_MAX), default="")
    summary: Mapped[str] = mapped_column(sa.String(sizes.SUMMARY_MAX), default="")
    pinned: Mapped[bool] = mapped_column(default=False)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    body_raw: Mapped[str] = mapped_column(sa.Text, default="")
    body_html: Mapped[str] = mapped_column(sa.Text, default="")
    removed: Mapped[str] = mapped_column(sa.Text, default="")
    # Its 附件 and body images (``PostContent.attachments``) as JSON: they are linked to a
    # revision only once the edit becomes one.
    attached: Mapped[str] = mapped_column(sa.Text, default="[]", server_default="[]")

    post: Mapped[Post] = relationship()
    editor: Mapped[User | None] = relationship()
    channel: Mapped[Channel] = relationship()

    @property
    def attachments(self) -> tuple[AttachedFile, ...]:
        """What ``PostContent.of`` reads, as a revision's links give it."""
        return tuple(AttachedFile(*item) for item in json.loads(self.attached or "[]"))

    @staticmethod
    def attached_json(files: tuple[AttachedFile, ...]) -> str:
        # Each entry starts "[<file id>,": how gc-uploads sees that a file is still named here.
        return json.dumps([[item.file_id, item.name, item.listed] for item in files])

    @property
    def version(self) -> int:
        """The version an edit form opened on it carries: the live version it was made from
        (a save conflicts if the live post changed since)."""
        return self.base_version


class ReviewStep(Model):
    """One step of a post's review: who, when, from which state to which, the comment. A step
    on a pending edit names it (``pending_id``); a publish under review is its publisher's
    approval and is recorded as a step too."""

    id: Mapped[int] = mapped_column(primary_key=True)
    post_id: Mapped[int] = mapped_column(sa.ForeignKey("post.id", ondelete="CASCADE"), index=True)
    pending_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("pending_revision.id", ondelete="CASCADE")
    )
    actor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=now_utc)
    action: Mapped[str] = mapped_column(sa.String(16))  # a PostAction
    from_state: Mapped[str] = mapped_column(sa.String(16))  # "" for a new post
    to_state: Mapped[str] = mapped_column(sa.String(16))
    comment: Mapped[str] = mapped_column(sa.Text, default="")

    actor: Mapped[User | None] = relationship()
