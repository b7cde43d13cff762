"""The reader's side: home, channel lists, articles, sitemap, robots, health."""

from __future__ import annotations

from typing import NoReturn

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

from portal import attachments, cache
from portal.posts import queries
from portal.redirects import with_query
from portal.web.params import page_number
from portal.web.presentation import absolute_url_for

bp = Blueprint("public", __name__)


@bp.get("/")
def home():
    return cache.cached(_home)


def _home():
    config = current_app.config
    sections = [
        (channel, queries.latest(channel, config["HOME_POSTS_PER_CHANNEL"], pinned=True))
        for channel in queries.nav_channels()
        if channel.slug != config["NOTICES_CHANNEL"]
    ]
    return make_response(render_template("public/home.html", sections=sections))


@bp.get("/<slug>/")
def channel(slug: str):
    number = page_number()
    return cache.cached(lambda: _channel(slug, number))


def _channel(slug: str, number: int):
    channel = queries.channel_by_slug(slug) or _renamed(slug)
    page = queries.page_of(channel, number, current_app.config["POSTS_PER_PAGE"])
    page = page or abort(404)
    return make_response(render_template("public/channel.html", channel=channel, page=page))


def _renamed(slug: str) -> NoReturn:
    """A slug the channel had before (栏目管理 renamed it): 301 to its list now, the query
    string along (an article's old URL is redirected by its own check below)."""
    channel = queries.renamed_channel(slug) or abort(404)
    moved = with_query(url_for(".channel", slug=channel.slug), request.query_string)
    abort(redirect(moved, 301))


@bp.get("/<slug>/<id:post_id>.html")
def article(slug: str, post_id: int):
    """The article, kept by the page cache without its view count, which the cache's front
    door fills in live on every request: counted (one atomic UPDATE) for a reader's view
    (``portal.web.readers``), read for a print view, a prefetch or a crawler."""
    return cache.cached(lambda: _article(slug, post_id), counted_post=post_id)


def _article(slug: str, post_id: int):
    post = queries.public_post(post_id) or abort(404)
    if post.channel.slug != slug:
        # The query string comes along (?print=1) as the string it is: no request argument
        # reaches url_for, where ?_external= or ?post_id= would change or break the URL.
        canonical = with_query(url_for(".article", **post.url_args), request.query_string)
        return redirect(canonical, 301)
    older, newer = queries.neighbours(post)
    page = render_template(
        "public/article.html",
        post=post,
        views=cache.count_marker(),
        older=older,
        newer=newer,
        print_view="print" in request.args,
        attachments=attachments.listed(post),
    )
    response = make_response(page)
    # The view count must stay live: no shared cache may keep this page.
    response.headers["Cache-Control"] = "private, no-cache"
    return response


@bp.get("/sitemap.xml")
def sitemap():
    """The sitemap index (sitemaps.org): the pages file, then files of posts by id range."""
    return cache.cached(
        lambda: _xml(render_template("public/sitemap_index.xml", chunks=queries.sitemap_chunks())),
    )


@bp.get("/sitemap-pages.xml")
def sitemap_pages():
    return cache.cached(
        lambda: _xml(render_template("public/sitemap_pages.xml", channels=queries.channels())),
    )


@bp.get("/sitemap-posts-<id:chunk>.xml")
def sitemap_posts(chunk: int):
    return cache.cached(lambda: _sitemap_posts(chunk))


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
