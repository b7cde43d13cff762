"""Time is stored in UTC, aware on SQLite and PostgreSQL alike, shown in the site zone."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
import sqlalchemy as sa

from portal.extensions import db
from portal.posts.models import Post
from portal.timeutil import format_site, from_site_local, frozen_clock, now_utc


def test_aware_times_round_trip_as_utc_on_every_backend(make_post, load_post):
    beijing = timezone(timedelta(hours=8))
    post = make_post(published_at=datetime(2019, 8, 6, 17, 19, tzinfo=beijing))
    stored = load_post(post.id).published_at
    assert stored.utcoffset() == timedelta(0)
    assert stored == datetime(2019, 8, 6, 9, 19, tzinfo=UTC)


def test_naive_datetimes_are_refused(app, make_channel):
    channel = make_channel()
    with app.app_context():
        db.session.add(
            Post(
                title="naive",
                channel_id=channel.id,
                published_at=datetime(2020, 1, 1),  # noqa: DTZ001 - the naive value under test
            )
        )
        with pytest.raises(sa.exc.StatementError, match="naive datetime refused"):
            db.session.commit()
        db.session.rollback()


def test_site_time_formatting_and_parsing(app):
    with app.app_context():
        moment = datetime(2019, 8, 6, 9, 19, tzinfo=UTC)
        assert format_site(moment) == "2019-08-06 17:19"
        # A wall-clock time as a form types it: naive by design.
        assert from_site_local(datetime(2019, 8, 6, 17, 19)) == moment  # noqa: DTZ001
        with pytest.raises(ValueError, match="expected a naive wall-clock time"):
            from_site_local(moment)


def test_frozen_clock_is_the_only_clock_and_can_move():
    start = datetime(2026, 1, 1, tzinfo=UTC)
    with frozen_clock(start) as move_to:
        assert now_utc() == start
        move_to(start + timedelta(hours=1))
        assert now_utc() == start + timedelta(hours=1)
    assert now_utc() > datetime(2026, 11, 1, tzinfo=UTC)
