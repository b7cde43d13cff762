"""Every post state, walked through every place that tells it: ``state_of`` on a row, its SQL
``condition``, ``Post.is_public`` (both forms), the dashboard filter and label, and what readers
can reach. They must all agree."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa
from page import page

from portal import messages
from portal.extensions import db
from portal.posts import states
from portal.posts.models import Post
from portal.posts.states import STORED, PostState
from portal.timeutil import now_utc


def fields_for(state: PostState) -> dict:
    """Row values that put a post in ``state`` (at the frozen time)."""
    now = now_utc()
    return {
        PostState.DRAFT: {"status": PostState.DRAFT, "published_at": now - timedelta(days=1)},
        # The review states (先审后发): with a time already past, still never public.
        **{
            state: {"status": state, "published_at": now - timedelta(hours=3)}
            for state in (PostState.SUBMITTED, PostState.SIGNOFF, PostState.RETURNED)
        },
        PostState.SCHEDULED: {
            "status": PostState.PUBLISHED,
            "published_at": now + timedelta(days=1),
        },
        PostState.PUBLISHED: {
            "status": PostState.PUBLISHED,
            "published_at": now - timedelta(hours=1),
        },
        PostState.TRASH: {
            "status": PostState.PUBLISHED,
            "published_at": now - timedelta(hours=2),
            "trashed_at": now - timedelta(minutes=5),
        },
    }[state]


@pytest.fixture
def one_post_per_state(make_post, clock):  # noqa: ARG001  (clock: frozen time)
    return {
        state: make_post(title=f"状态{state.value}", **fields_for(state)) for state in PostState
    }


def test_every_state_has_one_distinct_label():
    assert set(messages.POST_STATES) == set(PostState)
    assert len(set(messages.POST_STATES.values())) == len(PostState)


def test_stored_statuses_are_states_and_only_they_are_accepted(app, make_channel):
    assert set(STORED) < set(PostState)
    channel = make_channel()
    with app.app_context(), pytest.raises(ValueError, match="unknown status"):
        Post(title="x", channel_id=channel.id, status=PostState.SCHEDULED)


@pytest.mark.parametrize("state", list(PostState))
def test_a_post_in_each_state_is_told_alike_everywhere(
    app, client, editor_client, one_post_per_state, state
):
    post = one_post_per_state[state]
    with app.app_context():
        row = db.session.get(Post, post.id)
        assert states.state_of(row) is state
        assert row.state is state
        assert row.is_public is (state is PostState.PUBLISHED)
        selected = db.session.scalars(sa.select(Post.id).where(states.condition(Post, state))).all()
        assert selected == [post.id]
        public = db.session.scalars(sa.select(Post.id).where(Post.is_public)).all()
        assert public == [one_post_per_state[PostState.PUBLISHED].id]

    listed = page(editor_client.get("/editor/", query_string={"state": state.value}))
    rows = listed.all("tr")[1:]  # after the header row
    assert len(rows) == 1
    cells = " ".join(rows[0].text.split())
    assert post.title in cells
    assert messages.POST_STATES[state] in cells

    readable = client.get(f"/notices/{post.id}.html").status_code
    assert readable == (200 if state is PostState.PUBLISHED else 404)
    listing = page(client.get("/notices/")).text
    assert (post.title in listing) is (state is PostState.PUBLISHED)
    feed = client.get("/feeds/all.atom").get_data(as_text=True)
    assert (post.title in feed) is (state is PostState.PUBLISHED)


def test_the_dashboard_without_a_filter_shows_every_state_but_the_trash(
    editor_client, one_post_per_state
):
    shown = page(editor_client.get("/editor/")).text
    for state, post in one_post_per_state.items():
        assert (post.title in shown) is (state is not PostState.TRASH)


def test_an_unknown_state_filter_is_a_bad_request(editor_client):
    assert editor_client.get("/editor/?state=pending").status_code == 400


def test_a_scheduled_post_becomes_published_when_its_time_comes(app, make_post, clock):
    post = make_post(**fields_for(PostState.SCHEDULED))
    with app.app_context():
        row = db.session.get(Post, post.id)
        assert row.state is PostState.SCHEDULED
        clock(post.published_at)
        assert row.state is PostState.PUBLISHED
        due = db.session.scalars(sa.select(Post.id).where(Post.is_public)).all()
        assert due == [post.id]
