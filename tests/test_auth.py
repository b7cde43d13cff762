"""Editor login and logout through the real forms, CSRF on: sessions, next=, cookies (the
lockout is in test_lockout.py, sessions ending in test_sessions_end.py)."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa
from support import EDITOR_PASSWORD, SECRET_KEY, login, press

from portal import create_app
from portal.extensions import db
from portal.posts.models import User

LOCKED_TEXT = "登录失败次数过多，请15分钟后再试。"


def is_logged_in(client) -> bool:
    return client.get("/editor/").status_code == 200


def test_login_page_has_labelled_fields(client):
    page = client.get("/editor/login").get_data(as_text=True)
    assert '<label for="username">用户名</label>' in page
    assert '<label for="password">密码</label>' in page
    assert 'name="csrf_token"' in page


def test_correct_password_logs_in_and_dashboard_greets(client, make_editor):
    make_editor("wang", display_name="王编辑")
    response = login(client, "wang")
    assert response.status_code == 302
    assert response.headers["Location"] == "/editor/"
    page = client.get("/editor/").get_data(as_text=True)
    assert "登录成功，欢迎您，王编辑。" in page
    assert "当前用户：王编辑" in page


@pytest.mark.parametrize("username", ["editor", "nobody"])
def test_wrong_password_or_unknown_user_is_refused_the_same_way(client, make_editor, username):
    make_editor("editor")
    response = login(client, username, "wrong password!")
    assert response.status_code == 400
    assert "用户名或密码错误。" in response.get_data(as_text=True)
    assert not is_logged_in(client)


def test_deactivated_editor_cannot_log_in(client, make_editor):
    make_editor("gone", active=False)
    response = login(client, "gone")
    assert response.status_code == 400
    assert "此账号已停用" in response.get_data(as_text=True)
    assert not is_logged_in(client)


def test_deactivation_ends_an_open_session(app, editor_client):
    assert is_logged_in(editor_client)
    with app.app_context():
        db.session.scalar(sa.select(User).where(User.username == "editor")).active = False
        db.session.commit()
    response = editor_client.get("/editor/")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/editor/login")


def test_next_is_honoured_for_a_path_on_this_site(client, make_editor):
    make_editor()
    response = login(client, next_url="/editor/posts/new?from=mail")
    assert response.headers["Location"] == "/editor/posts/new?from=mail"


@pytest.mark.parametrize(
    "target",
    [
        "//evil.example",
        "/\\evil.example",
        "\\\\evil.example",
        "/\t/evil.example",
        "https://evil.example/editor/",
        "http:evil.example",
        "javascript:alert(1)",
        "JaVaScRiPt:alert(1)",
        " //evil.example",
        "editor/",
    ],
)
def test_next_to_another_site_is_ignored(client, make_editor, target):
    make_editor()
    response = login(client, next_url=target)
    assert response.status_code == 302
    assert response.headers["Location"] == "/editor/"


def hidden_next(page) -> str:
    match = re.search(r'<input id="next" name="next" type="hidden" value="([^"]*)">', page.text)
    assert match, "the login form has no hidden next field"
    return match.group(1)


def test_login_form_keeps_only_a_local_next(client):
    assert hidden_next(client.get("/editor/login?next=//evil.example")) == ""
    assert hidden_next(client.get("/editor/login?next=/editor/posts/new")) == "/editor/posts/new"


def test_login_without_csrf_token_is_refused(client, make_editor):
    make_editor()
    response = client.post(
        "/editor/login", data={"username": "editor", "password": EDITOR_PASSWORD}
    )
    assert response.status_code == 400
    assert "安全令牌" in response.get_data(as_text=True)
    assert not is_logged_in(client)


def test_logout_needs_post_with_csrf(editor_client):
    assert editor_client.get("/editor/logout").status_code == 405
    assert editor_client.post("/editor/logout").status_code == 400
    assert is_logged_in(editor_client)
    response = press(editor_client, "/editor/logout")
    assert response.status_code == 302
    assert "您已退出登录" in editor_client.get("/editor/login").get_data(as_text=True)
    assert not is_logged_in(editor_client)


# --- cookies -----------------------------------------------------------------------------------


def session_cookie_header(response) -> str:
    headers = [h for h in response.headers.getlist("Set-Cookie") if h.startswith("session=")]
    assert headers, "no session cookie was set"
    return headers[-1]


def test_session_cookie_is_httponly_and_samesite_lax(client, make_editor):
    make_editor()
    cookie = session_cookie_header(login(client))
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie
    assert "Secure" not in cookie


@pytest.fixture
def secure_cookie_config(app_config):
    app_config["SESSION_COOKIE_SECURE"] = True


@pytest.mark.usefixtures("secure_cookie_config")
def test_session_cookie_is_secure_when_configured(client):
    cookie = session_cookie_header(client.get("/editor/login"))
    assert "Secure" in cookie
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie


def test_secure_cookie_setting_comes_from_the_environment(monkeypatch, database_url):
    monkeypatch.setenv("PORTAL_SESSION_COOKIE_SECURE", "true")
    monkeypatch.setenv("PORTAL_SECRET_KEY", SECRET_KEY)
    monkeypatch.setenv("PORTAL_SQLALCHEMY_DATABASE_URI", database_url)
    app = create_app()
    assert app.config["SESSION_COOKIE_SECURE"] is True
    assert app.config["SESSION_COOKIE_HTTPONLY"] is True
    assert app.config["SESSION_COOKIE_SAMESITE"] == "Lax"
