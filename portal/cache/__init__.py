"""A cache of rendered public pages, shared by every worker and server, kept valid by the one
write path's change signal.

Validity is one small row (``CacheState``: a generation number and the next time a scheduled
post comes due), read once per request by every server: a change anywhere (``post_changed``)
bumps the generation, and so does the first request after a scheduled post's time, so every
server's next request renders anew; no job, no per-server invalidation. The pages themselves
are kept in Redis when ``CACHE_REDIS_URL`` is set (one copy for all servers), else in each
process (a bounded LRU); either way a stale page can never be served, only a missing one
rendered again. Logged-in editors are never served a cached page, and nothing is cached for
them. The article page is cached without its view count, which stays exact and live.
"""

from __future__ import annotations

import hashlib

from flask import Flask

from portal.cache import store, validity
from portal.cache.pages import cached, count_marker, fill_count
from portal.posts.signals import post_changed

__all__ = ["cached", "count_marker", "fill_count", "init_app", "invalidate"]


def invalidate() -> None:
    """Every cached page is out of date: for a change that ``post_changed`` does not cover
    (a channel's name, say; its writer calls this after committing)."""
    validity.bump()


def _changed(_app: Flask, **_details) -> None:
    validity.bump()


def init_app(app: Flask) -> None:
    app.extensions["page_cache"] = store.make(app.config)
    # Settings are read at start and shape every page: servers started with other settings
    # (a new SITE_NAME, a restart after an upgrade) never share a cached page.
    settings = repr(sorted((name, repr(value)) for name, value in app.config.items()))
    app.extensions["page_cache_settings"] = hashlib.sha256(settings.encode()).hexdigest()[:16]
    # Every app of the process shares the signal; each receiver acts for its own app only.
    post_changed.connect(_changed, sender=app, weak=False)
