"""The public reader's experience, as a reader sees it through the test client."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

import pytest
import sqlalchemy as sa
from lxml import etree
from page import page
from support import base_config, statements_on

from portal.extensions import db
from portal.posts import queries
from portal.posts.models import Post
from portal.timeutil import now_utc

SHANGHAI_1719 = datetime(2019, 8, 6, 9, 19, tzinfo=UTC)  # 2019-08-06 17:19 in Asia/Shanghai


# --- home and sidebar ------------------------------------------------------------------------


def test_home_sidebar_lists_latest_notices_with_more_link(client, make_post):
    older = make_post("较早的公告", published_at=now_utc() - timedelta(days=2))
    newer = make_post("最新的公告", published_at=now_utc() - timedelta(days=1))
    response = client.get("/")
    assert response.status_code == 200
    sidebar = page(response).one("aside")
    home = page(response)
    assert "信息公告" in home.one("h2", id="sidebar-notices-title").text
    assert home.links()["更多>>"] == "/notices/"
    titles = [a.text for a in home.all("a") if a.attrs.get("href", "").startswith("/notices/")]
    assert titles.index("最新的公告") < titles.index("较早的公告")
    assert sidebar.tag == "aside"
    assert f"/notices/{newer.id}.html" in response.get_data(as_text=True)
    assert f"/notices/{older.id}.html" in response.get_data(as_text=True)


def test_sidebar_keeps_whole_titles_in_html_and_title_attribute_with_date(client, make_post):
    # The old site cut these three to the same 23 characters; ours keeps every word.
    titles = [
        "市委全面依法治市委员会办公室 市委宣传部 市司法局关于开展第一项工作的通知",
        "市委全面依法治市委员会办公室 市委宣传部 市司法局关于开展第二项工作的通知",
    ]
    for title in titles:
        make_post(title, published_at=datetime(2023, 2, 20, 1, 0, tzinfo=UTC))
    home = page(client.get("/"))
    sidebar_links = [a for a in home.by_class("a", "clamp-2")]
    assert sorted(a.text for a in sidebar_links) == sorted(titles)
    for link in sidebar_links:
        assert link.attrs["title"] == link.text
    dates = [t.text for t in home.all("time")]
    assert "2023-02-20" in dates


def test_sidebar_shows_pinned_notice_first(client, make_post):
    make_post("普通公告", published_at=now_utc() - timedelta(hours=1))
    make_post("置顶公告", pinned=True, published_at=now_utc() - timedelta(days=30))
    home = page(client.get("/"))
    titles = [a.text for a in home.by_class("a", "clamp-2")]
    assert titles == ["置顶公告", "普通公告"]


def test_home_shows_latest_articles_of_other_channels_pinned_first(client, make_channel, make_post):
    make_channel("news", name="普法动态", column_type="工作动态")
    make_post("普法动态一", channel="news", published_at=now_utc() - timedelta(days=1))
    make_post("普法动态二", channel="news", published_at=now_utc() - timedelta(hours=2))
    make_post("置顶动态", channel="news", pinned=True, published_at=now_utc() - timedelta(days=9))
    home = page(client.get("/"))
    section = home.one("h2", id="section-news")
    assert section.text == "普法动态"
    news_titles = [a.text for a in home.all("a") if a.attrs.get("href", "").endswith(".html")]
    assert news_titles[:3] == ["置顶动态", "普法动态二", "普法动态一"]


# --- visibility: one rule everywhere -----------------------------------------------------------


@pytest.fixture
def hidden_posts(make_post):
    return {
        "draft": make_post("草稿不可见", status="draft"),
        "scheduled": make_post("定时不可见", published_at=now_utc() + timedelta(days=1)),
        "trashed": make_post("回收站不可见", trashed_at=now_utc() - timedelta(minutes=1)),
    }


def test_draft_scheduled_and_trashed_posts_are_never_public(client, make_post, hidden_posts):
    visible = make_post("公开公告")
    for url in ("/", "/notices/", f"/notices/{visible.id}.html", "/sitemap.xml"):
        body = client.get(url).get_data(as_text=True)
        for post in hidden_posts.values():
            assert post.title not in body, (url, post.title)
            assert f"/notices/{post.id}.html" not in body, (url, post.title)
    for post in hidden_posts.values():
        assert client.get(f"/notices/{post.id}.html").status_code == 404


def test_scheduled_post_becomes_public_when_its_time_passes(client, make_post, clock):
    start = now_utc()
    post = make_post("定时发布的公告", published_at=start + timedelta(minutes=30))
    assert client.get(f"/notices/{post.id}.html").status_code == 404
    assert "定时发布的公告" not in client.get("/notices/").get_data(as_text=True)
    clock(start + timedelta(minutes=30))
    assert client.get(f"/notices/{post.id}.html").status_code == 200
    assert "定时发布的公告" in client.get("/notices/").get_data(as_text=True)


def test_prev_next_links_skip_posts_that_are_not_public(client, make_post):
    base = now_utc() - timedelta(days=10)
    first = make_post("第一篇", published_at=base)
    make_post("草稿夹在中间", status="draft", published_at=base + timedelta(days=1))
    middle = make_post("第二篇", published_at=base + timedelta(days=2))
    make_post("回收站夹在中间", trashed_at=now_utc(), published_at=base + timedelta(days=3))
    last = make_post("第三篇", published_at=base + timedelta(days=4))
    nav = page(client.get(f"/notices/{middle.id}.html"))
    links = nav.links()
    assert links["第三篇"] == f"/notices/{last.id}.html"
    assert links["第一篇"] == f"/notices/{first.id}.html"
    assert "草稿夹在中间" not in nav.text
    assert "回收站夹在中间" not in nav.text


# --- channel lists -----------------------------------------------------------------------------


def test_channel_list_pages_by_twenty_newest_first_with_pinned_only_on_page_one(client, make_post):
    base = now_utc() - timedelta(days=100)
    for n in range(45):
        make_post(f"公告{n:02d}", published_at=base + timedelta(days=n))
    make_post("置顶的旧公告", pinned=True, published_at=base - timedelta(days=1))

    first = page(client.get("/notices/"))
    items = first.by_class("ul", "post-list")[0].children
    titles = [a.text for li in items for a in li.children if a.tag == "a"]
    assert len(titles) == 20
    assert titles[0] == "置顶的旧公告"
    assert titles[1:4] == ["公告44", "公告43", "公告42"]
    assert first.links()["下一页"] == "/notices/?page=2"
    assert "上一页" not in first.links()
    assert all(li.children[-1].text for li in items)  # a date beside each title

    second = page(client.get("/notices/?page=2"))
    titles2 = [li.children[-2].text for li in second.by_class("ul", "post-list")[0].children]
    assert titles2[0] == "公告25"
    assert len(titles2) == 20
    assert "置顶的旧公告" not in titles2
    assert second.links()["上一页"] == "/notices/?page=1"
    assert second.links()["3"] == "/notices/?page=3"

    third = page(client.get("/notices/?page=3"))
    titles3 = [li.children[-2].text for li in third.by_class("ul", "post-list")[0].children]
    assert titles3 == ["公告05", "公告04", "公告03", "公告02", "公告01", "公告00"]
    assert "下一页" not in third.links()


@pytest.mark.parametrize("value", ["abc", "0", "-1", "1.5", "", "１", "1e3"])
def test_bad_page_parameter_is_400_in_chinese(client, make_post, value):
    make_post()
    response = client.get(f"/notices/?page={value}")
    assert response.status_code == 400
    assert "请求有误" in response.get_data(as_text=True)


def test_page_beyond_the_end_is_404(client, make_post):
    make_post()
    assert client.get("/notices/?page=1").status_code == 200
    assert client.get("/notices/?page=2").status_code == 404
    assert client.get("/notices/?page=123456789012345678901").status_code == 404


def test_unknown_channel_is_404_in_chinese(client):
    response = client.get("/no-such-channel/")
    assert response.status_code == 404
    assert "页面不存在" in response.get_data(as_text=True)


# --- article -----------------------------------------------------------------------------------


def test_article_shows_title_time_in_site_zone_source_views_and_body(
    client, make_channel, make_post
):
    make_channel("news", name="普法动态", column_type="工作动态")
    post = make_post(
        "如何做好公益诉讼检察工作?武汉检察有话说",
        channel="news",
        source="武汉市人民检察院",
        published_at=SHANGHAI_1719,
        body_html="<p>7月17日至19日，全市公益诉讼专题培训。</p>",
    )
    response = client.get(f"/news/{post.id}.html")
    assert response.status_code == 200
    article = page(response)
    assert article.one("h1").text == "如何做好公益诉讼检察工作?武汉检察有话说"
    assert "发布时间：2019-08-06 17:19" in article.text
    assert "来源：武汉市人民检察院" in article.text
    assert "浏览次数：1" in article.text
    assert "7月17日至19日，全市公益诉讼专题培训。" in article.text
    assert article.links()["打印"].startswith(f"/news/{post.id}.html?print")
    assert "信息公告" in article.text  # the sidebar is there


@pytest.fixture
def utc_site(app_config):
    app_config["TIMEZONE"] = "UTC"


@pytest.mark.usefixtures("utc_site")
def test_site_zone_is_configurable(client, make_post):
    post = make_post("时区测试", published_at=SHANGHAI_1719)
    assert "发布时间：2019-08-06 09:19" in page(client.get(f"/notices/{post.id}.html")).text


def test_each_get_counts_exactly_one_view(client, make_post, load_post):
    post = make_post()
    for expected in range(1, 6):
        assert f"浏览次数：{expected}" in page(client.get(f"/notices/{post.id}.html")).text
    assert load_post(post.id).view_count == 5


def test_concurrent_views_are_all_counted(app, make_post, load_post):
    post = make_post()
    threads_count, per_thread = 8, 5
    errors = []

    def read_article():
        client = app.test_client()
        for _ in range(per_thread):
            if client.get(f"/notices/{post.id}.html").status_code != 200:
                errors.append("not 200")

    threads = [threading.Thread(target=read_article) for _ in range(threads_count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert load_post(post.id).view_count == threads_count * per_thread


CRAWLERS = [
    "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
    "Mozilla/5.0 (compatible; Baiduspider/2.0; +http://www.baidu.com/search/spider.html)",
    "Sogou web spider/4.0(+http://www.sogou.com/docs/help/webmasters.htm#07)",
    "Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)",
    "Mozilla/5.0 (Linux; Android 5.0) AppleWebKit/537.36 (KHTML, like Gecko) Mobile "
    "Safari/537.36 (compatible; Bytespider; spider-feedback@bytedance.com)",
    "Mozilla/5.0 (compatible;PetalBot;+https://webmaster.petalsearch.com/site/petalbot)",
    "360Spider",
    "curl/8.5.0",
]
READERS = [
    "Mozilla/5.0 (Linux; Android 10; CUBOT X30) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/120.0 Mobile Safari/537.36",
    "Mozilla/5.0 (Linux; Android 12; SM-G9910) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Version/4.0 Chrome/86.0 Mobile Safari/537.36 SogouMobileBrowser/5.28.13",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, "
    "like Gecko) Mobile/15E148 MicroMessenger/8.0.40(0x18002831) NetType/WIFI Language/zh_CN",
    "Mozilla/5.0 (Linux; U; Android 10; zh-CN; V2001A Build/QP1A.190711.020) AppleWebKit/537.36 "
    "(KHTML, like Gecko) Version/4.0 Chrome/78.0.3904.108 UCBrowser/13.4.0.1306 Mobile Safari/537.36",
    "Mozilla/5.0 (Linux; Android 11; HarmonyOS; ELS-AN00; HMSCore 6.11.0.302) AppleWebKit/537.36 "
    "(KHTML, like Gecko) Chrome/99.0.4844.88 HuaweiBrowser/14.0.1.301 Mobile Safari/537.36",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/120.0.0.0 Safari/537.36 QQBrowser/12.0",
]


@pytest.mark.parametrize(
    "headers",
    [{"User-Agent": agent} for agent in CRAWLERS]
    + [
        {"Purpose": "prefetch"},
        {"Sec-Purpose": "prefetch;prerender"},
        {"X-Moz": "prefetch"},
        {"X-Purpose": "preview"},
    ],
)
def test_crawlers_and_prefetch_do_not_count(client, make_post, headers, load_post):
    post = make_post()
    assert client.get(f"/notices/{post.id}.html", headers=headers).status_code == 200
    assert load_post(post.id).view_count == 0


@pytest.mark.parametrize("agent", READERS)
def test_ordinary_browsers_count(client, make_post, agent, load_post):
    post = make_post()
    client.get(f"/notices/{post.id}.html", headers={"User-Agent": agent})
    assert load_post(post.id).view_count == 1


def test_a_view_is_one_atomic_increment_and_nothing_else(app, client, make_post):
    post = make_post()
    with statements_on(app) as statements:
        client.get(f"/notices/{post.id}.html")
    writes = [s for s in statements if s.lstrip().upper().startswith("UPDATE")]
    assert len(writes) == 1, writes
    assert "view_count + " in writes[0].replace("view_count+", "view_count + ")


def test_head_requests_do_not_count(client, make_post, load_post):
    post = make_post()
    assert client.head(f"/notices/{post.id}.html").status_code == 200
    assert load_post(post.id).view_count == 0


@pytest.fixture
def own_crawler(app_config):
    app_config["CRAWLER_USER_AGENT_PATTERN"] = r"OfficeChecker"


@pytest.mark.usefixtures("own_crawler")
def test_configured_crawler_pattern_is_used(client, make_post, load_post):
    post = make_post()
    client.get(f"/notices/{post.id}.html", headers={"User-Agent": "OfficeChecker/1.0"})
    client.get(f"/notices/{post.id}.html", headers={"User-Agent": "Googlebot/2.1"})
    assert load_post(post.id).view_count == 1


def test_article_is_not_cacheable_by_shared_caches(client, make_post):
    post = make_post()
    cache_control = client.get(f"/notices/{post.id}.html").headers["Cache-Control"]
    assert "private" in cache_control or "no-store" in cache_control
    assert "public" not in cache_control


def test_wrong_channel_slug_redirects_permanently_to_canonical(client, make_channel, make_post):
    make_channel("news", name="普法动态", column_type="工作动态")
    post = make_post(channel="news")
    response = client.get(f"/notices/{post.id}.html")
    assert response.status_code == 301
    assert response.headers["Location"] == f"/news/{post.id}.html"


@pytest.mark.parametrize("post_id", ["987654", "2147483648", "99999999999999999999", "0"])
def test_unknown_article_is_404(client, make_post, post_id):
    make_post()
    response = client.get(f"/notices/{post_id}.html")
    assert response.status_code == 404
    assert "页面不存在" in response.get_data(as_text=True)


def test_redirect_to_the_canonical_channel_keeps_the_query(client, make_channel, make_post):
    make_channel("news", name="普法动态", column_type="工作动态")
    post = make_post(channel="news")
    response = client.get(f"/notices/{post.id}.html?print=1")
    assert response.headers["Location"] == f"/news/{post.id}.html?print=1"


@pytest.mark.usefixtures("clock")
def test_public_rule_is_the_same_for_rows_and_queries(app, make_post):
    from portal.posts import queries

    now = datetime(2026, 11, 26, 8, 0, tzinfo=UTC)
    cases = {
        "public": make_post("公开", published_at=now - timedelta(minutes=1)),
        "due now": make_post("正点", published_at=now),
        "draft": make_post("草稿", status="draft", published_at=now - timedelta(days=1)),
        "scheduled": make_post("定时", published_at=now + timedelta(seconds=1)),
        "trashed": make_post("回收", trashed_at=now, published_at=now - timedelta(days=1)),
        "no time": make_post("无时间", published_at=None),
    }
    with app.app_context():
        public_ids = set(db.session.scalars(sa.select(Post.id).where(queries.public_condition())))
        for name, made in cases.items():
            row = db.session.get(Post, made.id)
            assert row.is_public == (made.id in public_ids), name
    assert {n for n, p in cases.items() if p.id in public_ids} == {"public", "due now"}


# --- every page: language, title, canonical, government meta tags ------------------------------


@pytest.fixture
def configured_site(app_config):
    app_config.update(
        SITE_NAME="武汉普法网",
        SITE_URL="https://pf.example.gov.cn",
        SITE_ID_CODE="4201000001",
    )


@pytest.mark.usefixtures("configured_site")
def test_every_page_has_language_title_canonical_and_site_tags(client, make_post):
    post = make_post("页面标签测试")
    for url, title, canonical in [
        ("/", "首页 - 武汉普法网", "https://pf.example.gov.cn/"),
        ("/notices/", "Notices - 武汉普法网", "https://pf.example.gov.cn/notices/"),
        (
            f"/notices/{post.id}.html",
            "页面标签测试 - 武汉普法网",
            f"https://pf.example.gov.cn/notices/{post.id}.html",
        ),
    ]:
        response = client.get(url)
        document = page(response)
        assert document.one("html").attrs["lang"] == "zh-CN"
        assert document.one("title").text == title
        assert document.one("link", rel="canonical").attrs["href"] == canonical
        assert document.meta("SiteName") == "武汉普法网"
        assert document.meta("SiteDomain") == "pf.example.gov.cn"
        assert document.meta("SiteIDCode") == "4201000001"


def test_channel_page_has_column_tags(client, make_channel):
    make_channel(
        "policy",
        name="政策文件",
        column_type="政策文件",
        description="规范性文件",
        keywords="政策,文件",
    )
    document = page(client.get("/policy/"))
    assert document.meta("ColumnName") == "政策文件"
    assert document.meta("ColumnDescription") == "规范性文件"
    assert document.meta("ColumnKeywords") == "政策,文件"
    assert document.meta("ColumnType") == "政策文件"


@pytest.mark.usefixtures("configured_site")
def test_article_page_has_article_tags_matching_the_visible_time(client, make_post):
    post = make_post(
        "公益诉讼",
        source="武汉市人民检察院",
        author="张三",
        keywords="公益诉讼,检察",
        summary="一篇关于公益诉讼的文章。",
        image_url="https://pf.example.gov.cn/static/a.png",
        published_at=SHANGHAI_1719,
    )
    document = page(client.get(f"/notices/{post.id}.html"))
    assert document.meta("ArticleTitle") == "公益诉讼"
    assert document.meta("PubDate") == "2019-08-06 17:19"
    assert f"发布时间：{document.meta('PubDate')}" in document.text
    assert document.meta("ContentSource") == "武汉市人民检察院"
    assert document.meta("ColumnName") == "Notices"
    assert document.meta("ColumnType") == "通知公告"
    assert document.meta("Keywords") == "公益诉讼,检察"
    assert document.meta("Author") == "张三"
    assert document.meta("Description") == "一篇关于公益诉讼的文章。"
    assert document.meta("Image") == "https://pf.example.gov.cn/static/a.png"
    assert document.meta("Url") == f"https://pf.example.gov.cn/notices/{post.id}.html"


def test_article_description_is_derived_from_the_body_when_no_summary(client, make_post):
    body = "<p>" + "普法宣传进社区，" * 40 + "</p>"
    post = make_post(body_html=body)
    description = page(client.get(f"/notices/{post.id}.html")).meta("Description")
    assert description.startswith("普法宣传进社区，普法宣传进社区，")
    assert description.endswith("…")
    assert len(description) < 100


def test_unknown_optional_article_tags_are_omitted(client, make_post):
    post = make_post(author="", keywords="", image_url="")
    document = page(client.get(f"/notices/{post.id}.html"))
    assert document.meta("Author") is None
    assert document.meta("Keywords") is None
    assert document.meta("Image") is None


# --- footer ------------------------------------------------------------------------------------


@pytest.fixture
def footer_config(app_config):
    app_config.update(
        SITE_ID_CODE="4201000001",
        FOOTER_ORGANIZER="武汉市司法局",
        FOOTER_CONTACT="027-12345678",
        FOOTER_ICP_NUMBER="鄂ICP备12345678号",
        FOOTER_PSB_NUMBER="鄂公网安备42010002000001号",
        FOOTER_PSB_URL="https://beian.example.cn/record?code=42010002000001",
        FOOTER_GOV_BADGE_URL="https://bszs.example.cn/badge",
        FOOTER_ERROR_REPORT_URL="https://zfwzzc.example.cn/report",
    )


@pytest.mark.usefixtures("footer_config")
def test_footer_shows_every_configured_item(client):
    footer = page(client.get("/"))
    text = footer.text
    assert "主办单位：武汉市司法局" in text
    assert "联系方式：027-12345678" in text
    assert "网站标识码：4201000001" in text
    assert "ICP备案编号：鄂ICP备12345678号" in text
    links = footer.links()
    assert (
        links["鄂公网安备42010002000001号"] == "https://beian.example.cn/record?code=42010002000001"
    )
    assert links["我为政府网站找错"] == "https://zfwzzc.example.cn/report"
    badge = footer.one("img", alt="党政机关网站标识")
    assert badge.attrs["src"].startswith("/static/")


def test_site_id_code_tag_is_on_every_page_even_before_it_is_configured(client):
    assert page(client.get("/")).meta("SiteIDCode") == ""


def test_unset_footer_items_are_omitted_not_blank(client):
    text = page(client.get("/")).text
    for label in (
        "主办单位",
        "联系方式",
        "网站标识码",
        "ICP备案编号",
        "公安机关备案号",
        "我为政府网站找错",
    ):
        assert label not in text


# --- errors, sitemap, robots, health -----------------------------------------------------------


def test_405_is_a_chinese_page(client):
    response = client.post("/")
    assert response.status_code == 405
    assert "请求方法不允许" in response.get_data(as_text=True)


@pytest.fixture
def failing_route(app):
    def explode():
        raise RuntimeError("secret internal detail")

    app.add_url_rule("/explode", "explode", explode)


@pytest.mark.own_app
@pytest.mark.usefixtures("failing_route")
def test_500_is_a_chinese_page_without_traceback(client, caplog):
    response = client.get("/explode")
    html = response.get_data(as_text=True)
    assert response.status_code == 500
    assert "服务器内部错误" in html
    assert "Traceback" not in html
    assert "secret internal detail" not in html
    # ...while the operators' log has the whole story.
    assert "secret internal detail" in caplog.text
    assert "Traceback" in caplog.text
    assert page(response).one("html").attrs["lang"] == "zh-CN"


SITEMAP_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"


def _sitemap_files(client) -> list[str]:
    """The files the sitemap index lists, each fetched as a search engine would."""
    index = client.get("/sitemap.xml")
    assert index.status_code == 200
    assert index.mimetype == "application/xml"
    root = etree.fromstring(index.data)
    assert root.tag == f"{{{SITEMAP_NS}}}sitemapindex"
    files = []
    for loc in root.iter(f"{{{SITEMAP_NS}}}loc"):
        response = client.get(urlsplit(loc.text).path)
        assert response.status_code == 200, loc.text
        assert response.mimetype == "application/xml"
        assert etree.fromstring(response.data).tag == f"{{{SITEMAP_NS}}}urlset"
        files.append(response.get_data(as_text=True))
    return files


def test_sitemap_lists_public_posts_and_channels_only(client, make_post, hidden_posts):
    post = make_post("公开")
    xml = "".join(_sitemap_files(client))
    assert f"/notices/{post.id}.html</loc>" in xml
    assert "/notices/</loc>" in xml
    for hidden in hidden_posts.values():
        assert f"/notices/{hidden.id}.html" not in xml


def test_a_large_sitemap_is_an_index_of_small_files(client, make_post, monkeypatch):
    monkeypatch.setattr(queries, "SITEMAP_CHUNK", 3)  # files of three posts' ids each
    posts = [make_post(f"公告{n}") for n in range(7)]
    files = _sitemap_files(client)
    assert len(files) == 1 + 3  # the pages file, then ids 1–3, 4–6, 7
    for chunk, first in ((1, 0), (2, 3), (3, 6)):
        expected = [f"/notices/{post.id}.html</loc>" for post in posts[first : first + 3]]
        assert all(url in files[chunk] for url in expected)
        assert files[chunk].count("<url>") == len(expected)
    assert client.get("/sitemap-posts-4.xml").status_code == 404
    assert client.get("/sitemap-posts-0.xml").status_code == 404


def test_robots_txt_points_to_sitemap_and_keeps_crawlers_out_of_the_editor(client):
    response = client.get("/robots.txt")
    assert response.mimetype == "text/plain"
    text = response.get_data(as_text=True)
    assert "Disallow: /editor/" in text
    assert "Disallow: /prefs/" in text  # the reading-aid switches are not pages
    assert "Sitemap: http://localhost/sitemap.xml" in text


def test_healthz_checks_the_database(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "database": "ok"}


def test_healthz_and_pages_fail_cleanly_when_the_database_is_down(tmp_path):
    from portal import create_app

    app = create_app(base_config(f"sqlite:///{tmp_path}/no-such-dir/portal.sqlite3"))
    client = app.test_client()
    for url in ("/healthz", "/"):
        response = client.get(url)
        html = response.get_data(as_text=True)
        # A database that cannot be reached is a temporary outage, not a bug: 503.
        assert response.status_code == 503, url
        assert "服务暂时不可用" in html
        assert "Traceback" not in html
        assert "sqlite3" not in html
