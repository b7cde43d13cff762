"""Who is a reader: the rule that decides whether a request to an article counts as a view.

Read from the WSGI environ, so the page cache's front door (``portal.cache.front``, which
answers cached articles before Flask dispatches) and any other caller apply the same rule.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from functools import lru_cache
from typing import Any
from urllib.parse import parse_qsl

# Browsers announce speculative loads; those are not a reader's view (environ names).
PREFETCH_HEADERS = {
    "HTTP_PURPOSE": "prefetch",
    "HTTP_SEC_PURPOSE": "prefetch",
    "HTTP_X_MOZ": "prefetch",
    "HTTP_X_PURPOSE": "preview",  # Safari
}
# How much of a User-Agent the crawler pattern reads (real ones are under 300 characters).
USER_AGENT_READ = 512


def counts_as_view(environ: Mapping[str, Any], crawler_pattern: str | None) -> bool:
    """A GET by a browser that shows the page to a person: not the print view, not a
    prefetch, not a user agent that ``crawler_pattern`` (case-insensitive) calls a robot."""
    if environ.get("REQUEST_METHOD") != "GET" or _asks_for_print(environ):
        return False
    for name, value in PREFETCH_HEADERS.items():
        if environ.get(name, "").lower().startswith(value):
            return False
    # Only the start is read: robots name themselves there, and a pattern's time then stays
    # bounded whatever a client sends (a header may be 8 KB).
    user_agent = environ.get("HTTP_USER_AGENT", "")[:USER_AGENT_READ]
    return not (crawler_pattern and _compiled(crawler_pattern).search(user_agent))


def _asks_for_print(environ: Mapping[str, Any]) -> bool:
    query = environ.get("QUERY_STRING", "")
    return "print" in query and any(
        name == "print" for name, _ in parse_qsl(query, keep_blank_values=True)
    )


@lru_cache(maxsize=8)
def _compiled(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern, re.IGNORECASE)
