"""``flask --app portal gc-uploads [--delete] [--grace-hours N]``: remove the stored files that
nothing references. A dry run by default: it lists what it would remove.

Garbage is: a file no revision links and no pending edit names (a file removed from a post
stays while any revision, the trash's included, still names it), uploaded more than the grace period ago (a form may be
about to save a file just uploaded); bytes in the storage that no row records (a crash between
the two); and uploads left half-received. Each row is deleted only if still unreferenced at
that moment, before its bytes, so a concurrent save can never lose a file.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

import click
import sqlalchemy as sa
from flask.cli import with_appcontext

from portal.attachments.files import size_text, store_of
from portal.attachments.models import Attachment, StoredFile
from portal.extensions import db
from portal.posts.models import Revision
from portal.posts.review_models import PendingRevision
from portal.timeutil import now_utc

GRACE_HOURS = 24


@dataclass
class Garbage:
    rows: list[tuple[int, str, int]] = field(default_factory=list)  # (id, sha256, size)
    unrecorded: list[str] = field(default_factory=list)  # bytes without a row
    temporaries: list[Path] = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.rows) + len(self.unrecorded) + len(self.temporaries)


def _referenced():
    """A link of a revision that exists (SQLite does not enforce the foreign key), or a file a
    pending edit names (``PendingRevision.attached``: its files are linked to a revision only
    once it is approved; closed ones are kept, and their files with them)."""
    linked = (
        sa.select(Attachment.id)
        .join(Revision, Revision.id == Attachment.revision_id)
        .where(Attachment.file_id == StoredFile.id)
        .exists()
    )
    # The JSON is a list of ``[file_id, name, listed]``: "[<id>," starts the file's entry. A
    # name that happens to hold the same text only spares a file, never loses one.
    entry = sa.literal("[") + sa.cast(StoredFile.id, sa.String) + sa.literal(",")
    pending = sa.select(PendingRevision.id).where(PendingRevision.attached.contains(entry))
    return sa.or_(linked, pending.exists())


def find(grace: timedelta) -> Garbage:
    cutoff = now_utc() - grace
    garbage = Garbage()
    garbage.rows = [
        (file_id, sha256, size)
        for file_id, sha256, size in db.session.execute(
            sa.select(StoredFile.id, StoredFile.sha256, StoredFile.size)
            .where(~_referenced(), StoredFile.uploaded_at < cutoff)
            .order_by(StoredFile.id)
        )
    ]
    recorded = set(db.session.scalars(sa.select(StoredFile.sha256)))
    storage = store_of()
    garbage.unrecorded = sorted(
        sha256
        for sha256, modified in storage.stored()
        if sha256 not in recorded and modified < cutoff.timestamp()
    )
    garbage.temporaries = sorted(storage.stale_temporaries(cutoff.timestamp()))
    return garbage


def remove(garbage: Garbage, progress) -> int:
    """Delete what ``find`` found, each row only if still unreferenced; returns how many."""
    storage = store_of()
    removed = 0
    # Links left behind by revisions deleted without the ORM (SQLite keeps no foreign keys).
    revisions = sa.select(Revision.id)
    db.session.execute(sa.delete(Attachment).where(Attachment.revision_id.not_in(revisions)))
    db.session.commit()
    for file_id, sha256, _size in garbage.rows:
        result = db.session.execute(
            sa.delete(StoredFile).where(StoredFile.id == file_id, ~_referenced())
        )
        db.session.commit()
        if result.rowcount == 1:  # type: ignore[attr-defined]  # a DELETE's CursorResult
            storage.delete(sha256)
            removed += 1
        progress(1)
    for sha256 in garbage.unrecorded:
        storage.delete(sha256)
        removed += 1
        progress(1)
    for path in garbage.temporaries:
        path.unlink(missing_ok=True)
        removed += 1
        progress(1)
    return removed


@click.command("gc-uploads")
@click.option("--delete", "delete", is_flag=True, help="Remove them (default: only list them).")
@click.option(
    "--grace-hours",
    type=click.IntRange(min=0),
    default=GRACE_HOURS,
    show_default=True,
    help="Spare files uploaded this recently.",
)
@with_appcontext
def gc_uploads_command(delete: bool, grace_hours: int) -> None:
    """Remove uploaded files that no revision references (a dry run unless --delete)."""
    garbage = find(timedelta(hours=grace_hours))
    total = sum(size for _, _, size in garbage.rows)
    for _, sha256, size in garbage.rows:
        click.echo(f"unreferenced  {sha256}  {size_text(size)}")
    for sha256 in garbage.unrecorded:
        click.echo(f"unrecorded    {sha256}")
    for path in garbage.temporaries:
        click.echo(f"unfinished    {path.name}")
    if not delete:
        click.echo(
            f"{garbage.count} file(s) to remove ({size_text(total)}); dry run: nothing removed (use --delete)."
        )
        return
    with click.progressbar(length=garbage.count, label="Removing files") as bar:
        removed = remove(garbage, bar.update)
    click.echo(f"{removed} file(s) removed ({size_text(total)}).")
