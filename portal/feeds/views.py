"""RSS 2.0 and Atom 1.0 feeds of the public posts, built with feedgen, cheap to poll.

``/feeds/all.rss|atom`` has every channel, ``/feeds/<channel>.rss|atom`` one channel. Each feed
holds the newest ``FEED_ENTRIES`` public posts, strictly by published time.

Polling: every feed carries a strong ``ETag`` (from the ids and times of its posts, its channel
and the settings) and a ``Last-Modified`` that never goes back. Feeds are kept in the page
cache (``portal.cache``): a matching ``If-None-Match`` (or, without it, ``If-Modified-Since``)
is answered 304 from the cached validators, without loading a post or building the feed.

Ids never change: ``tag:`` URIs from ``FEED_TAG_AUTHORITY`` and the post id (or the channel
slug), so an edit, a move to another channel or a new ``SITE_URL`` keeps every id.
"""

from __future__ import annotations

import hashlib
import html
import json
from datetime import UTC, datetime
from typing import NoReturn

from feedgen.entry import FeedEntry
from feedgen.feed import FeedGenerator
from flask import Blueprint, abort, current_app, redirect, request, url_for

from portal import attachments, cache, messages
from portal.posts import queries
from portal.posts.models import Channel, Post
from portal.sanitize import absolutize_urls
from portal.text import clean_text
from portal.timeutil import to_site
from portal.web.presentation import absolute_url_for

bp = Blueprint("feeds", __name__, url_prefix="/feeds")

ALL_CHANNELS = "all"  # the slug of the site-wide feed
MEDIA_TYPES = {"rss": "application/rss+xml", "atom": "application/atom+xml"}
LANGUAGE = "zh-CN"
GENERATOR = "portal (python-feedgen)"
# Bump when the XML written for the same data changes shape, so every cached copy is replaced.
FORMAT_VERSION = 3  # 3: Atom entry links carry their rel and type (enclosures: their length)
# Settings that change what a feed says; part of the ETag, so changing one refreshes readers.
SETTINGS_IN_FEED = (
    "SITE_NAME",
    "SITE_URL",
    "TIMEZONE",
    "FEED_TAG_AUTHORITY",
    "FEED_MAX_AGE",
    "SUMMARY_WIDTH",
)
# An empty feed still needs an updated time (RFC 4287); a fixed one keeps it stable.
EMPTY_FEED_UPDATED = datetime(2000, 1, 1, tzinfo=UTC)


@bp.get("/<slug>.<any(rss, atom):kind>")
def feed(slug: str, kind: str):
    """The feed, kept by the page cache: a poller whose copy matches gets its 304 from the kept
    validators (portal.cache.front), with no query beyond the cache's validity check."""
    return cache.cached(lambda: _full_feed(slug, kind))


def _full_feed(slug: str, kind: str):
    channel = (
        None if slug == ALL_CHANNELS else (queries.channel_by_slug(slug) or _renamed(slug, kind))
    )
    posts = queries.feed_posts(channel, current_app.config["FEED_ENTRIES"])
    etag, last_modified = _validators(
        kind, channel, [_state_of(post) for post in posts], queries.last_change(channel)
    )
    return _response(_render(kind, channel, posts), 200, kind, etag, last_modified)


def _renamed(slug: str, kind: str) -> NoReturn:
    """A slug the channel had before (栏目管理 renamed it): 301 to its feed now."""
    channel = queries.renamed_channel(slug) or abort(404)
    abort(redirect(url_for(".feed", slug=channel.slug, kind=kind), 301))


# --- conditional GET ---------------------------------------------------------------------------


def _state_of(post: Post) -> tuple:
    """What of a post in the feed decides whether the feed changed (its channel's slug and
    name are in its link and its category). The two times come last."""
    channel = post.channel
    return (post.id, channel.id, channel.slug, channel.name, post.published_at, post.updated_at)


def _validators(
    kind: str, channel: Channel | None, state: list[tuple], last_change: datetime | None
) -> tuple[str, datetime]:
    """(ETag value, Last-Modified) of a feed in ``state``: anything that changes the XML
    (a post entering or leaving, an edit, a move, a renamed channel, a setting, the base URL
    when SITE_URL is unset) changes the ETag."""
    config = current_app.config
    material = [
        FORMAT_VERSION,
        kind,
        config["SITE_URL"] or request.host_url,
        [config[name] for name in SETTINGS_IN_FEED],
        None if channel is None else [channel.slug, channel.name, channel.description],
        [[*post, published.isoformat(), updated.isoformat()]
         for *post, published, updated in state],
    ]  # fmt: skip
    digest = hashlib.sha256(json.dumps(material, ensure_ascii=False).encode()).hexdigest()
    # Last-Modified never goes back: a post that left the feed still counts by last_change.
    times = [max(published, updated) for *_, published, updated in state]
    newest = max([*times, *([last_change] if last_change else [])], default=EMPTY_FEED_UPDATED)
    return digest[:32], newest.replace(microsecond=0)


def _response(body: bytes, status: int, kind: str, etag: str, last_modified: datetime):
    response = current_app.response_class(
        body, status=status, content_type=f"{MEDIA_TYPES[kind]}; charset=utf-8"
    )
    response.set_etag(etag)  # strong
    response.last_modified = last_modified
    response.headers["Cache-Control"] = f"public, max-age={int(current_app.config['FEED_MAX_AGE'])}"
    return response


# --- the feed ----------------------------------------------------------------------------------


def _render(kind: str, channel: Channel | None, posts: list[Post]) -> bytes:
    generator = _feed(kind, channel, posts)
    return generator.atom_str(pretty=True) if kind == "atom" else generator.rss_str(pretty=True)


