"""Issue 14 in Chromium: the 正文 field's rich-text surface (static/js/editor-richtext.js).

Clipboard HTML as Word, WPS and Chrome put it on the clipboard (tests/fixtures/clipboard/) is
pasted through a real paste event, saved, and read back on the public page; plain text sent
without script becomes paragraphs; blocking the editor's scripts loses nothing; the toolbar
works from the keyboard. Every page is watched for CSP violations (conftest.py), so none of this
may need an inline style.
"""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect
from support import article_body, edit_url, fill_body_html, post_id_of, write_post

from browser.test_accessibility import describe, serious_violations
from portal import messages
from portal.text import paragraphs

pytestmark = [pytest.mark.browser, pytest.mark.slow]

CLIPBOARD = Path(__file__).resolve().parents[1] / "fixtures" / "clipboard"
PLAIN_TEXT = (CLIPBOARD / "word.txt").read_text(encoding="utf-8")
EDITABLE = "正文（编辑区）"
IMAGE_URL = "https://images.example.gov.cn/logo.svg"

# A paste as the browser makes it: a trusted-looking ClipboardEvent whose DataTransfer carries
# what Word/WPS/Chrome put on the clipboard (HTML and its plain-text twin).
PASTE = """([html, text]) => {
  const data = new DataTransfer();
  data.setData("text/html", html);
  data.setData("text/plain", text);
  const event = new ClipboardEvent("paste", { clipboardData: data, bubbles: true, cancelable: true });
  document.activeElement.dispatchEvent(event);
  return event.defaultPrevented;
}"""


@pytest.fixture
def site(make_site_post):
    make_site_post("此前的一条旧公告")


def open_new_post(web, editor_account, title: str):
    page = web.page
    web.log_in(*editor_account)
    page.get_by_role("link", name="写新文章").first.click()
    page.get_by_label("标题", exact=True).fill(title)
    page.get_by_label("栏目", exact=True).select_option(label="信息公告")
    return page


def editable(page):
    return page.get_by_role("textbox", name=EDITABLE, exact=True)


def paste(page, html: str, text: str = PLAIN_TEXT) -> None:
    editable(page).click()
    assert page.evaluate(PASTE, [html, text]), "the editor did not take the paste"


def publish_and_open(web) -> str:
    """Publish the form, open the public page; return the article body's HTML."""
    page = web.page
    page.get_by_role("button", name="发布").click()
    expect(page.get_by_text(messages.SAVED_PUBLISHED)).to_be_visible()
    web.goto(f"/notices/{post_id_of(urlsplit(page.url).path)}.html")  # the form's channel, 信息公告
    expect(page.locator(".article-body")).to_be_visible()
    return article_body(page.content())


def assert_notice_structure(page, body: str, source: str) -> None:
    """What the three clipboard fixtures hold, as the public page shows it."""
    article = page.locator(".article-body")
    expect(article.get_by_role("heading", name="一、活动安排")).to_be_visible()
    expect(article.get_by_role("heading", name="二、日程表")).to_be_visible()
    expect(article.locator("strong", has_text="12月4日").first).to_be_visible()
    # The numbered list is a list, its numbers are the list's (not "1." typed into the text).
    numbered = article.locator("ol").first
    items = numbered.locator(":scope > li")
    expect(items).to_have_count(3)
    expect(items.nth(0)).to_have_text("宪法宣誓仪式")
    expect(items.nth(2)).to_have_text("宪法知识竞赛")
    if source == "word":  # Word's fixture has a second-level item under the second one
        expect(items.nth(1).locator("ol li")).to_have_text("上午在市民中心")
    bullets = article.locator("ul li")
    expect(bullets).to_have_text(["请着正装出席", "提前十五分钟到场"])
    # The table keeps Word's merged cells.
    expect(article.locator("td[rowspan='2']")).to_have_text("12月4日")
    expect(article.locator("td[colspan='3']")).to_have_text(re.compile("^备注：各单位于12月1日"))
    expect(article.get_by_role("cell")).to_have_count(9)
    # First-line indent and right alignment survive as the site's classes.
    expect(article.locator("p.indent-2em", has_text="为深入学习宣传贯彻宪法")).to_have_count(1)
    expect(article.locator("p.indent-2em", has_text="联系人：张老师")).to_have_count(1)
    expect(article.locator("p.text-right")).to_have_text(["市司法局", "2026年11月20日"])
    expect(article.get_by_role("link", name="中国政府网")).to_have_attribute(
        "href", "https://www.gov.cn/"
    )
    # Word's clutter is gone: no markers, fonts, Office tags, styles or empty paragraphs.
    for clutter in ("mso-", "<o:p", "<font", "style=", "Mso", "&nbsp;", "supportLists"):
        assert clutter not in body, clutter
    assert not re.search(r"<p[^>]*>\s*</p>", body), "an empty paragraph"
    assert not re.search(r"<li><p>(?:\d\.|l|&#108;)", body), "a list marker kept as text"


