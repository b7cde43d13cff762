"""A per-user session token: rotating it ends every session of that user on every server

Flask-Login's user id in the session cookie is "<id>:<session_token>"; the user loader refuses
a cookie whose token is no longer the user's. Logging out, changing a password, deactivating
and "log out everywhere" give the user a new token. Each existing user gets a random one here
(so the sessions made before this revision, which carry no token, end once).

Revision ID: 0004
Revises: 0003
"""

import secrets

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("user") as batch_op:
        batch_op.add_column(sa.Column("session_token", sa.String(length=64), nullable=True))
    user = sa.table("user", sa.column("id", sa.Integer), sa.column("session_token", sa.String))
    connection = op.get_bind()
    for (user_id,) in connection.execute(sa.select(user.c.id)).all():
        connection.execute(
            user.update()
            .where(user.c.id == user_id)
            .values(session_token=secrets.token_urlsafe(32))
        )
    with op.batch_alter_table("user") as batch_op:
        batch_op.alter_column("session_token", existing_type=sa.String(length=64), nullable=False)


def downgrade():
    with op.batch_alter_table("user") as batch_op:
        batch_op.drop_column("session_token")