def _feed(kind: str, channel: Channel | None, posts: list[Post]) -> FeedGenerator:
    config = current_app.config
    site = clean_text(config["SITE_NAME"])
    slug = ALL_CHANNELS if channel is None else channel.slug
    generator = FeedGenerator()
    generator.load_extension("dc", atom=False, rss=True)  # dc:creator: RSS <author> is an e-mail
    generator.id(_tag_uri(f"feed/{slug}"))
    generator.title(_as_text(kind, f"{site} · {_channel_name(channel)}"))
    generator.subtitle(_as_text(kind, _channel_description(site, channel)))
    generator.author({"name": site})
    # feedgen writes the LAST link as RSS <channel><link>: self first, the HTML page last.
    generator.link(
        href=absolute_url_for("feeds.feed", slug=slug, kind=kind),
        rel="self",
        type=MEDIA_TYPES[kind],
    )
    generator.link(href=_page_url(channel), rel="alternate", type="text/html")
    generator.language(LANGUAGE)
    generator.generator(GENERATOR)
    generator.ttl(max(1, int(config["FEED_MAX_AGE"]) // 60))  # minutes
    files = attachments.listed_for(posts)  # one statement for the whole feed
    entries = [_add_entry(generator, post, site, kind, files[post.id]) for post in posts]
    generator.updated(max((entry.updated() for entry in entries), default=_time(None)))
    return generator


def _add_entry(generator: FeedGenerator, post: Post, site: str, kind: str, files: list):
    permalink = absolute_url_for("public.article", **post.url_args)
    # Posts come newest first; keep that order.
    entry = generator.add_entry(_Entry(), order="append")
    entry.guid(_tag_uri(f"post/{post.id}"), permalink=False)  # also the Atom id
    entry.title(_as_text(kind, clean_text(post.title)))
    entry.link(href=permalink, rel="alternate", type="text/html")
    entry.published(_time(post.published_at))
    # A post scheduled long after it was written became news when it was published.
    # (A feed's posts are public, so published_at is set; updated_at stands in if it were not.)
    entry.updated(_time(max(post.published_at or post.updated_at, post.updated_at)))
    names = (clean_text(post.author), clean_text(post.source))
    creators = list(dict.fromkeys(name for name in names if name)) or [site]
    entry.author([{"name": name} for name in creators])
    entry.dc.dc_creator(creators)
    # The channel: in the site-wide feed, what a reader sorts by (Atom: term and label).
    entry.category(term=post.channel.slug, label=clean_text(post.channel.name))
    # A title-only notice still gets a summary: readers (and the W3C validator) want some text.
    entry.summary(_as_text(kind, clean_text(post.description) or clean_text(post.title)))
    body = clean_text(post.body_html)  # first: the HTML parser would turn them into "?"
    if body:  # a notice may be a title only; an empty <content> is a validator warning
        # Readers show the body outside our site: relative links and images must be absolute.
        entry.content(absolutize_urls(body, permalink), type="html")
    # 附件 as enclosures: every one in Atom (link rel="enclosure"); RSS 2.0 allows one an item,
    # the first (feedgen writes the last one it was given).
    for item in files if kind == "atom" else files[:1]:
        url = absolute_url_for("attachments.download", sha256=item.sha256, name=item.name)
        entry.enclosure(url, item.size, item.media_type)
    return entry


class _Entry(FeedEntry):
    """feedgen 1.0 writes an Atom entry's links without their rel, type and length (it reads
    them from the element it just made instead of the link): written here as given, so an
    enclosure is one (RFC 4287 §4.2.7)."""

    def atom_entry(self, extensions=True):
        entry = super().atom_entry(extensions)
        elements = [child for child in entry if child.tag.rsplit("}", 1)[-1] == "link"]
        for element, link in zip(elements, self.link() or [], strict=True):
            for name in ("rel", "type", "hreflang", "title", "length"):
                if link.get(name):
                    element.set(name, str(link[name]))
        return entry


def _as_text(kind: str, text: str) -> str:
    """Plain text as the format must carry it to show as typed in every reader. Atom says
    what it is: a title or summary without a type is text (RFC 4287 §3.1). RSS 2.0 does not,
    and readers (feedparser among them) take a title or description with a tag or an entity
    in it for HTML: there the text is HTML-escaped once more (``<`` travels as ``&amp;lt;``),
    so that read as HTML it shows as typed. The real HTML, the body, is content:encoded. RSS
    categories and dc:creator are read as plain text, so they are left as they are."""
    return html.escape(text, quote=False) if kind == "rss" else text


def _channel_name(channel: Channel | None) -> str:
    return messages.FEED_ALL_NAME if channel is None else clean_text(channel.name)


def _channel_description(site: str, channel: Channel | None) -> str:
    if channel is None:
        return messages.FEED_ALL_DESCRIPTION.format(site=site)
    return clean_text(channel.description) or messages.FEED_CHANNEL_DESCRIPTION.format(
        site=site, channel=clean_text(channel.name)
    )


def _page_url(channel: Channel | None) -> str:
    if channel is None:
        return absolute_url_for("public.home")
    return absolute_url_for("public.channel", slug=channel.slug)


def _tag_uri(specific: str) -> str:
    """An id that never changes (RFC 4151): not tied to the host name or the URL layout."""
    return f"tag:{current_app.config['FEED_TAG_AUTHORITY']}:{specific}"


def _time(moment: datetime | None) -> datetime:
    """In the site zone, so the offset shows (+08:00), to the second."""
    return to_site(moment or EMPTY_FEED_UPDATED).replace(microsecond=0)
