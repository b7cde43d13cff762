"""Flow 1 and 4: a reader clicks through the site, on a desktop and on a phone."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from playwright.sync_api import expect
from support import PHONE

from portal.timeutil import now_utc

pytestmark = [pytest.mark.browser, pytest.mark.slow]

NOTICES = 25  # more than one page of 20


@pytest.fixture
def notices(make_site_post):
    """25 notices, newest first: 第1号 is the newest."""
    now = now_utc()
    return [
        make_site_post(
            f"关于开展第{number}号普法宣传活动的通知",
            published_at=now - timedelta(hours=number),
            body_html=f"<p>第{number}号通知的正文：请各单位认真组织学习。</p>",
        )
        for number in range(1, NOTICES + 1)
    ]


def view_count(page) -> int:
    text = page.get_by_text(re.compile(r"浏览次数：\d+")).inner_text()
    return int(re.search(r"\d+", text).group())


@pytest.mark.usefixtures("notices")
def test_reader_follows_a_notice_reads_it_and_pages_through_the_list(web):
    page = web.page
    web.goto("/")
    sidebar = page.get_by_role("complementary")
    expect(sidebar.get_by_role("heading", name="信息公告")).to_be_visible()

    sidebar.get_by_role("link", name="关于开展第3号普法宣传活动的通知").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("关于开展第3号普法宣传活动的通知")
    expect(page.get_by_text("第3号通知的正文：请各单位认真组织学习。")).to_be_visible()
    first = view_count(page)
    assert first >= 1
    page.reload()
    assert view_count(page) == first + 1

    page.get_by_role("complementary").get_by_role("link", name="更多信息公告").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("信息公告")
    main = page.get_by_role("main")
    expect(main.get_by_role("link", name="关于开展第1号普法宣传活动的通知")).to_be_visible()
    expect(main.get_by_role("link", name="关于开展第25号普法宣传活动的通知")).to_have_count(0)

    page.get_by_role("navigation", name="分页").get_by_role("link", name="2").click()
    expect(page).to_have_url(re.compile(r"/notices/\?page=2$"))
    expect(main.get_by_role("link", name="关于开展第25号普法宣传活动的通知")).to_be_visible()
    expect(main.get_by_role("link", name="关于开展第1号普法宣传活动的通知")).to_have_count(0)
    expect(page.get_by_text("第 2 / 2 页，共 25 条")).to_be_visible()

    page.go_back()
    expect(page).to_have_url(re.compile(r"/notices/$"))
    expect(main.get_by_role("link", name="关于开展第1号普法宣传活动的通知")).to_be_visible()
    page.get_by_role("navigation", name="分页").get_by_role("link", name="下一页").click()
    page.get_by_role("navigation", name="分页").get_by_role("link", name="上一页").click()
    expect(page).to_have_url(re.compile(r"/notices/\?page=1$"))
    expect(main.get_by_role("link", name="关于开展第20号普法宣传活动的通知")).to_be_visible()
    web.watch.assert_clean()


# How far the page is wider than its viewport. Not window.innerWidth: with is_mobile=True Chromium
# widens the layout viewport (and innerWidth) to the content, so that comparison never fails.
NO_HORIZONTAL_SCROLL = (
    "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
)


def box(locator) -> dict:
    found = locator.bounding_box()
    assert found is not None, "not displayed"
    return found


@pytest.mark.parametrize("path", ["/", "article"])
@pytest.mark.usefixtures("notices")
def test_phone_has_no_horizontal_scroll_and_the_sidebar_follows_the_content(
    session_factory, make_post, path
):
    wide = make_post(
        "一篇带宽表格和长网址的文章",
        channel="news",
        body_html=(
            "<p>https://www.example.gov.cn/" + "a" * 120 + "</p>"
            "<table><tr>"
            + "".join(f"<td>第{n}列的较长内容</td>" for n in range(12))
            + "</tr></table>"
        ),
    )
    if path == "article":
        path = f"/news/{wide.id}.html"
    phone = session_factory(viewport=PHONE, is_mobile=True, has_touch=True)
    phone.goto(path)

    assert phone.page.evaluate(NO_HORIZONTAL_SCROLL) <= 0
    main, sidebar = (
        box(phone.page.get_by_role("main")),
        box(phone.page.get_by_role("complementary")),
    )
    assert sidebar["y"] >= main["y"] + main["height"], "the sidebar is not below the content"
    assert sidebar["width"] > 300, "the sidebar does not take the phone's width"
    phone.watch.assert_clean()


@pytest.mark.usefixtures("notices")
def test_desktop_shows_the_sidebar_beside_the_content(web):
    web.goto("/")
    main, sidebar = box(web.page.get_by_role("main")), box(web.page.get_by_role("complementary"))
    assert sidebar["x"] >= main["x"] + main["width"]
    assert abs(sidebar["y"] - main["y"]) < 5
    web.watch.assert_clean()
