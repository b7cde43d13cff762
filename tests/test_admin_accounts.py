"""Accounts and roles, as administrators manage them: a new account's one-time initial password
(changed at the first login), its role and channels, deactivation and "log out everywhere",
the last administrator kept; and ``create-editor --role``."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa
from page import page
from support import EDITOR_PASSWORD, csrf_token, form_fields, login, press

from portal.extensions import db
from portal.posts.models import User

ACCOUNTS = "/editor/admin/accounts"


def account(app, username: str) -> User:
    with app.app_context():
        user = db.session.scalar(sa.select(User).where(User.username == username))
        assert user is not None
        _ = user.review_channels  # loaded before detaching
        db.session.expunge(user)
        return user


def create(client, **changes):
    form = client.get(f"{ACCOUNTS}/new")
    data = {"username": "zhang", "display_name": "张撰稿", "role": "author"} | changes
    return client.post(f"{ACCOUNTS}/new", data=data | {"csrf_token": csrf_token(form)})


def shown_password(response) -> str:
    return page(response).one("code", id="initial-password").text


def test_a_new_account_gets_a_one_time_password_it_must_change(app, admin_client):
    created = create(admin_client)
    assert created.status_code == 200
    assert created.headers["Cache-Control"] == "no-store"
    assert "它只显示这一次" in page(created).text
    password = shown_password(created)
    assert re.fullmatch(r"[A-Za-z2-9]{14}", password)
    user = account(app, "zhang")
    assert (user.role, user.display_name, user.must_change_password) == ("author", "张撰稿", True)
    assert password not in user.password_hash
    assert password not in admin_client.get(ACCOUNTS).get_data(as_text=True)  # shown once

    newcomer = app.test_client()
    assert login(newcomer, "zhang", password).status_code == 302
    for url in ("/editor/", "/editor/posts/new", "/editor/review/"):
        sent = newcomer.get(url)
        assert sent.status_code == 302, url
        assert sent.headers["Location"] == "/editor/password"
    assert "请先修改密码" in page(newcomer.get("/editor/password")).text
    form = newcomer.get("/editor/password")
    changed = newcomer.post(
        "/editor/password",
        data=form_fields(form)
        | {
            "current_password": password,
            "new_password": "我的新密码-2026",
            "new_password_again": "我的新密码-2026",
        },
    )
    assert changed.status_code == 302
    assert newcomer.get("/editor/").status_code == 200
    assert account(app, "zhang").must_change_password is False


@pytest.mark.parametrize(
    ("changes", "error"),
    [
        ({"username": ""}, "用户名为 1 到 64 个字符"),
        ({"username": "有空格 的名字"}, "用户名为 1 到 64 个字符"),
        ({"username": "Admin"}, "用户名“Admin”已被使用"),
        ({"role": "boss"}, "请选择一种角色"),
        ({"display_name": "名" * 65}, "不能超过 64 个字符"),
    ],
)
def test_a_bad_account_form_comes_back_as_typed(app, admin_client, changes, error):
    response = create(admin_client, **changes)
    assert response.status_code == 400
    assert error in page(response).text
    kept = form_fields(response)
    for name, value in changes.items():
        if name != "role":
            assert kept[name] == value
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(User)) == 1


def test_a_reviewer_is_limited_to_the_channels_chosen(app, admin_client, make_channel):
    notices = make_channel("notices", name="信息公告")
    make_channel("news", name="普法动态", column_type="工作动态")
    create(admin_client, username="li", role="reviewer", review_channels=[str(notices.id)])
    assert [c.slug for c in account(app, "li").review_channels] == ["notices"]
    assert "信息公告" in page(admin_client.get(ACCOUNTS)).text
    user = account(app, "li")
    url = f"{ACCOUNTS}/{user.id}/edit"
    saved = admin_client.post(url, data=form_fields(admin_client.get(url)) | {"role": "author"})
    assert saved.status_code == 302
    edited = account(app, "li")
    assert (edited.role, edited.review_channels) == ("author", [])
    unknown = admin_client.post(
        url, data=form_fields(admin_client.get(url)) | {"review_channels": "999"}
    )
    assert unknown.status_code == 400
    assert "请只选择列表中的栏目" in page(unknown).text


def test_deactivating_ends_the_accounts_sessions_and_logins(app, admin_client, make_editor_client):
    wang = make_editor_client("wang")
    user = account(app, "wang")
    assert press(admin_client, f"{ACCOUNTS}/{user.id}/deactivate", ACCOUNTS).status_code == 302
    assert wang.get("/editor/").status_code == 302  # logged out
    assert login(app.test_client(), "wang", EDITOR_PASSWORD).status_code == 400
    assert press(admin_client, f"{ACCOUNTS}/{user.id}/activate", ACCOUNTS).status_code == 302
    assert login(app.test_client(), "wang", EDITOR_PASSWORD).status_code == 302


def test_log_out_everywhere_and_a_new_initial_password(app, admin_client, make_editor_client):
    wang = make_editor_client("wang")
    user = account(app, "wang")
    assert press(admin_client, f"{ACCOUNTS}/{user.id}/logout", ACCOUNTS).status_code == 302
    assert wang.get("/editor/").status_code == 302
    assert login(app.test_client(), "wang", EDITOR_PASSWORD).status_code == 302  # may log in again

    reset = press(admin_client, f"{ACCOUNTS}/{user.id}/password", ACCOUNTS)
    assert reset.status_code == 200
    password = shown_password(reset)
    assert login(app.test_client(), "wang", EDITOR_PASSWORD).status_code == 400
    fresh = app.test_client()
    assert login(fresh, "wang", password).status_code == 302
    assert fresh.get("/editor/").headers["Location"] == "/editor/password"


def test_the_last_active_admin_stays(app, admin_client):
    me = account(app, "admin")
    url = f"{ACCOUNTS}/{me.id}/edit"
    refused = admin_client.post(url, data=form_fields(admin_client.get(url)) | {"role": "reviewer"})
    assert refused.status_code == 409
    assert "最后一个可用的管理员账号" in page(refused).text
    press(admin_client, f"{ACCOUNTS}/{me.id}/deactivate", ACCOUNTS)
    assert account(app, "admin").active is True
    assert account(app, "admin").role == "admin"


def test_account_pages_are_for_admins_only(app, editor_client, make_editor):
    other = make_editor("other")
    for url in (ACCOUNTS, f"{ACCOUNTS}/new", f"{ACCOUNTS}/{other.id}/edit", "/editor/admin/audit"):
        refused = editor_client.get(url)
        assert refused.status_code == 403, url
        assert "只有管理员可以管理栏目、账号和操作日志" in page(refused).text
    assert press(editor_client, f"{ACCOUNTS}/{other.id}/deactivate").status_code == 403
    assert account(app, "other").active is True
    assert "账号管理" not in page(editor_client.get("/editor/")).text  # not in the menu either


def test_account_actions_need_their_csrf_token(app, admin_client, make_editor):
    other = make_editor("other")
    assert admin_client.post(f"{ACCOUNTS}/{other.id}/deactivate").status_code == 400
    assert (
        admin_client.post(f"{ACCOUNTS}/new", data={"username": "x", "role": "author"}).status_code
        == 400
    )
    assert account(app, "other").active is True


# --- the command line --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("options", "role"),
    [
        ([], "reviewer"),
        (["--admin"], "admin"),
        (["--role", "author"], "author"),
        (["--role", "admin"], "admin"),
    ],
)
def test_create_editor_takes_a_role(app, runner, options, role):
    result = runner.invoke(
        args=["create-editor", "wang", *options, "--password-stdin"],
        input="correct horse battery\n",
    )
    assert result.exit_code == 0, result.output
    assert account(app, "wang").role == role


def test_create_editor_refuses_an_admin_of_another_role(runner):
    result = runner.invoke(
        args=["create-editor", "wang", "--admin", "--role", "author", "--password-stdin"],
        input="correct horse battery\n",
    )
    assert result.exit_code != 0
