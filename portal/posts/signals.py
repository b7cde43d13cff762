"""``post_changed``: sent by ``posts.service`` after each committed change to a post.

Receivers get the app as sender and ``post`` (the post as it now is; after a deletion, the
detached row as it was; ``None`` after a bulk import, ``service.import_posts``, which sends one
signal per committed batch) and ``action`` (a ``PostAction``). Caches, the search index and any
later listener connect here, never to the views:

    @post_changed.connect
    def forget(app, *, post, action): ...
"""

from __future__ import annotations

from blinker import Namespace

_signals = Namespace()

post_changed = _signals.signal("post-changed")
