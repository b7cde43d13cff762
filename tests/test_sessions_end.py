"""A session ends when it must: logout, a new password (CLI or the editor's own form),
deactivation and "log out everywhere" end every session of that user, on every server; a
login starts a new session with a new CSRF token.

"A saved cookie" is what an attacker who copied it, or a browser left open elsewhere, holds:
each test replays it in a fresh client and expects the login page, never an editor page.
"""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from support import EDITOR_PASSWORD, csrf_token, edit_url, login, post_id_of, press, write_post
from test_migrations import empty_postgresql_schema, flask

from portal.auth import sessions
from portal.extensions import db
from portal.posts.models import User

NEW_PASSWORD = "a brand new password"


def saved_cookie(client) -> str:
    cookie = client.get_cookie("session")
    assert cookie is not None, "the client has no session"
    return cookie.value


def replay(app, cookie: str):
    """A new browser that carries nothing but the saved session cookie."""
    browser = app.test_client()
    browser.set_cookie("session", cookie)
    return browser


def editor_pages(client, make_channel) -> list[str]:
    """Every kind of editor page, for a post that has a revision."""
    edit = edit_url(write_post(client, make_channel("notices"), "draft"))
    post_id = post_id_of(edit)
    return [
        "/editor/",
        "/editor/posts/new",
        edit,
        f"/editor/posts/{post_id}/revisions",
        f"/editor/posts/{post_id}/revisions/1",
        "/editor/password",
    ]


def assert_opens(client, pages):
    for page in pages:
        response = client.get(page)
        assert response.status_code == 200, (page, response.status_code)


def assert_logged_out(client, pages):
    for page in pages:
        response = client.get(page)
        assert response.status_code == 302, (page, response.status_code)
        assert response.headers["Location"].startswith("/editor/login"), page


# --- logout ------------------------------------------------------------------------------------


def test_a_cookie_saved_before_logout_opens_nothing_after_it(app, editor_client, make_channel):
    pages = editor_pages(editor_client, make_channel)
    cookie = saved_cookie(editor_client)
    assert_opens(replay(app, cookie), pages)  # the copy works while the session lives
    assert press(editor_client, "/editor/logout").status_code == 302
    copy = replay(app, cookie)
    assert_logged_out(copy, pages)
    # Nor can it write: its CSRF token is in the copied cookie, but the user is gone.
    post_id = post_id_of(pages[2])
    response = copy.post(f"/editor/posts/{post_id}/trash", data={"csrf_token": "x"})
    assert response.status_code in (400, 403)


def test_logging_out_ends_the_users_sessions_in_every_browser(app, make_editor_client):
    office = make_editor_client("editor")
    home = app.test_client()
    assert login(home, "editor").status_code == 302
    assert home.get("/editor/").status_code == 200
    press(office, "/editor/logout")
    assert_logged_out(home, ["/editor/"])
    assert login(home, "editor").status_code == 302  # logging in again works as ever
    assert home.get("/editor/").status_code == 200


def test_another_editors_logout_ends_only_their_own_sessions(make_editor_client):
    wang = make_editor_client("wang")
    li = make_editor_client("li")
    press(wang, "/editor/logout")
    assert li.get("/editor/").status_code == 200


def test_logout_on_one_server_ends_the_session_on_another(app_config, editor_client, new_app):
    """Two apps on one database are two servers: nothing about the session is kept in a
    process, so the other server sees the end at its next request."""
    other_server = new_app(app_config)
    cookie = saved_cookie(editor_client)
    on_b = replay(other_server, cookie)
    assert on_b.get("/editor/").status_code == 200
    press(editor_client, "/editor/logout")  # on A
    assert_logged_out(on_b, ["/editor/"])


# --- passwords and accounts, from the command line ---------------------------------------------


def test_set_password_command_ends_every_session(app, runner, editor_client, make_channel):
    pages = editor_pages(editor_client, make_channel)
    cookie = saved_cookie(editor_client)
    result = runner.invoke(
        args=["set-password", "editor", "--password-stdin"], input=f"{NEW_PASSWORD}\n"
    )
    assert result.exit_code == 0, result.output
    assert "open sessions have ended" in result.output
    assert_logged_out(replay(app, cookie), pages)
    assert_logged_out(editor_client, pages)
    assert login(app.test_client(), "editor", NEW_PASSWORD).status_code == 302