@pytest.mark.parametrize("source", ["word", "wps", "browser"])
@pytest.mark.usefixtures("site")
def test_pasted_word_wps_and_web_html_keeps_its_structure_on_the_public_page(
    web, editor_account, source, screenshot_folder
):
    page = open_new_post(web, editor_account, f"粘贴自{source}的通知")
    paste(page, (CLIPBOARD / f"{source}.html").read_text(encoding="utf-8"))
    page.locator(".richtext").screenshot(path=screenshot_folder / f"editor-pasted-{source}.png")

    # The editor shows the structure before saving, with nothing the sanitizer would remove.
    surface = editable(page)
    expect(surface.locator("ol").first.locator(":scope > li")).to_have_count(3)
    expect(surface.locator("td[rowspan='2']")).to_have_text("12月4日")
    sent = page.get_by_label("正文", exact=True).input_value()
    assert "<ol>" in sent
    assert 'colspan="3"' in sent
    assert "mso" not in sent

    body = publish_and_open(web)
    assert_notice_structure(web.page, body, source)
    web.watch.assert_clean()


# Puts HTML and text on the browser's clipboard, as Word does from outside the page.
WRITE_CLIPBOARD = """async ([html, text]) => {
  await navigator.clipboard.write([new ClipboardItem({
    "text/html": new Blob([html], { type: "text/html" }),
    "text/plain": new Blob([text], { type: "text/plain" }),
  })]);
}"""


@pytest.mark.usefixtures("site")
def test_ctrl_v_from_the_real_clipboard_pastes_word_with_its_structure(web, editor_account):
    """The real thing: Word's HTML on the system clipboard, Ctrl+V, a trusted paste event."""
    web.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=web.base_url)
    # Written from a blank page of the same origin: Chromium parses what is written to the
    # clipboard in the writing page, and Word writes from outside any page with our CSP.
    web.context.route(
        "**/clipboard-source", lambda route: route.fulfill(content_type="text/html", body="")
    )
    writer = web.context.new_page()
    writer.goto(web.url("/clipboard-source"))
    writer.evaluate(
        WRITE_CLIPBOARD, [(CLIPBOARD / "word.html").read_text(encoding="utf-8"), PLAIN_TEXT]
    )
    writer.close()

    page = open_new_post(web, editor_account, "用 Ctrl+V 粘贴的通知")
    editable(page).click()
    page.keyboard.press("Control+V")
    expect(editable(page).locator("td[rowspan='2']")).to_have_text("12月4日")
    body = publish_and_open(web)
    assert_notice_structure(web.page, body, "word")
    web.watch.assert_clean()


@pytest.mark.usefixtures("site")
def test_what_the_editor_sends_is_what_the_sanitizer_keeps(web, editor_account):
    """The surface holds only what the sanitizer allows: saving its HTML removes nothing, so
    the public page is what the editor showed."""
    page = open_new_post(web, editor_account, "所见即所得的通知")
    paste(page, (CLIPBOARD / "word.html").read_text(encoding="utf-8"))
    page.get_by_role("button", name="保存草稿").click()
    expect(page.get_by_text(messages.SAVED_DRAFT)).to_be_visible()
    expect(page.locator("#removed-report")).to_have_count(0)
    page.get_by_role("link", name="修订记录").click()
    page.get_by_role("link", name="第 1 版").click()
    expect(page.get_by_text("清理时移除")).to_have_count(0)
    web.watch.assert_clean()


