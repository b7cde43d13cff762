"""A site an office can run: 栏目管理, roles, 先审后发 review, 操作日志

- ``channel``: shown in the navigation or not, its update rule in days, its own review steps;
  ``channel_slug``: the slugs a channel had (their URLs redirect to the new ones).
- ``user``: a role (author, reviewer, admin) in place of ``is_admin`` (admins stay admins, every
  other account becomes a reviewer: it could publish before, and still can), an initial password
  to change at the first login, and ``user_channel``: the channels a reviewer is limited to.
- ``pending_revision``: edits of live posts waiting for review; ``review_step``: every step.
- ``audit_entry``: the append-only 操作日志.

Revision ID: 0007
Revises: 0006
"""

import sqlalchemy as sa
from alembic import op

from portal.timeutil import UTCDateTime

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

OPEN_PENDING = sa.text("stage IN ('draft', 'submitted', 'signoff', 'returned')")


def upgrade():
    with op.batch_alter_table("channel") as batch_op:
        batch_op.add_column(
            sa.Column("in_nav", sa.Boolean(), server_default=sa.true(), nullable=False)
        )
        batch_op.add_column(sa.Column("update_days", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("review_steps", sa.Integer(), nullable=True))
    op.create_table(
        "channel_slug",
        sa.Column("slug", sa.String(length=64), nullable=False),
        sa.Column("channel_id", sa.Integer(), nullable=False),
        sa.Column("changed_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["channel_id"],
            ["channel.id"],
            name=op.f("fk_channel_slug_channel_id_channel"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("slug", name=op.f("pk_channel_slug")),
    )
    op.create_index(op.f("ix_channel_slug_channel_id"), "channel_slug", ["channel_id"])

    with op.batch_alter_table("user") as batch_op:
        batch_op.add_column(
            sa.Column("role", sa.String(length=16), server_default="reviewer", nullable=False)
        )
        batch_op.add_column(
            sa.Column(
                "must_change_password", sa.Boolean(), server_default=sa.false(), nullable=False
            )
        )
    user = sa.table("user", sa.column("is_admin", sa.Boolean), sa.column("role", sa.String))
    op.execute(user.update().where(user.c.is_admin == sa.true()).values(role="admin"))
    with op.batch_alter_table("user") as batch_op:
        batch_op.drop_column("is_admin")
    op.create_table(
        "user_channel",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("channel_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["channel_id"],
            ["channel.id"],
            name=op.f("fk_user_channel_channel_id_channel"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["user.id"], name=op.f("fk_user_channel_user_id_user"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("user_id", "channel_id", name=op.f("pk_user_channel")),
    )

    op.create_table(
        "pending_revision",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("post_id", sa.Integer(), nullable=False),
        sa.Column("base_version", sa.Integer(), nullable=False),
        sa.Column("stage", sa.String(length=16), nullable=False),
        sa.Column("editor_id", sa.Integer(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("channel_id", sa.Integer(), nullable=False),
        sa.Column("source", sa.String(length=100), nullable=False),
        sa.Column("author", sa.String(length=100), nullable=False),
        sa.Column("keywords", sa.String(length=200), nullable=False),
        sa.Column("image_url", sa.String(length=500), nullable=False),
        sa.Column("summary", sa.String(length=1000), nullable=False),
        sa.Column("pinned", sa.Boolean(), nullable=False),
        sa.Column("published_at", UTCDateTime(), nullable=True),
        sa.Column("body_raw", sa.Text(), nullable=False),
        sa.Column("body_html", sa.Text(), nullable=False),
        sa.Column("removed", sa.Text(), nullable=False),
        sa.Column("attached", sa.Text(), server_default="[]", nullable=False),
        sa.ForeignKeyConstraint(
            ["channel_id"], ["channel.id"], name=op.f("fk_pending_revision_channel_id_channel")
        ),
        sa.ForeignKeyConstraint(
            ["editor_id"], ["user.id"], name=op.f("fk_pending_revision_editor_id_user")
        ),
        sa.ForeignKeyConstraint(
            ["post_id"],
            ["post.id"],
            name=op.f("fk_pending_revision_post_id_post"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pending_revision")),
    )
    op.create_index(op.f("ix_pending_revision_post_id"), "pending_revision", ["post_id"])
    op.create_index(
        "uq_pending_revision_open",
        "pending_revision",
        ["post_id"],
        unique=True,
        sqlite_where=OPEN_PENDING,
        postgresql_where=OPEN_PENDING,
    )
    op.create_table(
        "review_step",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("post_id", sa.Integer(), nullable=False),
        sa.Column("pending_id", sa.Integer(), nullable=True),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("at", UTCDateTime(), nullable=False),
        sa.Column("action", sa.String(length=16), nullable=False),
        sa.Column("from_state", sa.String(length=16), nullable=False),
        sa.Column("to_state", sa.String(length=16), nullable=False),
        sa.Column("comment", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["actor_id"], ["user.id"], name=op.f("fk_review_step_actor_id_user")
        ),
        sa.ForeignKeyConstraint(
            ["pending_id"],
            ["pending_revision.id"],
            name=op.f("fk_review_step_pending_id_pending_revision"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["post_id"], ["post.id"], name=op.f("fk_review_step_post_id_post"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_review_step")),
    )
    op.create_index(op.f("ix_review_step_post_id"), "review_step", ["post_id"])

    op.create_table(
        "audit_entry",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", UTCDateTime(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("username", sa.String(length=64), nullable=False),
        sa.Column("remote_addr", sa.String(length=64), nullable=False),
        sa.Column("action", sa.String(length=32), nullable=False),
        sa.Column("target", sa.String(length=200), nullable=False),
        sa.Column("detail", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["user.id"], name=op.f("fk_audit_entry_user_id_user")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_entry")),
    )
    op.create_index("ix_audit_entry_at", "audit_entry", ["at", "id"])
    op.create_index("ix_audit_entry_user", "audit_entry", ["user_id", "at"])
    op.create_index("ix_audit_entry_action", "audit_entry", ["action", "at"])


def downgrade():
    # Before review there was no state between a draft and published.
    post = sa.table("post", sa.column("status", sa.String))
    in_review = post.c.status.in_(["submitted", "signoff", "returned"])
    op.execute(post.update().where(in_review).values(status="draft"))
    op.drop_table("audit_entry")
    op.drop_table("review_step")
    op.drop_table("pending_revision")
    op.drop_table("user_channel")
    with op.batch_alter_table("user") as batch_op:
        batch_op.add_column(
            sa.Column("is_admin", sa.Boolean(), server_default=sa.false(), nullable=False)
        )
    user = sa.table("user", sa.column("is_admin", sa.Boolean), sa.column("role", sa.String))
    op.execute(user.update().where(user.c.role == "admin").values(is_admin=True))
    with op.batch_alter_table("user") as batch_op:
        batch_op.drop_column("must_change_password")
        batch_op.drop_column("role")
    op.drop_table("channel_slug")
    with op.batch_alter_table("channel") as batch_op:
        batch_op.drop_column("review_steps")
        batch_op.drop_column("update_days")
        batch_op.drop_column("in_nav")
