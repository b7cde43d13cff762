"""The schema comes from Alembic, on an empty SQLite file and an empty PostgreSQL schema."""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import uuid
from pathlib import Path
from urllib.parse import quote

import pytest
import sqlalchemy as sa

ROOT = Path(__file__).resolve().parent.parent
POSTGRES_URL = os.environ.get("PORTAL_TEST_DATABASE_URL")

pytestmark = pytest.mark.slow  # each test runs the flask command in a subprocess


def flask(*args: str, database_url: str) -> subprocess.CompletedProcess:
    env = {
        **os.environ,
        "PORTAL_SQLALCHEMY_DATABASE_URI": database_url,
        "PORTAL_SECRET_KEY": "migration-test",
    }
    return subprocess.run(
        [sys.executable, "-m", "flask", "--app", "portal", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def assert_upgrade_then_nothing_left_to_generate(database_url: str) -> None:
    upgrade = flask("db", "upgrade", database_url=database_url)
    assert upgrade.returncode == 0, upgrade.stderr
    engine = sa.create_engine(database_url)
    try:
        tables = set(sa.inspect(engine).get_table_names())
    finally:
        engine.dispose()
    assert {"channel", "post", "revision", "user", "alembic_version"} <= tables
    # The models and the migrations agree: autogenerate finds nothing to add.
    check = flask("db", "check", database_url=database_url)
    assert check.returncode == 0, check.stdout + check.stderr
    seeded = flask("seed-demo", database_url=database_url)
    assert "16 post(s) added" in seeded.stdout, seeded.stderr


def test_upgrade_on_an_empty_sqlite_file(tmp_path):
    assert_upgrade_then_nothing_left_to_generate(f"sqlite:///{tmp_path}/fresh.sqlite3")


@contextlib.contextmanager
def empty_postgresql_schema():
    schema = f"portal_migrate_{uuid.uuid4().hex[:10]}"
    admin = sa.create_engine(POSTGRES_URL)
    with admin.begin() as connection:
        connection.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    try:
        yield f"{POSTGRES_URL}?options={quote(f'-csearch_path={schema}')}"
    finally:
        with admin.begin() as connection:
            connection.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.mark.skipif(not POSTGRES_URL, reason="PORTAL_TEST_DATABASE_URL not set (CI sets it)")
def test_upgrade_on_an_empty_postgresql_schema():
    with empty_postgresql_schema() as url:
        assert_upgrade_then_nothing_left_to_generate(url)


def assert_revisions_keep_their_body_through_0002(database_url: str) -> None:
    """A site made before 0002 keeps every revision's cleaned body (renamed body_html), gets
    empty keywords and image for old revisions, and can go back."""
    assert flask("db", "upgrade", "0001", database_url=database_url).returncode == 0
    engine = sa.create_engine(database_url)
    old_row = {"raw": "<p style='x'>旧</p>", "clean": "<p>旧</p>", "at": "2026-01-02 03:04:05+00"}
    try:
        with engine.begin() as connection:
            connection.execute(
                sa.text(
                    "INSERT INTO channel (id, slug, name, description, keywords, column_type, position)"
                    " VALUES (1, 'notices', '公告', '', '', '通知公告', 0)"
                )
            )
            connection.execute(
                sa.text(
                    "INSERT INTO post (id, channel_id, title, source, author, keywords, body_html,"
                    " summary, image_url, pinned, status, created_at, updated_at, view_count, version)"
                    " VALUES (1, 1, '旧文', '', '', '', :clean, '', '', false, 'draft', :at, :at, 0, 1)"
                ),
                old_row,
            )
            connection.execute(sa.text(
                "INSERT INTO revision (post_id, number, created_at, action, status, title,"
                " source, author, summary, pinned, body_raw, body_clean, removed)"
                " VALUES (1, 1, :at, 'draft', 'draft', '旧文', '', '', '', false, :raw, :clean, '')"
            ), old_row)  # fmt: skip
        assert flask("db", "upgrade", database_url=database_url).returncode == 0
        with engine.connect() as connection:
            row = connection.execute(
                sa.text("SELECT body_raw, body_html, keywords, image_url FROM revision")
            ).one()
        assert tuple(row) == (old_row["raw"], old_row["clean"], "", "")
        back = flask("db", "downgrade", "0001", database_url=database_url)
        assert back.returncode == 0, back.stderr
        with engine.connect() as connection:
            assert (
                connection.execute(sa.text("SELECT body_clean FROM revision")).scalar_one()
                == (old_row["clean"])
            )
    finally:
        engine.dispose()


def test_0002_keeps_old_revisions_on_sqlite(tmp_path):
    assert_revisions_keep_their_body_through_0002(f"sqlite:///{tmp_path}/old.sqlite3")


@pytest.mark.skipif(not POSTGRES_URL, reason="PORTAL_TEST_DATABASE_URL not set (CI sets it)")
def test_0002_keeps_old_revisions_on_postgresql():
    with empty_postgresql_schema() as url:
        assert_revisions_keep_their_body_through_0002(url)


def test_a_postgresql_run_that_cannot_reach_the_server_fails_instead_of_skipping():
    env = {
        **os.environ,
        "PORTAL_TEST_DATABASE_URL": "postgresql+psycopg://postgres@127.0.0.1:1/test",
    }
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:randomly", "tests/test_timeutil.py"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode != 0
    summary = result.stdout.strip().splitlines()[-1]
    assert "error" in summary, summary
    assert "skipped" not in summary, summary
