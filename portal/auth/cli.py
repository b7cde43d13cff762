"""``flask --app portal`` commands for editor accounts (the password is stored only as a hash)."""

from __future__ import annotations

import sys

import click
import sqlalchemy as sa
from flask.cli import with_appcontext

from portal.auth import sessions
from portal.auth.sessions import PASSWORD_MIN
from portal.extensions import db
from portal.posts.models import ROLES, User


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
@click.option(
    "--role",
    type=click.Choice(ROLES),
    default=None,
    help="author (writes, submits for review), reviewer (the default: also approves and "
    "publishes) or admin (everything, channels and accounts too).",
)
@click.option("--admin", is_flag=True, help="The same as --role admin.")
@password_stdin_option
def create_editor_command(
    username: str, display_name: str, role: str | None, admin: bool, password_stdin: bool
):
    """Create an editor account (the password is stored only as a hash)."""
    if admin and role not in (None, "admin"):
        raise click.ClickException(f"--admin and --role {role} disagree.")
    role = "admin" if admin else (role or "reviewer")
    username = username.strip()
    if not username or len(username) > 64:
        raise click.ClickException("A username has 1 to 64 characters.")
    if db.session.scalar(sa.select(User.id).where(User.username == username)):
        raise click.ClickException(f"An editor named {username!r} already exists.")
    user = User(username=username, display_name=display_name.strip()[:64], role=role)
    user.set_password(_read_password(password_stdin))
    db.session.add(user)
    db.session.commit()
    click.echo(f"Editor {username!r} created{'' if role == 'reviewer' else f' ({role})'}.")


@click.command("set-password")
@with_appcontext
@click.argument("username")
@password_stdin_option
def set_password_command(username: str, password_stdin: bool):
    """Give an editor a new password (their open sessions end)."""
    user = _editor(username)
    sessions.set_password(user, _read_password(password_stdin))
    click.echo(f"Password of {username!r} changed; their open sessions have ended.")


@click.command("deactivate-editor")
@with_appcontext
@click.argument("username")
def deactivate_editor_command(username: str):
    """Stop an editor from logging in and end their open sessions (their posts and revisions
    stay)."""
    sessions.deactivate(_editor(username))
    click.echo(f"Editor {username!r} deactivated.")


@click.command("logout-everywhere")
@with_appcontext
@click.argument("username")
def logout_everywhere_command(username: str):
    """End every open session of an editor, on every server (the account stays usable)."""
    sessions.log_out_everywhere(_editor(username))
    click.echo(f"Every session of {username!r} has ended.")


COMMANDS = (
    create_editor_command,
    set_password_command,
    deactivate_editor_command,
    logout_everywhere_command,
)
