"""``post_changed``: sent by ``posts.service`` after each committed change to a post;
``post_changing``: sent just before that commit, inside the change's transaction.

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

# The same ``post`` and ``action``, sent inside the transaction just before its commit, for
# what must change with the post or not at all (the search index): receivers write through
# ``db.session`` and never commit. After a bulk import batch, ``post`` is None and
# ``post_ids`` holds the new posts' ids. A change that made a revision also sends it
# (``revision``) and the ``PostContent`` it saved (``content``; None for a change of state,
# whose revision keeps the content of the one before): portal.attachments links its files.
post_changing = _signals.signal("post-changing")
