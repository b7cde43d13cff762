"""Partial indexes that serve every public query in its order; the page cache's validity row

The public lists, the sidebar, prev/next, the feeds and the next scheduled time each get an
index on the rows that are or will be public (status 'published', not in the trash), in the
order they ask for; the dashboard and the feeds' Last-Modified get (updated_at) indexes; a
channel keeps the count of its listed posts (``listed_posts``), so a list never counts them. The
old (status, …) indexes served none of these orders without a sort. ``cache_state`` is the one
row every server reads to know whether its cached pages are still valid.

Revision ID: 0003
Revises: 0002
"""

import secrets
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

from portal.timeutil import UTCDateTime

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

PUBLIC_ROWS = sa.text("status = 'published' AND trashed_at IS NULL")
PUBLIC_INDEXES = {
    "ix_post_public_channel": ["channel_id", "pinned", "published_at", "id"],
    "ix_post_public_channel_time": ["channel_id", "published_at", "id"],
    "ix_post_public_time": ["published_at", "id"],
}


def upgrade():
    with op.batch_alter_table("post") as batch_op:
        batch_op.drop_index("ix_post_channel_listing")
        batch_op.drop_index("ix_post_public_listing")
    for name, columns in PUBLIC_INDEXES.items():
        op.create_index(
            name, "post", columns, sqlite_where=PUBLIC_ROWS, postgresql_where=PUBLIC_ROWS
        )
    with op.batch_alter_table("channel") as batch_op:
        batch_op.add_column(
            sa.Column("listed_posts", sa.Integer(), server_default="0", nullable=False)
        )
    op.execute(
        "UPDATE channel SET listed_posts = (SELECT count(*) FROM post WHERE post.channel_id ="
        " channel.id AND post.status = 'published' AND post.trashed_at IS NULL)"
    )
    op.create_index("ix_post_changed", "post", ["updated_at", "id"])
    op.create_index("ix_post_channel_changed", "post", ["channel_id", "updated_at"])

    state = op.create_table(
        "cache_state",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("epoch", sa.String(length=16), nullable=False),
        sa.Column("generation", sa.Integer(), nullable=False),
        sa.Column("next_due", UTCDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cache_state")),
    )
    # A due time long past: the first request starts generation 1 and finds the real next
    # scheduled time (the site may already have scheduled posts).
    long_ago = datetime(2000, 1, 1, tzinfo=UTC)
    row = {"id": 1, "epoch": secrets.token_hex(8), "generation": 0, "next_due": long_ago}
    op.bulk_insert(state, [row])


def downgrade():
    op.drop_table("cache_state")
    op.drop_index("ix_post_channel_changed", table_name="post")
    op.drop_index("ix_post_changed", table_name="post")
    with op.batch_alter_table("channel") as batch_op:
        batch_op.drop_column("listed_posts")
    for name in PUBLIC_INDEXES:
        op.drop_index(name, table_name="post")
    with op.batch_alter_table("post") as batch_op:
        batch_op.create_index(
            "ix_post_channel_listing", ["channel_id", "status", "pinned", "published_at"]
        )
        batch_op.create_index("ix_post_public_listing", ["status", "published_at"])
