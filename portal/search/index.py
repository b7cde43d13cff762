"""Keeping the search index: one ``SearchDocument`` per post, whatever its state, equal to the
post as it is (its state, channel and times, its title and body folded), and the engine's
index of its tokens.

``posts.service`` sends ``post_changing`` inside the transaction of every change (publish,
edit, withdraw, trash, restore, a review step, a move, a deletion, a bulk import), just before
its commit. The receiver notes the posts; ``refresh`` brings their documents up to date when
that transaction commits (the session's ``before_commit``: after every other receiver has
written its part, such as the files linked to the new revision), so the index can never
disagree with a committed post. ``reindex`` rebuilds all of it.

A post's 附件 are searched by name: the names of the files listed by the revision the post
shows (``portal.attachments``' table, read by its name: features never import each other)
follow its body in the document.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any, NamedTuple, cast

import sqlalchemy as sa
from flask import Flask

from portal.extensions import db
from portal.posts.models import Post, Revision
from portal.sanitize import plain_text
from portal.search import folding
from portal.search.models import (
    FTS_ADD,
    FTS_CLEAR,
    FTS_OPTIMIZE,
    FTS_REMOVE,
    TOKEN_INDEX,
    SearchDocument,
    fts_text,
)

BATCH = 500
_DOCUMENT = cast(sa.Table, SearchDocument.__table__)
# What a document copies from its post.
_POST_COLUMNS = (Post.id, Post.channel_id, Post.status, Post.published_at, Post.trashed_at)
_PLACE = ("channel_id", "status", "published_at", "trashed_at")
_UPDATE_PLACE = (
    _DOCUMENT.update()
    .where(_DOCUMENT.c.post_id == sa.bindparam("b_post_id"))
    .values({name: sa.bindparam(f"b_{name}") for name in _PLACE})
)


# portal.attachments' links: a revision's files, in order, listed as 附件 or only in the body.
_ATTACHMENT = sa.table(
    "attachment",
    sa.column("revision_id", sa.Integer),
    sa.column("name", sa.String),
    sa.column("listed", sa.Boolean),
    sa.column("position", sa.Integer),
)
# The posts whose documents are to be refreshed when the session's transaction commits.
_PENDING = "search_pending_posts"


class Document(NamedTuple):
    post_id: int
    channel_id: int
    status: str
    published_at: datetime | None
    trashed_at: datetime | None
    title: str
    body: str

    @property
    def fts_row(self) -> dict[str, Any]:
        text = f"{self.title}{folding.SPACE}{self.body}"  # no token spans title and body
        return {"post_id": self.post_id, "tokens": fts_text(folding.tokens(text))}


def refresh(post_ids: Iterable[int]) -> None:
    """Make these posts' documents equal to the posts, in the current transaction (no commit);
    a post that no longer exists loses its document."""
    ids = sorted(set(post_ids))
    for start in range(0, len(ids), BATCH):
        chunk = ids[start : start + BATCH]
        rows = db.session.execute(
            sa.select(*_POST_COLUMNS, Post.title, Post.body_html).where(Post.id.in_(chunk))
        )
        files = file_names(chunk)
        wanted = {
            row.id: Document(
                row.id,
                row.channel_id,
                row.status,
                row.published_at,
                row.trashed_at,
                folding.fold(row.title),
                folding.fold(searched_text(row.body_html, files.get(row.id, ()))),
            )
            for row in rows
        }
        kept = db.session.execute(sa.select(_DOCUMENT).where(_DOCUMENT.c.post_id.in_(chunk)))
        existing = {row.post_id: Document(*row) for row in kept}
        stale = [
            doc for post_id, doc in existing.items() if not _same_text(doc, wanted.get(post_id))
        ]
        _remove(stale)
        _add([doc for post_id, doc in wanted.items() if not _same_text(existing.get(post_id), doc)])
        moved = [
            {f"b_{name}": getattr(doc, name) for name in ("post_id", *_PLACE)}
            for post_id, doc in wanted.items()
            if _same_text(existing.get(post_id), doc) and existing[post_id] != doc
        ]
        if moved:  # the same text in another state, channel or time: no token changes
            db.session.execute(_UPDATE_PLACE, moved)


def _same_text(old: Document | None, new: Document | None) -> bool:
    return old is not None and new is not None and old[-2:] == new[-2:]


def searched_text(body_html: str, file_names: Iterable[str]) -> str:
    """What is searched besides the title, as the reader sees it: the body's text, then the
    names of the post's 附件."""
    return folding.SPACE.join([plain_text(body_html), *file_names])


