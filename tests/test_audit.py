"""操作日志: every editor action is recorded — who, when, from which address, what — and
administrators browse it, filter it by user, action and date, and export it as CSV."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa
from page import page
from support import (
    EDITOR_PASSWORD,
    edit_url,
    form_fields,
    login,
    post_id_of,
    press,
    submit,
    write_post,
)

from portal import messages
from portal.audit.models import AuditEntry
from portal.extensions import db
from portal.posts.states import PostAction

AUDIT = "/editor/admin/audit"


def entries(app) -> list[tuple[str, str, str, str]]:
    """(username, address, action, target) of every entry, oldest first."""
    with app.app_context():
        rows = db.session.execute(
            sa.select(
                AuditEntry.username, AuditEntry.remote_addr, AuditEntry.action, AuditEntry.target
            ).order_by(AuditEntry.id)
        )
        return [tuple(row) for row in rows]


def test_logins_logouts_and_failures_are_recorded_with_the_address(app, client, make_editor):
    make_editor("wang")
    assert login(client, "wang", "wrong password", remote_addr="10.1.2.3").status_code == 400
    assert login(client, "nobody", "whatever", remote_addr="10.1.2.3").status_code == 400
    assert login(client, "wang", EDITOR_PASSWORD, remote_addr="10.1.2.4").status_code == 302
    press(client, "/editor/logout")
    assert entries(app) == [
        ("", "10.1.2.3", "login_failed", "user:wang"),
        ("", "10.1.2.3", "login_failed", "user:nobody"),
        ("wang", "10.1.2.4", "login", "user:wang"),
        ("wang", "127.0.0.1", "logout", "user:wang"),
    ]


def test_an_attempt_refused_by_the_lockout_is_recorded_too(app, client, admin_client, make_editor):
    make_editor("wang")
    failures = app.config["LOGIN_MAX_FAILURES"]
    for _ in range(failures):
        assert login(client, "wang", "wrong password", remote_addr="10.1.2.3").status_code == 400
    assert login(client, "wang", EDITOR_PASSWORD, remote_addr="10.1.2.3").status_code == 429
    about_wang = [entry for entry in entries(app) if entry[3] == "user:wang"]
    assert about_wang == [("", "10.1.2.3", "login_failed", "user:wang")] * failures + [
        ("", "10.1.2.3", "login_locked", "user:wang")
    ]
    assert "登录被暂时锁定" in admin_client.get(AUDIT).get_data(as_text=True)


def test_every_save_and_change_of_state_is_recorded(app, admin_client, make_channel):
    notices = make_channel("notices")
    url = edit_url(write_post(admin_client, notices, "draft", title="记一笔"))
    post_id = post_id_of(url)
    submit(admin_client, url, "publish")
    for step in ("withdraw", "trash", "restore", "trash", "delete"):
        press(admin_client, f"/editor/posts/{post_id}/{step}")
    post_entries = [entry for entry in entries(app) if entry[2].startswith("post.")]
    assert post_entries == [
        ("admin", "127.0.0.1", f"post.{action}", f"post:{post_id}")
        for action in ("draft", "publish", "withdraw", "trash", "restore", "trash", "delete")
    ]
    with app.app_context():
        details = db.session.scalars(
            sa.select(AuditEntry.detail).where(AuditEntry.action == "post.delete")
        )
        assert list(details) == ["《记一笔》"]


def test_channel_and_account_changes_are_recorded(app, admin_client, make_channel):
    channel = make_channel("notices", name="信息公告")
    url = f"/editor/admin/channels/{channel.id}/edit"
    admin_client.post(url, data=form_fields(admin_client.get(url)) | {"name": "通知公告"})
    form = admin_client.get("/editor/admin/accounts/new")
    admin_client.post(
        "/editor/admin/accounts/new",
        data=form_fields(form) | {"username": "li", "display_name": "李审核", "role": "reviewer"},
    )
    recorded = [entry[2:] for entry in entries(app) if not entry[2].startswith("login")]
    assert recorded == [("channel.edit", "channel:notices"), ("account.create", "user:li")]
    with app.app_context():
        details = list(db.session.scalars(sa.select(AuditEntry.detail).order_by(AuditEntry.id)))
    assert "通知公告：name" in details
    assert "李审核：审核" in details


def test_commands_are_recorded_without_a_user(app, runner):
    assert (
        runner.invoke(
            args=["create-channel", "guides", "--name", "办事指南", "--type", "办事服务"]
        ).exit_code
        == 0
    )
    assert entries(app) == [("", "", "channel.create", "channel:guides")]


@pytest.fixture
def logged(app, make_editor):
    """A few entries on two days (site zone), by two accounts."""
    wang, li = make_editor("wang"), make_editor("li")
    with app.app_context():
        for at, user, action in [
            (datetime(2026, 11, 24, 15, 30, tzinfo=UTC), wang, "login"),  # 11-24 23:30 in Beijing
            (datetime(2026, 11, 24, 16, 30, tzinfo=UTC), li, "login"),  # 11-25 00:30 in Beijing
            (datetime(2026, 11, 25, 2, 0, tzinfo=UTC), wang, "post.publish"),
            (datetime(2026, 11, 25, 3, 0, tzinfo=UTC), li, "logout"),
        ]:
            db.session.add(
                AuditEntry(at=at, user_id=user.id, username=user.username, action=action)
            )
        db.session.commit()
    return {"wang": wang.id, "li": li.id}


def shown_rows(response) -> list[str]:
    return [" ".join(row.text.split()) for row in page(response).all("tr")[1:]]


def test_admins_filter_the_log_by_user_action_and_day(clock, admin_client, logged):  # noqa: ARG001
    everything = shown_rows(admin_client.get(AUDIT))
    assert everything[0].startswith("2026-11-26")  # the admin's own login, newest first
    assert len(everything) == 5
    by_wang = shown_rows(admin_client.get(AUDIT, query_string={"user": logged["wang"]}))
    assert [row.split()[4] for row in by_wang] == ["发布", "登录"]
    logins = shown_rows(
        admin_client.get(AUDIT, query_string={"action": "login", "end": "2026-11-25"})
    )
    assert [row.split()[2] for row in logins] == ["li", "wang"]
    one_day = shown_rows(
        admin_client.get(AUDIT, query_string={"start": "2026-11-25", "end": "2026-11-25"})
    )
    assert [row.split()[2] for row in one_day] == ["li", "wang", "li"]  # 00:30 Beijing is the 25th


@pytest.mark.parametrize(
    ("query", "error"),
    [
        ({"start": "2026-13-01"}, "日期格式不正确"),
        ({"end": "昨天"}, "日期格式不正确"),
        ({"start": "2026-11-26", "end": "2026-11-01"}, "开始日期不能晚于结束日期"),
        ({"user": "999999"}, "请从列表中选择"),
        ({"action": "explode"}, "请从列表中选择"),
    ],
)
def test_a_bad_filter_is_a_400_with_the_filter_as_typed(admin_client, query, error):
    response = admin_client.get(AUDIT, query_string=query)
    assert response.status_code == 400
    assert error in page(response).text
    for name, value in query.items():
        if name in ("start", "end"):
            assert form_fields(response)[name] == value
    assert admin_client.get(f"{AUDIT}.csv", query_string=query).status_code == 400


def test_the_csv_export_has_every_matching_entry_and_no_formulas(clock, app, admin_client, logged):  # noqa: ARG001
    with app.app_context():
        db.session.add(
            AuditEntry(
                at=datetime(2026, 11, 25, 4, 0, tzinfo=UTC),
                action="login_failed",
                detail="=HYPERLINK(1)",
            )
        )
        db.session.commit()
    response = admin_client.get(
        f"{AUDIT}.csv", query_string={"start": "2026-11-25", "end": "2026-11-25"}
    )
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    text = response.get_data(as_text=True)
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    assert rows[0] == ["时间", "用户", "地址", "操作", "对象", "详情"]
    assert [row[1] for row in rows[1:]] == ["命令行", "li", "wang", "li"]
    assert rows[1][5] == "'=HYPERLINK(1)"  # a spreadsheet shows it, never runs it
    assert rows[-1][:4] == ["2026-11-25 00:30:00", "li", "", "登录"]


def test_the_log_is_for_admins_only(editor_client, client):
    assert editor_client.get(AUDIT).status_code == 403
    assert editor_client.get(f"{AUDIT}.csv").status_code == 403
    assert client.get(f"{AUDIT}.csv").status_code == 302


def test_every_action_has_a_label():
    assert {f"post.{action.value}" for action in PostAction} | {"post.import"} <= set(
        messages.AUDIT_ACTIONS
    )


def test_changing_ones_own_password_is_recorded(app, editor_client):
    form = editor_client.get("/editor/password")
    changed = editor_client.post(
        "/editor/password",
        data=form_fields(form)
        | {
            "current_password": EDITOR_PASSWORD,
            "new_password": "另一个新密码-2026",
            "new_password_again": "另一个新密码-2026",
        },
    )
    assert changed.status_code == 302
    assert entries(app)[-1] == ("editor", "127.0.0.1", "password", "user:editor")
