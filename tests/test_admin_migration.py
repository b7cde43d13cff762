"""Migration 0007 keeps every account able to do what it could: admins stay admins, every other
editor (who could publish) becomes a reviewer; and it goes back."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from test_migrations import POSTGRES_URL, empty_postgresql_schema, flask

pytestmark = pytest.mark.slow  # the flask command in a subprocess

USERS = (
    'INSERT INTO "user" (id, username, display_name, password_hash, is_admin, active, created_at,'
    " session_token) VALUES (:id, :name, '', 'x', :admin, true, '2026-01-02 03:04:05+00', 't')"
)


def assert_roles_come_from_is_admin(database_url: str) -> None:
    assert flask("db", "upgrade", "0006", database_url=database_url).returncode == 0
    engine = sa.create_engine(database_url)
    try:
        with engine.begin() as connection:
            connection.execute(sa.text(USERS), [
                {"id": 1, "name": "root", "admin": True},
                {"id": 2, "name": "wang", "admin": False},
            ])  # fmt: skip
        upgraded = flask("db", "upgrade", database_url=database_url)
        assert upgraded.returncode == 0, upgraded.stderr
        with engine.connect() as connection:
            rows = connection.execute(
                sa.text('SELECT username, role, must_change_password FROM "user" ORDER BY id')
            ).all()
        assert [tuple(row) for row in rows] == [
            ("root", "admin", False),
            ("wang", "reviewer", False),
        ]
        back = flask("db", "downgrade", "0006", database_url=database_url)
        assert back.returncode == 0, back.stderr
        with engine.connect() as connection:
            admins = connection.execute(
                sa.text('SELECT username, is_admin FROM "user" ORDER BY id')
            )
            assert [tuple(row) for row in admins] == [("root", True), ("wang", False)]
    finally:
        engine.dispose()


@pytest.mark.parametrize("backend", ["sqlite"] + (["postgresql"] if POSTGRES_URL else []))
def test_0007_gives_every_account_a_role(tmp_path, backend):
    if backend == "sqlite":
        assert_roles_come_from_is_admin(f"sqlite:///{tmp_path}/old.sqlite3")
        return
    with empty_postgresql_schema() as url:
        assert_roles_come_from_is_admin(url)
