"""Is a cached page still valid? One indexed read per request, the same on every server."""

from __future__ import annotations

from typing import Any, NamedTuple

import sqlalchemy as sa

from portal.cache.models import STATE_ID, CacheState
from portal.extensions import DriverStatement, db
from portal.posts import queries
from portal.timeutil import UTCDateTime, now_utc


class State(NamedTuple):
    """The row every cached page is checked against."""

    token: str  # the generation and the newest change: part of every cached page's key
    generation: int
    due: bool  # a scheduled post has come due since the generation was set


# Every request of every reader runs this: one literal statement (nothing built, no ORM), the
# newest change found by one step of the (updated_at) index; on the driver's own cursor.
_STATE = DriverStatement(
    sa.text(
        "SELECT epoch, generation, next_due, (SELECT max(updated_at) FROM post) AS newest"
        f" FROM cache_state WHERE id = {STATE_ID}"
    )
)
_TIME = UTCDateTime()


def read(connection: sa.Connection) -> State | None:
    """The validity as of now; None for a database made before the cache (its row comes with
    the first bump). The newest change is part of the token, so that even a change whose signal
    was lost (a process killed between its commit and the bump) is seen. (The token holds the
    driver's value of that time as it comes: every server reads the same database.)"""
    row = _STATE.first_row(connection)
    if row is None:
        return None
    epoch, generation, next_due, newest = row
    token = f"{epoch}.{generation}.{newest}"
    return State(token, generation, next_due is not None and _due(next_due, connection.dialect))


def _due(next_due: Any, dialect: sa.Dialect) -> bool:
    """Is the driver's value of ``next_due`` (a string on SQLite) now or past?"""
    process = _TIME.dialect_impl(dialect).result_processor(dialect, None)
    value: Any = process(next_due) if process is not None else next_due
    return bool(value <= now_utc())


def start_generation(seen: int | None) -> None:
    """A scheduled post came due (``seen``: the generation that saw it) or the row is missing
    (None): a new generation begins, once, however many servers notice it at the same time."""
    _bump(seen=seen)


def bump() -> None:
    """A change was committed: every cached page on every server is now out of date."""
    _bump()


def _bump(seen: int | None = None) -> None:
    """A new generation, with the next due time found anew. ``seen``: only if the generation
    is still that one (several servers may notice the same due time at once)."""
    now = now_utc()
    next_due = queries.next_scheduled_time(now)
    updated = db.session.execute(
        sa.update(CacheState)
        .where(
            CacheState.id == STATE_ID,
            *([CacheState.generation == seen] if seen is not None else []),
        )
        .values(generation=CacheState.generation + 1, next_due=next_due)
    ).rowcount  # type: ignore[attr-defined]
    if updated or seen is not None:
        db.session.commit()
        return
    db.session.add(CacheState(id=STATE_ID, generation=1, next_due=next_due))
    try:
        db.session.commit()
    except sa.exc.IntegrityError:
        db.session.rollback()  # another server made the row first: its generation is as new
