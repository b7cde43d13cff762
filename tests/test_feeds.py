"""The RSS and Atom feeds as subscribers' readers see them: parsed by feedparser, checked against
RFC 4287 (Atom) and the RSS 2.0 specification, with the right posts and ids that never change."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from zoneinfo import ZoneInfo

import feedparser
import pytest
from lxml import etree

from portal.posts.states import PostState
from portal.timeutil import now_utc

SHANGHAI = ZoneInfo("Asia/Shanghai")
ATOM = "{http://www.w3.org/2005/Atom}"
DC = "{http://purl.org/dc/elements/1.1/}"
CONTENT = "{http://purl.org/rss/1.0/modules/content/}"
# RFC 3339 date-time, as RFC 4287 §3.3 requires (an upper-case T and Z, seconds present).
RFC3339 = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)")
TAG_URI = re.compile(r"tag:[a-z0-9.-]+,\d{4}(-\d\d(-\d\d)?)?:\S+")
FEEDS = ["/feeds/all.rss", "/feeds/all.atom", "/feeds/notices.rss", "/feeds/notices.atom"]


def site_time(*args) -> datetime:
    return datetime(*args, tzinfo=SHANGHAI)


def read_feed(client, path, **headers):
    """GET a feed and parse it as a feed reader does; a feed that is not well-formed fails."""
    response = client.get(path, headers=headers)
    assert response.status_code == 200, response.data[:500]
    parsed = feedparser.parse(response.data)
    assert not parsed.bozo, parsed.get("bozo_exception")
    return parsed


def xml_of(client, path):
    response = client.get(path)
    assert response.status_code == 200
    return etree.fromstring(response.data)


# --- what a reader sees ------------------------------------------------------------------------


def test_rss_entry_as_a_reader_sees_it(client, make_channel, make_post):
    make_channel("notices", name="信息公告")
    post = make_post(
        title="关于开展“宪法宣传周”活动的通知",
        source="市司法局",
        author="普法科",
        published_at=site_time(2019, 8, 6, 17, 19),
        updated_at=site_time(2019, 8, 6, 17, 19),
        body_html='<p>详见<a href="/notices/">公告栏</a>。</p><p><img src="/attachments/0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef/map.png" alt="地图"></p>',
    )

    feed = read_feed(client, "/feeds/notices.rss")

    assert feed.version == "rss20"
    assert feed.feed.title == "普法宣传网 · 信息公告"
    assert feed.feed.link == "http://localhost/notices/"
    assert feed.feed.language == "zh-CN"
    (entry,) = feed.entries
    assert entry.title == "关于开展“宪法宣传周”活动的通知"
    assert entry.link == f"http://localhost/notices/{post.id}.html"
    assert entry.id == f"tag:portal.invalid,2026:post/{post.id}"
    assert entry.guidislink is False
    assert entry.published == "Tue, 06 Aug 2019 17:19:00 +0800"
    assert entry.published_parsed[:5] == (2019, 8, 6, 9, 19)  # the same moment in UTC
    assert [author.name for author in entry.authors] == ["普法科", "市司法局"]
    body = entry.content[0].value
    assert "详见" in body
    assert 'href="http://localhost/notices/"' in body  # relative links work in a reader
    assert (
        'src="http://localhost/attachments/0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef/map.png"'
        in body
    )
    assert entry.summary.startswith("详见公告栏")


def test_atom_entry_as_a_reader_sees_it(client, make_channel, make_post):
    make_channel("notices", name="信息公告")
    post = make_post(
        title="普法讲座：民法典进社区",
        source="市司法局",
        summary="编辑写的摘要。",
        published_at=site_time(2019, 8, 6, 17, 19),
        updated_at=site_time(2019, 8, 7, 9, 30),
        body_html="<p>讲座正文。</p>",
    )

    feed = read_feed(client, "/feeds/notices.atom")

    assert feed.version == "atom10"
    assert feed.feed.title == "普法宣传网 · 信息公告"
    assert feed.feed.id == "tag:portal.invalid,2026:feed/notices"
    assert feed.feed.updated == "2019-08-07T09:30:00+08:00"  # the newest entry's time
    (entry,) = feed.entries
    assert entry.title == "普法讲座：民法典进社区"
    assert entry.link == f"http://localhost/notices/{post.id}.html"
    assert entry.id == f"tag:portal.invalid,2026:post/{post.id}"
    assert entry.published == "2019-08-06T17:19:00+08:00"
    assert entry.updated == "2019-08-07T09:30:00+08:00"
    assert entry.author == "市司法局"
    assert entry.summary == "编辑写的摘要。"
    assert entry.content[0].type == "text/html"
    assert entry.content[0].value == "<p>讲座正文。</p>"


def test_feed_level_elements(client, make_post):
    for title, moment in (
        ("较早", site_time(2024, 3, 1, 9, 0)),
        ("最新", site_time(2024, 4, 26, 9, 0)),
    ):
        make_post(title=title, published_at=moment, updated_at=moment)

    rss = xml_of(client, "/feeds/all.rss").find("channel")
    assert rss.findtext("title") == "普法宣传网 · 最新信息"
    assert rss.findtext("link") == "http://localhost/"  # the HTML page, not the feed
    assert rss.find(f"{ATOM}link").attrib == {
        "href": "http://localhost/feeds/all.rss",
        "rel": "self",
        "type": "application/rss+xml",
    }
    assert rss.findtext("description")
    assert rss.findtext("language") == "zh-CN"
    assert rss.findtext("lastBuildDate") == "Fri, 26 Apr 2024 09:00:00 +0800"
    assert rss.findtext("generator")

    atom = xml_of(client, "/feeds/all.atom")
    assert atom.get("{http://www.w3.org/XML/1998/namespace}lang") == "zh-CN"
    assert atom.findtext(f"{ATOM}id") == "tag:portal.invalid,2026:feed/all"
    assert atom.findtext(f"{ATOM}updated") == "2024-04-26T09:00:00+08:00"
    links = {link.get("rel"): link.get("href") for link in atom.findall(f"{ATOM}link")}
    assert links == {"self": "http://localhost/feeds/all.atom", "alternate": "http://localhost/"}
    assert atom.findtext(f"{ATOM}subtitle")
    assert atom.findtext(f"{ATOM}generator")


@pytest.mark.parametrize(
    ("path", "content_type"),
    [
        ("/feeds/all.rss", "application/rss+xml; charset=utf-8"),
        ("/feeds/all.atom", "application/atom+xml; charset=utf-8"),
        ("/feeds/notices.rss", "application/rss+xml; charset=utf-8"),
        ("/feeds/notices.atom", "application/atom+xml; charset=utf-8"),
    ],
)
def test_content_type_and_cache_headers(client, make_post, path, content_type):
    make_post()
    response = client.get(path)
    assert response.status_code == 200
    assert response.headers["Content-Type"] == content_type
    assert response.headers["Cache-Control"] == "public, max-age=300"
    assert re.fullmatch(r'"[0-9a-f]{32}"', response.headers["ETag"])  # strong
    assert response.headers["Last-Modified"].endswith(" GMT")


def test_max_age_is_configurable(app, client, make_post):
    make_post()
    app.config["FEED_MAX_AGE"] = 900
    assert client.get("/feeds/all.atom").headers["Cache-Control"] == "public, max-age=900"


def test_chinese_text_survives_both_formats(client, make_post):
    title = "《中华人民共和国民法典》第一千零九十一条释义——离婚损害赔偿"
    make_post(title=title, body_html="<p>婚姻家庭编：夫妻应当互相忠实，互相尊重。</p>")
    for path in ("/feeds/all.rss", "/feeds/all.atom"):
        (entry,) = read_feed(client, path).entries
        assert entry.title == title
        assert "夫妻应当互相忠实，互相尊重" in entry.content[0].value


def test_unknown_channel_and_format_are_404_pages(client, make_channel):
    make_channel("notices")
    for path in ("/feeds/nosuch.rss", "/feeds/nosuch.atom", "/feeds/notices.xml", "/feeds/all"):
        response = client.get(path)
        assert response.status_code == 404, path
        assert "页面不存在" in response.get_data(as_text=True)


def test_empty_feed_is_still_valid(client, make_channel):
    make_channel("notices")
    for path in FEEDS:
        feed = read_feed(client, path)
        assert feed.entries == []
        assert feed.feed.updated  # RFC 4287 requires it even without entries


# --- which posts -------------------------------------------------------------------------------


def test_newest_first_by_published_time_limited_and_pinned_not_pinned(app, client, make_post):
    app.config["FEED_ENTRIES"] = 3
    for day in (1, 2, 3, 4):
        make_post(title=f"第{day}日", published_at=site_time(2024, 5, day, 9, 0))
    make_post(title="置顶的旧公告", pinned=True, published_at=site_time(2024, 1, 1, 9, 0))

    for path in ("/feeds/notices.rss", "/feeds/notices.atom"):
        titles = [entry.title for entry in read_feed(client, path).entries]
        assert titles == ["第4日", "第3日", "第2日"], path


def test_default_window_is_twenty_posts(client, make_post):
    for hour in range(22):
        make_post(title=f"公告{hour}", published_at=site_time(2024, 5, 1, hour, 0))
    titles = [entry.title for entry in read_feed(client, "/feeds/all.atom").entries]
    assert titles == [f"公告{hour}" for hour in range(21, 1, -1)]


def test_channel_feed_has_its_channel_and_all_feed_has_every_channel(client, make_post):
    make_post(title="一则公告", channel="notices")
    make_post(title="一则动态", channel="news")

    assert [e.title for e in read_feed(client, "/feeds/notices.rss").entries] == ["一则公告"]
    assert [e.title for e in read_feed(client, "/feeds/news.atom").entries] == ["一则动态"]
    assert {e.title for e in read_feed(client, "/feeds/all.rss").entries} == {
        "一则公告",
        "一则动态",
    }


@pytest.mark.usefixtures("clock")
def test_draft_scheduled_and_trashed_posts_never_appear(client, make_post):
    make_post(title="已发布")
    make_post(title="草稿", status=PostState.DRAFT)
    make_post(title="定时发布", published_at=now_utc() + timedelta(hours=2))
    make_post(title="回收站", trashed_at=now_utc())

    for path in FEEDS:
        assert [entry.title for entry in read_feed(client, path).entries] == ["已发布"], path


def test_scheduled_post_appears_when_its_time_comes(clock, client, make_post):
    make_post(title="已发布")
    due = now_utc() + timedelta(hours=2)
    make_post(title="定时发布", published_at=due)
    assert [e.title for e in read_feed(client, "/feeds/all.rss").entries] == ["已发布"]

    clock(due)

    titles = [e.title for e in read_feed(client, "/feeds/all.rss").entries]
    assert titles == ["定时发布", "已发布"]


# --- ids and links -----------------------------------------------------------------------------


def test_edit_and_move_keep_the_id(clock, client, make_channel, make_post, edit_post):
    news = make_channel("news", name="普法动态")
    post = make_post(title="原标题", channel="notices")
    before = {path: read_feed(client, path).entries[0].id for path in FEEDS[:2]}

    clock(now_utc() + timedelta(minutes=5))
    edit_post(post.id, title="改过的标题", body_html="<p>新正文</p>", channel_id=news.id)

    for path in FEEDS[:2]:
        (entry,) = read_feed(client, path).entries
        assert entry.title == "改过的标题"
        assert entry.link == f"http://localhost/news/{post.id}.html"
        assert entry.id == before[path] == f"tag:portal.invalid,2026:post/{post.id}"


def test_changing_site_url_keeps_every_id(app_config, client, make_post, new_app):
    for day in (1, 2, 3):
        make_post(title=f"公告{day}", published_at=site_time(2024, 5, day, 9, 0))

    def ids_and_links(test_client):
        ids, links = {}, {}
        for path in FEEDS:
            feed = read_feed(test_client, path)
            ids[path] = [feed.feed.get("id")] + [entry.id for entry in feed.entries]
            links[path] = [entry.link for entry in feed.entries]
        return ids, links

    ids, links = ids_and_links(client)
    for site_url in ("https://pf.example.gov.cn", "https://www.example.org/portal-new"):
        other = new_app({**app_config, "SITE_URL": site_url})
        other_ids, other_links = ids_and_links(other.test_client())
        assert other_ids == ids
        assert all(link.startswith(site_url + "/") for path in FEEDS for link in other_links[path])
        assert other_links != links


def test_absolute_urls_come_from_site_url_not_the_host_header(app, client, make_post):
    post = make_post(body_html='<p><a href="/notices/">公告栏</a></p>')
    app.config["SITE_URL"] = "https://pf.example.gov.cn/"
    root = etree.fromstring(client.get("/feeds/all.rss", headers={"Host": "evil.example"}).data)
    channel = root.find("channel")
    assert channel.findtext("link") == "https://pf.example.gov.cn/"
    assert channel.find(f"{ATOM}link").get("href") == "https://pf.example.gov.cn/feeds/all.rss"
    item = channel.find("item")
    assert item.findtext("link") == f"https://pf.example.gov.cn/notices/{post.id}.html"
    assert 'href="https://pf.example.gov.cn/notices/"' in item.findtext(f"{CONTENT}encoded")
    assert (
        b"evil.example" not in client.get("/feeds/all.atom", headers={"Host": "evil.example"}).data
    )


def test_without_site_url_the_request_url_is_used(client, make_post):
    post = make_post()
    (entry,) = read_feed(client, "/feeds/all.atom", Host="pf.example.net").entries
    assert entry.link == f"http://pf.example.net/notices/{post.id}.html"


# --- never broken by content -------------------------------------------------------------------

# What XML 1.0 forbids and Word pastes (U+000B is Word's manual line break). NUL and lone
# surrogates cannot even be stored (PostgreSQL and UTF-8 refuse them); sanitize's tests cover them.
FORBIDDEN = "\x01\x02\x08\x0b\x0c\x0e\x1b\x1f"


@pytest.mark.parametrize("path", FEEDS)
def test_characters_xml_forbids_never_break_a_feed(client, make_channel, make_post, path):
    make_channel("notices", name=f"信息{FORBIDDEN}公告", description=f"通知{FORBIDDEN}公告")
    make_post(
        title=f"关于{FORBIDDEN}开展普法活动的通知",
        summary=f"摘要{FORBIDDEN}内容",
        source=f"市司法局{FORBIDDEN}",
        author=f"{FORBIDDEN}普法科",
        body_html=f"<p>正文{FORBIDDEN}第一段</p><p>第二段\x0b换行</p>",
    )

    feed = read_feed(client, path)

    (entry,) = feed.entries
    assert entry.title == "关于开展普法活动的通知"
    assert entry.summary == "摘要内容"
    assert "正文第一段" in entry.content[0].value
    assert "第二段换行" in entry.content[0].value
    assert {author.name for author in entry.authors} <= {"市司法局", "普法科"}
    if "notices" in path:
        assert feed.feed.title == "普法宣传网 · 信息公告"


# --- the specifications ------------------------------------------------------------------------


def _one(parent, tag):
    found = parent.findall(tag)
    assert len(found) == 1, f"{parent.tag} must contain exactly one {tag}, has {len(found)}"
    return found[0]


def _rfc3339(text):
    assert RFC3339.fullmatch(text), text
    return datetime.fromisoformat(text)


@pytest.mark.parametrize("path", ["/feeds/all.atom", "/feeds/notices.atom"])
def test_atom_follows_rfc_4287(client, make_post, path):
    make_post(title="有正文", author="普法科", body_html="<p>正文</p>")
    make_post(title="仅标题", body_html="", published_at=site_time(2024, 1, 1, 9, 0))
    make_post(title="有摘要", summary="摘要", published_at=site_time(2023, 1, 1, 9, 0))

    feed = xml_of(client, path)

    assert feed.tag == f"{ATOM}feed"
    assert TAG_URI.fullmatch(_one(feed, f"{ATOM}id").text)
    assert _one(feed, f"{ATOM}title").text
    feed_updated = _rfc3339(_one(feed, f"{ATOM}updated").text)
    rels = [link.get("rel", "alternate") for link in feed.findall(f"{ATOM}link")]
    assert rels.count("self") == 1
    assert rels.count("alternate") == 1
    feed_has_author = feed.find(f"{ATOM}author/{ATOM}name") is not None
    entries = feed.findall(f"{ATOM}entry")
    assert len(entries) == 3
    ids = set()
    for entry in entries:
        entry_id = _one(entry, f"{ATOM}id").text
        assert TAG_URI.fullmatch(entry_id)
        ids.add(entry_id)
        assert _one(entry, f"{ATOM}title").text
        updated = _rfc3339(_one(entry, f"{ATOM}updated").text)
        assert updated <= feed_updated
        assert len(entry.findall(f"{ATOM}published")) == 1
        assert _rfc3339(entry.findtext(f"{ATOM}published")) <= updated
        assert feed_has_author or entry.find(f"{ATOM}author/{ATOM}name") is not None
        for author in entry.findall(f"{ATOM}author"):
            assert _one(author, f"{ATOM}name").text
        alternates = [
            link
            for link in entry.findall(f"{ATOM}link")
            if link.get("rel", "alternate") == "alternate"
        ]
        assert len(alternates) == 1
        assert alternates[0].get("href").startswith("http://localhost/")
        # No content: an alternate link is required (it is there) and a summary is wanted.
        assert len(entry.findall(f"{ATOM}content")) <= 1
        assert entry.find(f"{ATOM}content") is not None or entry.findtext(f"{ATOM}summary")
        assert len(entry.findall(f"{ATOM}summary")) == 1
    assert len(ids) == 3  # ids are unique


@pytest.mark.parametrize("path", ["/feeds/all.rss", "/feeds/notices.rss"])
def test_rss_has_the_required_elements(client, make_post, path):
    make_post(title="有正文", author="普法科", body_html="<p>正文</p>")
    make_post(title="仅标题", body_html="", published_at=site_time(2024, 1, 1, 9, 0))

    rss = xml_of(client, path)

    assert rss.tag == "rss"
    assert rss.get("version") == "2.0"
    channel = _one(rss, "channel")
    for required in ("title", "link", "description"):
        assert _one(channel, required).text, required
    parsedate_to_datetime(channel.findtext("lastBuildDate"))
    items = channel.findall("item")
    assert len(items) == 2
    guids = set()
    for item in items:
        assert item.findtext("title") or item.findtext("description")
        guid = _one(item, "guid")
        assert guid.get("isPermaLink") == "false"
        guids.add(guid.text)
        assert parsedate_to_datetime(_one(item, "pubDate").text).tzinfo is not None
        assert item.find("author") is None  # RSS <author> must be an e-mail address
        assert item.findtext(f"{DC}creator")
    assert len(guids) == 2


def test_dates_carry_the_site_offset(app, client, make_post, new_app):
    make_post(published_at=datetime(2024, 12, 31, 20, 30, tzinfo=UTC))
    (rss_entry,) = read_feed(client, "/feeds/all.rss").entries
    (atom_entry,) = read_feed(client, "/feeds/all.atom").entries
    assert rss_entry.published == "Wed, 01 Jan 2025 04:30:00 +0800"
    assert atom_entry.published == "2025-01-01T04:30:00+08:00"

    # Settings are read at start: the same site restarted in another zone.
    restarted = new_app({**app.config, "TIMEZONE": "UTC"})
    (atom_entry,) = read_feed(restarted.test_client(), "/feeds/all.atom").entries
    assert atom_entry.published == "2024-12-31T20:30:00+00:00"
