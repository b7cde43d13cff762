"""The tables of 附件: each stored file once (by content hash), and its links to revisions.

A file belongs to the revisions that name it (``Attachment``), never to a post directly: a post
shows the files of the revision it currently shows (``links.shown_revision``), so removing a
file from a post, or trashing the post, keeps the file for as long as any revision names it;
``gc-uploads`` deletes only files that nothing names.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, backref, mapped_column, relationship

from portal.extensions import Model
from portal.timeutil import UTCDateTime, now_utc

NAME_MAX = 200  # characters of a file's name, as shown and downloaded


class StoredFile(Model):
    """A file's content, stored once by its SHA-256 (``storage``) whatever its names."""

    id: Mapped[int] = mapped_column(primary_key=True)
    sha256: Mapped[str] = mapped_column(sa.String(64), unique=True)
    size: Mapped[int] = mapped_column(sa.BigInteger)
    kind: Mapped[str] = mapped_column(sa.String(32))  # its family in ``types.FAMILIES``
    width: Mapped[int | None]  # images: pixels, read with Pillow
    height: Mapped[int | None]
    # The last upload of this content: gc-uploads spares a file uploaded lately (an editor may
    # be about to save the form it was uploaded with).
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now_utc)


class Attachment(Model):
    """A file as one revision carries it: the name it is shown and downloaded under, its
    place, and whether it is listed as a 附件 (False: only an image or link of the body)."""

    __table_args__ = (sa.UniqueConstraint("revision_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    revision_id: Mapped[int] = mapped_column(
        sa.ForeignKey("revision.id", ondelete="CASCADE"), index=True
    )
    file_id: Mapped[int] = mapped_column(sa.ForeignKey("stored_file.id"), index=True)
    position: Mapped[int]
    name: Mapped[str] = mapped_column(sa.String(NAME_MAX))
    listed: Mapped[bool] = mapped_column(default=True)

    file: Mapped[StoredFile] = relationship()
    # ``Revision.attachments`` (what ``PostContent.of(revision)`` reads), in order. Deleting a
    # revision deletes its links through the ORM too: SQLite enforces no foreign keys here.
    revision = relationship(
        "Revision",
        backref=backref(
            "attachments", order_by="Attachment.position", cascade="all, delete-orphan"
        ),
    )
