"""Error pages in Chinese, in the site layout, with the right status and no traceback."""

from __future__ import annotations

from flask import Flask, current_app, render_template
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, InternalServerError

from portal import messages
from portal.extensions import db


def render_error(code: int, detail: str | None = None):
    title, text = messages.ERRORS.get(code, messages.ERRORS[500])
    return render_template("errors/error.html", code=code, title=title, text=detail or text), code


def _http_error(error: HTTPException):
    code = error.code or 500
    if code >= 500:
        db.session.rollback()
    if code not in messages.ERRORS:
        return error  # e.g. redirects raised as exceptions, or 3xx from routing
    return render_error(code)


def _csrf_error(_error: CSRFError):
    return render_error(400, messages.CSRF_FAILED)


def _unexpected_error(error: Exception):
    # A handler for Exception stops Flask from logging it: log the traceback here, where the
    # operators look; the reader sees only the page.
    current_app.logger.error("Unhandled exception", exc_info=error)
    db.session.rollback()
    return render_error(500)


def init_app(app: Flask) -> None:
    app.register_error_handler(CSRFError, _csrf_error)
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(InternalServerError, _unexpected_error)
    app.register_error_handler(Exception, _unexpected_error)
