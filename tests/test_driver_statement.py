"""``extensions.DriverStatement``: the statements of every reader's request, run on the driver
(on PostgreSQL in autocommit: prepared once per connection, on libpq). Whichever way it runs,
it must give the row the driver's cursor gives, raise SQLAlchemy's errors (a connection
lost is "the database is out of reach", answered 503), and stay out of a transaction's way."""

from __future__ import annotations

import contextlib
from collections import Counter
from collections.abc import Iterator

import pytest
import sqlalchemy as sa

from portal.extensions import DriverStatement, db
from portal.posts.models import Post
from portal.posts.states import PostState
from portal.web.errors import database_unavailable

POST_ROW = sa.select(Post.id, Post.title, Post.published_at, Post.view_count).where(
    Post.id == sa.bindparam("post_id")
)
COUNT = sa.update(Post).where(Post.id == sa.bindparam("post_id")).values(
    view_count=Post.view_count + 1
).returning(Post.view_count)  # fmt: skip


@pytest.fixture
def engine(app):
    with app.app_context():
        return db.engine


@contextlib.contextmanager
def autocommit(engine) -> Iterator[sa.Connection]:
    """A connection as the page cache's front door holds one."""
    with engine.connect() as connection:
        yield connection.execution_options(isolation_level="AUTOCOMMIT")


def backend_pid(connection: sa.Connection) -> int:
    return connection.exec_driver_sql("SELECT pg_backend_pid()").scalar_one()


def on_the_cursor(connection: sa.Connection, statement, **params):
    """The row as the driver's cursor gives it (no SQLAlchemy type processing)."""
    compiled = statement.compile(dialect=connection.dialect)
    values = {**compiled.params, **params}
    if connection.dialect.positional:
        values = tuple(values[name] for name in compiled.positiontup)
    cursor = connection.connection.dbapi_connection.cursor()
    cursor.execute(compiled.string, values)
    return cursor.fetchone()


def test_the_row_is_the_drivers_with_its_types(engine, make_post):
    post = make_post(title='标题 <&> "引号"')
    draft = make_post(status=PostState.DRAFT, published_at=None)
    statement = DriverStatement(POST_ROW)
    with autocommit(engine) as connection:
        expected = on_the_cursor(connection, POST_ROW, post_id=post.id)
        for _ in range(3):  # the first run prepares, the next ones reuse
            assert statement.first_row(connection, post_id=post.id) == expected
        assert statement.first_row(connection, post_id=draft.id) == (draft.id, "测试公告", None, 0)
        assert statement.first_row(connection, post_id=draft.id + 1000) is None
    assert expected[:2] == (post.id, '标题 <&> "引号"')
    # the driver's types: an aware datetime on PostgreSQL, text on SQLite
    published = expected[2]
    if engine.dialect.name == "postgresql":
        assert published.tzinfo is not None
        assert published == post.published_at
    else:
        assert isinstance(published, str)


def test_a_literal_of_the_statement_is_sent_with_it(engine, make_post):
    """``view_count + 1``: the 1 is a parameter SQLAlchemy fills in itself."""
    post = make_post(view_count=41)
    statement = DriverStatement(COUNT)
    with autocommit(engine) as connection:
        assert statement.first_row(connection, post_id=post.id) == (42,)
        assert statement.first_row(connection, post_id=post.id) == (43,)
        assert connection.scalar(sa.select(Post.view_count).where(Post.id == post.id)) == 43


def test_in_a_transaction_it_is_part_of_the_transaction(engine, make_post):
    """Not in autocommit, it runs on the cursor in the caller's transaction: rolled back with
    it (run on libpq there, it would have committed on its own)."""
    post = make_post(view_count=5)
    statement = DriverStatement(COUNT)
    with engine.connect() as connection:
        connection.begin()
        assert statement.first_row(connection, post_id=post.id) == (6,)
        connection.rollback()
        assert connection.scalar(sa.select(Post.view_count).where(Post.id == post.id)) == 5


@pytest.mark.postgresql_only
def test_on_postgresql_it_is_prepared_once_per_connection(engine, make_post):
    post = make_post()
    statement = DriverStatement(POST_ROW)

    def prepared(connection) -> list[str]:
        return connection.scalars(sa.text("SELECT statement FROM pg_prepared_statements")).all()

    with autocommit(engine) as connection:
        before = prepared(connection)
        for _ in range(3):  # psycopg's cursor would prepare on its own only from the 5th
            statement.first_row(connection, post_id=post.id)
        new = list((Counter(prepared(connection)) - Counter(before)).elements())
    assert len(new) == 1
    assert "FROM post" in new[0]
    assert "$1" in new[0]


@pytest.mark.postgresql_only
def test_a_replaced_connection_gets_the_statement_prepared_again(engine, make_post):
    post = make_post()
    statement = DriverStatement(POST_ROW)
    with autocommit(engine) as connection:
        statement.first_row(connection, post_id=post.id)
        first = backend_pid(connection)
        connection.invalidate()  # as the front door does with a broken connection
        connection.rollback()
        assert statement.first_row(connection, post_id=post.id)[0] == post.id
        assert backend_pid(connection) != first


@pytest.mark.postgresql_only
def test_a_lost_connection_is_the_database_out_of_reach(engine, make_post):
    """The backend killed under it (a restart, an administrator): SQLAlchemy's
    OperationalError, which the error pages answer with 503, not a 500."""
    post = make_post()
    statement = DriverStatement(POST_ROW)
    with autocommit(engine) as connection:
        statement.first_row(connection, post_id=post.id)
        with autocommit(engine) as other:
            other.execute(
                sa.text("SELECT pg_terminate_backend(:pid)"), {"pid": backend_pid(connection)}
            )
        with pytest.raises(sa.exc.OperationalError) as raised:
            statement.first_row(connection, post_id=post.id)
        assert database_unavailable(raised.value)
        connection.invalidate()


@pytest.mark.postgresql_only
def test_a_mistake_in_the_statement_is_the_codes_fault_not_an_outage(engine):
    statement = DriverStatement(sa.text("SELECT no_such_column FROM post WHERE id = :post_id"))
    with autocommit(engine) as connection:
        with pytest.raises(sa.exc.ProgrammingError) as raised:
            statement.first_row(connection, post_id=1)
        assert not database_unavailable(raised.value)
        assert connection.exec_driver_sql("SELECT 1").scalar_one() == 1  # still usable
