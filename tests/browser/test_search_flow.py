"""站内搜索 in Chromium, with JavaScript off (the search needs none): a reader searches from the
header of any page, narrows the search with the form, pages through the results and opens one;
on a phone the page fits the screen."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from playwright.sync_api import expect
from support import PHONE

from portal.timeutil import now_utc

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture
def posts(make_site_post):
    now = now_utc()
    for number in range(1, 23):
        make_site_post(
            f"关于第{number}期民法典讲座的通知",
            published_at=now - timedelta(hours=number),
            body_html=f"<p>第{number}期讲座：社区居民学习<strong>民法典</strong>婚姻家庭编。</p>",
        )
    make_site_post(
        "普法动态一则",
        channel="news",
        published_at=now - timedelta(minutes=5),
        body_html="<p>市司法局开展ＡＢＣ普法活动，宣讲民法典。</p>",
    )


@pytest.mark.usefixtures("posts")
def test_a_reader_searches_from_the_header_without_javascript(session_factory):
    web = session_factory(java_script_enabled=False)
    page = web.page
    web.goto("/notices/")
    header = page.get_by_role("banner")
    header.get_by_role("searchbox", name="站内搜索").fill("民法典")
    header.get_by_role("searchbox", name="站内搜索").press("Enter")

    expect(page).to_have_url(re.compile(r"/search\?q=%E6%B0%91%E6%B3%95%E5%85%B8$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("站内搜索")
    main = page.get_by_role("main")
    expect(main.get_by_role("status")).to_contain_text("找到 23 条")
    expect(main.locator(".search-results > li")).to_have_count(20)
    expect(main.locator(".search-excerpt mark").first).to_have_text("民法典")
    expect(main.get_by_role("searchbox", name="搜索词")).to_have_value("民法典")

    # Narrow it: one channel, newest first; the form keeps what was chosen.
    main.get_by_label("栏目").select_option(label="普法动态")
    main.get_by_label("排序").select_option("newest")
    main.get_by_role("button", name="搜索").click()
    expect(main.get_by_role("status")).to_contain_text("找到 1 条")
    expect(main.get_by_label("栏目")).to_have_value("news")
    result = main.get_by_role("link", name="普法动态一则")
    expect(result).to_be_visible()

    # Back to every channel, page 2, then open a result.
    main.get_by_label("栏目").select_option("")
    main.get_by_role("button", name="搜索").click()
    main.get_by_role("navigation", name="分页").get_by_role("link", name="2").click()
    expect(main.locator(".search-results > li")).to_have_count(3)
    main.get_by_role("link", name="关于第22期民法典讲座的通知").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("关于第22期民法典讲座的通知")
    web.watch.assert_clean()


@pytest.mark.usefixtures("posts")
def test_full_width_query_bad_date_and_the_phone_layout(session_factory):
    web = session_factory(viewport=PHONE)
    page = web.page
    web.watch.allow_console(r"status of 400")
    web.goto("/search?q=ａｂｃ")
    main = page.get_by_role("main")
    expect(main.get_by_role("status")).to_contain_text("找到 1 条")
    expect(main.locator(".search-excerpt mark")).to_have_text("ＡＢＣ")
    width = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert width <= 0, f"the page is {width}px wider than the phone"

    web.goto("/search?q=民法典&since=2024-02-30")
    expect(main.get_by_text("日期格式不正确")).to_be_visible()
    expect(main.get_by_label("发布日期从")).to_have_value("2024-02-30")
    web.watch.assert_clean()
