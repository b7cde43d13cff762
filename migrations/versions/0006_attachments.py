"""Attachments (附件) and images: each file stored once by its content hash, linked to revisions

``stored_file`` holds one row per distinct content (its SHA-256, size, detected kind and, for
an image, its width and height; the bytes are in the upload storage, instance/uploads/ by
default). ``attachment`` links a file to a revision under a name, in order, listed as a 附件 or
only used by the body (an image). A post's files are those of the revision it shows; deleting
a revision deletes its links, never the file (``flask --app portal gc-uploads`` does that, for
files nothing links).

Revision ID: 0006
Revises: 0005
"""

import sqlalchemy as sa
from alembic import op

from portal.timeutil import UTCDateTime

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "stored_file",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("width", sa.Integer(), nullable=True),
        sa.Column("height", sa.Integer(), nullable=True),
        sa.Column("uploaded_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_stored_file")),
        sa.UniqueConstraint("sha256", name=op.f("uq_stored_file_sha256")),
    )
    op.create_table(
        "attachment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("revision_id", sa.Integer(), nullable=False),
        sa.Column("file_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("listed", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["file_id"], ["stored_file.id"], name=op.f("fk_attachment_file_id_stored_file")
        ),
        sa.ForeignKeyConstraint(
            ["revision_id"],
            ["revision.id"],
            name=op.f("fk_attachment_revision_id_revision"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_attachment")),
        sa.UniqueConstraint("revision_id", "position", name=op.f("uq_attachment_revision_id")),
    )
    with op.batch_alter_table("attachment") as batch_op:
        batch_op.create_index(batch_op.f("ix_attachment_file_id"), ["file_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_attachment_revision_id"), ["revision_id"], unique=False
        )


def downgrade():
    with op.batch_alter_table("attachment") as batch_op:
        batch_op.drop_index(batch_op.f("ix_attachment_revision_id"))
        batch_op.drop_index(batch_op.f("ix_attachment_file_id"))
    op.drop_table("attachment")
    op.drop_table("stored_file")
