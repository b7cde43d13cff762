"""THE write path: the only code that writes a ``Post`` or a ``Revision``.

Every change is one transaction: the post's row, guarded by the version the change started
from (optimistic concurrency), and a new ``Revision`` numbered by the new version, holding the
content as typed and as kept, who made the change and when. After the commit, ``post_changed``
is sent once. Views parse requests and call these functions; they never write rows themselves.

(The one other write to ``post`` is the atomic view counter, ``queries.record_view``: it
changes no content, keeps no revision and must not wait behind an editor.)
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable
from dataclasses import replace
from datetime import datetime
from typing import Any, NamedTuple, cast

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm.attributes import set_committed_value

from portal.extensions import db
from portal.posts import review_records as records
from portal.posts import states, workflow
from portal.posts.content import TITLE_MAX, PostContent
from portal.posts.models import Channel, Post, Revision, User
from portal.posts.review_models import APPROVED, SUPERSEDED, PendingRevision
from portal.posts.signals import post_changed, post_changing
from portal.posts.states import STORED, PostAction, PostState
from portal.timeutil import now_utc


class StaleVersion(Exception):
    """The post was changed by someone else since the version this change started from."""


def create(
    content: PostContent,
    *,
    action: PostAction,
    published_at: datetime | None,
    editor: User | None,
    changed_at: datetime | None = None,
) -> Post:
    """A new post saved as a draft (``DRAFT``) or published (``PUBLISH``; ``published_at`` None
    means now). ``changed_at`` (default now) dates the creation, for imported old content."""
    now = changed_at or now_utc()
    post = Post(
        **content.post_values(),
        **_state_values(action, published_at, now),
        created_by_id=editor.id if editor else None,
        created_at=now,
        updated_at=now,
        version=1,
    )
    db.session.add(post)
    db.session.flush()
    revision = _revision(post, action, editor, now, content.body_raw, content.removed)
    db.session.add(revision)
    records.step(post, action, editor, "", now)
    return _committed(post, action, revision=revision, content=content)


def save(
    post: Post,
    content: PostContent,
    *,
    action: PostAction,
    published_at: datetime | None,
    expected_version: int,
    editor: User | None,
) -> Post:
    """Save an edit as a draft or published; raises ``StaleVersion`` if the post is no longer
    at ``expected_version`` (the version the editor's form was opened at)."""
    values = {**content.post_values(), **_state_values(action, published_at, now_utc())}
    # An open pending edit is what the form showed: this save takes it in.
    records.close_pending(post.id, APPROVED if action is PostAction.PUBLISH else SUPERSEDED)
    return _change(post, expected_version, values, action, editor, content)


def withdraw(post: Post, *, editor: User | None) -> bool:
    """A published or scheduled post back to a draft; False if it is neither."""
    if post.status != PostState.PUBLISHED or post.trashed_at is not None:
        return False
    _change(post, post.version, {"status": PostState.DRAFT}, PostAction.WITHDRAW, editor)
    return True


def trash(post: Post, *, editor: User | None) -> bool:
    """Into the trash (out of every public place), keeping its state for a restore."""
    if post.trashed_at is not None:
        return False
    _change(post, post.version, {"trashed_at": now_utc()}, PostAction.TRASH, editor)
    return True


def restore(post: Post, *, editor: User | None) -> bool:
    """Out of the trash, in the state it had."""
    if post.trashed_at is None:
        return False
    _change(post, post.version, {"trashed_at": None}, PostAction.RESTORE, editor)
    return True


def restore_revision(
    post: Post, revision: Revision, *, editor: User | None, site_host: str | None
) -> Post:
    """The revision's content comes back as a new revision, its body cleaned by today's policy;
    the post's state and times stay as they are."""
    if post.trashed_at is not None:
        raise ValueError("a post in the trash is restored from the trash first")
    old = PostContent.of(revision)
    fields: dict[str, Any] = {
        name: getattr(old, name) for name in old.post_values() if name != "body_html"
    }
    fields["channel_id"] = old.channel_id or post.channel_id  # its channel may be gone
    fields["attachments"] = old.attachments  # its files come back with it (not columns)
    content = PostContent.from_raw_body(old.body_raw, site_host=site_host, **fields)
    values = content.post_values()
    return _change(post, post.version, values, PostAction.RESTORE_REVISION, editor, content)


def delete_forever(post: Post, *, editor: User | None) -> None:
    """Delete a post in the trash with all its revisions (ON DELETE CASCADE and the ORM's)."""
    if post.trashed_at is None:
        raise ValueError("only a post in the trash can be deleted forever")
    current_app.logger.info(
        "post %s deleted forever by %s", post.id, editor.username if editor else "the system"
    )
    records.forget(post.id)  # its review's rows go too (SQLite enforces no ON DELETE)
    db.session.delete(post)
    _committed(post, PostAction.DELETE)


def preview(content: PostContent, *, post: Post | None, published_at: datetime | None) -> Post:
    """An unsaved post showing ``content`` as readers would see it (never added to the session)."""
    shown = Post(
        **content.post_values(), status=PostState.PUBLISHED, published_at=published_at or now_utc()
    )
    shown.id = post.id if post is not None else 0
    shown.view_count = post.view_count if post is not None else 0
    # Set without ORM events: a backref would tie this transient post to the session.
    set_committed_value(shown, "channel", db.session.get(Channel, content.channel_id))
    return shown


# --- 先审后发: the review's steps (who may take which is ``workflow``'s to decide) ---------------


def review(post: Post, action: PostAction, *, editor, expected_version, pending=None, comment=""):
    """A review step: ``APPROVE`` (待审核 → 待签发 with two steps, else published at its chosen
    time or now; a pending edit's last step makes it the live text, a new revision) or
    ``RETURN`` (已退回, with a comment, which is required)."""
    stage = PostState(pending.stage if pending is not None else post.status)
    target = workflow.after_approval(post.channel, stage)
    if action is PostAction.RETURN:
        if not comment.strip():
            raise ValueError("a return needs a comment")
        target = PostState.RETURNED
    if pending is not None and target is not PostState.PUBLISHED:
        records.set_stage(pending.id, target)
        records.step(post, action, editor, stage, now_utc(), comment, pending, after=target)
        return _committed(post, action)
    content, values = None, dict[str, Any](status=target)
    if pending is not None:
        content = PostContent.of(pending)
        values = {**content.post_values(), "published_at": pending.published_at or now_utc()}
        records.close_pending(post.id, APPROVED)
    elif target is PostState.PUBLISHED:
        values["published_at"] = post.published_at or now_utc()
    return _change(post, expected_version, values, action, editor, content, comment, pending)


def propose(post: Post, content: PostContent, *, action, published_at, expected_version, editor):
    """An edit of an approved post whose save may not publish it: the post stays as readers see
    it; the edit waits as a pending revision (``DRAFT`` or ``SUBMIT``) until it is approved."""
    if post.version != expected_version:
        raise StaleVersion(post.id)
    stage = PostState.SUBMITTED if action is PostAction.SUBMIT else PostState.DRAFT
    pending = records.add_pending(content, post, stage, editor, published_at)
    records.step(post, action, editor, PostState.DRAFT, now_utc(), pending=pending, after=stage)
    return _committed(post, action)


def delete_channel(channel: Channel, *, into: Channel | None, editor: User | None) -> int:
    """Delete a channel; its posts (any state) move ``into`` another, each with a revision."""
    moved = list(db.session.scalars(sa.select(Post).where(Post.channel_id == channel.id)))
    if moved and into is None:
        raise ValueError("a channel with posts is deleted only after they move")
    for post in moved:
        _change(post, post.version, {"channel_id": into.id}, PostAction.MOVE, editor)  # type: ignore[union-attr]
    for table in (Revision, PendingRevision):
        own = sa.select(Post.channel_id).where(Post.id == table.post_id).scalar_subquery()
        moves = sa.update(table).where(table.channel_id == channel.id)
        db.session.execute(moves.values(channel_id=into.id if into else own))
    db.session.delete(channel)
    db.session.commit()
    return len(moved)


# --- one change: a conditional UPDATE, one Revision, one commit, one signal ----------------------


def _state_values(action: PostAction, published_at: datetime | None, now: datetime) -> dict:
    if action is PostAction.PUBLISH:
        return {"status": PostState.PUBLISHED, "published_at": published_at or now}
    if action in (PostAction.DRAFT, PostAction.SUBMIT):
        status = PostState.SUBMITTED if action is PostAction.SUBMIT else PostState.DRAFT
        return {"status": status, "published_at": published_at}
    raise ValueError(f"{action} does not save content")


def _change(
    post: Post,
    expected_version: int,
    values: dict,
    action: PostAction,
    editor: User | None,
    content: PostContent | None = None,
    comment: str = "",
    pending: PendingRevision | None = None,
) -> Post:
    """Apply ``values`` only if the post is still at ``expected_version``; ``content`` is what
    the editor submitted (None for a change of state: the revision repeats the last raw body);
    ``comment``, ``pending``: a review step's (the pending edit it approves).

    The WHERE on the version makes concurrent saves safe across workers: on PostgreSQL the
    second UPDATE waits for the first and then matches no row; SQLite serializes writers."""
    now = now_utc()
    channel_before = post.channel_id  # a save may move the post: both channels are recounted
    state_before = post.state
    result = db.session.execute(
        sa.update(Post)
        .where(Post.id == post.id, Post.version == expected_version)
        .values(**values, updated_at=now, version=expected_version + 1)
        .execution_options(synchronize_session=False)
    )
    # An UPDATE's result is a CursorResult (it has rowcount); execute() is typed for any Result.
    updated = cast("sa.CursorResult[Any]", result).rowcount
    if updated != 1:
        post_id = post.id  # before the rollback expires it: the row may be gone (deleted)
        db.session.rollback()
        raise StaleVersion(post_id)
    raw, removed = (
        (latest_raw_body(post), ()) if content is None else (content.body_raw, content.removed)
    )
    db.session.refresh(post)
    revision = _revision(post, action, editor, now, raw, removed)
    db.session.add(revision)
    before = state_before if pending is None else PostState(pending.stage)
    records.step(post, action, editor, before, now, comment, pending)
    return _committed(post, action, [channel_before], revision=revision, content=content)


def latest_raw_body(post: Post) -> str:
    """What the editor last typed (not its cleaned form: nothing is silently lost)."""
    latest = db.session.scalar(
        sa.select(Revision.body_raw)
        .where(Revision.post_id == post.id)
        .order_by(Revision.number.desc())
        .limit(1)
    )
    return post.body_html if latest is None else latest


def _revision(
    post: Post,
    action: PostAction,
    editor: User | None,
    now: datetime,
    body_raw: str,
    removed: tuple[str, ...],
) -> Revision:
    """The post as it now is (as stored: that is what a restore brings back), with the raw body
    and what cleaning removed."""
    snapshot = replace(PostContent.of(post), body_raw=body_raw, removed=removed)
    return Revision(
        **snapshot.revision_values(),
        post_id=post.id,
        number=post.version,
        editor_id=editor.id if editor else None,
        created_at=now,
        action=action,
        status=post.status,
        published_at=post.published_at,
    )


def recount(channel_ids: Iterable[int | None]) -> None:
    """Keep ``Channel.listed_posts`` true for these channels, in the current transaction (one
    indexed count per channel: writes are rare, list pages are not)."""
    ids = sorted({channel_id for channel_id in channel_ids if channel_id is not None})
    if not ids:
        return
    listed = (
        sa.select(sa.func.count())
        .select_from(Post)
        .where(Post.channel_id == Channel.id, states.listed_condition(Post))
        .scalar_subquery()
    )
    db.session.execute(sa.update(Channel).where(Channel.id.in_(ids)).values(listed_posts=listed))


def _committed(
    post: Post,
    action: PostAction,
    channel_ids: Iterable[int | None] = (),
    *,
    revision: Revision | None = None,
    content: PostContent | None = None,
) -> Post:
    """``revision``: the new revision, if the change made one; ``content``: what it saved
    (None: a change of state, the content stays)."""
    recount([post.channel_id, *channel_ids])
    # The real app, not the proxy, is the sender (receivers may connect for one app); the proxy
    # type is Flask to the type checker, which does not know the proxy's own method.
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    # In this transaction: the search index; the files linked to the new revision.
    post_changing.send(app, post=post, action=action, revision=revision, content=content)
    db.session.commit()
    post_changed.send(app, post=post, action=action)
    return post


# --- bulk import: many new posts at once, each at version 1 with its revision 1 ------------------


class ImportedPost(NamedTuple):
    """One post of a bulk import: its content (body already cleaned: ``PostContent``), the
    stored status (``DRAFT`` or ``PUBLISHED``; published with a later time is scheduled), its
    times, and a trash mark (``None``: not in the trash)."""

    content: PostContent
    status: PostState
    published_at: datetime | None
    created_at: datetime
    trashed_at: datetime | None = None


IMPORT_BATCH = 1000


def import_posts(
    items: Iterable[ImportedPost],
    *,
    editor: User | None = None,
    batch_size: int = IMPORT_BATCH,
    progress: Callable[[int], None] | None = None,
) -> int:
    """Insert new posts and their first revisions in batches (multi-row INSERTs), one
    transaction per batch; returns how many. Each post is at version 1 and has exactly one
    revision, number 1, dated ``created_at`` (its action: ``PUBLISH`` or ``DRAFT``).

    After each committed batch, ``post_changed`` is sent ONCE with ``post=None`` (several posts
    changed; a receiver that keeps something per post must refresh all of it) and
    ``action=PUBLISH``; ``progress`` is then called with the batch's size."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    editor_id = editor.id if editor else None
    iterator = iter(items)
    total = 0
    while batch := list(itertools.islice(iterator, batch_size)):
        posts = [_imported_values(item, editor_id) for item in batch]
        inserted = sa.insert(Post).returning(Post.id, sort_by_parameter_order=True)
        ids = db.session.scalars(inserted, posts).all()
        revisions = [
            _imported_revision(item, post_values, post_id, editor_id)
            for item, post_values, post_id in zip(batch, posts, ids, strict=True)
        ]
        db.session.execute(sa.insert(Revision), revisions)
        recount(item.content.channel_id for item in batch)
        post_changing.send(app, post=None, action=PostAction.PUBLISH, post_ids=ids)
        db.session.commit()
        post_changed.send(app, post=None, action=PostAction.PUBLISH)
        total += len(batch)
        if progress is not None:
            progress(len(batch))
    return total


def _imported_values(item: ImportedPost, editor_id: int | None) -> dict[str, Any]:
    """The post's row; what the models' validators check, checked here (a bulk INSERT skips
    them)."""
    if item.status not in STORED:
        raise ValueError(f"an imported post is stored {' or '.join(STORED)}, not {item.status}")
    values = item.content.post_values()
    values["title"] = values["title"].strip()
    if not 1 <= len(values["title"]) <= TITLE_MAX:
        raise ValueError(f"a title has 1 to {TITLE_MAX} characters")
    changed = max(item.created_at, item.trashed_at or item.created_at)
    return {
        **values,
        "status": item.status,
        "published_at": item.published_at,
        "created_at": item.created_at,
        "updated_at": changed,
        "trashed_at": item.trashed_at,
        "view_count": 0,
        "version": 1,
        "created_by_id": editor_id,
    }


def _imported_revision(
    item: ImportedPost, post: dict[str, Any], post_id: int, editor_id: int | None
) -> dict[str, Any]:
    published = item.status == PostState.PUBLISHED
    content = replace(item.content, title=post["title"])
    return {
        **content.revision_values(),
        "post_id": post_id,
        "number": 1,
        "editor_id": editor_id,
        "created_at": item.created_at,
        "action": PostAction.PUBLISH if published else PostAction.DRAFT,
        "status": item.status,
        "published_at": item.published_at,
    }
