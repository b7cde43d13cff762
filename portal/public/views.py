"""The reader's side: home, channel lists, articles, sitemap, robots, health."""

from __future__ import annotations

import re

from flask import (
    Blueprint,
    abort,
    current_app,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)

from portal import cache
from portal.posts import queries
from portal.web.params import page_number
from portal.web.presentation import absolute_url_for

bp = Blueprint("public", __name__)

# Browsers announce speculative loads; those are not a reader's view.
PREFETCH_HEADERS = {
    "Purpose": "prefetch",
    "Sec-Purpose": "prefetch",
    "X-Moz": "prefetch",
    "X-Purpose": "preview",  # Safari
}


@bp.get("/")
def home():
    return cache.cached(_home)


def _home():
    config = current_app.config
    sections = [
        (channel, queries.latest(channel, config["HOME_POSTS_PER_CHANNEL"], pinned=True))
        for channel in queries.channels()
        if channel.slug != config["NOTICES_CHANNEL"]
    ]
    return make_response(render_template("public/home.html", sections=sections))


@bp.get("/<slug>/")
def channel(slug: str):
    number = page_number()
    return cache.cached(lambda: _channel(slug, number))


def _channel(slug: str, number: int):
    channel = queries.channel_by_slug(slug) or abort(404)
    page = queries.page_of(channel, number, current_app.config["POSTS_PER_PAGE"])
    page = page or abort(404)
    return make_response(render_template("public/channel.html", channel=channel, page=page))


@bp.get("/<slug>/<id:post_id>.html")
def article(slug: str, post_id: int):
    """The article, cached without its view count; the count is live: counted (one atomic
    UPDATE) for a reader's view, read for a print view, a prefetch or a crawler."""
    response = cache.cached(lambda: _article(slug, post_id))
    if response.status_code != 200:
        return response
    counted = queries.record_view(post_id) if _counts_as_view() else None
    count = counted if counted is not None else queries.view_count(post_id)
    response = cache.fill_count(response, count)
    # The view count must stay live: no shared cache may keep this page.
    response.headers["Cache-Control"] = "private, no-cache"
    return response


def _article(slug: str, post_id: int):
    post = queries.public_post(post_id) or abort(404)
    if post.channel.slug != slug:
        # The query string comes along (?print=1); it cannot override the canonical path.
        canonical = url_for(".article", **{**request.args.to_dict(), **post.url_args})
        return redirect(canonical, 301)
    older, newer = queries.neighbours(post)
    page = render_template(
        "public/article.html",
        post=post,
        views=cache.count_marker(),
        older=older,
        newer=newer,
        print_view="print" in request.args,
    )
    return make_response(page)


@bp.get("/sitemap.xml")
def sitemap():
    """The sitemap index (sitemaps.org): the pages file, then files of posts by id range."""
    return cache.cached(
        lambda: _xml(render_template("public/sitemap_index.xml", chunks=queries.sitemap_chunks())),
        styled=False,
    )


@bp.get("/sitemap-pages.xml")
def sitemap_pages():
    return cache.cached(
        lambda: _xml(render_template("public/sitemap_pages.xml", channels=queries.channels())),
        styled=False,
    )


@bp.get("/sitemap-posts-<int:chunk>.xml")
def sitemap_posts(chunk: int):
    return cache.cached(lambda: _sitemap_posts(chunk), styled=False)


def _sitemap_posts(chunk: int):
    if not 1 <= chunk <= queries.sitemap_chunks():
        abort(404)
    return _xml(render_template("public/sitemap_posts.xml", posts=queries.sitemap_posts(chunk)))


def _xml(body: str):
    response = make_response(body)
    response.mimetype = "application/xml"
    return response


@bp.get("/robots.txt")
def robots():
    body = "User-agent: *\nDisallow: /editor/\nDisallow: /prefs/\n\nSitemap: {}\n".format(
        absolute_url_for("public.sitemap")
    )
    return current_app.response_class(body, mimetype="text/plain")


@bp.get("/healthz")
def healthz():
    queries.database_ok()  # raises (and so answers 500) when the database is unreachable
    return {"status": "ok", "database": "ok"}


def _counts_as_view() -> bool:
    if request.method != "GET" or "print" in request.args:
        return False
    for name, value in PREFETCH_HEADERS.items():
        if request.headers.get(name, "").lower().startswith(value):
            return False
    pattern = current_app.config["CRAWLER_USER_AGENT_PATTERN"]
    user_agent = request.headers.get("User-Agent", "")
    return not (pattern and re.search(pattern, user_agent, re.IGNORECASE))