def test_deactivation_ends_sessions_and_reactivation_does_not_revive_them(
    app, runner, editor_client
):
    cookie = saved_cookie(editor_client)
    assert runner.invoke(args=["deactivate-editor", "editor"]).exit_code == 0
    assert_logged_out(replay(app, cookie), ["/editor/"])
    with app.app_context():  # an administrator turns the account back on
        db.session.scalar(sa.select(User).where(User.username == "editor")).active = True
        db.session.commit()
    assert_logged_out(replay(app, cookie), ["/editor/"])


def test_logout_everywhere_command_ends_every_session_and_keeps_the_account(
    app, runner, make_editor_client
):
    first = make_editor_client("editor")
    second = app.test_client()
    login(second, "editor")
    bystander = make_editor_client("other")
    result = runner.invoke(args=["logout-everywhere", "editor"])
    assert result.exit_code == 0, result.output
    assert "Every session of 'editor' has ended." in result.output
    assert_logged_out(first, ["/editor/"])
    assert_logged_out(second, ["/editor/"])
    assert bystander.get("/editor/").status_code == 200
    assert login(first, "editor").status_code == 302


def test_logout_everywhere_of_an_unknown_editor_is_an_error(runner):
    result = runner.invoke(args=["logout-everywhere", "ghost"])
    assert result.exit_code == 1
    assert "No editor named 'ghost'" in result.output


def test_log_out_everywhere_is_a_function_for_the_admin_pages(app, editor_client):
    with app.app_context():
        user = db.session.scalar(sa.select(User).where(User.username == "editor"))
        sessions.log_out_everywhere(user)
    assert_logged_out(editor_client, ["/editor/"])


def test_a_session_from_before_session_tokens_is_refused(app, make_editor):
    """Sessions made before migration 0004 name the user by id alone."""
    user = make_editor()
    signer = app.session_interface.get_signing_serializer(app)
    old = signer.dumps({"_user_id": str(user.id), "_fresh": True})
    assert_logged_out(replay(app, old), ["/editor/"])


# --- one's own password ------------------------------------------------------------------------


def password_form(client, current=EDITOR_PASSWORD, new=NEW_PASSWORD, again=None, **extra):
    page = client.get("/editor/password")
    assert page.status_code == 200
    data = {
        "csrf_token": csrf_token(page),
        "current_password": current,
        "new_password": new,
        "new_password_again": new if again is None else again,
        **extra,
    }
    return client.post("/editor/password", data=data)


def test_the_password_page_has_labelled_fields_and_a_link_in_the_menu(editor_client):
    page = editor_client.get("/editor/password").get_data(as_text=True)
    for name, label in (
        ("current_password", "当前密码"),
        ("new_password", "新密码"),
        ("new_password_again", "再次输入新密码"),
    ):
        assert f'<label for="{name}">{label}</label>' in page
        assert f'name="{name}"' in page
    assert 'name="csrf_token"' in page
    assert 'href="/editor/password"' in editor_client.get("/editor/").get_data(as_text=True)


def test_changing_ones_password_ends_the_other_sessions_and_keeps_this_one(app, make_editor_client):
    this = make_editor_client("editor")
    other = app.test_client()
    login(other, "editor")
    saved = saved_cookie(this)
    response = password_form(this)
    assert response.status_code == 302
    assert response.headers["Location"] == "/editor/"
    page = this.get("/editor/").get_data(as_text=True)
    assert "密码已修改。您在其他浏览器或设备上的登录已全部退出。" in page
    assert this.get("/editor/password").status_code == 200  # still logged in here
    assert_logged_out(other, ["/editor/"])
    assert_logged_out(replay(app, saved), ["/editor/"])  # this browser's own older cookie too
    assert login(app.test_client(), "editor", EDITOR_PASSWORD).status_code == 400
    assert login(app.test_client(), "editor", NEW_PASSWORD).status_code == 302


def assert_refused(response, message):
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)


def test_a_wrong_current_password_changes_nothing(app, editor_client):
    assert_refused(password_form(editor_client, current="not my password"), "当前密码不正确。")
    assert editor_client.get("/editor/").status_code == 200
    assert login(app.test_client(), "editor", EDITOR_PASSWORD).status_code == 302


def test_two_different_new_passwords_are_refused(app, editor_client):
    response = password_form(editor_client, again="something else entirely")
    assert_refused(response, "两次输入的新密码不一致。")
    assert login(app.test_client(), "editor", NEW_PASSWORD).status_code == 400