def file_names(post_ids: Iterable[int]) -> dict[int, list[str]]:
    """The names of the 附件 each post lists: those of the revision it shows, the one numbered
    by its version (``portal.attachments.links.shown_revision``), in order."""
    ids = list(post_ids)
    if not ids:
        return {}
    shown = sa.and_(Revision.post_id == Post.id, Revision.number == Post.version)
    rows = db.session.execute(
        sa.select(Post.id, _ATTACHMENT.c.name)
        .join(Revision, shown)
        .join(_ATTACHMENT, _ATTACHMENT.c.revision_id == Revision.id)
        .where(Post.id.in_(ids), _ATTACHMENT.c.listed)
        .order_by(Post.id, _ATTACHMENT.c.position)
    )
    names: dict[int, list[str]] = {}
    for post_id, name in rows:
        names.setdefault(post_id, []).append(name)
    return names


def reindex(progress: Callable[[int], None] | None = None) -> int:
    """Rebuild every document and the whole index, in one transaction (searches meanwhile see
    the old index, never a half-built one); returns how many posts it holds."""
    clear()
    ids = db.session.scalars(sa.select(Post.id).order_by(Post.id)).all()
    for start in range(0, len(ids), BATCH):
        batch = ids[start : start + BATCH]
        refresh(batch)
        if progress is not None:
            progress(len(batch))
    db.session.commit()
    return len(ids)


def compact() -> None:
    """After a rebuild: the index written afresh, outside any transaction, while searches go on
    (SQLite: FTS5 merges its segments; PostgreSQL: ``REINDEX … CONCURRENTLY``; a GIN index filled
    row by row is about twice the size of one built at once)."""
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        if connection.dialect.name == "sqlite":
            connection.execute(FTS_OPTIMIZE)
        else:
            connection.exec_driver_sql(f"REINDEX INDEX CONCURRENTLY {TOKEN_INDEX}")


def post_count() -> int:
    """How many posts reindex will index (for its progress bar)."""
    return db.session.scalar(sa.select(sa.func.count()).select_from(Post)) or 0


def clear() -> None:
    """Empty the index, in the current transaction."""
    db.session.execute(_DOCUMENT.delete())
    if _sqlite():
        db.session.execute(FTS_CLEAR)


def _remove(documents: list[Document]) -> None:
    if not documents:
        return
    if _sqlite():  # FTS5 is told the tokens it was given, made again from the stored text
        db.session.execute(FTS_REMOVE, [doc.fts_row for doc in documents])
    ids = [doc.post_id for doc in documents]
    db.session.execute(_DOCUMENT.delete().where(_DOCUMENT.c.post_id.in_(ids)))


def _add(documents: list[Document]) -> None:
    if not documents:
        return
    db.session.execute(_DOCUMENT.insert(), [doc._asdict() for doc in documents])
    if _sqlite():
        db.session.execute(FTS_ADD, [doc.fts_row for doc in documents])


def _sqlite() -> bool:
    return db.session.get_bind().dialect.name == "sqlite"


def follow_changes(_app: Flask, *, post: Post | None, post_ids: Iterable[int] = (), **_details):
    """``post_changing`` receiver: the changed post, or a bulk import's new ones, are indexed
    when the transaction commits."""
    pending = db.session.info.setdefault(_PENDING, set())
    pending.update([post.id] if post is not None else post_ids)


@sa.event.listens_for(db.session, "before_commit")
def _index_pending(session) -> None:
    pending = session.info.pop(_PENDING, None)
    if pending:
        refresh(pending)


@sa.event.listens_for(db.session, "after_rollback")
def _forget_pending(session) -> None:
    session.info.pop(_PENDING, None)
