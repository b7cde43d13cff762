"""Accounts, as administrators change them: each change one transaction with its 操作日志 entry.

A new account (or a reset) gets a one-time initial password, shown once to the administrator
and stored only as a hash, which must be changed at the first login (``must_change_password``).
Ending an account's sessions is ``User.end_sessions`` (a new session token: every session made
before names no one, on every server, at its next request) — what ``portal.auth.sessions``
does for logouts; a blueprint's package is not imported from another, so the model's method is
called here. The site always keeps one active administrator.
"""

from __future__ import annotations

import secrets

import sqlalchemy as sa

from portal import audit, messages
from portal.extensions import db
from portal.posts.models import Channel, User

# No 0/O, 1/l/I: the password is read off the screen and typed once.
ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnpqrstuvwxyz23456789"
INITIAL_PASSWORD_LENGTH = 14  # about 82 bits


class LastAdmin(Exception):
    """The change would leave the site without an active administrator."""


def initial_password() -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(INITIAL_PASSWORD_LENGTH))


def target(user: User) -> str:
    return f"user:{user.username}"


def create(username: str, display_name: str, role: str, channels: list[Channel]) -> tuple:
    """A new account and its one-time initial password: (user, password)."""
    password = initial_password()
    user = User(username=username, display_name=display_name, role=role)
    user.set_password(password)
    user.must_change_password = True
    user.review_channels = channels if role == "reviewer" else []
    db.session.add(user)
    db.session.flush()
    audit.add("account.create", target=target(user), detail=_described(user))
    db.session.commit()
    return user, password


def update(user: User, display_name: str, role: str, channels: list[Channel]) -> None:
    """Its name, role and (a reviewer's) channels."""
    if role != "admin" and _last_admin(user):
        raise LastAdmin
    user.display_name = display_name
    user.role = role
    user.review_channels = channels if role == "reviewer" else []
    audit.add("account.edit", target=target(user), detail=_described(user))
    db.session.commit()


def set_active(user: User, active: bool) -> None:
    """Deactivated, it can no longer log in and its open sessions end; or active again."""
    if not active and _last_admin(user):
        raise LastAdmin
    user.active = active
    if not active:
        user.end_sessions()
    audit.add("account.activate" if active else "account.deactivate", target=target(user))
    db.session.commit()


def log_out_everywhere(user: User) -> None:
    user.end_sessions()
    audit.add("account.logout", target=target(user))
    db.session.commit()


def reset_password(user: User) -> str:
    """A new one-time initial password (its sessions end); returned to be shown once."""
    password = initial_password()
    user.set_password(password)  # also ends its sessions
    user.must_change_password = True
    audit.add("account.password", target=target(user))
    db.session.commit()
    return password


def _last_admin(user: User) -> bool:
    if user.role != "admin" or not user.active:
        return False
    others = sa.select(sa.func.count()).select_from(User)
    others = others.where(User.role == "admin", User.active.is_(True), User.id != user.id)
    return not db.session.scalar(others)


def _described(user: User) -> str:
    role = messages.ROLES[user.role]
    channels = "、".join(channel.name for channel in user.review_channels)
    return f"{user.shown_name}：{role}" + (f"（限定栏目：{channels}）" if channels else "")
