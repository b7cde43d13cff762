"""Nothing typed is lost (issue 10, items 7, 8 and 11): a save that cannot be applied — the post
moved to the trash or deleted meanwhile, the session ended (logged out in another tab), the
form's CSRF token no longer the session's, a tampered number — gives the form back with every
field as typed and says why; the browser's own copy (static/js/editor-autosave.js, driven in
tests/browser/test_editor_autosave.py) gets its signals from the page; and the sanitizer's
report never rides in the session cookie."""

from __future__ import annotations

import contextlib
import hashlib
import html
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa
from page import page
from support import (
    NEW_POST,
    csrf_token,
    edit_url,
    form_fields,
    login,
    post_fields,
    post_id_of,
    press,
    write_post,
)

from portal import messages
from portal.extensions import db
from portal.posts.models import Post, Revision, User

# What a browser sends with a form posted from one of the site's own pages (the test client
# serves the site as http://localhost).
FROM_THIS_SITE = {"Origin": "http://localhost", "Sec-Fetch-Site": "same-origin"}
TYPED = {
    "title": "编辑辛苦写下的标题",
    "source": "市司法局法治宣传处",
    "author": "王编辑",
    "keywords": "普法，宪法",
    "summary": "不能丢失的摘要。",
    "body": "<p>一段很长、很辛苦才写好的正文。</p>",
}


@pytest.fixture
def notices(make_channel):
    return make_channel("notices", name="通知公告")


@pytest.fixture
def second_editor(make_editor_client):
    return make_editor_client("li", display_name="李编辑")


