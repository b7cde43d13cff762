"""``cached(render)``: a view's response from the shared cache when it is still valid."""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable

from flask import current_app, request
from werkzeug.wrappers import Response

from portal.cache import validity
from portal.cache.store import Store
from portal.web.prefs import current_prefs

# Headers that belong to one reader's response, never to the cached page.
_NOT_KEPT = {"set-cookie", "vary", "content-length"}


def cached(render: Callable[[], Response], *, styled: bool = True) -> Response:
    """The response ``render`` makes for this request, kept for every reader of the same URL
    (and, for a ``styled`` page, the same 字号/老年人模式: feeds and sitemaps are not) until
    anything changes. Only 200s are kept; a request that carries a session (a logged-in
    editor) is neither served from nor stored in the cache."""
    if request.method not in ("GET", "HEAD") or _has_session():
        return render()
    key = _key(styled)
    entry = _store().get(key)
    if entry is not None:
        status, headers, body = entry
        return current_app.response_class(body, status=status, headers=headers)
    response = render()
    if response.status_code == 200 and not response.direct_passthrough:
        headers = [(k, v) for k, v in response.headers.items() if k.lower() not in _NOT_KEPT]
        _store().set(key, (response.status_code, headers, response.get_data()))
    return response


def count_marker() -> str:
    """What an article page shows in place of its view count while cached: the same on every
    server (derived from the SECRET_KEY, so no body can contain it by chance or design)."""
    secret = current_app.config["SECRET_KEY"].encode()
    return "views-" + hmac.new(secret, b"view count", hashlib.sha256).hexdigest()[:24]


def fill_count(response: Response, count: int) -> Response:
    """The live view count in a (cached or fresh) article page."""
    body = response.get_data().replace(count_marker().encode(), str(count).encode())
    response.set_data(body)
    return response


def _has_session() -> bool:
    return current_app.config["SESSION_COOKIE_NAME"] in request.cookies


def _key(styled: bool) -> str:
    """The generation, the settings, the URL (with the host when SITE_URL does not fix it) and
    the reading aids that change the page's classes."""
    config = current_app.config
    host = "" if config["SITE_URL"] else request.host_url
    query = "&".join(f"{k}={v}" for k, v in sorted(request.args.items(multi=True)))
    prefs = current_prefs()["html_class"] if styled else ""
    settings = current_app.extensions["page_cache_settings"]
    return f"{validity.token()}|{settings}|{host}|{request.path}?{query}|{prefs}"


def _store() -> Store:
    return current_app.extensions["page_cache"]


__all__ = ["cached", "count_marker", "fill_count"]
