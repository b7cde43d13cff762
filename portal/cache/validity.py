"""Is a cached page still valid? One indexed read per request, the same on every server."""

from __future__ import annotations

import sqlalchemy as sa
from flask import g

from portal.cache.models import STATE_ID, CacheState
from portal.extensions import db
from portal.posts import queries
from portal.timeutil import UTCDateTime, now_utc


def token() -> str:
    """What every cached page of this request must carry (read once per request, one indexed
    statement): the generation, and the time of the newest change to any post, so that even a
    change whose signal was lost (a process killed between its commit and the bump) is seen.
    When a scheduled post has come due since the generation was set, a new one starts."""
    if "cache_token" not in g:
        state = _read()
        if state is None:  # a database made before the cache: its row comes with the first bump
            _bump()
            state = _read()
        assert state is not None
        epoch, generation, next_due, newest = state
        if next_due is not None and next_due <= now_utc():
            _bump(seen=generation)
            state = _read()
            assert state is not None
            epoch, generation, next_due, newest = state
        g.cache_token = f"{epoch}.{generation}.{newest.timestamp() if newest else 0}"
    return g.cache_token


# Every request of every reader runs this: kept as one literal statement (no statement built,
# no ORM), the newest change found by one step of the (updated_at) index.
_STATE = sa.text(
    "SELECT epoch, generation, next_due, (SELECT max(updated_at) FROM post) AS newest"
    f" FROM cache_state WHERE id = {STATE_ID}"
).columns(
    sa.column("epoch", sa.String),
    sa.column("generation", sa.Integer),
    sa.column("next_due", UTCDateTime),
    sa.column("newest", UTCDateTime),
)


def _read():
    return db.session.connection().execute(_STATE).one_or_none()


def bump() -> None:
    """A change was committed: every cached page on every server is now out of date."""
    _bump()
    g.pop("cache_token", None)


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
