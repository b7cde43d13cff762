"""The schema comes from Alembic, on an empty SQLite file and an empty PostgreSQL schema."""

from __future__ import annotations

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


def flask(*args: str, database_url: str, tmp_path: Path) -> subprocess.CompletedProcess:
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


def assert_upgrade_then_nothing_left_to_generate(database_url: str, tmp_path: Path) -> None:
    upgrade = flask("db", "upgrade", database_url=database_url, tmp_path=tmp_path)
    assert upgrade.returncode == 0, upgrade.stderr
    engine = sa.create_engine(database_url)
    try:
        tables = set(sa.inspect(engine).get_table_names())
    finally:
        engine.dispose()
    assert {"channel", "post", "revision", "user", "alembic_version"} <= tables
    # The models and the migrations agree: autogenerate finds nothing to add.
    check = flask("db", "check", database_url=database_url, tmp_path=tmp_path)
    assert check.returncode == 0, check.stdout + check.stderr
    seeded = flask("seed-demo", database_url=database_url, tmp_path=tmp_path)
    assert "16 post(s) added" in seeded.stdout, seeded.stderr


def test_upgrade_on_an_empty_sqlite_file(tmp_path):
    assert_upgrade_then_nothing_left_to_generate(f"sqlite:///{tmp_path}/fresh.sqlite3", tmp_path)


@pytest.mark.skipif(not POSTGRES_URL, reason="PORTAL_TEST_DATABASE_URL not set (CI sets it)")
def test_upgrade_on_an_empty_postgresql_schema(tmp_path):
    schema = f"portal_migrate_{uuid.uuid4().hex[:10]}"
    admin = sa.create_engine(POSTGRES_URL)
    with admin.begin() as connection:
        connection.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    try:
        url = f"{POSTGRES_URL}?options={quote(f'-csearch_path={schema}')}"
        assert_upgrade_then_nothing_left_to_generate(url, tmp_path)
    finally:
        with admin.begin() as connection:
            connection.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


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
    assert "error" in summary and "skipped" not in summary, summary
