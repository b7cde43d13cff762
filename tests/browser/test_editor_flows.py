"""Flows 2 and 3: an editor publishes, edits and withdraws a notice; hostile HTML runs nowhere."""

from __future__ import annotations

import re
from datetime import timedelta

import feedparser
import pytest
from playwright.sync_api import expect
from support import fill_body_html

from portal import messages
from portal.timeutil import now_utc

pytestmark = [pytest.mark.browser, pytest.mark.slow]

TITLE = "关于举办2026年宪法宣传周系列活动的通知"
BODY = (
    "<p>各单位：现将活动安排通知如下，<strong>请准时参加</strong>。</p>"
    "<table><thead><tr><th>日期</th><th>活动</th></tr></thead>"
    "<tbody><tr><td>12月4日</td><td>宪法宣誓仪式</td></tr>"
    "<tr><td>12月5日</td><td>法治讲座</td></tr></tbody></table>"
    '<p>详见<a href="https://www.gov.cn/">中国政府网</a>。</p>'
)


@pytest.fixture
def site(make_site_post):
    make_site_post("此前的一条旧公告", published_at=now_utc() - timedelta(days=2))


def write_notice(page, title: str, body: str) -> None:
    page.get_by_role("link", name="写新文章").first.click()
    page.get_by_label("标题", exact=True).fill(title)
    page.get_by_label("栏目", exact=True).select_option(label="信息公告")
    page.get_by_label("来源", exact=True).fill("市司法局")
    page.get_by_label("作者", exact=True).fill("普法科")
    fill_body_html(page, body)


def open_preview(web):
    """Click 预览 (it opens in a new tab) and return that tab, loaded."""
    with web.context.expect_page() as new_tab:
        web.page.get_by_role("button", name="预览").click()
    preview = new_tab.value
    preview.wait_for_load_state()
    return preview


@pytest.mark.usefixtures("site")
def test_editor_writes_previews_publishes_edits_and_withdraws_a_notice(web, editor_account):
    page = web.page
    web.log_in(*editor_account)
    write_notice(page, TITLE, BODY)

    preview = open_preview(web)
    expect(preview.get_by_role("heading", level=1)).to_have_text(TITLE)
    expect(preview.get_by_text("预览")).to_be_visible()
    expect(preview.locator(".article-body strong")).to_have_text("请准时参加")
    expect(preview.get_by_role("cell", name="宪法宣誓仪式")).to_be_visible()
    expect(preview.get_by_role("link", name="中国政府网")).to_have_attribute(
        "href", "https://www.gov.cn/"
    )
    preview.close()

    page.get_by_role("button", name="发布").click()
    expect(page.get_by_text(messages.SAVED_PUBLISHED)).to_be_visible()
    edit_url = page.url

    # The new notice leads the sidebar and the notices feed.
    web.goto("/")
    first_notice = page.get_by_role("complementary").get_by_role("listitem").first
    expect(first_notice.get_by_role("link")).to_have_text(TITLE)
    feed = feedparser.parse(page.request.get(web.url("/feeds/notices.atom")).body())
    assert not feed.bozo, feed.bozo_exception
    assert feed.entries[0].title == TITLE

    first_notice.get_by_role("link").click()
    public_url = page.url
    expect(page.get_by_role("heading", level=1)).to_have_text(TITLE)
    expect(page.locator(".article-body strong")).to_have_text("请准时参加")
    expect(page.get_by_role("cell", name="法治讲座")).to_be_visible()

    # The editor changes the body; the public page shows the change.
    page.goto(edit_url)
    fill_body_html(page, BODY.replace("法治讲座", "宪法知识竞赛"))
    page.get_by_role("button", name="发布").click()
    expect(page.get_by_text(messages.SAVED_PUBLISHED)).to_be_visible()
    page.get_by_role("link", name="查看公开页面").click()
    expect(page).to_have_url(public_url)
    expect(page.get_by_role("cell", name="宪法知识竞赛")).to_be_visible()
    expect(page.get_by_role("cell", name="法治讲座")).to_have_count(0)

    # Withdrawn: the public URL is gone.
    page.goto(edit_url)
    page.get_by_role("button", name="撤回").click()
    expect(page.get_by_text(messages.WITHDRAWN)).to_be_visible()
    web.watch.allow_console(r"status of 404")
    response = page.goto(public_url)
    assert response.status == 404
    expect(page.get_by_role("heading", level=1)).to_have_text("页面不存在")
    web.goto("/")
    expect(page.get_by_role("complementary").get_by_role("link", name=TITLE)).to_have_count(0)
    web.watch.assert_clean()


