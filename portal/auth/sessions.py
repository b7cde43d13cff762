"""Whose a session is, and the account changes that end sessions — in one place.

A session names its user as ``"<id>:<session_token>"`` (``User.get_id``) and is honoured only
while that token is still the user's. Each event that must end a user's sessions everywhere
gives the user a new token (``User.end_sessions``) and commits it: logging out, a new password
(``User.set_password`` renews the token itself), deactivation, and an administrator's "log this
user out everywhere". Nothing is kept per session on the server: loading the user, which every
logged-in request does anyway, is the check, so every worker and every server sees the end at
its next request. The signed session cookie itself cannot be revoked; it just stops naming
anyone.

The CLI (``portal/auth/cli.py``) and the future administration pages call these functions.
"""

from __future__ import annotations

import hmac

from flask import g, session
from flask_login import login_user, logout_user

from portal.extensions import db
from portal.posts.models import User
from portal.timeutil import now_utc
from portal.web.params import parse_int

PASSWORD_MIN = 10  # characters, for every way of choosing a password (form and CLI)


def user_for_session(user_id: str) -> User | None:
    """Flask-Login's user loader: the active user whose current token the session carries."""
    number, _, token = user_id.partition(":")
    row_id = parse_int(number)
    if row_id is None or not token:
        return None  # also a session from before tokens existed: it ends once
    user = db.session.get(User, row_id)
    if user is None or not user.active:
        return None
    return user if hmac.compare_digest(user.session_token, token) else None


def start(user: User) -> None:
    """Log ``user`` in on a session that starts afresh (no session fixation): nothing from the
    session before the login survives, its CSRF token included, so a token or a cookie someone
    planted or read before the login is worth nothing after it."""
    user.last_login_at = now_utc()
    db.session.commit()
    session.clear()
    g.pop("csrf_token", None)  # Flask-WTF keeps the request's token here once it has made it
    login_user(user)


def log_out(user: User) -> None:
    """This session ends, and so does every other session of ``user``, on every server."""
    logout_user()
    user.end_sessions()
    db.session.commit()


def log_out_everywhere(user: User) -> None:
    """An administrator's "log this user out everywhere" (and ``flask logout-everywhere``)."""
    user.end_sessions()
    db.session.commit()


def set_password(user: User, password: str) -> None:
    """A new password; every session made with the old one ends."""
    user.set_password(password)
    db.session.commit()


def change_own_password(user: User, password: str) -> None:
    """The user's own change: every other session ends, this one goes on (with the new token).
    An initial password an administrator set is now changed, as it had to be."""
    user.must_change_password = False
    set_password(user, password)
    login_user(user)


def deactivate(user: User) -> None:
    """The account can no longer log in, and its open sessions end (for good: reactivating it
    later does not bring them back)."""
    user.active = False
    user.end_sessions()
    db.session.commit()
