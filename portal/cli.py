"""`flask --app portal …` commands."""

from __future__ import annotations

import click
import sqlalchemy as sa
from flask import Flask

from portal.demo import CHANNELS, demo_posts
from portal.extensions import db
from portal.models import Channel, Post, PostStatus
from portal.sanitize import clean


def seed_demo() -> int:
    """Load the demo channels and posts; what is already there is not added again."""
    channels = {}
    for position, (slug, name, column_type, description, keywords) in enumerate(CHANNELS, 1):
        channel = db.session.scalar(sa.select(Channel).where(Channel.slug == slug))
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
    db.session.flush()

    added = 0
    for demo in demo_posts():
        channel = channels[demo.channel]
        exists = db.session.scalar(
            sa.select(Post.id).where(
                Post.channel_id == channel.id,
                Post.title == demo.title,
                Post.published_at == demo.published_at,
            )
        )
        if exists:
            continue
        db.session.add(
            Post(
                channel=channel,
                title=demo.title,
                source=demo.source,
                body_html=clean(demo.body_html).html,
                status=PostStatus.PUBLISHED,
                published_at=demo.published_at,
                created_at=demo.published_at,
                updated_at=demo.published_at,
            )
        )
        added += 1
    db.session.commit()
    return added


@click.command("seed-demo")
@click.option("--if-empty", is_flag=True, help="Only when the database has no posts yet.")
def seed_demo_command(if_empty: bool) -> None:
    """Load the demo content (channels, the old site's notices and article)."""
    if if_empty and db.session.scalar(sa.select(sa.func.count()).select_from(Post)):
        click.echo("The database already has posts; demo content not loaded.")
        return
    added = seed_demo()
    click.echo(f"Demo content loaded: {added} post(s) added.")


def init_app(app: Flask) -> None:
    app.cli.add_command(seed_demo_command)