def test_a_short_or_huge_new_password_is_refused(editor_client):
    for new in ("123456789", "x" * 1025):
        assert_refused(password_form(editor_client, new=new), "新密码应为 10 至 1024 个字符。")


def test_empty_fields_are_refused_field_by_field(editor_client):
    response = password_form(editor_client, current="", new="", again="")
    assert response.status_code == 400
    assert response.get_data(as_text=True).count("请填写此项。") == 3


def test_the_password_form_needs_its_csrf_token(editor_client):
    data = {
        "current_password": EDITOR_PASSWORD,
        "new_password": NEW_PASSWORD,
        "new_password_again": NEW_PASSWORD,
    }
    response = editor_client.post("/editor/password", data=data)
    assert response.status_code == 400
    assert "安全令牌" in response.get_data(as_text=True)
    assert editor_client.get("/editor/").status_code == 200


def test_the_password_page_needs_a_login(client):
    response = client.get("/editor/password")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/editor/login")
    token = csrf_token(client.get("/editor/login"))  # a valid token, but nobody logged in
    assert client.post("/editor/password", data={"csrf_token": token}).status_code == 403


def test_guessing_the_current_password_counts_as_failed_logins(app, editor_client):
    for _ in range(5):
        assert password_form(editor_client, current="a wrong guess").status_code == 400
    locked = password_form(editor_client)
    assert locked.status_code == 429
    assert "登录失败次数过多" in locked.get_data(as_text=True)
    assert login(app.test_client(), "editor").status_code == 429  # same account, same address


# --- logging in starts a new session ------------------------------------------------------------


def test_login_gives_a_new_csrf_token_and_refuses_the_old_one(client, make_editor):
    make_editor()
    before = csrf_token(client.get("/editor/login"))
    assert login(client).status_code == 302
    after = csrf_token(client.get("/editor/"))
    assert after != before
    assert client.post("/editor/logout", data={"csrf_token": before}).status_code == 400
    assert client.get("/editor/").status_code == 200
    assert client.post("/editor/logout", data={"csrf_token": after}).status_code == 302


def test_login_and_logout_still_work_from_one_browser_many_times(client, make_editor):
    make_editor()
    for _ in range(3):
        assert login(client).status_code == 302
        assert client.get("/editor/").status_code == 200
        assert press(client, "/editor/logout").status_code == 302
        assert client.get("/editor/").status_code == 302


# --- the migration -----------------------------------------------------------------------------


def assert_existing_users_get_their_own_token(database_url: str) -> None:
    assert flask("db", "upgrade", "0003", database_url=database_url).returncode == 0
    engine = sa.create_engine(database_url)
    try:
        with engine.begin() as connection:
            for name in ("wang", "li"):
                connection.execute(
                    sa.text(
                        'INSERT INTO "user" (username, display_name, password_hash, is_admin,'
                        " active, created_at) VALUES (:name, '', 'x', false, true,"
                        " '2026-01-02 03:04:05+00')"
                    ),
                    {"name": name},
                )
        upgrade = flask("db", "upgrade", database_url=database_url)
        assert upgrade.returncode == 0, upgrade.stderr
        with engine.connect() as connection:
            tokens = connection.execute(sa.text('SELECT session_token FROM "user"')).scalars()
            tokens = list(tokens)
        assert len(tokens) == 2
        assert len(set(tokens)) == 2
        assert all(token and len(token) >= 40 for token in tokens)
        back = flask("db", "downgrade", "0003", database_url=database_url)
        assert back.returncode == 0, back.stderr
        with engine.connect() as connection:
            columns = {c["name"] for c in sa.inspect(connection).get_columns("user")}
        assert "session_token" not in columns
    finally:
        engine.dispose()


@pytest.mark.slow  # runs the flask command in a subprocess
def test_migration_0004_gives_each_existing_user_a_token_on_sqlite(tmp_path):
    assert_existing_users_get_their_own_token(f"sqlite:///{tmp_path}/old.sqlite3")


@pytest.mark.slow
@pytest.mark.postgresql_only
@pytest.mark.usefixtures("database_url")  # the backend parameter the marker selects on
def test_migration_0004_gives_each_existing_user_a_token_on_postgresql():
    with empty_postgresql_schema() as url:
        assert_existing_users_get_their_own_token(url)