def text_of(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def typed_form(client, url: str, **typed) -> dict:
    """The form at ``url`` as a browser shows it, with what the editor typed into it."""
    return form_fields(client.get(url)) | TYPED | typed | {"action": "publish"}


def assert_kept(response, typed: dict) -> None:
    """The form came back with every field the editor filled in, exactly as typed."""
    shown = form_fields(response)
    for name, value in typed.items():
        assert shown.get(name) == value, (name, shown.get(name))


def count_rows(app, model) -> int:
    with app.app_context():
        return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def user_id(app, username: str) -> int:
    with app.app_context():
        return db.session.scalar(sa.select(User.id).where(User.username == username))


def post_form_attrs(response) -> dict[str, str]:
    return page(response).one("form", **{"class": "editor-form post-form"}).attrs


# --- item 7: the post moved to the trash or deleted while the editor typed ----------------------


def test_saving_a_post_moved_to_the_trash_meanwhile_gives_the_text_back(
    app, editor_client, second_editor, make_post, load_post
):
    post = make_post("原标题")
    url = f"/editor/posts/{post.id}/edit"
    data = typed_form(editor_client, url)
    press(second_editor, f"/editor/posts/{post.id}/trash")
    revisions = count_rows(app, Revision)

    response = editor_client.post(url, data=data)
    assert response.status_code == 409
    assert_kept(response, TYPED)
    assert messages.NOT_SAVED_TRASHED in text_of(response)
    assert load_post(post.id).title == "原标题"
    assert load_post(post.id).trashed_at is not None
    assert count_rows(app, Revision) == revisions

    # Without script, the text can still be saved: as a new draft, or after a restore.
    shown = page(response)
    save_as_new = shown.one("button", formaction=NEW_POST)
    assert save_as_new.text == "另存为新草稿"
    assert shown.all("form", action=f"/editor/posts/{post.id}/restore")
    saved = editor_client.post(
        NEW_POST, data=form_fields(response) | {"action": save_as_new.attrs["value"]}
    )
    copy = load_post(post_id_of(edit_url(saved)))
    assert (copy.title, copy.status, copy.trashed_at) == (TYPED["title"], "draft", None)
    assert copy.id != post.id


def test_saving_a_post_deleted_meanwhile_gives_the_text_back_as_a_new_post(
    app, editor_client, admin_client, make_post, load_post
):
    post = make_post("将被永久删除")
    url = f"/editor/posts/{post.id}/edit"
    data = typed_form(editor_client, url)
    press(admin_client, f"/editor/posts/{post.id}/trash")
    press(admin_client, f"/editor/posts/{post.id}/delete")
    assert load_post(post.id) is None

    response = editor_client.post(url, data=data)
    assert response.status_code == 404
    assert_kept(response, TYPED)
    assert messages.NOT_SAVED_DELETED in text_of(response)
    assert post_form_attrs(response)["action"] == NEW_POST
    assert count_rows(app, Post) == 0

    saved = editor_client.post(NEW_POST, data=form_fields(response) | {"action": "publish"})
    assert load_post(post_id_of(edit_url(saved))).title == TYPED["title"]


# --- item 7: the session ended, or the token is not the session's -------------------------------


def test_saving_after_logging_out_in_another_tab_gives_the_text_back(
    app, editor_client, notices, make_post, load_post
):
    post = make_post("原标题")
    for url in (NEW_POST, f"/editor/posts/{post.id}/edit"):
        data = typed_form(editor_client, url, channel=str(notices.id))
        press(editor_client, "/editor/logout")  # the other tab
        response = editor_client.post(url, data=data, headers=FROM_THIS_SITE)
        # 403 while the session keeps its CSRF token, 400 once logging out replaces it.
        assert response.status_code in (400, 403), url
        assert_kept(response, TYPED)
        shown = page(response)
        assert messages.NOT_SAVED_LOGGED_OUT in shown.text
        assert shown.links()["在新窗口中重新登录"].startswith("/editor/login?next=")
        assert post_form_attrs(response)["action"] == url
        assert "data-autosave-key" not in post_form_attrs(response)  # the copy stays as it is
        login(editor_client)
    assert count_rows(app, Post) == 1
    assert load_post(post.id).title == "原标题"


def test_a_logged_out_form_shows_nothing_stored(app, client, make_post):
    """The form that comes back to a visitor without a login holds only what was sent."""
    post = make_post("读者不该看到的标题", source="不该看到的来源")
    token = csrf_token(client.get("/editor/login"))  # a valid token, no login
    response = client.post(
        f"/editor/posts/{post.id}/edit",
        data={"csrf_token": token, "title": "发来的标题", "action": "publish"},
    )
    assert response.status_code == 403
    assert form_fields(response)["title"] == "发来的标题"
    page_text = text_of(response)
    assert "读者不该看到的标题" not in page_text
    assert "不该看到的来源" not in page_text
    assert "修订记录" not in page_text
    assert count_rows(app, Revision) == 0


def test_a_form_whose_session_ended_comes_back_with_a_login_link(app, editor_client, notices):
    data = typed_form(editor_client, NEW_POST, channel=str(notices.id))
    stranger = app.test_client()  # the same browser after its session cookie was lost
    response = stranger.post(NEW_POST, data=data, headers=FROM_THIS_SITE)
    assert response.status_code == 400
    assert_kept(response, TYPED | {"channel": str(notices.id)})
    assert messages.NOT_SAVED_LOGGED_OUT in text_of(response)
    assert count_rows(app, Post) == 0


def test_a_token_of_an_earlier_session_gives_the_text_back_with_a_fresh_token(
    app, make_editor, notices, make_post, load_post
):
    make_editor("editor")
    post = make_post("原标题")
    for url in (NEW_POST, f"/editor/posts/{post.id}/edit"):
        before = app.test_client()
        login(before)
        data = typed_form(before, url, channel=str(notices.id))
        after = app.test_client()  # the browser restarted, the editor logged in again
        login(after)
        response = after.post(url, data=data, headers=FROM_THIS_SITE)
        assert response.status_code == 400, url
        assert_kept(response, TYPED)
        assert messages.NOT_SAVED_CSRF in text_of(response)
        kept = form_fields(response)
        assert kept["csrf_token"] != data["csrf_token"]
        assert edit_url(after.post(url, data=kept | {"action": "publish"}))  # now it saves
    assert load_post(post.id).title == TYPED["title"]
    assert count_rows(app, Post) == 2


@pytest.mark.parametrize(
    "headers",
    [
        {"Origin": "https://evil.example", "Sec-Fetch-Site": "cross-site"},
        {"Origin": "https://evil.example"},
        {"Sec-Fetch-Site": "same-site"},  # a sibling host of the site
        {},  # a client that says nothing about where the form came from
    ],
)
def test_a_forged_post_from_another_site_gets_the_plain_error_page(
    app, editor_client, notices, headers
):
    """Another site cannot have the editor's browser show a form filled in with its text (one
    click on 发布 away from the public site): only this site's pages get their form back."""
    data = {**post_fields(notices, title="伪造的标题"), "action": "publish"}
    response = editor_client.post(NEW_POST, data=data, headers=headers)
    assert response.status_code == 400
    page_text = text_of(response)
    assert messages.CSRF_FAILED in page_text
    assert "伪造的标题" not in page_text
    assert 'name="title"' not in page_text
    assert count_rows(app, Post) == 0


def test_one_button_forms_with_a_bad_token_still_get_the_plain_error_page(editor_client, make_post):
    post = make_post()
    response = editor_client.post(
        f"/editor/posts/{post.id}/trash", data={"csrf_token": "x"}, headers=FROM_THIS_SITE
    )
    assert response.status_code == 400
    assert messages.CSRF_FAILED in text_of(response)


# --- item 7: what the browser's copy of the form is told ----------------------------------------


def test_the_form_tells_the_browser_copy_its_key_and_when_a_save_succeeded(
    app, editor_client, notices
):
    uid = user_id(app, "editor")
    new_form = editor_client.get(NEW_POST)
    attrs = post_form_attrs(new_form)
    assert attrs["data-autosave-key"] == f"{uid}:new"
    assert "data-autosave-saved" not in attrs
    assert "data-autosave-unsaved" not in attrs
    shown = page(new_form)
    assert "hidden" in shown.one("div", id="autosave-notice").attrs
    assert shown.one("button", id="autosave-discard").attrs["type"] == "button"
    scripts = [element.attrs.get("src", "") for element in shown.all("script")]
    assert any(src.startswith("/static/js/editor-autosave.js") for src in scripts), scripts

    refused = write_post(editor_client, notices, "publish", title="")
    assert "data-autosave-unsaved" in post_form_attrs(refused)  # keep what it shows

    url = edit_url(write_post(editor_client, notices, "draft"))
    post_id = post_id_of(url)
    after_save = post_form_attrs(editor_client.get(url))
    assert after_save["data-autosave-key"] == f"{uid}:{post_id}"
    assert after_save["data-autosave-saved"] == f"{uid}:new"
    assert "data-autosave-saved" not in post_form_attrs(editor_client.get(url))  # once

    saved = editor_client.post(url, data=form_fields(editor_client.get(url)) | {"action": "draft"})
    edit_url(saved)
    assert post_form_attrs(editor_client.get(url))["data-autosave-saved"] == f"{uid}:{post_id}"


def test_each_editor_has_a_key_of_their_own(app, editor_client, second_editor, make_post):
    """A shared computer never offers one editor's unsaved text to another."""
    post = make_post()
    url = f"/editor/posts/{post.id}/edit"
    keys = {
        post_form_attrs(client.get(url))["data-autosave-key"]
        for client in (editor_client, second_editor)
    }
    assert keys == {f"{user_id(app, 'editor')}:{post.id}", f"{user_id(app, 'li')}:{post.id}"}


# --- item 8: the sanitizer's report stays out of the session cookie -----------------------------


def test_a_long_removal_report_is_shown_from_the_revision_not_the_cookie(editor_client, notices):
    # Names that do not compress away: 400 of them made a 4,976-byte cookie before the fix.
    tags = ["x" + hashlib.sha256(str(number).encode()).hexdigest()[:12] for number in range(400)]
    body = "<p>正文</p>" + "".join(f"<{tag}>字</{tag}>" for tag in tags)
    response = write_post(editor_client, notices, "draft", body=body)
    url = edit_url(response)
    cookies = response.headers.getlist("Set-Cookie")
    assert sum(len(cookie) for cookie in cookies) < 1024, [len(c) for c in cookies]

    shown = page(editor_client.get(url))
    assert messages.SAVED_DRAFT in shown.text
    report = shown.one("p", id="removed-report").text
    assert report.startswith("已移除不安全内容：")
    assert [f"<{tag}> 标签" for tag in tags] == report.removeprefix(
        "已移除不安全内容："
    ).removesuffix("。").split("、")

    # Once, after the save; the revision keeps it for good.
    assert not page(editor_client.get(url)).all("p", id="removed-report")
    revision = text_of(editor_client.get(f"/editor/posts/{post_id_of(url)}/revisions/1"))
    assert all(f"<{tag}> 标签" in revision for tag in tags)


def test_a_clean_body_gets_no_report(editor_client, notices):
    url = edit_url(write_post(editor_client, notices, "publish"))
    shown = page(editor_client.get(url))
    assert messages.SAVED_PUBLISHED in shown.text
    assert not shown.all("p", id="removed-report")


# --- item 11: tampered numbers in the form --------------------------------------------------------

TAMPERED = [
    ("version", "²"),
    ("version", "99999999999999999999"),
    ("version", str(2**31)),  # past the INTEGER column
    ("version", "١"),
    ("version", "01"),
    ("version", "-1"),
    ("channel", "²"),
    ("channel", "99999999999999999999"),
    ("channel", "١"),
    ("channel", "01"),
    ("channel", "-1"),
    ("channel", "1e3"),
]


@pytest.mark.parametrize(("field", "value"), TAMPERED)
def test_a_tampered_number_gives_the_form_back_never_a_500(
    app, editor_client, notices, make_post, load_post, field, value
):
    post = make_post("原标题")
    message = messages.VERSION_INVALID if field == "version" else messages.CHANNEL_UNKNOWN
    for url in (NEW_POST, f"/editor/posts/{post.id}/edit"):
        data = typed_form(editor_client, url, channel=str(notices.id)) | {field: value}
        for action in ("publish", "draft", "preview"):
            response = editor_client.post(url, data=data | {"action": action})
            assert response.status_code == 400, (url, action)
            assert_kept(response, TYPED)
            assert message in text_of(response), (url, action)
    assert count_rows(app, Post) == 1
    assert (load_post(post.id).title, load_post(post.id).version) == ("原标题", 1)


@contextlib.contextmanager
def landing_first(app, change):
    """``change`` is committed on another connection just before the request's first write:
    another editor's change landing between the view's read of the post and the guarded
    ``UPDATE post`` (on SQLite, too, it can land only before the request holds the write lock)."""
    with app.app_context():
        engine = db.engine
    writes: list[str] = []  # the other connection's change first, then the request's writes

    def change_first(_connection, _cursor, statement, *_args):
        if statement.split(None, 1)[0].upper() not in ("INSERT", "UPDATE", "DELETE"):
            return
        if not writes:
            writes.append("(the other change:)")
            with engine.begin() as other:
                other.execute(change)  # seen here too: writes[1]
        writes.append(statement)

    sa.event.listen(engine, "before_cursor_execute", change_first)
    try:
        yield
    finally:
        sa.event.remove(engine, "before_cursor_execute", change_first)
    assert any(statement.startswith("UPDATE post SET") for statement in writes[2:]), writes


@pytest.mark.parametrize("meanwhile", ["trash", "delete"])
def test_a_post_gone_while_the_save_runs_gives_the_text_back(
    app, editor_client, make_post, load_post, meanwhile
):
    """The UPDATE matches no row, and the answer is the form as typed, not a conflict page
    that cannot find the post (before: a 500 from reading the deleted row)."""
    post = make_post("原标题")
    url = f"/editor/posts/{post.id}/edit"
    data = typed_form(editor_client, url)
    change = (
        sa.update(Post).where(Post.id == post.id).values(trashed_at=sa.func.now(), version=2)
        if meanwhile == "trash"
        else sa.delete(Post).where(Post.id == post.id)
    )
    with landing_first(app, change):
        response = editor_client.post(url, data=data)
    assert_kept(response, TYPED)
    if meanwhile == "trash":
        assert response.status_code == 409
        assert messages.NOT_SAVED_TRASHED in text_of(response)
        assert load_post(post.id).title == "原标题"
    else:
        assert response.status_code == 404
        assert messages.NOT_SAVED_DELETED in text_of(response)
        assert post_form_attrs(response)["action"] == NEW_POST
        assert load_post(post.id) is None


@pytest.mark.parametrize("button", ["withdraw", "restore"])
def test_a_one_button_change_to_a_post_deleted_meanwhile_is_refused_not_a_500(
    app, editor_client, make_post, button
):
    trashed = {"trashed_at": datetime(2026, 11, 1, tzinfo=UTC)} if button == "restore" else {}
    post = make_post("将被删除", **trashed)
    with landing_first(app, sa.delete(Post).where(Post.id == post.id)):
        response = press(editor_client, f"/editor/posts/{post.id}/{button}")
    assert response.status_code == 302
    assert response.headers["Location"] == f"/editor/posts/{post.id}/edit"
    assert messages.CHANGED_MEANWHILE in text_of(editor_client.get("/editor/"))
