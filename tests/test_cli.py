"""`flask --app portal …` commands: editor accounts (checked by logging in through the form)
and seed-demo."""

from __future__ import annotations

import sqlalchemy as sa
from support import login

from portal.extensions import db
from portal.posts.models import Post, User

PASSWORD = "long enough password"


def stored_user(app, username) -> User | None:
    with app.app_context():
        user = db.session.scalar(sa.select(User).where(User.username == username))
        if user is not None:
            db.session.expunge(user)
        return user


def test_create_editor_asks_twice_and_stores_only_a_scrypt_hash(app, runner, client):
    result = runner.invoke(
        args=["create-editor", "wang", "--display-name", "王编辑"],
        input=f"{PASSWORD}\n{PASSWORD}\n",
    )
    assert result.exit_code == 0, result.output
    assert "Editor 'wang' created." in result.output
    user = stored_user(app, "wang")
    assert user.display_name == "王编辑"
    assert not user.is_admin
    assert PASSWORD not in user.password_hash
    assert user.password_hash.startswith("scrypt:")  # test accounts use a cheap hash instead
    assert login(client, "wang", PASSWORD).status_code == 302
    assert "当前用户：王编辑" in client.get("/editor/").get_data(as_text=True)


def test_create_editor_refuses_two_different_passwords(app, runner):
    result = runner.invoke(args=["create-editor", "wang"], input=f"{PASSWORD}\nsomething else\n")
    assert result.exit_code != 0
    assert "do not match" in result.output
    assert stored_user(app, "wang") is None


def test_create_admin_from_standard_input(app, runner, client):
    result = runner.invoke(
        args=["create-editor", "root", "--admin", "--password-stdin"], input=f"{PASSWORD}\n"
    )
    assert result.exit_code == 0, result.output
    assert "(admin)" in result.output
    assert stored_user(app, "root").is_admin
    assert login(client, "root", PASSWORD).status_code == 302


def test_password_shorter_than_ten_characters_is_refused(app, runner):
    result = runner.invoke(args=["create-editor", "wang", "--password-stdin"], input="123456789\n")
    assert result.exit_code == 1
    assert "at least 10 characters" in result.output
    assert stored_user(app, "wang") is None


def test_existing_username_is_refused(runner, make_editor):
    make_editor("wang")
    result = runner.invoke(
        args=["create-editor", "wang", "--password-stdin"], input=f"{PASSWORD}\n"
    )
    assert result.exit_code == 1
    assert "already exists" in result.output


def test_set_password_replaces_the_old_one(app, runner, client, make_editor):
    make_editor("wang", password="the old password")
    result = runner.invoke(args=["set-password", "wang", "--password-stdin"], input=f"{PASSWORD}\n")
    assert result.exit_code == 0, result.output
    assert stored_user(app, "wang").password_hash.startswith("scrypt:")
    assert login(client, "wang", "the old password").status_code == 400
    assert login(client, "wang", PASSWORD).status_code == 302


def test_set_password_at_the_prompt(runner, client, make_editor):
    make_editor("wang", password="the old password")
    result = runner.invoke(args=["set-password", "wang"], input=f"{PASSWORD}\n{PASSWORD}\n")
    assert result.exit_code == 0, result.output
    assert login(client, "wang", PASSWORD).status_code == 302


def test_deactivated_editor_can_no_longer_log_in(runner, client, make_editor):
    make_editor("wang", password=PASSWORD)
    result = runner.invoke(args=["deactivate-editor", "wang"])
    assert result.exit_code == 0, result.output
    assert "deactivated" in result.output
    assert login(client, "wang", PASSWORD).status_code == 400


def test_commands_on_an_unknown_editor_fail_clearly(runner):
    for args in (["set-password", "ghost", "--password-stdin"], ["deactivate-editor", "ghost"]):
        result = runner.invoke(args=args, input=f"{PASSWORD}\n")
        assert result.exit_code == 1
        assert "No editor named 'ghost'" in result.output


def test_seed_demo_still_loads_once(app, runner):
    first = runner.invoke(args=["seed-demo"])
    assert first.exit_code == 0, first.output
    assert "Demo content loaded" in first.output
    with app.app_context():
        count = db.session.scalar(sa.select(sa.func.count()).select_from(Post))
    assert count > 0
    again = runner.invoke(args=["seed-demo", "--if-empty"])
    assert "already has posts" in again.output
