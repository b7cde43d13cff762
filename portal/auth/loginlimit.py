"""Failed-login counting that every gunicorn worker and every server sees.

The policy: stop guessing without handing a stranger a way to lock an editor out.

- **Per account and source** (``LOGIN_MAX_FAILURES``, 5): a guesser at one address gets five
  passwords per account per window (``LOGIN_FAILURE_WINDOW``, 15 minutes), then that account is
  locked *for that address only*. The editor, elsewhere, logs in as usual.
- **Per address** (``LOGIN_MAX_FAILURES_PER_ADDRESS``, 20): an address trying many accounts is
  stopped for all of them.
- **Per account** (``LOGIN_MAX_FAILURES_PER_ACCOUNT``, 100): guessing one account from many
  addresses is capped at that many passwords per window, for browsers that are not known to the
  account.
- **Known browsers**: a successful login leaves a signed cookie (``login_device``, the account
  name and a random id, ``LOGIN_DEVICE_DAYS``, sent only to the login URL). A browser that
  shows one for the account it logs in to is its own source (counted per account and browser
  instead of per address) and is exempt from the address and account ceilings: a stranger
  spraying from the same office address, or from thousands of addresses, cannot lock the editor
  out of the browser they always use. Nobody can make such a cookie without logging in to that
  account (it is signed with ``SECRET_KEY``).

Two backends, chosen by ``RATELIMIT_STORAGE_URI``: ``"database"`` (the default: the
``login_failure`` table, so nothing but the database is needed) or ``"redis://…"`` (sorted sets,
one per account and source, per address and per account). Both count in a sliding window.

Why not Flask-Limiter: it has no SQL storage (memory, Redis, Memcached, MongoDB only), and its
in-memory default is per process, so under gunicorn each worker would allow its own attempts.
It also counts requests, while we must count *failures* and forget them on success.

Race-free by construction: an attempt first *reserves* a slot (writes a failure and commits),
then counts what is there, itself included. Concurrent attempts therefore see each other, and
at most ``LOGIN_MAX_FAILURES`` passwords are ever checked per window and source, however many
workers race. A reservation is withdrawn when the attempt turns out locked (a locked attempt is
not a new failure, so it cannot extend the lock); a success forgets the failures of its account
and source (the person there knew the password); otherwise the reservation stays as a failure.

The client address is ``request.remote_addr``; behind a reverse proxy that must be the real
client (``PROXY_FIX_X_FOR``), or all clients share one address.
"""

from __future__ import annotations

import secrets
import uuid
from dataclasses import dataclass
from datetime import timedelta
from functools import cached_property

import sqlalchemy as sa
from flask import Flask, Request, current_app, url_for
from itsdangerous import BadData, URLSafeTimedSerializer
from werkzeug.wrappers import Response

from portal.extensions import db
from portal.posts.models import LoginFailure
from portal.timeutil import now_utc

FIELD_MAX = 64  # the login_failure columns' width
DEVICE_COOKIE = "login_device"
_DEVICE_SALT = "portal.auth.login-device"
# A known browser's source, stored where an address would be: it can never equal an address.
_DEVICE_SOURCE = "device:"


@dataclass(frozen=True)
class Limits:
    per_source: int
    per_address: int
    per_account: int
    window: int  # seconds

    def locked(self, *, source: int, address: int, account: int, known: bool) -> bool:
        """Counts include the attempt being decided, hence "more than"."""
        if source > self.per_source:
            return True
        return not known and (address > self.per_address or account > self.per_account)


@dataclass(frozen=True)
class Attempt:
    username: str
    remote_addr: str
    device: str | None  # the known browser's id, or None
    token: str  # identifies this attempt's reservation
    locked: bool

    @property
    def source(self) -> str:
        """Whom the per-source count is about: the known browser, or else the address."""
        return f"{_DEVICE_SOURCE}{self.device}" if self.device else self.remote_addr


def normalize_username(username: str) -> str:
    """Count "Admin" and "admin " as the same account (the attacker picks the spelling)."""
    return username.strip().casefold()[:FIELD_MAX]


def client_address(request: Request) -> str:
    return (request.remote_addr or "unknown")[:FIELD_MAX]


# --- known browsers ----------------------------------------------------------------------------


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.secret_key or "", salt=_DEVICE_SALT)


def known_device(request: Request, username: str) -> str | None:
    """The id of this browser if it has logged in to ``username`` (normalized) before."""
    raw = request.cookies.get(DEVICE_COOKIE)
    if not raw or len(raw) > 512:
        return None
    max_age = int(current_app.config["LOGIN_DEVICE_DAYS"]) * 86400
    try:
        account, device = _serializer().loads(raw, max_age=max_age)
    except (BadData, TypeError, ValueError):
        return None
    return device if account == username and isinstance(device, str) else None


def remember_device(response: Response, attempt: Attempt) -> None:
    """After a successful login: this browser is known to the account (renewed each time)."""
    device = attempt.device or secrets.token_hex(8)
    config = current_app.config
    response.set_cookie(
        DEVICE_COOKIE,
        _serializer().dumps([attempt.username, device]),
        max_age=int(config["LOGIN_DEVICE_DAYS"]) * 86400,
        path=url_for("auth.login"),  # sent nowhere else
        secure=bool(config["SESSION_COOKIE_SECURE"]),
        httponly=True,
        samesite="Lax",
    )


# --- the counters ------------------------------------------------------------------------------