@pytest.mark.usefixtures("site")
def test_plain_text_sent_without_script_becomes_paragraphs(session_factory, editor_account):
    web = session_factory(java_script_enabled=False)
    page = open_new_post(web, editor_account, "没有脚本时写的通知")
    body_field = page.get_by_label("正文", exact=True)
    expect(body_field).to_be_visible()  # without script the textarea is the field
    expect(page.get_by_role("toolbar")).to_have_count(0)
    body_field.fill(PLAIN_TEXT)
    body = publish_and_open(web)

    lines = [line.strip() for line in PLAIN_TEXT.splitlines() if line.strip()]
    shown = web.page.locator(".article-body > p")
    expect(shown).to_have_count(len(lines))
    expect(shown.nth(1)).to_have_text("各区司法局，市直各单位：")
    expect(shown.last).to_have_text("2026年11月20日")
    assert body.count("<p>") == len(lines) == paragraphs(PLAIN_TEXT).count("<p>")


@pytest.mark.usefixtures("site")
def test_plain_text_pasted_into_the_editor_becomes_paragraphs(web, editor_account):
    page = open_new_post(web, editor_account, "粘贴纯文本的通知")
    editable(page).click()
    page.evaluate(
        """(text) => {
          const data = new DataTransfer();
          data.setData("text/plain", text);
          document.activeElement.dispatchEvent(
            new ClipboardEvent("paste", { clipboardData: data, bubbles: true, cancelable: true }));
        }""",
        "第一段文字。\n\n第二段文字。\r\n第三段文字。",
    )
    publish_and_open(web)
    expect(web.page.locator(".article-body > p")).to_have_text(
        ["第一段文字。", "第二段文字。", "第三段文字。"]
    )
    web.watch.assert_clean()


@pytest.mark.parametrize(
    "blocked", ["**/static/vendor/prosemirror/prosemirror.min.js*", "**/js/editor-richtext.js*"]
)
@pytest.mark.usefixtures("site")
def test_nothing_typed_is_lost_when_the_editor_script_fails_to_load(web, editor_account, blocked):
    web.context.route(blocked, lambda route: route.abort())
    web.watch.allow_console(r"ERR_FAILED|net::")
    page = open_new_post(web, editor_account, "编辑器没有加载时写的通知")
    expect(page.get_by_role("toolbar")).to_have_count(0)
    body_field = page.get_by_label("正文", exact=True)
    expect(body_field).to_be_visible()
    body_field.fill("第一段：编辑器没有加载。\n\n第二段：<strong>照样保存</strong>。")
    publish_and_open(web)
    expect(web.page.locator(".article-body")).to_contain_text("第一段：编辑器没有加载。")
    expect(web.page.locator(".article-body strong")).to_have_text("照样保存")


