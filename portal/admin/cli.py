"""``flask --app portal create-channel | edit-channel | list-channels``: 栏目管理 from the command
line, checked by the same form and written by the same functions as the web pages."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import with_appcontext
from werkzeug.datastructures import MultiDict

from portal.admin import channels as channel_writes
from portal.admin.forms import ChannelForm
from portal.posts import queries
from portal.posts.models import COLUMN_TYPES, Channel

_OPTIONS = (
    ("name", "--name", "栏目名称 (the channel's name)."),
    ("column_type", "--type", f"栏目类别, one of: {' '.join(COLUMN_TYPES)}."),
    ("description", "--description", "栏目说明."),
    ("keywords", "--keywords", "关键词."),
    ("position", "--position", "Order in lists and the navigation (0–9999)."),
    (
        "update_days",
        "--update-days",
        "Days without a new public post before the dashboard warns; "
        "'' for the column type's default.",
    ),
    (
        "review_steps",
        "--review-steps",
        "先审后发 steps here: 0, 1 or 2; '' for the site's REVIEW_STEPS.",
    ),
)


def channel_options(command):
    for name, flag, help_text in reversed(_OPTIONS):
        command = click.option(flag, name, default=None, help=help_text)(command)
    return click.option("--shown/--hidden", default=None, help="In the navigation and home page.")(
        command
    )


def _checked(channel: Channel | None, typed: dict) -> dict:
    """The form's values for ``typed`` (over the channel's current ones); its errors end the
    command."""
    current: dict[str, str] = {}
    if channel is not None:
        form = ChannelForm(
            formdata=None, meta={"csrf": False}, channel=None, taken=(), site_steps=0
        )
        form.fill(channel)
        current = {name: field.data for name, field in form._fields.items()}
        current["in_nav"] = "y" if channel.in_nav else ""
    data = {**current, **{key: value for key, value in typed.items() if value is not None}}
    shown = typed.get("shown")
    data["in_nav"] = ("y" if shown else "") if shown is not None else current.get("in_nav", "y")
    taken = [row.slug for row in queries.channels() if channel is None or row.id != channel.id]
    form = ChannelForm(
        formdata=MultiDict({key: str(value) for key, value in data.items() if value is not None}),
        meta={"csrf": False},
        channel=channel,
        taken=taken,
        site_steps=current_app.config["REVIEW_STEPS"],
    )
    if not form.validate():
        errors = "; ".join(
            f"{form[name].label.text}: {' '.join(e)}" for name, e in form.errors.items()
        )
        raise click.ClickException(errors)
    return form.values()


@click.command("create-channel")
@with_appcontext
@click.argument("slug")
@channel_options
def create_channel_command(slug: str, **typed):
    """Create a channel at /SLUG/ (--name and --type are required)."""
    for required in ("name", "column_type"):
        if typed.get(required) is None:
            raise click.ClickException(
                f"--{'type' if required == 'column_type' else required} is required."
            )
    channel = channel_writes.create(_checked(None, {**typed, "slug": slug}))
    click.echo(f"Channel {channel.slug!r} ({channel.name}) created.")


@click.command("edit-channel")
@with_appcontext
@click.argument("slug")
@click.option("--slug", "new_slug", default=None, help="A new slug (the old URLs redirect, 301).")
@channel_options
def edit_channel_command(slug: str, new_slug: str | None, **typed):
    """Change the settings given; the others stay."""
    channel = queries.channel_by_slug(slug)
    if channel is None:
        raise click.ClickException(f"No channel {slug!r}.")
    old = channel.slug
    channel_writes.update(channel, _checked(channel, {**typed, "slug": new_slug}))
    moved = f" (old URLs /{old}/… redirect to /{channel.slug}/…)" if channel.slug != old else ""
    click.echo(f"Channel {channel.slug!r} saved{moved}.")


@click.command("list-channels")
@with_appcontext
def list_channels_command():
    """Every channel, in order: position, slug, name, type, shown, update rule, review steps."""
    site_steps = current_app.config["REVIEW_STEPS"]
    for channel in queries.channels():
        steps = channel.review_steps if channel.review_steps is not None else f"{site_steps} (site)"
        shown = "shown" if channel.in_nav else "hidden"
        click.echo(
            f"{channel.position}\t{channel.slug}\t{channel.name}\t{channel.column_type}\t{shown}"
            f"\t{channel.update_rule} days\t{steps} steps\t{channel.listed_posts} posts"
        )


COMMANDS = (create_channel_command, edit_channel_command, list_channels_command)
