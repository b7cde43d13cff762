"""Is a cached page still valid? One indexed read per request, the same on every server."""

from __future__ import annotations

import sqlalchemy as sa
from flask import g

from portal.cache.models import STATE_ID, CacheState
from portal.extensions import db
from portal.posts import queries
from portal.timeutil import now_utc


def token() -> str:
    """The generation every cached page of this request must carry (read once per request).
    When a scheduled post has come due since the generation was set, a new one starts."""
    if "cache_token" not in g:
        state = db.session.get(CacheState, STATE_ID, populate_existing=True)
        if state is None:  # a database made before the cache: its row comes with the first bump
            _bump()
            state = db.session.get(CacheState, STATE_ID, populate_existing=True)
        assert state is not None
        if state.next_due is not None and state.next_due <= now_utc():
            _bump(seen=state.generation)
            state = db.session.get(CacheState, STATE_ID, populate_existing=True)
            assert state is not None
        g.cache_token = f"{state.epoch}.{state.generation}"
    return g.cache_token


def bump() -> None:
    """A change was committed: every cached page on every server is now out of date."""
    _bump()
    g.pop("cache_token", None)


def _bump(seen: int | None = None) -> None:
    """A new generation with the next due time recomputed, in one statement. ``seen``: only if
    the generation is still that one (several servers may notice the same due time)."""
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
    if not updated and seen is None:
        db.session.add(CacheState(id=STATE_ID, generation=1, next_due=next_due))
    db.session.commit()
