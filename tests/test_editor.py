"""The editor's workflow through the real forms with CSRF on: write, validate, preview, publish,
schedule, withdraw, trash, delete, revisions, conflicts — checked on the pages people see."""

from __future__ import annotations

import html
import re
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from support import (
    NEW_POST,
    article_body,
    csrf_token,
    edit_url,
    form_fields,
    post_fields,
    post_id_of,
    press,
    submit,
    write_post,
)

from portal.extensions import db
from portal.posts.models import Post, Revision


@pytest.fixture
def notices(make_channel):
    return make_channel("notices", name="通知公告")


def article_url(post_id: int, slug="notices") -> str:
    return f"/{slug}/{post_id}.html"


def text_of(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def revisions_of(app, post_id) -> list[Revision]:
    with app.app_context():
        rows = db.session.scalars(
            sa.select(Revision).where(Revision.post_id == post_id).order_by(Revision.number)
        ).all()
        for row in rows:
            db.session.expunge(row)
        return rows


def count_posts(app) -> int:
    with app.app_context():
        return db.session.scalar(sa.select(sa.func.count()).select_from(Post))


# --- the form -----------------------------------------------------------------------------------


def test_new_post_form_has_the_labelled_fields_and_buttons(editor_client, notices):
    page = editor_client.get(NEW_POST).get_data(as_text=True)
    for name, label in [
        ("title", "标题"),
        ("channel", "栏目"),
        ("source", "来源"),
        ("author", "作者"),
        ("published_at", "发布时间"),
        ("pinned", "置顶"),
        ("summary", "摘要"),
        ("body", "正文"),
    ]:
        assert f'<label for="{name}">{label}</label>' in page
    assert re.search(r'<input[^>]*id="published_at"[^>]*type="datetime-local"', page) or re.search(
        r'<input[^>]*type="datetime-local"[^>]*id="published_at"', page
    )
    assert re.search(r'<textarea[^>]*id="body"[^>]*name="body"', page)
    for value, label in [("draft", "保存草稿"), ("preview", "预览"), ("publish", "发布")]:
        assert re.search(
            rf'<button type="submit" name="action" value="{value}"[^>]*>{label}<', page
        )
    assert f'<option value="{notices.id}">通知公告</option>' in page


@pytest.mark.usefixtures("clock")
def test_publish_now_makes_the_post_public_at_once(editor_client, notices):
    response = write_post(editor_client, notices, "publish")
    url = edit_url(response)
    assert "已发布。" in editor_client.get(url).get_data(as_text=True)
    article = editor_client.get(article_url(post_id_of(url)))
    assert article.status_code == 200
    page = text_of(article)
    assert "关于开展“宪法宣传周”活动的通知" in page
    assert "各单位：为深入学习宣传宪法" in page
    assert "2026-11-26 16:00" in page  # empty 发布时间 = now, shown in the site zone
    assert "来源：市司法局" in page
    assert "关于开展“宪法宣传周”活动的通知" in text_of(editor_client.get("/notices/"))


def test_draft_is_not_public(editor_client, notices, load_post):
    url = edit_url(write_post(editor_client, notices, "draft"))
    assert "草稿已保存。" in editor_client.get(url).get_data(as_text=True)
    assert editor_client.get(article_url(post_id_of(url))).status_code == 404
    assert load_post(post_id_of(url)).published_at is None
    dashboard = text_of(editor_client.get("/editor/?state=draft"))
    assert "关于开展“宪法宣传周”活动的通知" in dashboard


def test_future_time_schedules_and_the_post_appears_exactly_then(editor_client, notices, clock):
    # The clock stands at 2026-11-26 08:00 UTC = 16:00 in Beijing; publish at 17:30 Beijing.
    url = edit_url(write_post(editor_client, notices, "publish", published_at="2026-11-26T17:30"))
    assert "已定时发布，将于 2026-11-26 17:30 自动公开。" in text_of(editor_client.get(url))
    post_id = post_id_of(url)
    assert "定时" in text_of(editor_client.get("/editor/?state=scheduled"))
    assert editor_client.get(article_url(post_id)).status_code == 404
    assert "宪法宣传周" not in text_of(editor_client.get("/notices/"))

    clock(datetime(2026, 11, 26, 9, 29, 59, tzinfo=UTC))
    assert editor_client.get(article_url(post_id)).status_code == 404
    clock(datetime(2026, 11, 26, 9, 30, tzinfo=UTC))
    assert editor_client.get(article_url(post_id)).status_code == 200
    assert "宪法宣传周" in text_of(editor_client.get("/notices/"))
    assert "已发布" in text_of(editor_client.get("/editor/?state=published"))


def test_editing_without_touching_the_time_keeps_it_to_the_second(
    editor_client, make_post, load_post
):
    moment = datetime(2026, 11, 20, 1, 2, 3, 456000, tzinfo=UTC)
    post = make_post("原标题", published_at=moment)
    url = f"/editor/posts/{post.id}/edit"
    edit_url(submit(editor_client, url, "publish", title="新标题"))
    assert load_post(post.id).published_at == moment
    assert load_post(post.id).title == "新标题"


def test_pinned_and_summary_are_saved(editor_client, notices, load_post):
    url = edit_url(write_post(editor_client, notices, "draft", pinned="y", summary="一句话摘要"))
    post = load_post(post_id_of(url))
    assert post.pinned is True
    assert post.summary == "一句话摘要"


# --- validation: the form comes back as typed --------------------------------------------------


TYPED = {
    "title": "  <b>标题</b> & '引号' \"双引号\"  ",
    "source": "来源 <i>x</i>",
    "author": "作者&amp;",
    "published_at": "2026-11-27T09:15",
    "summary": "摘要\n第二行 <script>",
    "body": "<p>正文 &lt; 原样 &amp;</p>\n<script>alert(1)</script>",
}


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"title": "   "}, "请填写标题。"),
        ({"title": "长" * 201}, "不能超过 200 个字符（现在 201 个）。"),
        ({"body": "<script>alert(1)</script><p>  </p>"}, "正文不能为空"),
        ({"body": ""}, "正文不能为空"),
        ({"channel": "999999"}, "请选择一个存在的栏目。"),
        ({"channel": "notices"}, "请选择一个存在的栏目。"),
        ({"published_at": "2026-13-45T99:99"}, "发布时间格式不正确"),
        ({"published_at": "明天上午"}, "发布时间格式不正确"),
        ({"published_at": "2026-02-30T10:00"}, "发布时间格式不正确"),
        ({"source": "源" * 101}, "不能超过 100 个字符"),
    ],
)
def test_invalid_input_returns_the_form_as_typed(app, editor_client, notices, changes, message):
    typed = {**post_fields(notices), **TYPED, "pinned": "y", **changes}
    response = submit(editor_client, NEW_POST, "publish", **typed)
    assert response.status_code == 400
    assert message in text_of(response)
    assert "表单有误" in text_of(response)
    shown = form_fields(response)
    for name in ("title", "source", "author", "published_at", "summary", "body"):
        assert shown[name] == typed[name].replace("\n", "\r\n") or shown[name] == typed[name]
    assert shown.get("pinned") == "y"
    assert count_posts(app) == 0


