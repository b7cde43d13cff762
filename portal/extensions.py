"""Extension objects, unbound: ``create_app`` binds them (no app is imported here)."""

import itertools
from typing import TYPE_CHECKING, Any

from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect
from sqlalchemy import Connection, Dialect, Executable, MetaData
from sqlalchemy.dialects.postgresql import psycopg as postgresql_psycopg
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import DeclarativeBase

# Named constraints make Alembic migrations portable between SQLite and PostgreSQL.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


db = SQLAlchemy(model_class=Base)

# The models' base class. At run time it is ``db.Model`` (``Base`` with Flask-SQLAlchemy's
# mixins: table names, binds, ``query``); a type checker cannot use an attribute as a base class
# (python/mypy#8603), so it is told the same thing as a class.
if TYPE_CHECKING:
    from flask_sqlalchemy.model import Model as _FlaskModel

    class Model(_FlaskModel, Base):
        pass
else:
    Model = db.Model

migrate = Migrate()
login = LoginManager()
csrf = CSRFProtect()


class DriverStatement:
    """A statement run straight on the database driver, for the statements of every reader's
    request (the page cache's validity, an article's view count): measured on PostgreSQL over
    127.0.0.1, a round trip costs 190 µs through SQLAlchemy's execution (``exec_driver_sql``
    included), 100–150 µs on psycopg's cursor and 65 µs as a prepared statement on libpq, the
    same as ``SELECT 1``: on PostgreSQL in autocommit (the page cache's own connections) it is
    prepared once per connection and run on libpq (``_on_libpq``), elsewhere on the driver's
    cursor. Compiled once per dialect; returns the first row with the driver's own types (no
    SQLAlchemy type processing: the caller reads raw values). A driver error is raised as
    SQLAlchemy's (``sqlalchemy.exc.DBAPIError`` and its kinds), as for any other statement,
    and ``before_cursor_execute`` listeners are called as for any other, with the SQL and
    parameters a cursor would be given."""

    _names = itertools.count(1)

    def __init__(self, statement: Executable):
        self.statement = statement
        # Per dialect: the SQL, the parameters' order (positional drivers) and their defaults
        # (a literal such as the 1 of ``view_count + 1`` is a parameter too).
        self._compiled: dict[str, tuple[str, tuple[str, ...] | None, dict[str, Any]]] = {}
        # On libpq: the prepared statement's name, SQL ($1, $2, …) and parameters' order.
        self._prepared_name = f"portal_{next(self._names)}".encode()
        self._prepared: tuple[bytes, tuple[str, ...]] | None = None

    def first_row(self, connection: Connection, **params: Any) -> Any:
        dialect = connection.dialect
        sql, names, defaults = self._compiled.get(dialect.name) or self._compile(dialect)
        values = {**defaults, **params}
        arguments = tuple(values[name] for name in names) if names is not None else values
        fairy = connection.connection
        driver = fairy.dbapi_connection
        assert driver is not None  # a live connection has one
        on_libpq = dialect.name == "postgresql" and getattr(driver, "autocommit", False)
        try:
            cursor = None if on_libpq else driver.cursor()
            try:
                # Listeners still see it (the tests count statements, trace writes and
                # EXPLAIN the reads they see).
                for listener in connection.dispatch.before_cursor_execute:
                    listener(connection, cursor, sql, arguments, None, False)
                if cursor is None:
                    return self._on_libpq(driver, fairy.info, values)
                cursor.execute(sql, arguments)
                return cursor.fetchone()
            finally:
                if cursor is not None:
                    cursor.close()
        except dialect.loaded_dbapi.Error as error:
            raise DBAPIError.instance(sql, arguments, error, dialect.loaded_dbapi.Error) from error

    def _compile(self, dialect: Dialect) -> tuple[str, tuple[str, ...] | None, dict[str, Any]]:
        compiled = self.statement.compile(dialect=dialect)  # type: ignore[attr-defined]
        names = tuple(compiled.positiontup or ()) if dialect.positional else None
        self._compiled[dialect.name] = (compiled.string, names, dict(compiled.params))
        return self._compiled[dialect.name]

    def _on_libpq(self, driver: Any, info: dict, values: dict[str, Any]) -> Any:
        """Run on psycopg's libpq connection. Safe only in autocommit: psycopg sends no BEGIN
        of its own then. Kept in ``info`` (SQLAlchemy's record of the driver's connection, new
        when it is replaced): the statements prepared on it, and one Transformer for its rows,
        whose loaders are made once (a new one per call cost a third of the round trip again:
        a timestamptz loader looks up the session's time zone)."""
        import psycopg  # PostgreSQL's driver, only where PostgreSQL is used

        if self._prepared is None:
            compiled = self.statement.compile(  # type: ignore[attr-defined]
                dialect=postgresql_psycopg.dialect(paramstyle="numeric_dollar")
            )
            self._prepared = (compiled.string.encode(), tuple(compiled.positiontup or ()))
        sql, names = self._prepared
        kept = info.get(_ON_LIBPQ)
        if kept is None:
            kept = info[_ON_LIBPQ] = (psycopg.adapt.Transformer(driver), set[bytes]())
        transformer, prepared = kept
        pgconn = driver.pgconn
        if self._prepared_name not in prepared:
            _check(driver, pgconn.prepare(self._prepared_name, sql))
            prepared.add(self._prepared_name)
        arguments = transformer.dump_sequence(
            [values[name] for name in names], [psycopg.adapt.PyFormat.TEXT] * len(names)
        )
        result = _check(driver, pgconn.exec_prepared(self._prepared_name, arguments))
        if result.ntuples == 0:
            return None
        transformer.set_pgresult(result)
        return transformer.load_row(0, tuple)


_ON_LIBPQ = "portal_on_libpq"


def _check(driver: Any, result: Any) -> Any:
    """``result`` if it is one; else psycopg's error for it, as its cursor would raise (a
    connection lost is an OperationalError: the page cache's callers answer 503 for it)."""
    import psycopg

    status = psycopg.pq.ExecStatus
    if result.status in (status.TUPLES_OK, status.COMMAND_OK):
        return result
    pgconn = driver.pgconn
    if pgconn.status == psycopg.pq.ConnStatus.BAD:
        raise psycopg.OperationalError(f"the connection is lost: {pgconn.get_error_message()}")
    raise psycopg.errors.error_from_result(result, encoding=driver.info.encoding)
