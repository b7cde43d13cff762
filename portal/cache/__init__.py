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
from pathlib import Path

from flask import Flask

from portal.cache import store, validity
from portal.cache.front import Front
from portal.cache.pages import cached, count_marker
from portal.posts.signals import post_changed

__all__ = ["cached", "count_marker", "init_app", "invalidate"]


def invalidate() -> None:
    """Every cached page is out of date: for a change that ``post_changed`` does not cover
    (a channel's name, say; its writer calls this after committing)."""
    validity.bump()


def _changed(_app: Flask, **_details) -> None:
    validity.bump()


def _release(app: Flask) -> str:
    """What this server renders with: its settings (read at start) and its code, templates and
    static files. Servers of another release or settings (a deploy, a new SITE_NAME) never
    share a cached page, even through Redis."""
    digest = hashlib.sha256(repr(sorted((k, repr(v)) for k, v in app.config.items())).encode())
    root = Path(app.root_path)
    folders = [root, root / (app.template_folder or ""), root / (app.static_folder or "")]
    for folder in folders:
        for path in sorted(folder.resolve().rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts:
                stat = path.stat()
                digest.update(f"{path}:{stat.st_size}:{stat.st_mtime_ns}".encode())
    return digest.hexdigest()[:16]


def init_app(app: Flask) -> None:
    app.extensions["page_cache"] = store.make(app.config)
    app.extensions["page_cache_settings"] = _release(app)
    # Flask's documented way to add WSGI middleware; its types declare a method here.
    front = app.extensions["page_cache_front"] = Front(app, app.wsgi_app)
    app.wsgi_app = front  # type: ignore[method-assign]
    # Every app of the process shares the signal; each receiver acts for its own app only.
    post_changed.connect(_changed, sender=app, weak=False)
