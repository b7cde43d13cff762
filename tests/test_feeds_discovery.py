"""Readers find the feeds: autodiscovery links in every page's head, visible RSS links in the
sidebar and on channel pages, and each of them leads to a feed that works."""

from __future__ import annotations

import feedparser
import lxml.html

SITE_FEEDS = {
    ("application/rss+xml", "/feeds/all.rss"),
    ("application/atom+xml", "/feeds/all.atom"),
}


def page(client, path):
    response = client.get(path)
    assert response.status_code == 200, path
    return lxml.html.fromstring(response.data)


def discovered(document) -> set[tuple[str, str]]:
    return {
        (link.get("type"), link.get("href"))
        for link in document.xpath("/html/head/link[@rel='alternate']")
        if link.get("type") in ("application/rss+xml", "application/atom+xml")
    }


def test_every_public_page_announces_the_site_feeds(client, make_post):
    post = make_post(channel="notices")
    for path in ("/", "/notices/", f"/notices/{post.id}.html"):
        document = page(client, path)
        assert discovered(document) >= SITE_FEEDS, path
        for link in document.xpath("/html/head/link[@rel='alternate'][@type]"):
            assert link.get("title"), "a reader lists feeds by their title"


def test_error_pages_announce_the_site_feeds_too(client):
    response = client.get("/no-such-channel/")
    assert response.status_code == 404
    assert discovered(lxml.html.fromstring(response.data)) >= SITE_FEEDS


def test_channel_pages_also_announce_the_channel_feeds(client, make_post):
    post = make_post(channel="news")
    channel_feeds = {
        ("application/rss+xml", "/feeds/news.rss"),
        ("application/atom+xml", "/feeds/news.atom"),
    }
    for path in ("/news/", f"/news/{post.id}.html"):
        assert discovered(page(client, path)) == SITE_FEEDS | channel_feeds, path
    assert not channel_feeds & discovered(page(client, "/"))


def test_sidebar_and_channel_page_show_a_visible_rss_link(client, make_channel, make_post):
    make_channel("notices", name="信息公告")
    make_post(title="订阅测试", channel="news")

    sidebar = page(client, "/").xpath("//aside[contains(@class, 'sidebar')]")[0]
    sidebar_links = {a.get("href"): a.text_content().strip() for a in sidebar.iter("a")}
    assert sidebar_links["/feeds/notices.rss"] == "RSS 订阅公告"
    assert sidebar_links["/feeds/all.rss"] == "RSS 订阅全站"

    content = page(client, "/news/").xpath("//main")[0]
    (link,) = [a for a in content.iter("a") if a.get("href") == "/feeds/news.rss"]
    assert link.text_content().strip() == "RSS 订阅本栏目"


def test_every_announced_feed_works(client, make_channel, make_post):
    make_channel("notices")
    make_post(title="一则动态", channel="news")
    document = page(client, "/news/")
    hrefs = {href for _type, href in discovered(document)}
    hrefs |= {a.get("href") for a in document.iter("a") if "/feeds/" in (a.get("href") or "")}
    assert len(hrefs) == 5
    for href in hrefs:
        response = client.get(href)
        assert response.status_code == 200, href
        assert not feedparser.parse(response.data).bozo, href
