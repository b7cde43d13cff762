"""The time policy, in one place.

Times are stored in UTC and always time-zone aware; ``now_utc()`` is the only clock (tests
freeze it, they never sleep); readers see times in the site zone (config ``TIMEZONE``).
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from functools import lru_cache
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask import current_app, has_app_context

DEFAULT_ZONE = "Asia/Shanghai"
DISPLAY_FORMAT = "%Y-%m-%d %H:%M"  # 发布时间 on pages and <meta name="PubDate">

_clock: Callable[[], datetime] | None = None


def now_utc() -> datetime:
    """The current time, aware, in UTC; the only clock the application reads."""
    return _clock() if _clock is not None else datetime.now(UTC)


@contextlib.contextmanager
def frozen_clock(moment: datetime) -> Iterator[Callable[[datetime], None]]:
    """Freeze ``now_utc()`` at ``moment``; yields a function that moves the clock."""
    global _clock
    current = [_require_aware(moment).astimezone(UTC)]

    def move_to(new_moment: datetime) -> None:
        current[0] = _require_aware(new_moment).astimezone(UTC)

    previous, _clock = _clock, lambda: current[0]
    try:
        yield move_to
    finally:
        _clock = previous


@lru_cache(maxsize=8)
def _zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


def site_zone() -> ZoneInfo:
    name = current_app.config["TIMEZONE"] if has_app_context() else DEFAULT_ZONE
    return _zone(name)


def to_site(moment: datetime) -> datetime:
    return _require_aware(moment).astimezone(site_zone())


def format_site(moment: datetime | None, fmt: str = DISPLAY_FORMAT) -> str:
    return "" if moment is None else to_site(moment).strftime(fmt)


def from_site_local(naive: datetime) -> datetime:
    """A wall-clock time typed in the site zone (e.g. a datetime-local input) as aware UTC."""
    if naive.tzinfo is not None:
        raise ValueError("expected a naive wall-clock time")
    return naive.replace(tzinfo=site_zone()).astimezone(UTC)


def _require_aware(moment: datetime) -> datetime:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"naive datetime refused: {moment!r}")
    return moment


class UTCDateTime(sa.TypeDecorator[datetime]):
    """A timestamp column that refuses naive values and always returns aware UTC.

    PostgreSQL stores ``timestamptz``; SQLite has no zones, so the UTC wall time is stored and
    the zone is put back on the way out, making both engines behave the same.
    """

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: sa.Dialect) -> datetime | None:
        if value is None:
            return None
        value = _require_aware(value).astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, _dialect: sa.Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)