# Each would run script, navigate, or restyle the page if it survived; each sets the marker.
# The unclosed mXSS one comes last: its <style> swallows whatever follows.
HOSTILE_BODY = """
<p>正常段落：这段文字应当保留。</p>
<img src="/no-such-image.png" alt="坏图" onerror="window.__pwned='img';alert('img')">
<a id="js-link" href="javascript:window.__pwned='js';alert('js')">脚本链接</a>
<a href=" JaVaScRiPt:window.__pwned='case';alert('case')">大小写脚本链接</a>
<a href="jav&#x09;ascript:alert('entity')">实体脚本链接</a>
<svg onload="window.__pwned='svg';alert('svg')"><circle r="5"></circle></svg>
<svg><script>window.__pwned='svg-script';alert('svg-script')</script></svg>
<form action="/editor/posts/new" method="post"><button formaction="javascript:alert('form')">表单按钮</button></form>
<meta http-equiv="refresh" content="0;url=https://example.org/">
<script>window.__pwned='script';alert('script')</script>
<iframe src="javascript:alert('iframe')"></iframe>
<iframe srcdoc="<script>parent.__pwned='srcdoc'</script>"></iframe>
<object data="javascript:alert('object')"></object>
<embed src="javascript:alert('embed')">
<base href="https://evil.example/">
<p style="background:url(javascript:alert('css'))" onclick="alert('click')">带样式的段落</p>
<details open ontoggle="window.__pwned='details';alert('details')"><summary>x</summary></details>
<a href="data:text/html,<script>alert('data')</script>">数据链接</a>
<p>结尾段落：这段文字也应当保留。</p>
<math><mtext><table><mglyph><style><img src=x onerror="window.__pwned='mxss'">
"""


def assert_nothing_ran(page, expected_url: str) -> None:
    page.wait_for_load_state("networkidle")
    assert page.evaluate("() => window.__pwned") is None, "a payload ran"
    assert page.url == expected_url, "the page navigated away"
    expect(page.get_by_text("正常段落：这段文字应当保留。")).to_be_visible()
    expect(page.get_by_text("结尾段落：这段文字也应当保留。")).to_be_visible()
    # What is left of the links goes nowhere when clicked.
    for name in ("脚本链接", "大小写脚本链接", "实体脚本链接", "数据链接"):
        links = page.locator(".article-body a", has_text=re.compile(f"^{name}$"))
        if links.count():
            assert links.first.get_attribute("href") in (None, ""), f"{name} kept its href"
            links.first.click()
            assert page.url == expected_url
    assert page.evaluate("() => window.__pwned") is None


@pytest.mark.usefixtures("site")
def test_hostile_html_runs_no_script_in_the_preview_or_on_the_public_page(web, editor_account):
    page = web.page
    web.watch.allow_console(r"status of 404 .*\[[^\]]*/no-such-image\.png/?\]")  # the bait
    web.log_in(*editor_account)
    write_notice(page, "含有恶意代码的公告", HOSTILE_BODY)
    form_url = page.url

    preview = open_preview(web)
    assert_nothing_ran(preview, form_url)
    assert web.watch.navigations[-1] == form_url
    preview.close()

    page.get_by_role("button", name="发布").click()
    expect(page.get_by_text(messages.SAVED_PUBLISHED)).to_be_visible()
    expect(page.get_by_text(re.compile("^已移除不安全内容："))).to_be_visible()

    page.get_by_role("link", name="查看公开页面").click()
    public_url = page.url
    navigations_before = len(web.watch.navigations)
    assert_nothing_ran(page, public_url)
    assert web.watch.navigations[navigations_before:] == []
    web.watch.assert_clean()
