"""站内搜索: substring-accurate site search over the public posts' titles and bodies.

``folding`` is how text is compared (NFKC, case folding, Chinese spacing) and what the index
holds (every character and pair of characters: Lucene's CJK bigrams, plus unigrams);
``models`` the folded text and the engine's index (SQLite FTS5, PostgreSQL GIN); ``index``
keeps it, fed by the write path's ``post_changing`` in each change's own transaction;
``queries`` reads it; ``highlight`` marks the terms; ``views`` is ``/search``; ``cli`` is
``flask --app portal reindex``.
"""

from __future__ import annotations

from flask import Flask

from portal.posts.signals import post_changing
from portal.search import folding, index
from portal.search.views import bp

__all__ = ["bp", "init_app"]


def init_app(app: Flask) -> None:
    # Every app of the process shares the signal; the receiver acts for its own app only.
    post_changing.connect(index.follow_changes, sender=app, weak=False)
    app.jinja_env.globals["search_query_max"] = folding.QUERY_MAX  # the header's search box