class DatabaseCounter:
    """Failures as rows of ``login_failure`` (a known browser's rows carry its source in
    ``remote_addr``); old rows are pruned as new ones arrive."""

    def __init__(self, limits: Limits):
        self.limits = limits
        self.window = timedelta(seconds=limits.window)

    def begin(self, username: str, remote_addr: str, device: str | None = None) -> Attempt:
        now = now_utc()
        db.session.execute(
            sa.delete(LoginFailure).where(LoginFailure.failed_at < now - self.window)
        )
        attempt = Attempt(username, remote_addr, device, "", locked=False)
        row = LoginFailure(username=username, remote_addr=attempt.source, failed_at=now)
        db.session.add(row)
        db.session.commit()  # visible to every other worker before we count
        since = now - self.window

        def count(*conditions) -> int:
            query = sa.select(sa.func.count()).select_from(LoginFailure)
            found = db.session.scalar(query.where(LoginFailure.failed_at >= since, *conditions))
            return found or 0  # COUNT(*) always returns a row; scalar() is typed for none

        known = device is not None
        locked = self.limits.locked(
            source=count(
                LoginFailure.username == username, LoginFailure.remote_addr == attempt.source
            ),
            address=0 if known else count(LoginFailure.remote_addr == remote_addr),
            account=0 if known else count(LoginFailure.username == username),
            known=known,
        )
        return Attempt(username, remote_addr, device, str(row.id), locked)

    def withdraw(self, attempt: Attempt) -> None:
        db.session.execute(sa.delete(LoginFailure).where(LoginFailure.id == int(attempt.token)))
        db.session.commit()

    def succeeded(self, attempt: Attempt) -> None:
        """The failures of this account from this source are forgotten (the person there knew
        the password: they were typos), everywhere they were counted; the others stay (an
        attacker who owns one account must not reset the address count with it, nor the
        editor's login a stranger's count)."""
        db.session.execute(
            sa.delete(LoginFailure).where(
                sa.or_(
                    LoginFailure.id == int(attempt.token),
                    sa.and_(
                        LoginFailure.username == attempt.username,
                        LoginFailure.remote_addr == attempt.source,
                    ),
                )
            )
        )
        db.session.commit()


class RedisCounter:
    """Failures as members of sorted sets scored by time; each key expires after the window."""

    def __init__(self, url: str, prefix: str, limits: Limits):
        self.url = url
        self.prefix = prefix
        self.limits = limits

    @cached_property
    def redis(self):
        import redis  # only needed when configured

        return redis.Redis.from_url(self.url)

    def keys(self, attempt: Attempt) -> tuple[str, str | None, str]:
        """(per account and source, per address — none for a known browser —, per account)"""
        address = None if attempt.device else f"{self.prefix}addr:{attempt.remote_addr}"
        return (
            f"{self.prefix}source:{attempt.username}:{attempt.source}",
            address,
            f"{self.prefix}user:{attempt.username}",
        )

    def begin(self, username: str, remote_addr: str, device: str | None = None) -> Attempt:
        now = now_utc().timestamp()
        attempt = Attempt(username, remote_addr, device, uuid.uuid4().hex, locked=False)
        keys = self.keys(attempt)
        pipe = self.redis.pipeline(transaction=True)  # MULTI/EXEC: atomic on the server
        for key in keys:
            if key is not None:
                pipe.zremrangebyscore(key, "-inf", now - self.limits.window)
                pipe.zadd(key, {attempt.token: now})
                pipe.zcard(key)
                pipe.expire(key, self.limits.window)
        counts = iter(pipe.execute()[2::4])
        source, address, account = (next(counts) if key else 0 for key in keys)
        locked = self.limits.locked(
            source=source, address=address, account=account, known=device is not None
        )
        return Attempt(username, remote_addr, device, attempt.token, locked)

    def withdraw(self, attempt: Attempt) -> None:
        pipe = self.redis.pipeline(transaction=True)
        for key in self.keys(attempt):
            if key is not None:
                pipe.zrem(key, attempt.token)
        pipe.execute()

    # The source's failures (its own set's members, this attempt's included) leave the address
    # and account sets too, and the source's set goes: one atomic step on the server.
    _FORGET_SOURCE = """
        local failures = redis.call('ZRANGE', KEYS[1], 0, -1)
        for _, failure in ipairs(failures) do
            for i = 2, #KEYS do redis.call('ZREM', KEYS[i], failure) end
        end
        redis.call('DEL', KEYS[1])
    """

    def succeeded(self, attempt: Attempt) -> None:
        keys = [key for key in self.keys(attempt) if key is not None]
        self.redis.eval(self._FORGET_SOURCE, len(keys), *keys)


def counter() -> DatabaseCounter | RedisCounter:
    """The app's counter, made once per app from its configuration."""
    return current_app.extensions["login_failures"]


def _make_counter(config) -> DatabaseCounter | RedisCounter:
    uri = config["RATELIMIT_STORAGE_URI"] or "database"
    limits = Limits(
        per_source=int(config["LOGIN_MAX_FAILURES"]),
        per_address=int(config["LOGIN_MAX_FAILURES_PER_ADDRESS"]),
        per_account=int(config["LOGIN_MAX_FAILURES_PER_ACCOUNT"]),
        window=int(config["LOGIN_FAILURE_WINDOW"]),
    )
    if uri == "database":
        return DatabaseCounter(limits)
    if uri.startswith(("redis://", "rediss://", "unix://")):
        return RedisCounter(uri, config["RATELIMIT_KEY_PREFIX"], limits)
    raise ValueError(f"RATELIMIT_STORAGE_URI must be 'database' or a redis:// URL, not {uri!r}")


def init_app(app: Flask) -> None:
    app.extensions["login_failures"] = _make_counter(app.config)
