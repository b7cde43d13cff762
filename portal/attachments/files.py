"""Storing an upload: streamed to the storage, its type told from its content, kept once.

``store`` is the one way a file gets in. It takes werkzeug's ``FileStorage`` (which the form
parser has already spooled to a temporary file: never the whole upload in memory), copies it
in chunks to the storage while hashing it, refuses it past the size limit, when empty, when
its content is refused (``detect``) or does not match its name's extension, and only then
renames it into place and records it (one ``stored_file`` row per content, committed at once:
the form that carried it is saved afterwards, or not; ``gc-uploads`` removes what no revision
ever came to name).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.dialects import postgresql, sqlite
from werkzeug.datastructures import FileStorage

from portal import messages
from portal.attachments import detect, storage
from portal.attachments.models import NAME_MAX, StoredFile
from portal.attachments.types import FAMILIES, extension_of, is_image, type_of
from portal.extensions import db
from portal.timeutil import now_utc

# Characters Windows forbids in file names (and quotes, kept out of headers): replaced.
_FORBIDDEN = re.compile(r'[<>:"|?*\\/]')


def store_of() -> storage.Storage:
    """The app's upload storage (``ATTACHMENT_FOLDER``, default instance/uploads/)."""
    return current_app.extensions["attachment_storage"]


def clean_name(raw: str | None) -> str:
    """A file name as it is kept and shown: the last part of a path the browser may have sent,
    NFC, white space folded, no control characters, nothing Windows forbids, at most
    ``NAME_MAX`` characters (the extension kept). Chinese names stay as they are."""
    name = unicodedata.normalize("NFC", raw or "")
    name = re.split(r"[/\\]", name)[-1]
    name = " ".join(name.split())
    name = _FORBIDDEN.sub("_", "".join(ch for ch in name if ch.isprintable())).strip(" .")
    if len(name) > NAME_MAX:
        extension = extension_of(name)
        keep = NAME_MAX - len(extension) - 1 if extension else NAME_MAX
        name = name[:keep].rstrip(" .") + (f".{extension}" if extension else "")
    return name


def size_text(size: int) -> str:
    """A file's size as readers see it next to its name."""
    if size < 1024:
        return f"{size} 字节"
    if size < 1024 * 1024:
        return f"{size / 1024:.1f} KB"
    return f"{size / (1024 * 1024):.1f} MB"


def limit_text(size: int) -> str:
    """A configured limit: "20 MiB" (exact bytes when not a whole number of MiB)."""
    mib = size / (1024 * 1024)
    return f"{mib:g} MiB" if mib == int(mib) else f"{size:,} 字节"


@dataclass(frozen=True)
class Stored:
    """An accepted upload: its row and the name it came with."""

    file: StoredFile
    name: str


def store(upload: FileStorage, *, budget: int | None = None, images_only: bool = False) -> Stored:
    """Receive, check and keep ``upload``; raises ``detect.Refused`` with the editor's message.
    ``budget``: the bytes the post may still take (the per-post limit)."""
    name = clean_name(upload.filename)
    if not name:
        raise detect.Refused(messages.ATTACHMENT_NAME_MISSING)
    config = current_app.config
    files = store_of()
    try:
        received = files.receive(upload.stream, config["ATTACHMENT_MAX_BYTES"])
    except storage.TooLarge:
        limit = limit_text(config["ATTACHMENT_MAX_BYTES"])
        raise detect.Refused(messages.ATTACHMENT_TOO_LARGE.format(name=name, limit=limit)) from None
    try:
        found = _check(received, name, budget, images_only)
    except detect.Refused:
        files.discard(received)
        raise
    files.keep(received)
    return Stored(_record(received, found), name)


def _check(
    received: storage.Received, name: str, budget: int | None, images_only: bool
) -> detect.Detected:
    if received.size == 0:
        raise detect.Refused(messages.ATTACHMENT_EMPTY.format(name=name))
    if budget is not None and received.size > budget:
        limit = current_app.config["ATTACHMENT_POST_MAX_BYTES"]
        total = limit - budget + received.size
        raise detect.Refused(
            messages.ATTACHMENT_POST_TOO_LARGE.format(
                name=name, size=size_text(total), limit=limit_text(limit)
            )
        )
    found = detect.detect(received.path, name)
    if type_of(found.kind, name) is None:
        first = FAMILIES[found.kind][0]
        extensions = "、".join(f".{e}" for t in FAMILIES[found.kind] for e in t.extensions)
        raise detect.Refused(
            messages.ATTACHMENT_MISMATCH.format(name=name, label=first.label, extensions=extensions)
        )
    if images_only and not is_image(found.kind):
        raise detect.Refused(messages.ATTACHMENT_NOT_IMAGE.format(name=name))
    return found


def _record(received: storage.Received, found: detect.Detected) -> StoredFile:
    """The file's row, made or (the same content uploaded again) marked as uploaded now, in
    one statement that concurrent uploads of the same content cannot break; committed."""
    now = now_utc()
    values = {
        "sha256": received.sha256,
        "size": received.size,
        "kind": found.kind,
        "width": found.width,
        "height": found.height,
        "uploaded_at": now,
    }
    dialect = postgresql if db.session.get_bind().dialect.name == "postgresql" else sqlite
    statement = dialect.insert(StoredFile).values(**values)
    db.session.execute(
        statement.on_conflict_do_update(index_elements=["sha256"], set_={"uploaded_at": now})
    )
    db.session.commit()
    return by_hash(received.sha256)  # type: ignore[return-value]  # just written


def by_hash(sha256: str) -> StoredFile | None:
    return db.session.scalar(sa.select(StoredFile).where(StoredFile.sha256 == sha256))


def by_ids(ids: set[int]) -> dict[int, StoredFile]:
    if not ids:
        return {}
    rows = db.session.scalars(sa.select(StoredFile).where(StoredFile.id.in_(sorted(ids))))
    return {row.id: row for row in rows}


def local_file(sha256: str) -> Path | None:
    """The stored bytes on this server's disk, if the storage keeps them there."""
    path = store_of().local_path(sha256)
    return path if path is not None and path.is_file() else None
