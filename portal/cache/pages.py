"""What a view tells the page cache: ``cached(render)`` marks a response that may be kept."""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable
from functools import lru_cache

from flask import current_app
from werkzeug.wrappers import Response

# The header a view's response carries to the front door (portal.cache.front), which removes
# it: "keep", or "keep; count=<post id>" for an article whose view count the front fills in.
KEEP_HEADER = "X-Portal-Page-Cache"


def cached(render: Callable[[], Response], *, counted_post: int | None = None) -> Response:
    """The response ``render`` makes, marked so that the front door keeps it (a 200 only) for
    every reader of the same URL and reading aids until anything changes, and answers the next
    ones itself. ``counted_post``: an article, rendered with ``count_marker()`` where its view
    count goes; the front fills in the live count of every request, counting a reader's view."""
    response = render()
    if response.status_code == 200:
        response.headers[KEEP_HEADER] = "keep" + (
            f"; count={counted_post}" if counted_post is not None else ""
        )
    return response


def count_marker() -> str:
    """What an article page shows in place of its view count while cached: the same on every
    server (derived from the SECRET_KEY, so no body can contain it by chance or design)."""
    return marker_for(current_app.config["SECRET_KEY"])


@lru_cache(maxsize=4)
def marker_for(secret_key: str) -> str:
    digest = hmac.new(secret_key.encode(), b"view count", hashlib.sha256).hexdigest()
    return "views-" + digest[:24]


__all__ = ["KEEP_HEADER", "cached", "count_marker", "marker_for"]
