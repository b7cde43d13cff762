"""Which files a revision carries, which a post shows, and which a reader may download.

Attachments follow the post's current content: a post shows the files of the revision it
currently shows (``shown_revision``). Every change of a post makes a revision numbered by the
post's new version, so that is the revision whose number is the post's version; an edit
waiting for review (先审后发) is no revision until it is approved, so its files are not
public before. ``follow_changes`` (the write path's ``post_changing``, in the change's own
transaction) links the files to each new revision: the ones the change saved (its
``PostContent.attachments``), or for a change of state the ones of the revision before; plus,
unlisted, every stored file the body links or shows (``/attachments/<hash>/<name>``).

A file is public when a public post (``queries.public_condition``: the one rule) shows it
under that name.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import unquote

import sqlalchemy as sa
from flask import Flask, url_for

from portal.attachments.files import by_ids, size_text
from portal.attachments.models import Attachment, StoredFile
from portal.attachments.types import type_of
from portal.extensions import db
from portal.posts import queries
from portal.posts.content import AttachedFile, PostContent
from portal.posts.models import Post, Revision
from portal.sanitize.policy import UPLOADS_PATH

# A link or image of this site's uploads in a clean body (clean() quotes every attribute).
BODY_REFERENCE = re.compile(
    r'\s(?:src|href)="' + re.escape(UPLOADS_PATH) + r'([0-9a-f]{64})/([^"/?#]+)"'
)


@dataclass(frozen=True)
class Shown:
    """A file as a page shows it: under its name, with its type and size."""

    file_id: int
    sha256: str
    name: str
    listed: bool
    label: str
    media_type: str
    size: int
    width: int | None
    height: int | None

    @property
    def url(self) -> str:
        return url_for("attachments.download", sha256=self.sha256, name=self.name)

    @property
    def size_text(self) -> str:
        return size_text(self.size)

    @property
    def attached(self) -> AttachedFile:
        return AttachedFile(self.file_id, self.name, self.listed)


def shown(file: StoredFile, name: str, listed: bool) -> Shown | None:
    """``file`` under ``name``; None if the name does not fit its type (never served)."""
    file_type = type_of(file.kind, name)
    if file_type is None:
        return None
    return Shown(
        file.id,
        file.sha256,
        name,
        listed,
        file_type.label,
        file_type.media_type,
        file.size,
        file.width,
        file.height,
    )


def shown_revision(post_id, version) -> sa.ColumnElement[bool]:
    """THE rule of which revision a post shows (its files are the post's): the revision
    numbered by its version. ``post_id``/``version``: values, or ``Post``'s columns."""
    return sa.and_(Revision.post_id == post_id, Revision.number == version)


def _links(where: sa.ColumnElement[bool]) -> list[tuple[int, Attachment, StoredFile]]:
    """(post id, link, file) of the links ``where`` selects (sorted here, not by SQL: the
    public pages' plans must not sort)."""
    rows = db.session.execute(
        sa.select(Revision.post_id, Attachment, StoredFile)
        .join(Revision, Revision.id == Attachment.revision_id)
        .join(StoredFile, StoredFile.id == Attachment.file_id)
        .where(where)
    ).all()
    return sorted(((post_id, link, file) for post_id, link, file in rows), key=_order)


def _order(row: tuple[int, Attachment, StoredFile]) -> tuple[int, int]:
    return row[0], row[1].position


def current(post: Post) -> list[Shown]:
    """Every file the post shows (附件 and body images), in order."""
    found = (shown(file, link.name, link.listed) for _, link, file in _links(_of(post)))
    return [item for item in found if item is not None]


def listed(post: Post) -> list[Shown]:
    """The post's 附件, as its page lists them."""
    return [item for item in current(post) if item.listed]


def listed_for(posts: Iterable[Post]) -> dict[int, list[Shown]]:
    """Each post's 附件 (a feed's posts: one statement for all of them)."""
    keys = [(post.id, post.version) for post in posts]
    found: dict[int, list[Shown]] = {post_id: [] for post_id, _ in keys}
    if not keys:
        return found
    revision = sa.tuple_(Revision.post_id, Revision.number).in_(keys)
    for post_id, link, file in _links(sa.and_(revision, Attachment.listed)):
        item = shown(file, link.name, True)
        if item is not None:
            found[post_id].append(item)
    return found


def _of(post: Post) -> sa.ColumnElement[bool]:
    return shown_revision(post.id, post.version)


def public_file(sha256: str, name: str) -> StoredFile | None:
    """The file with this hash if a public post shows it under ``name``."""
    return db.session.scalar(
        sa.select(StoredFile)
        .join(Attachment, Attachment.file_id == StoredFile.id)
        .join(Revision, Revision.id == Attachment.revision_id)
        .join(Post, shown_revision(Post.id, Post.version))
        .where(StoredFile.sha256 == sha256, Attachment.name == name, queries.public_condition())
        .limit(1)
    )


def describe(attached: Iterable[AttachedFile]) -> list[Shown]:
    """Files a form carries (or a preview shows), as pages show them; files gone (removed by
    gc-uploads) or names that do not fit are left out."""
    attached = list(attached)
    rows = by_ids({item.file_id for item in attached})
    found = (
        shown(rows[item.file_id], item.name, item.listed)
        for item in attached
        if item.file_id in rows
    )
    return [item for item in found if item is not None]


_UPLOAD_URL = re.compile(re.escape(UPLOADS_PATH) + r'([0-9a-f]{64})/([^"/?#]+)')


def reference_of(url: str) -> tuple[str, str] | None:
    """(hash, name) of a URL (as a clean body writes it) of a file uploaded here."""
    match = _UPLOAD_URL.fullmatch(url)
    return (match.group(1), unquote(html.unescape(match.group(2)))) if match else None


def body_references(body_html: str) -> list[AttachedFile]:
    """The stored files a clean body links or shows, unlisted, each (file, name) once."""
    wanted: dict[tuple[str, str], None] = {}
    for sha256, quoted in BODY_REFERENCE.findall(body_html):
        wanted[(sha256, unquote(html.unescape(quoted)))] = None
    if not wanted:
        return []
    hashes = sorted({sha256 for sha256, _ in wanted})
    rows = db.session.execute(
        sa.select(StoredFile.sha256, StoredFile.id, StoredFile.kind).where(
            StoredFile.sha256.in_(hashes)
        )
    )
    files = {sha256: (file_id, kind) for sha256, file_id, kind in rows}
    return [
        AttachedFile(files[sha256][0], name, listed=False)
        for sha256, name in wanted
        if sha256 in files and type_of(files[sha256][1], name) is not None
    ]


# --- the write path's receiver --------------------------------------------------------------------


def follow_changes(
    _app: Flask,
    *,
    post: Post | None,
    revision: Revision | None = None,
    content: PostContent | None = None,
    **_details,
) -> None:
    """``post_changing``: link the files of a change that made a revision to that revision.

    A change of state keeps the files of the revision before; a save links what it saved, and
    so does the approval of a pending edit (its content, files included, becomes the live
    text: until then its new files were linked to no revision, so never public)."""
    if post is None or revision is None:
        return
    db.session.flush()  # the new revision's id
    if content is None:
        carried = [
            AttachedFile(link.file_id, link.name, link.listed)
            for _, link, _file in _links(_before(revision))
        ]
    else:
        carried = list(content.attachments)
    seen = {(item.file_id, item.name) for item in carried}
    carried += [
        ref for ref in body_references(post.body_html) if (ref.file_id, ref.name) not in seen
    ]
    known = by_ids({item.file_id for item in carried})  # a file removed meanwhile is left out
    rows = [
        {
            "revision_id": revision.id,
            "file_id": item.file_id,
            "position": position,
            "name": item.name,
            "listed": item.listed,
        }
        for position, item in enumerate(item for item in carried if item.file_id in known)
    ]
    if rows:
        db.session.execute(sa.insert(Attachment), rows)


def _before(revision: Revision) -> sa.ColumnElement[bool]:
    """The links of the revision before ``revision`` (the post's newest older one)."""
    older = (
        sa.select(Revision.id)
        .where(Revision.post_id == revision.post_id, Revision.number < revision.number)
        .order_by(Revision.number.desc())
        .limit(1)
        .scalar_subquery()
    )
    return Attachment.revision_id == older