@pytest.mark.usefixtures("site")
def test_the_toolbar_works_from_the_keyboard_and_every_button_is_named_in_chinese(
    web, editor_account
):
    page = open_new_post(web, editor_account, "用键盘排版的通知")
    toolbar = page.get_by_role("toolbar", name="正文格式工具栏")
    buttons = toolbar.get_by_role("button")
    names = [buttons.nth(i).inner_text() for i in range(buttons.count())]
    assert len(names) >= 20
    for i, name in enumerate(names):
        assert re.search(r"[\u4e00-\u9fff]", name), name
        assert re.search(r"[\u4e00-\u9fff]", buttons.nth(i).get_attribute("title") or ""), name
    # One tab stop: Tab from the summary reaches the toolbar's first button, then the text.
    page.get_by_label("摘要", exact=True).focus()
    page.keyboard.press("Tab")
    expect(toolbar.get_by_role("button", name="撤销")).to_be_focused()
    page.keyboard.press("Tab")
    expect(editable(page)).to_be_focused()

    page.keyboard.type("落款单位")
    page.keyboard.press("Alt+F10")  # into the toolbar, arrows to 右对齐, Enter
    expect(toolbar.get_by_role("button", name="撤销")).to_be_focused()
    for _ in range(names.index("右对齐")):
        page.keyboard.press("ArrowRight")
    expect(toolbar.get_by_role("button", name="右对齐")).to_be_focused()
    page.keyboard.press("Enter")
    expect(toolbar.get_by_role("button", name="右对齐")).to_have_attribute("aria-pressed", "true")
    page.keyboard.press("End")
    expect(toolbar.get_by_role("button", name="HTML 源代码")).to_be_focused()
    page.keyboard.press("Escape")
    expect(editable(page)).to_be_focused()

    page.keyboard.press("Enter")
    page.keyboard.type("加粗的正文")
    page.keyboard.press("Shift+Home")
    page.keyboard.press("Control+b")
    expect(toolbar.get_by_role("button", name="加粗")).to_have_attribute("aria-pressed", "true")
    page.keyboard.press("End")
    page.keyboard.press("Enter")
    page.keyboard.type("小标题")
    page.keyboard.press("Alt+F10")
    page.keyboard.press("Home")
    for _ in range(names.index("标题一")):
        page.keyboard.press("ArrowRight")
    page.keyboard.press("Space")

    publish_and_open(web)
    article = web.page.locator(".article-body")
    expect(article.locator("p.text-right")).to_have_text("落款单位")
    expect(article.locator("strong")).to_have_text("加粗的正文")
    expect(article.get_by_role("heading", level=2, name="小标题")).to_be_visible()
    web.watch.assert_clean()


@pytest.mark.usefixtures("site")
def test_links_images_and_merged_table_cells_are_made_in_the_toolbar(web, editor_account):
    # The image "from another site" is this site's icon, served by the browser itself.
    icon = Path(__file__).resolve().parents[2] / "static" / "images" / "favicon.svg"
    web.context.route(IMAGE_URL, lambda route: route.fulfill(path=icon))
    page = open_new_post(web, editor_account, "有链接、图片和表格的通知")
    toolbar = page.get_by_role("toolbar", name="正文格式工具栏")
    editable(page).click()
    page.keyboard.type("详见中国政府网")
    for _ in range(5):
        page.keyboard.press("Shift+ArrowLeft")
    toolbar.get_by_role("button", name="链接", exact=True).click()
    address = page.get_by_label("链接地址", exact=True)
    expect(address).to_be_focused()
    address.fill("javascript:alert(1)")
    address.press("Enter")  # never submits the article form
    expect(page.get_by_text("链接地址须以 http://")).to_be_visible()
    address.fill("https://www.gov.cn/")
    address.press("Enter")
    expect(editable(page).get_by_role("link", name="中国政府网")).to_be_visible()

    page.keyboard.press("End")
    toolbar.get_by_role("button", name="图片", exact=True).click()
    panel = page.get_by_role("group", name="插入图片")
    panel.get_by_label("图片地址", exact=True).fill("/static/images/favicon.svg")
    panel.get_by_role("button", name="确定插入").click()
    expect(panel.get_by_text("图片地址须以 https:// 开头")).to_be_visible()  # the site drops it
    panel.get_by_label("图片地址", exact=True).fill(IMAGE_URL)
    panel.get_by_role("button", name="确定插入").click()
    expect(panel.get_by_text("请填写图片说明")).to_be_visible()
    expect(panel.get_by_label("图片说明（替代文字）")).to_be_focused()
    panel.get_by_label("图片说明（替代文字）").fill("网站图标")
    panel.get_by_role("button", name="确定插入").click()
    expect(panel).to_be_hidden()
    expect(editable(page).get_by_role("img", name="网站图标")).to_be_visible()

    page.keyboard.press("Enter")
    toolbar.get_by_role("button", name="插入表格").click()
    page.keyboard.type("时间")
    page.keyboard.press("Shift+ArrowRight")  # across the cell's edge: two cells selected
    toolbar.get_by_role("button", name="合并单元格").click()
    expect(editable(page).locator("th[colspan='2']")).to_have_text("时间")

    publish_and_open(web)
    article = web.page.locator(".article-body")
    expect(article.get_by_role("link", name="中国政府网")).to_have_attribute(
        "href", "https://www.gov.cn/"
    )
    expect(article.get_by_role("img", name="网站图标")).to_be_visible()
    expect(article.locator("th[colspan='2']")).to_have_text("时间")
    web.watch.assert_clean()


