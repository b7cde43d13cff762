"""Reading aids (适老化/无障碍): 字号 大/中/小 and the high-contrast 老年人模式.

Each choice is a plain link to a route that stores the choice in a cookie and redirects back to
the page the reader was on, so it works without script and persists across pages; site.js only
spares the reload. Templates get the choice as classes for <html> (styled in site.css).
"""

from __future__ import annotations

from collections.abc import Mapping

from flask import Blueprint, abort, current_app, g, redirect, request, url_for
from werkzeug.wrappers import Response

from portal.redirects import local_path

bp = Blueprint("prefs", __name__, url_prefix="/prefs")

FONT_COOKIE = "font_size"
ELDER_COOKIE = "elder_mode"
COOKIE_MAX_AGE = 365 * 24 * 3600  # a reader sets this once

# The value in the URL and cookie → its label and the class on <html>; "medium" is the default.
FONT_SIZES = {
    "large": ("大", "font-large"),
    "medium": ("中", "font-medium"),
    "small": ("小", "font-small"),
}
DEFAULT_FONT_SIZE = "medium"
ELDER_STATES = ("on", "off")


@bp.get("/font-size/<size>")
def font_size(size: str) -> Response:
    if size not in FONT_SIZES:
        abort(404)
    return _remember(FONT_COOKIE, size)


@bp.get("/elder-mode/<state>")
def elder_mode(state: str) -> Response:
    if state not in ELDER_STATES:
        abort(404)
    return _remember(ELDER_COOKIE, state)


def _remember(cookie: str, value: str) -> Response:
    response: Response  # flask.redirect() returns werkzeug's Response, response_class a subclass
    if request.headers.get("X-Requested-With") == "fetch":
        response = current_app.response_class(status=204)  # site.js restyles the page itself
    else:
        response = redirect(local_path(request.args.get("next")) or url_for("public.home"), 303)
    response.set_cookie(
        cookie,
        value,
        max_age=COOKIE_MAX_AGE,
        path="/",
        httponly=True,  # only the server reads it: it becomes classes in the HTML
        samesite="Lax",
        secure=current_app.config["SESSION_COOKIE_SECURE"],
    )
    # A reader may come back to the same page: no cache may keep the redirect.
    response.headers["Cache-Control"] = "no-store"
    return response


def current_prefs() -> dict:
    """The reader's choices, read from the cookies (unknown values fall back to the defaults).

    A page made from these cookies varies on them (``Vary: Cookie``); a reader who sent
    neither gets the default page, which varies on nothing, so it can be cached for every
    other reader without them (deploy/nginx.conf bypasses its cache for requests that carry
    one)."""
    if FONT_COOKIE in request.cookies or ELDER_COOKIE in request.cookies:
        g.reads_prefs = True
    return prefs_of(request.cookies)


def prefs_of(cookies: Mapping[str, str]) -> dict:
    """The choices the cookies make (unknown values fall back to the defaults)."""
    size = cookies.get(FONT_COOKIE, DEFAULT_FONT_SIZE)
    if size not in FONT_SIZES:
        size = DEFAULT_FONT_SIZE
    elder = cookies.get(ELDER_COOKIE) == "on"
    classes = [FONT_SIZES[size][1]] + (["elder-mode"] if elder else [])
    return {"font_size": size, "elder_mode": elder, "html_class": " ".join(classes)}


def _here() -> str:
    """The current page as a local path with its query, for the controls' ``next``."""
    query = request.query_string.decode("utf-8", "replace")
    return request.path + (f"?{query}" if query else "")


@bp.app_context_processor
def _template_globals() -> dict:
    return {
        "reading_prefs": current_prefs,
        "reading_prefs_here": _here,
        "font_size_choices": [(value, label) for value, (label, _class) in FONT_SIZES.items()],
    }


@bp.after_app_request
def _vary_on_cookie(response):
    # A page whose classes came from the cookies must not be served from a cache to others.
    # (Without the cookies the page is the default one: no Vary, so caches may share it.)
    if g.get("reads_prefs"):
        response.vary.add("Cookie")
    return response
