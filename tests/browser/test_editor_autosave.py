"""Issue 10, item 7 in Chromium: what an editor types survives a session that ends before the
save (static/js/editor-autosave.js keeps a copy in the browser, the form's next opening puts it
back with a notice, a successful save drops it), with the page's CSP in force."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from portal import messages

pytestmark = [pytest.mark.browser, pytest.mark.slow]

TITLE = "关于开展法治宣传进社区活动的通知"
BODY = "各社区：请于本月底前报送活动安排。这段正文写了很久，不能丢。"
COPIES = "() => Object.keys(localStorage).filter((key) => key.startsWith('portal-autosave:'))"


@pytest.fixture
def site(make_site_post):
    return make_site_post("已经保存过的公告", body_html="<p>已经保存的正文。</p>")


def stored_copies(page) -> list[str]:
    return page.evaluate(COPIES)


def body_field(page):
    """The textarea that is submitted (under the rich-text surface, when there is one)."""
    return page.get_by_label("正文", exact=True)


def type_body(page, text: str) -> str:
    """Type ``text`` as the whole 正文, as a person does (into the rich-text surface when the
    page has one); returns what the form will submit."""
    surface = page.get_by_role("textbox", name="正文（编辑区）", exact=True)
    if surface.count():
        surface.click()
        page.keyboard.press("Control+A")
        page.keyboard.type(text)
    else:
        body_field(page).fill(text)
    expect(body_field(page)).to_have_value(re.compile(re.escape(text)))
    return body_field(page).input_value()


def expect_body_shows(page, text: str) -> None:
    """What the editor sees of the 正文: the rich-text surface, or else the textarea."""
    surface = page.get_by_role("textbox", name="正文（编辑区）", exact=True)
    if surface.count():
        expect(surface).to_have_text(text)
    else:
        expect(body_field(page)).to_have_value(re.compile(re.escape(text)))


def test_text_typed_before_the_session_ended_is_offered_back_after_logging_in(
    web, editor_account, site
):
    page = web.page
    web.watch.allow_console(r"status of 40[03]")  # the refused save, answered with the form
    web.log_in(*editor_account)
    page.get_by_role("link", name="写新文章").first.click()
    page.get_by_label("标题", exact=True).fill(TITLE)
    page.get_by_label("栏目", exact=True).select_option(label="信息公告")
    sent = type_body(page, BODY)

    web.context.clear_cookies()  # the session is gone (expired, or the browser dropped it)
    page.get_by_role("button", name="保存草稿").click()
    expect(page.get_by_role("alert")).to_contain_text(messages.NOT_SAVED_LOGGED_OUT)
    expect(page.get_by_label("标题", exact=True)).to_have_value(TITLE)  # the form, as typed
    expect(body_field(page)).to_have_value(sent)
    assert len(stored_copies(page)) == 1

    # Logging in again in a new tab opens the form, and the text is there.
    with web.context.expect_page() as new_tab:
        page.get_by_role("link", name="在新窗口中重新登录").click()
    tab = new_tab.value
    tab.get_by_label("用户名", exact=True).fill(editor_account[0])
    tab.get_by_label("密码", exact=True).fill(editor_account[1])
    tab.get_by_role("button", name="登录").click()
    expect(tab.get_by_role("heading", name="写新文章")).to_be_visible()
    expect(tab.locator("#autosave-notice")).to_be_visible()
    expect(tab.locator("#autosave-notice")).to_contain_text("已恢复本机浏览器暂存的")
    expect(tab.get_by_label("标题", exact=True)).to_have_value(TITLE)
    expect(tab.get_by_label("栏目", exact=True)).to_have_value(str(site.channel_id))
    expect(body_field(tab)).to_have_value(sent)
    expect_body_shows(tab, BODY)

    tab.get_by_role("button", name="保存草稿").click()
    expect(tab.get_by_text(messages.SAVED_DRAFT)).to_be_visible()
    expect(tab.get_by_label("标题", exact=True)).to_have_value(TITLE)
    expect(tab.locator("#autosave-notice")).to_be_hidden()
    assert stored_copies(tab) == []  # the server said the save succeeded: the copy is gone
    tab.reload()
    expect(tab.locator("#autosave-notice")).to_be_hidden()
    web.watch.assert_clean()


def test_an_edit_refused_after_logging_out_in_another_tab_comes_back_and_can_be_discarded(
    web, editor_account, site
):
    page = web.page
    web.watch.allow_console(r"status of 40[03]")
    web.log_in(*editor_account)
    edit_path = f"/editor/posts/{site.id}/edit"
    web.goto(edit_path)
    page.get_by_label("标题", exact=True).fill("改过的标题")
    sent = type_body(page, "改过的正文。")

    other = web.context.new_page()
    other.goto(web.url("/editor/"))
    other.get_by_role("button", name="退出登录").click()
    expect(other.get_by_role("heading", name="编辑登录")).to_be_visible()

    page.get_by_role("button", name="发布").click()
    expect(page.get_by_role("alert")).to_contain_text(messages.NOT_SAVED_LOGGED_OUT)
    expect(page.get_by_label("标题", exact=True)).to_have_value("改过的标题")

    other.get_by_label("用户名", exact=True).fill(editor_account[0])
    other.get_by_label("密码", exact=True).fill(editor_account[1])
    other.get_by_role("button", name="登录").click()
    other.goto(web.url(edit_path))
    expect(other.locator("#autosave-notice")).to_be_visible()
    expect(other.get_by_label("标题", exact=True)).to_have_value("改过的标题")
    expect(body_field(other)).to_have_value(sent)
    expect_body_shows(other, "改过的正文。")

    # Discarding goes back to the stored post and forgets the copy.
    other.get_by_role("button", name="丢弃暂存的内容").click()
    expect(other.locator("#autosave-notice")).to_be_hidden()
    expect(other.get_by_label("标题", exact=True)).to_have_value("已经保存过的公告")
    expect(body_field(other)).to_have_value("<p>已经保存的正文。</p>")
    expect_body_shows(other, "已经保存的正文。")
    expect(other.get_by_label("标题", exact=True)).to_be_focused()
    assert stored_copies(other) == []
    other.reload()
    expect(other.locator("#autosave-notice")).to_be_hidden()
    expect(other.get_by_label("标题", exact=True)).to_have_value("已经保存过的公告")
    web.watch.assert_clean()