@pytest.mark.usefixtures("site")
def test_the_html_source_view_edits_the_field_itself(web, editor_account):
    page = open_new_post(web, editor_account, "改源代码的通知")
    editable(page).click()
    page.keyboard.type("先写的一段。")
    fill_body_html(page, '<p class="text-center">源代码里写的居中段落。</p><p>第二段。</p>')
    expect(editable(page)).to_be_hidden()
    page.get_by_role("button", name="HTML 源代码").click()  # back: the editor shows the source
    expect(editable(page).locator("p.text-center")).to_have_text("源代码里写的居中段落。")
    expect(editable(page)).not_to_contain_text("先写的一段。")
    publish_and_open(web)
    expect(web.page.locator(".article-body p.text-center")).to_have_text("源代码里写的居中段落。")
    web.watch.assert_clean()


@pytest.mark.usefixtures("site")
def test_a_saved_plain_text_body_opens_as_paragraphs_in_the_editor(
    web, editor_account, make_editor_client, make_channel
):
    """Written as plain text without the editor (the raw body is what the form shows again),
    it opens as the paragraphs the public page shows, not as one run-on line."""
    writer = make_editor_client("writer")
    saved = write_post(
        writer, make_channel("notices"), "draft", body="第一段文字。\n\n第二段文字。"
    )
    page = web.page
    web.log_in(*editor_account)
    web.goto(edit_url(saved))
    expect(editable(page).locator("p")).to_have_text(["第一段文字。", "第二段文字。"])
    web.watch.assert_clean()


READINGS = {
    "default": None,
    "elder-mode": "/prefs/elder-mode/on",
    "font-large": "/prefs/font-size/large",
}
LOOK = """(element) => {
  const style = getComputedStyle(element);
  return { size: parseFloat(style.fontSize), color: style.color, background: style.backgroundColor };
}"""


@pytest.mark.usefixtures("site")
def test_the_loaded_editor_passes_axe_and_follows_the_reading_aids(
    session_factory, editor_account, axe_source
):
    """With a pasted notice and the link panel open, in each reading mode: no serious or
    critical axe violation, and 字号 / 老年人模式 restyle the editing surface and its toolbar."""
    looks, found = {}, {}
    for reading, pref in READINGS.items():
        web = session_factory()
        if pref:
            web.goto(pref)
        page = open_new_post(web, editor_account, "无障碍检查的通知")
        paste(page, (CLIPBOARD / "wps.html").read_text(encoding="utf-8"))
        page.get_by_role("toolbar").get_by_role("button", name="链接", exact=True).click()
        expect(page.get_by_label("链接地址", exact=True)).to_be_focused()
        violations = serious_violations(page, axe_source)
        if violations:
            found[reading] = violations
        looks[reading] = {
            "surface": editable(page).evaluate(LOOK),
            "button": page.get_by_role("button", name="加粗").evaluate(LOOK),
        }
        web.watch.assert_clean()
    assert not found, describe(found)
    default, large, elder = looks["default"], looks["font-large"], looks["elder-mode"]
    assert large["surface"]["size"] > default["surface"]["size"]
    assert large["button"]["size"] > default["button"]["size"]
    assert elder["surface"]["background"] == "rgb(0, 0, 0)"
    assert elder["surface"]["color"] == "rgb(255, 255, 255)"
    assert elder["button"]["background"] == "rgb(0, 0, 0)"
    assert elder["surface"]["size"] > default["surface"]["size"]
