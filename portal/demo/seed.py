"""``seed-demo``: the demo channels and posts, saved through the one write path."""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from portal.demo import CHANNELS, demo_posts
from portal.extensions import db
from portal.posts import queries, service
from portal.posts.content import PostContent
from portal.posts.models import Channel
from portal.posts.states import PostAction


def ensure_channels(specs) -> dict[str, Channel]:
    """The channels of ``specs`` ((slug, name, column type, description, keywords), in
    navigation order) by slug, made where missing."""
    channels = {}
    for position, (slug, name, column_type, description, keywords) in enumerate(specs, 1):
        channel = queries.channel_by_slug(slug)
        if channel is None:
            channel = Channel(
                slug=slug,
                name=name,
                column_type=column_type,
                description=description,
                keywords=keywords,
                position=position,
            )
            db.session.add(channel)
        channels[slug] = channel
    db.session.commit()
    return channels


def seed_demo() -> int:
    """Load the demo channels and posts; what is already there is not added again."""
    channels = ensure_channels(CHANNELS)
    added = 0
    for demo in demo_posts():
        channel = channels[demo.channel]
        # Known by channel and time, not title: an editor may complete a cut demo title.
        if queries.post_at(channel, demo.published_at) is not None:
            continue
        content = PostContent.from_raw_body(
            demo.body_html, title=demo.title, channel_id=channel.id, source=demo.source
        )
        service.create(
            content,
            action=PostAction.PUBLISH,
            published_at=demo.published_at,
            editor=None,
            changed_at=demo.published_at,  # the old site's post, as old as it is
        )
        added += 1
    return added


@click.command("seed-demo")
@with_appcontext
@click.option("--if-empty", is_flag=True, help="Only when the database has no posts yet.")
def seed_demo_command(if_empty: bool) -> None:
    """Load the demo content (channels, the old site's notices and article)."""
    if if_empty and queries.post_count():
        click.echo("The database already has posts; demo content not loaded.")
        return
    added = seed_demo()
    click.echo(f"Demo content loaded: {added} post(s) added.")