def test_error_message_is_tied_to_its_field(editor_client, notices):
    response = write_post(editor_client, notices, "publish", title="")
    page = response.get_data(as_text=True)
    assert re.search(r'<input[^>]*aria-describedby="title-hint title-error"[^>]*id="title"', page)
    assert '<p class="field-error" id="title-error">请填写标题。</p>' in page


def test_oversize_body_gets_a_clear_message(app, editor_client, notices):
    body = "<p>" + "法" * (1024 * 1024 // 3) + "</p>"  # a little over 1 MiB in UTF-8
    response = write_post(editor_client, notices, "publish", body=body)
    assert response.status_code == 400
    size = len(body.encode("utf-8"))  # 1,048,583 bytes against a limit of 1,048,576
    shown = re.search(r"正文过大：([\d,]+) 字节.*?超过上限 ([\d,]+) 字节", text_of(response))
    assert shown, text_of(response)[:500]
    size_shown, limit_shown = (int(n.replace(",", "")) for n in shown.groups())
    assert (size_shown, limit_shown) == (size, 1024 * 1024)
    assert form_fields(response)["body"] == body
    assert count_posts(app) == 0


def test_request_over_max_content_length_gets_the_413_page(app, editor_client, notices):
    # The post form may also carry a post's files: its limit is theirs plus MAX_CONTENT_LENGTH.
    app.config["ATTACHMENT_POST_MAX_BYTES"] = 1024 * 1024
    token = csrf_token(editor_client.get(NEW_POST))
    response = editor_client.post(
        NEW_POST,
        data={
            **post_fields(notices, body="x" * (6 * 1024 * 1024)),
            "csrf_token": token,
            "action": "publish",
        },
    )
    assert response.status_code == 413
    assert "提交内容过大" in response.get_data(as_text=True)
    assert count_posts(app) == 0


def test_unknown_action_is_a_bad_request(app, editor_client, notices):
    assert write_post(editor_client, notices, "delete-everything").status_code == 400
    assert count_posts(app) == 0


def test_title_that_looks_like_html_is_text_everywhere(editor_client, notices):
    title = "<script>alert('t')</script>标题 & <b>粗</b>"
    url = edit_url(write_post(editor_client, notices, "publish", title=title))
    for page_url in (article_url(post_id_of(url)), "/notices/", "/editor/", url):
        page = editor_client.get(page_url).get_data(as_text=True)
        assert "<script>alert('t')</script>" not in page
        assert (
            "&lt;script&gt;alert(&#39;t&#39;)&lt;/script&gt;标题 &amp; &lt;b&gt;粗&lt;/b&gt;"
            in page
        )


def test_characters_xml_forbids_never_reach_the_feed(editor_client, notices, load_post):
    import feedparser

    url = edit_url(
        write_post(
            editor_client,
            notices,
            "publish",
            title="标题\x0b二",
            body="<p>正文\x01\x08内容&#1;</p>",
            author="作\x0c者",
        )
    )
    post = load_post(post_id_of(url))
    assert post.title == "标题二"
    assert post.author == "作者"
    assert "\x01" not in post.body_html
    assert "&#1;" not in post.body_html
    feed = feedparser.parse(editor_client.get("/feeds/all.rss").get_data())
    assert not feed.bozo, feed.get("bozo_exception")
    assert feed.entries[0].title == "标题二"


# --- sanitizing and the flash ------------------------------------------------------------------


def test_removed_content_is_reported_after_saving(editor_client, notices):
    body = '<p onclick="steal()">正文</p><script>alert(1)</script><a href="javascript:x()">链接</a>'
    url = edit_url(write_post(editor_client, notices, "publish", body=body))
    page = text_of(editor_client.get(url))
    assert "已移除不安全内容：" in page
    for item in ("onclick 属性", "<script> 标签及其内容", "javascript: 链接"):
        assert item in page
    public = editor_client.get(article_url(post_id_of(url))).get_data(as_text=True)
    assert "steal()" not in public
    assert "alert(1)" not in public
    assert "javascript:" not in public
    assert "<p>正文</p>" in public


def test_clean_body_saves_without_a_removal_flash(editor_client, notices):
    url = edit_url(write_post(editor_client, notices, "publish"))
    assert "已移除不安全内容" not in text_of(editor_client.get(url))


def test_word_paste_becomes_clean_paragraphs(editor_client, notices):
    body = (
        "<p class=MsoNormal align=center style='text-align:center;mso-line-height-rule:exactly'>"
        "<b><span style='font-size:16.0pt;font-family:方正小标宋简体'>通知<o:p></o:p></span></b></p>"
        "<p class=MsoNormal style='text-indent:2.0em;mso-char-indent-count:2.0'>"
        "<font face=仿宋>各单位：</font><o:p></o:p></p>"
    )
    url = edit_url(write_post(editor_client, notices, "publish", body=body))
    body_html = article_body(editor_client.get(article_url(post_id_of(url))))
    assert body_html == '<p class="text-center"><b>通知</b></p><p class="indent-2em">各单位：</p>'


# --- preview -----------------------------------------------------------------------------------


def test_preview_of_a_new_post_saves_nothing(app, editor_client, notices):
    body = "<p>预览正文</p><script>alert(1)</script>"
    response = write_post(editor_client, notices, "preview", body=body)
    assert response.status_code == 200
    page = text_of(response)
    assert "预览" in page
    assert "尚未保存" in page
    assert "关于开展“宪法宣传周”活动的通知" in page
    assert "<p>预览正文</p>" in response.get_data(as_text=True)
    assert "alert(1)" not in page
    assert response.headers["Cache-Control"] == "no-store"
    assert count_posts(app) == 0


def test_preview_of_an_edit_changes_nothing_and_counts_no_view(
    app, editor_client, make_post, load_post
):
    post = make_post("已发布的标题", view_count=7)
    url = f"/editor/posts/{post.id}/edit"
    response = submit(editor_client, url, "preview", title="改过的标题")
    assert response.status_code == 200
    assert "改过的标题" in text_of(response)
    assert '<span class="view-count">7</span>' in response.get_data(as_text=True)
    stored = load_post(post.id)
    assert (stored.title, stored.view_count, stored.version) == ("已发布的标题", 7, 1)
    assert revisions_of(app, post.id) == []
    assert "已发布的标题" in text_of(editor_client.get(article_url(post.id)))


def test_preview_with_errors_returns_the_form(editor_client, notices):
    response = write_post(editor_client, notices, "preview", title="")
    assert response.status_code == 400
    assert "请填写标题。" in text_of(response)


# --- state changes -----------------------------------------------------------------------------


def test_a_revision_cannot_be_restored_onto_a_post_in_the_trash(editor_client, notices, load_post):
    url = edit_url(write_post(editor_client, notices, "publish"))
    post_id = post_id_of(url)
    press(editor_client, f"/editor/posts/{post_id}/trash")
    response = press(editor_client, f"/editor/posts/{post_id}/revisions/1/restore")
    assert response.status_code == 404
    assert load_post(post_id).trashed_at is not None


def test_withdraw_takes_a_post_back_to_draft(app, editor_client, make_post):
    post = make_post("要撤回的公告")
    assert editor_client.get(article_url(post.id)).status_code == 200
    response = press(editor_client, f"/editor/posts/{post.id}/withdraw")
    assert response.status_code == 302
    assert "已撤回为草稿" in text_of(editor_client.get(response.headers["Location"]))
    assert editor_client.get(article_url(post.id)).status_code == 404
    assert "要撤回的公告" in text_of(editor_client.get("/editor/?state=draft"))
    assert [r.action for r in revisions_of(app, post.id)] == ["withdraw"]


def test_trash_and_restore(app, editor_client, make_post):
    post = make_post("要删除的公告")
    press(editor_client, f"/editor/posts/{post.id}/trash")
    assert editor_client.get(article_url(post.id)).status_code == 404
    assert "要删除的公告" not in text_of(editor_client.get("/editor/"))
    assert "要删除的公告" in text_of(editor_client.get("/editor/?state=trash"))
    edit = editor_client.get(f"/editor/posts/{post.id}/edit")
    assert edit.status_code == 302  # a trashed post is restored before it is edited
    assert "请先恢复再编辑" in text_of(editor_client.get(edit.headers["Location"]))

    press(editor_client, f"/editor/posts/{post.id}/restore")
    assert editor_client.get(article_url(post.id)).status_code == 200
    assert "要删除的公告" in text_of(editor_client.get("/editor/?state=published"))
    assert [r.action for r in revisions_of(app, post.id)] == ["trash", "restore"]


def test_delete_forever_is_for_admins_only(editor_client, make_post, load_post):
    post = make_post("回收站里的公告", trashed_at=datetime(2026, 11, 1, tzinfo=UTC))
    assert editor_client.get(f"/editor/posts/{post.id}/delete").status_code == 403
    response = press(editor_client, f"/editor/posts/{post.id}/delete")
    assert response.status_code == 403
    assert load_post(post.id) is not None


def test_admin_deletes_forever_after_confirming(app, admin_client, notices, load_post):
    url = edit_url(write_post(admin_client, notices, "publish", title="彻底删除"))
    post_id = post_id_of(url)
    refused = press(admin_client, f"/editor/posts/{post_id}/delete")
    assert "只能永久删除回收站中的文章" in text_of(admin_client.get(refused.headers["Location"]))
    press(admin_client, f"/editor/posts/{post_id}/trash")

    confirm = admin_client.get(f"/editor/posts/{post_id}/delete")
    assert confirm.status_code == 200
    assert "确定要永久删除《彻底删除》吗？" in text_of(confirm)
    assert "确认永久删除" in text_of(confirm)
    assert admin_client.post(f"/editor/posts/{post_id}/delete").status_code == 400
    assert load_post(post_id) is not None

    response = press(admin_client, f"/editor/posts/{post_id}/delete")
    assert "已永久删除《彻底删除》。" in text_of(admin_client.get(response.headers["Location"]))
    assert load_post(post_id) is None
    assert revisions_of(app, post_id) == []


# --- CSRF: every state change refuses a missing or forged token and changes nothing -------------


@pytest.mark.parametrize("token", [None, "forged-token", ""])
def test_state_changes_without_a_valid_token_change_nothing(
    app, admin_client, make_post, token, notices, load_post
):
    post = make_post("受保护的公告")
    trashed = make_post("回收站中", trashed_at=datetime(2026, 11, 1, tzinfo=UTC))
    data = {} if token is None else {"csrf_token": token}
    form = {**post_fields(notices), "action": "publish", "version": "1"}
    attempts = [
        (NEW_POST, {**form, **data}),
        (f"/editor/posts/{post.id}/edit", {**form, "title": "被篡改", **data}),
        (f"/editor/posts/{post.id}/withdraw", data),
        (f"/editor/posts/{post.id}/trash", data),
        (f"/editor/posts/{trashed.id}/restore", data),
        (f"/editor/posts/{trashed.id}/delete", data),
        (f"/editor/posts/{post.id}/revisions/1/restore", data),
        ("/editor/logout", data),
    ]
    for url, body in attempts:
        response = admin_client.post(url, data=body)
        assert response.status_code == 400, url
        assert "安全令牌" in response.get_data(as_text=True), url
    assert count_posts(app) == 2
    assert load_post(post.id).title == "受保护的公告"
    assert load_post(post.id).version == 1
    assert load_post(trashed.id).trashed_at is not None
    assert revisions_of(app, post.id) == []
    assert admin_client.get("/editor/").status_code == 200  # still logged in


# --- optimistic concurrency --------------------------------------------------------------------


@pytest.fixture
def second_editor(make_editor_client):
    return make_editor_client("li", display_name="李编辑")


def test_saving_over_a_newer_version_shows_a_conflict_and_keeps_the_text(
    app, editor_client, second_editor, make_post, load_post
):
    post = make_post("原标题", body_html="<p>原文</p>")
    url = f"/editor/posts/{post.id}/edit"
    zhang_form = form_fields(editor_client.get(url))
    li_form = form_fields(second_editor.get(url))

    li_form.update(title="李的标题", body="<p>李的正文</p>", action="publish")
    assert second_editor.post(url, data=li_form).status_code == 302

    zhang_form.update(title="张的标题", body="<p>张的正文</p>", action="publish")
    response = editor_client.post(url, data=zhang_form)
    assert response.status_code == 409
    page = text_of(response)
    assert "保存冲突" in page
    assert "李编辑" in page
    assert "第 2 版" in page
    kept = form_fields(response)
    assert kept["title"] == "张的标题"
    assert kept["body"] == "<p>张的正文</p>"
    assert load_post(post.id).title == "李的标题"
    assert [r.title for r in revisions_of(app, post.id)] == ["李的标题"]

    # Submitting again is now a deliberate overwrite; 李's version stays in the revisions.
    assert editor_client.post(url, data=kept | {"action": "publish"}).status_code == 302
    assert load_post(post.id).title == "张的标题"
    assert [r.title for r in revisions_of(app, post.id)] == ["李的标题", "张的标题"]


def test_edit_form_without_a_version_is_refused_with_the_text_kept(
    editor_client, make_post, load_post
):
    post = make_post("原标题")
    response = submit(
        editor_client, f"/editor/posts/{post.id}/edit", "publish", version="", title="我的新标题"
    )
    assert response.status_code == 409
    assert form_fields(response)["title"] == "我的新标题"  # nothing the editor typed is lost
    assert load_post(post.id).version == 1
    assert load_post(post.id).title == "原标题"


# --- revisions ---------------------------------------------------------------------------------


def test_every_save_appends_a_revision_with_the_raw_body(app, editor_client, notices):
    raw = '<p style="color:red" onclick="x()">第一稿</p>\r\n<script>bad()</script>'
    url = edit_url(write_post(editor_client, notices, "draft", body=raw))
    post_id = post_id_of(url)
    submit(editor_client, url, "publish", body="<p>第二稿</p>")
    rows = revisions_of(app, post_id)
    assert [(r.number, r.action, r.status) for r in rows] == [
        (1, "draft", "draft"),
        (2, "publish", "published"),
    ]
    assert rows[0].body_raw == raw
    assert rows[0].body_html == "<p>第一稿</p>\n"
    assert "onclick 属性" in rows[0].removed
    assert rows[0].title == "关于开展“宪法宣传周”活动的通知"

    listing = text_of(editor_client.get(f"/editor/posts/{post_id}/revisions"))
    assert "第 1 版" in listing
    assert "第 2 版" in listing
    assert "张编辑" in listing
    view = editor_client.get(f"/editor/posts/{post_id}/revisions/1")
    assert view.status_code == 200
    shown = view.get_data(as_text=True)
    assert "&lt;script&gt;bad()&lt;/script&gt;" in shown  # the raw body, as text
    assert "<p>第一稿</p>" in shown  # the clean body, rendered
    assert "<script>bad()" not in shown
    assert "onclick 属性" in text_of(view)


def test_the_edit_form_shows_the_last_raw_body(editor_client, notices):
    raw = "<p>保留原样</p><font color=red>字</font>"
    url = edit_url(write_post(editor_client, notices, "draft", body=raw))
    assert form_fields(editor_client.get(url))["body"] == raw


def test_restoring_a_revision_makes_a_new_one(app, editor_client, notices):
    url = edit_url(write_post(editor_client, notices, "publish", title="第一版标题"))
    post_id = post_id_of(url)
    submit(editor_client, url, "publish", title="第二版标题", body="<p>第二版</p>")
    response = press(editor_client, f"/editor/posts/{post_id}/revisions/1/restore")
    assert "已恢复第 1 版的内容（保存为新的第 3 版）。" in text_of(
        editor_client.get(response.headers["Location"])
    )
    public = text_of(editor_client.get(article_url(post_id)))
    assert "第一版标题" in public
    assert "各单位" in public
    rows = revisions_of(app, post_id)
    assert [(r.number, r.action, r.title) for r in rows] == [
        (1, "publish", "第一版标题"),
        (2, "publish", "第二版标题"),
        (3, "restore_revision", "第一版标题"),
    ]


def test_unknown_post_or_revision_is_404(editor_client, make_post):
    post = make_post()
    for url in (
        "/editor/posts/999999/edit",
        "/editor/posts/999999/revisions",
        f"/editor/posts/{post.id}/revisions/42",
    ):
        response = editor_client.get(url)
        assert response.status_code == 404
        assert "页面不存在" in response.get_data(as_text=True)


# --- dashboard ---------------------------------------------------------------------------------


@pytest.mark.usefixtures("clock")
def test_dashboard_filters_by_channel_state_and_author(
    editor_client, second_editor, make_channel, make_post
):
    news = make_channel("news", name="工作动态", column_type="工作动态")
    notices = make_channel("notices", name="通知公告")
    write_post(editor_client, notices, "draft", title="张的草稿")
    write_post(second_editor, news, "publish", title="李的动态")
    make_post("定时公告", published_at=datetime(2026, 12, 1, tzinfo=UTC))

    def titles(query):
        page = text_of(editor_client.get(f"/editor/{query}"))
        return {t for t in ("张的草稿", "李的动态", "定时公告") if t in page}

    assert titles("") == {"张的草稿", "李的动态", "定时公告"}
    assert titles("?channel=news") == {"李的动态"}
    assert titles("?state=draft") == {"张的草稿"}
    assert titles("?state=scheduled") == {"定时公告"}
    assert titles("?state=published") == {"李的动态"}
    assert titles("?state=trash") == set()
    assert titles("?mine=1") == {"张的草稿"}
    assert "李编辑" in text_of(editor_client.get("/editor/?channel=news"))  # who created it
    assert editor_client.get("/editor/?state=bogus").status_code == 400
    assert editor_client.get("/editor/?channel=nosuch").status_code == 400
    assert editor_client.get("/editor/?page=0").status_code == 400


@pytest.mark.usefixtures("two_per_page", "clock")
def test_dashboard_is_newest_first_and_paged(editor_client, make_post):
    base = datetime(2026, 11, 1, tzinfo=UTC)
    for day in range(5):
        moment = base + timedelta(days=day)
        make_post(f"第{day + 1}篇", published_at=moment, updated_at=moment)
    first = text_of(editor_client.get("/editor/"))
    assert first.index("第5篇") < first.index("第4篇")
    assert "第3篇" not in first
    assert "第 1 / 3 页，共 5 条" in first
    third = text_of(editor_client.get("/editor/?page=3"))
    assert "第1篇" in third
    assert "第2篇" not in third
    assert editor_client.get("/editor/?page=4").status_code == 404
