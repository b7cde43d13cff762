"""Plain text in the feeds stays plain text in a reader: what an editor typed in a title, a
summary, an author or a channel's name — ``<b>``, ``&``, quotes, ``&amp;`` typed literally —
is shown as typed, never taken for HTML. Checked as a reader sees it: each feed parsed by
feedparser, each text field turned into what the reader shows (the value itself for text;
for a field the reader takes as HTML, its text, which must have no element in it)."""

from __future__ import annotations

from html.parser import HTMLParser

import feedparser
import pytest

import portal.cache as page_cache
from portal import messages
from portal.extensions import db
from portal.posts.models import Channel

# What must survive: markup (a script hook too), the characters XML and HTML escape, quotes,
# entities typed literally (a reader must not decode them), a CDATA end and a lone "&".
TEXTS = [
    "B <b>bold</b>",
    "<img src=x onerror=alert('summary')>",
    "A & B",
    "&amp; typed literally",
    "&lt;tag&gt; &#60;script&#62; &nbsp;",
    "\"double\" and 'single' quotes",
    "5 < 6 > 4",
    "]]> <![CDATA[ x ]]>",
    "a&b;c &",
]
FEED_KINDS = ["rss", "atom"]


class _Shown(HTMLParser):
    """What a reader shows of an HTML value: its text; and the elements it would render."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.text: list[str] = []
        self.elements: list[str] = []

    def handle_starttag(self, tag, _attrs):
        self.elements.append(tag)

    def handle_startendtag(self, tag, _attrs):
        self.elements.append(tag)

    def handle_data(self, data):
        self.text.append(data)


def shown(detail) -> str:
    """The text a reader shows for a feedparser ``*_detail`` (text or HTML)."""
    if detail["type"] == "text/plain":
        return detail["value"]
    assert detail["type"] in ("text/html", "application/xhtml+xml"), detail
    parser = _Shown()
    parser.feed(detail["value"])
    parser.close()
    assert parser.elements == [], f"text read as HTML: {detail!r}"
    return "".join(parser.text)


def parsed(client, path):
    response = client.get(path)
    assert response.status_code == 200, response.data[:500]
    feed = feedparser.parse(response.data)
    assert not feed.bozo, feed.get("bozo_exception")  # still well-formed
    return feed


@pytest.mark.parametrize("text", TEXTS)
def test_every_text_field_reads_as_typed(app, client, make_channel, make_post, text):
    site = f"普法{text}网"
    app.config["SITE_NAME"] = site
    make_channel("notices", name=f"栏目{text}", description=f"说明{text}")
    make_post(
        title=f"标题{text}",
        summary=f"摘要{text}",
        author=f"作者{text}",
        source=f"来源{text}",
        body_html="<p>正文<b>加粗</b></p>",
    )

    for kind in FEED_KINDS:
        for slug in ("notices", "all"):
            path = f"/feeds/{slug}.{kind}"
            feed = parsed(client, path)
            channel_name = f"栏目{text}" if slug == "notices" else messages.FEED_ALL_NAME
            assert shown(feed.feed.title_detail) == f"{site} · {channel_name}", path
            description = (
                f"说明{text}"
                if slug == "notices"
                else messages.FEED_ALL_DESCRIPTION.format(site=site)
            )
            assert shown(feed.feed.subtitle_detail) == description, path

            (entry,) = feed.entries
            assert shown(entry.title_detail) == f"标题{text}", path
            assert shown(entry.summary_detail) == f"摘要{text}", path
            assert [author.name for author in entry.authors] == [f"作者{text}", f"来源{text}"]
            assert [tag.get("label") or tag.term for tag in entry.tags] == [f"栏目{text}"]
            # The body is the one real HTML, and stays HTML.
            assert entry.content[0].type == "text/html"
            assert "<b>加粗</b>" in entry.content[0].value
        atom = parsed(client, "/feeds/all.atom")
        assert atom.feed.author_detail.name == site


@pytest.mark.parametrize("kind", FEED_KINDS)
def test_a_summary_made_from_the_body_is_the_bodys_text(client, make_post, kind):
    make_post(title="标题", body_html="<p>A &amp; B &lt;b&gt; &amp;amp; “引号”</p>")
    (entry,) = parsed(client, f"/feeds/all.{kind}").entries
    assert shown(entry.summary_detail) == "A & B <b> &amp; “引号”"


@pytest.mark.parametrize("kind", FEED_KINDS)
def test_a_title_only_notice_summary_is_its_title_as_typed(client, make_post, kind):
    make_post(title="公告 <i>一</i> & 二", body_html="")
    (entry,) = parsed(client, f"/feeds/notices.{kind}").entries
    assert shown(entry.title_detail) == "公告 <i>一</i> & 二"
    assert shown(entry.summary_detail) == "公告 <i>一</i> & 二"


def test_renaming_a_channel_changes_the_site_feeds_etag(app, client, make_channel, make_post):
    """The site-wide feed names each post's channel (its category): renaming the channel
    changes that feed, so a reader's copy must not be answered 304."""
    channel = make_channel("notices", name="旧名")
    make_post()
    first = client.get("/feeds/all.atom")
    with app.app_context():
        db.session.get(Channel, channel.id).name = "新名"
        db.session.commit()
        page_cache.invalidate()  # as a channel's change through the write path does

    again = client.get("/feeds/all.atom", headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 200
    assert [tag.label for tag in feedparser.parse(again.data).entries[0].tags] == ["新名"]
