"""`flask --app portal …` commands."""

from __future__ import annotations

import sys

import click
import sqlalchemy as sa
from flask import Flask
from flask.cli import with_appcontext

from portal.demo import CHANNELS, demo_posts
from portal.extensions import db
from portal.models import Channel, Post, PostStatus, User
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
        # Known by channel and time, not title: an editor may complete a cut demo title.
        exists = db.session.scalar(
            sa.select(Post.id).where(
                Post.channel_id == channel.id, Post.published_at == demo.published_at
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
@with_appcontext
@click.option("--if-empty", is_flag=True, help="Only when the database has no posts yet.")
def seed_demo_command(if_empty: bool) -> None:
    """Load the demo content (channels, the old site's notices and article)."""
    if if_empty and db.session.scalar(sa.select(sa.func.count()).select_from(Post)):
        click.echo("The database already has posts; demo content not loaded.")
        return
    added = seed_demo()
    click.echo(f"Demo content loaded: {added} post(s) added.")


# --- editor accounts ---------------------------------------------------------------------------

PASSWORD_MIN = 10


def _read_password(password_stdin: bool) -> str:
    """One line from standard input, or asked twice at a hidden prompt."""
    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    if len(password) < PASSWORD_MIN:
        raise click.ClickException(f"The password must have at least {PASSWORD_MIN} characters.")
    return password


def _editor(username: str) -> User:
    user = db.session.scalar(sa.select(User).where(User.username == username))
    if user is None:
        raise click.ClickException(f"No editor named {username!r}.")
    return user


password_stdin_option = click.option(
    "--password-stdin", is_flag=True, help="Read the password from one line of standard input."
)


@click.command("create-editor")
@with_appcontext
@click.argument("username")
@click.option("--display-name", default="", help="The name shown on pages (default: USERNAME).")
@click.option("--admin", is_flag=True, help="May delete posts forever.")
@password_stdin_option
def create_editor_command(username: str, display_name: str, admin: bool, password_stdin: bool):
    """Create an editor account (the password is stored only as a hash)."""
    username = username.strip()
    if not username or len(username) > 64:
        raise click.ClickException("A username has 1 to 64 characters.")
    if db.session.scalar(sa.select(User.id).where(User.username == username)):
        raise click.ClickException(f"An editor named {username!r} already exists.")
    user = User(username=username, display_name=display_name.strip()[:64], is_admin=admin)
    user.set_password(_read_password(password_stdin))
    db.session.add(user)
    db.session.commit()
    click.echo(f"Editor {username!r} created{' (admin)' if admin else ''}.")


@click.command("set-password")
@with_appcontext
@click.argument("username")
@password_stdin_option
def set_password_command(username: str, password_stdin: bool):
    """Give an editor a new password."""
    user = _editor(username)
    user.set_password(_read_password(password_stdin))
    db.session.commit()
    click.echo(f"Password of {username!r} changed.")


@click.command("deactivate-editor")
@with_appcontext
@click.argument("username")
def deactivate_editor_command(username: str):
    """Stop an editor from logging in (their posts and revisions stay)."""
    user = _editor(username)
    user.active = False
    db.session.commit()
    click.echo(f"Editor {username!r} deactivated.")


def init_app(app: Flask) -> None:
    app.cli.add_command(seed_demo_command)
    app.cli.add_command(create_editor_command)
    app.cli.add_command(set_password_command)
    app.cli.add_command(deactivate_editor_command)
