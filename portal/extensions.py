"""Extension objects, unbound: ``create_app`` binds them (no app is imported here)."""

from typing import TYPE_CHECKING, Any

from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect
from sqlalchemy import Connection, Dialect, Executable, MetaData
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
    """A statement run straight on the database driver's cursor, for the statements of every
    reader's request (the page cache's validity, an article's view count): measured on
    PostgreSQL over 127.0.0.1, a round trip costs 100 µs on the driver and 190 µs through
    SQLAlchemy's execution (``exec_driver_sql`` included), as much again as the database.
    Compiled once per dialect; returns the first row as the driver gives it (no type
    processing: the caller reads raw values). A driver error is raised as SQLAlchemy's
    (``sqlalchemy.exc.DBAPIError`` and its kinds), as for any other statement, and
    ``before_cursor_execute`` listeners are called as for any other."""

    def __init__(self, statement: Executable):
        self.statement = statement
        # Per dialect: the SQL, the parameters' order (positional drivers) and their defaults
        # (a literal such as the 1 of ``view_count + 1`` is a parameter too).
        self._compiled: dict[str, tuple[str, tuple[str, ...] | None, dict[str, Any]]] = {}

    def first_row(self, connection: Connection, **params: Any) -> Any:
        dialect = connection.dialect
        sql, names, defaults = self._compiled.get(dialect.name) or self._compile(dialect)
        values = {**defaults, **params}
        arguments = tuple(values[name] for name in names) if names is not None else values
        driver = connection.connection.dbapi_connection
        assert driver is not None  # a live connection has one
        try:
            cursor = driver.cursor()
            try:
                # Listeners still see it (the tests count statements and trace writes).
                for listener in connection.dispatch.before_cursor_execute:
                    listener(connection, cursor, sql, arguments, None, False)
                cursor.execute(sql, arguments)
                return cursor.fetchone()
            finally:
                cursor.close()
        except dialect.loaded_dbapi.Error as error:
            raise DBAPIError.instance(sql, arguments, error, dialect.loaded_dbapi.Error) from error

    def _compile(self, dialect: Dialect) -> tuple[str, tuple[str, ...] | None, dict[str, Any]]:
        compiled = self.statement.compile(dialect=dialect)  # type: ignore[attr-defined]
        names = tuple(compiled.positiontup or ()) if dialect.positional else None
        self._compiled[dialect.name] = (compiled.string, names, dict(compiled.params))
        return self._compiled[dialect.name]
