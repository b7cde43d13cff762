"""A revision keeps all of a post's editable content: keywords and image too

The editor form now sets ``Post.keywords`` (<meta name="Keywords">) and ``Post.image_url``
(<meta name="Image">), so each revision snapshots them like every other field, and its cleaned
body is named as the post's is (``body_html``), so one declaration of the content
(``portal.posts.content.PostContent``) maps onto both tables.

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("revision") as batch_op:
        batch_op.add_column(
            sa.Column("keywords", sa.String(length=200), server_default="", nullable=False)
        )
        batch_op.add_column(
            sa.Column("image_url", sa.String(length=500), server_default="", nullable=False)
        )
        batch_op.alter_column("body_clean", new_column_name="body_html")


def downgrade():
    with op.batch_alter_table("revision") as batch_op:
        batch_op.alter_column("body_html", new_column_name="body_clean")
        batch_op.drop_column("image_url")
        batch_op.drop_column("keywords")
