"""Failed-login counting that every gunicorn worker and every server sees.

Two backends, chosen by ``RATELIMIT_STORAGE_URI``: ``"database"`` (the default: the
``login_failure`` table, so nothing but the database is needed) or ``"redis://…"`` (sorted sets,
one per account and one per client address). Both count in a sliding window of
``LOGIN_FAILURE_WINDOW`` seconds and lock after ``LOGIN_MAX_FAILURES`` failures.

Why not Flask-Limiter: it has no SQL storage (memory, Redis, Memcached, MongoDB only), and its
in-memory default is per process, so under gunicorn each worker would allow its own 5 attempts.
It also counts requests, while we must count *failures* and forget them on success.

Race-free by construction: an attempt first *reserves* a slot (writes a failure and commits),
then counts what is there, itself included. Concurrent attempts therefore see each other, and
at most ``LOGIN_MAX_FAILURES`` passwords are ever checked per window, however many workers
race. A reservation is withdrawn when the attempt turns out locked (a locked attempt is not a
new failure, so it cannot extend the lock) or succeeds; otherwise it stays as the failure.

The client address is ``request.remote_addr``; behind a reverse proxy that must be the real
client (configure ``werkzeug.middleware.proxy_fix.ProxyFix``), or all clients share one address.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import timedelta
from functools import cached_property

import sqlalchemy as sa
from flask import Flask, current_app

from portal.extensions import db
from portal.posts.models import LoginFailure
from portal.timeutil import now_utc

FIELD_MAX = 64  # the login_failure columns' width


@dataclass(frozen=True)
class Attempt:
    username: str
    remote_addr: str
    token: str  # identifies this attempt's reservation
    locked: bool


def normalize_username(username: str) -> str:
    """Count "Admin" and "admin " as the same account (the attacker picks the spelling)."""
    return username.strip().casefold()[:FIELD_MAX]


class DatabaseCounter:
    """Failures as rows of ``login_failure``; old rows are pruned as new ones arrive."""

    def __init__(self, max_failures: int, window: int):
        self.max_failures = max_failures
        self.window = timedelta(seconds=window)

    def begin(self, username: str, remote_addr: str) -> Attempt:
        now = now_utc()
        db.session.execute(
            sa.delete(LoginFailure).where(LoginFailure.failed_at < now - self.window)
        )
        row = LoginFailure(username=username, remote_addr=remote_addr, failed_at=now)
        db.session.add(row)
        db.session.commit()  # visible to every other worker before we count
        since = now - self.window
        counts = [
            db.session.scalar(
                sa.select(sa.func.count())
                .select_from(LoginFailure)
                .where(column == value, LoginFailure.failed_at >= since)
            )
            or 0  # COUNT(*) always returns a row; scalar() is typed for "no row" too
            for column, value in (
                (LoginFailure.username, username),
                (LoginFailure.remote_addr, remote_addr),
            )
        ]
        locked = max(counts) > self.max_failures
        return Attempt(username, remote_addr, str(row.id), locked)

    def withdraw(self, attempt: Attempt) -> None:
        db.session.execute(sa.delete(LoginFailure).where(LoginFailure.id == int(attempt.token)))
        db.session.commit()

    def succeeded(self, attempt: Attempt) -> None:
        """The account's failures are forgotten; the address keeps its own (an attacker who
        owns one account must not be able to reset the address count with it)."""
        db.session.execute(
            sa.delete(LoginFailure).where(
                sa.or_(
                    LoginFailure.id == int(attempt.token),
                    LoginFailure.username == attempt.username,
                )
            )
        )
        db.session.commit()


class RedisCounter:
    """Failures as members of sorted sets scored by time; each key expires after the window."""

    def __init__(self, url: str, prefix: str, max_failures: int, window: int):
        self.url = url
        self.prefix = prefix
        self.max_failures = max_failures
        self.window = window

    @cached_property
    def redis(self):
        import redis  # only needed when configured

        return redis.Redis.from_url(self.url)

    def keys(self, attempt_username: str, remote_addr: str) -> tuple[str, str]:
        return (f"{self.prefix}user:{attempt_username}", f"{self.prefix}addr:{remote_addr}")

    def begin(self, username: str, remote_addr: str) -> Attempt:
        now = now_utc().timestamp()
        token = uuid.uuid4().hex
        pipe = self.redis.pipeline(transaction=True)  # MULTI/EXEC: atomic on the server
        for key in self.keys(username, remote_addr):
            pipe.zremrangebyscore(key, "-inf", now - self.window)
            pipe.zadd(key, {token: now})
            pipe.zcard(key)
            pipe.expire(key, self.window)
        results = pipe.execute()
        counts = results[2::4]
        return Attempt(username, remote_addr, token, max(counts) > self.max_failures)

    def withdraw(self, attempt: Attempt) -> None:
        pipe = self.redis.pipeline(transaction=True)
        for key in self.keys(attempt.username, attempt.remote_addr):
            pipe.zrem(key, attempt.token)
        pipe.execute()

    def succeeded(self, attempt: Attempt) -> None:
        user_key, addr_key = self.keys(attempt.username, attempt.remote_addr)
        pipe = self.redis.pipeline(transaction=True)
        pipe.delete(user_key)
        pipe.zrem(addr_key, attempt.token)
        pipe.execute()


def counter() -> DatabaseCounter | RedisCounter:
    """The app's counter, made once per app from its configuration."""
    return current_app.extensions["login_failures"]


def _make_counter(config) -> DatabaseCounter | RedisCounter:
    uri = config["RATELIMIT_STORAGE_URI"] or "database"
    max_failures = int(config["LOGIN_MAX_FAILURES"])
    window = int(config["LOGIN_FAILURE_WINDOW"])
    if uri == "database":
        return DatabaseCounter(max_failures, window)
    if uri.startswith(("redis://", "rediss://", "unix://")):
        return RedisCounter(uri, config["RATELIMIT_KEY_PREFIX"], max_failures, window)
    raise ValueError(f"RATELIMIT_STORAGE_URI must be 'database' or a redis:// URL, not {uri!r}")


def init_app(app: Flask) -> None:
    app.extensions["login_failures"] = _make_counter(app.config)
