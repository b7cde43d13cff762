"""Error pages in Chinese, in the site layout, with the right status and no traceback.

A database that cannot be reached (refused, restarting, shutting down, a connection lost, too
many clients, SQLite locked or missing) is not a bug of the page: it answers 503 (服务暂时不可用)
with ``Retry-After``, and the next request after the database is back answers normally (the
engine's ``pool_pre_ping`` replaces the connections the outage broke)."""

from __future__ import annotations

import sqlite3
from typing import NoReturn

from flask import Flask, abort, current_app, g, render_template
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError, SQLAlchemyError
from werkzeug.exceptions import HTTPException, InternalServerError

from portal import messages
from portal.extensions import db, login

UNAVAILABLE = 503
RETRY_AFTER_SECONDS = 30
# SQLite reports mistakes in a statement ("no such table", syntax errors) as OperationalError
# too; only these mean that the database itself is out of reach for now.
_SQLITE_UNAVAILABLE = ("unable to open", "locked", "busy", "disk i/o", "disk is full", "readonly")


def render_error(code: int, detail: str | None = None):
    title, text = messages.ERRORS.get(code, messages.ERRORS[500])
    try:
        html = render_template("errors/error.html", code=code, title=title, text=detail or text)
    except DBAPIError as error:
        # The templates get Flask-Login's current_user, which a logged-in editor's request
        # loads from the database: with the database out of reach, the answer is the 503.
        if code == UNAVAILABLE or not database_unavailable(error):
            raise
        return _unavailable(error)
    return html, code


def forbidden(detail: str) -> NoReturn:
    """Stop with the 403 page saying why (an action the account's role may not take)."""
    abort(current_app.make_response(render_error(403, detail)))


def database_unavailable(error: BaseException | None) -> bool:
    """Is ``error`` (or what it wraps) the database being out of reach, rather than a bug?"""
    if isinstance(error, InternalServerError):
        error = error.original_exception
    if not isinstance(error, DBAPIError):
        return False
    if error.connection_invalidated:  # SQLAlchemy saw the connection die
        return True
    if not isinstance(error, OperationalError | InterfaceError):
        return False  # e.g. IntegrityError, ProgrammingError: the code's or the data's fault
    if isinstance(error.orig, sqlite3.Error):
        reason = str(error.orig).lower()
        return any(words in reason for words in _SQLITE_UNAVAILABLE)
    return True  # PostgreSQL: refused, shutting down, starting up, connection lost, overloaded


def _rollback() -> None:
    """Give the request's connection back clean; one the outage broke is dropped instead."""
    try:
        db.session.rollback()
    except SQLAlchemyError:
        _drop_connections()


def _drop_connections() -> None:
    """Invalidate the session's connections (no ROLLBACK sent on them: they are gone); the
    pool opens new ones when the database answers again."""
    try:
        db.session().invalidate()  # the scoped proxy has no invalidate()
    except SQLAlchemyError:
        current_app.logger.warning("could not drop a broken database connection", exc_info=True)


def _end_session(_error: BaseException | None) -> None:
    """Close the request's session before Flask-SQLAlchemy's teardown does (teardowns run
    last registered first: ``init_app`` comes after the extensions). Closing rolls back on the
    connection; if the database went away after the answer was made, that ROLLBACK fails,
    and raised here it would replace the finished answer with gunicorn's bare 500."""
    if not db.session.registry.has():
        return  # the request used no session (static files, redirects)
    try:
        db.session.close()
    except SQLAlchemyError as error:
        current_app.logger.error("Database connection lost at the end of a request: %s", error)
        _drop_connections()


def _unavailable(error: BaseException):
    # One line per request, no traceback: an outage under load must not flood the log.
    reason = error.original_exception if isinstance(error, InternalServerError) else error
    current_app.logger.error(
        "Database unavailable (503): %s", getattr(reason, "orig", None) or reason
    )
    _rollback()
    if "_login_user" not in g:  # Flask-Login's user of this request, never loaded: no reads
        g._login_user = login.anonymous_user()
    html, code = render_error(UNAVAILABLE)
    # Never kept by a cache: the next request must try the database again.
    return html, code, {"Retry-After": str(RETRY_AFTER_SECONDS), "Cache-Control": "no-store"}


def _http_error(error: HTTPException):
    code = error.code or 500
    if code >= 500:
        _rollback()
    if code not in messages.ERRORS:
        return error  # e.g. redirects raised as exceptions, or 3xx from routing
    response = current_app.make_response(render_error(code))
    # The page replaces werkzeug's, not the headers that belong to the answer: 405's Allow,
    # a Retry-After or WWW-Authenticate given to abort(); the page has its own Content-Type.
    for name, value in error.get_headers():
        if name.lower() != "content-type":
            response.headers.setdefault(name, value)
    return response


def _csrf_error(_error: CSRFError):
    return render_error(400, messages.CSRF_FAILED)


def _unexpected_error(error: Exception):
    if database_unavailable(error):
        return _unavailable(error)
    # A handler for Exception stops Flask from logging it: log the traceback here, where the
    # operators look; the reader sees only the page.
    current_app.logger.error("Unhandled exception", exc_info=error)
    _rollback()
    return render_error(500)


def init_app(app: Flask) -> None:
    app.register_error_handler(CSRFError, _csrf_error)
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(InternalServerError, _unexpected_error)
    app.register_error_handler(Exception, _unexpected_error)
    app.teardown_appcontext(_end_session)
