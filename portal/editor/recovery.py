"""Nothing typed is lost: what the post form needs when a save cannot be applied, and what the
browser's copy of the form (static/js/editor-autosave.js) is told. Reads only; no writes.

- A refused form comes back as typed (``views._form_back``); one refused for its CSRF token only
  when this site's page sent it (``sent_from_this_site``).
- The browser keeps a copy of the form under a key of the editor and the form; after a save,
  the page the save redirects to names the form saved (``mark_saved`` / ``take_saved``), and
  the browser drops that copy. The same mark shows, once, what cleaning removed from the body,
  read from the revision: a long report must never ride in the session cookie.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import request, session
from flask_login import current_user

from portal import messages
from portal.posts import queries
from portal.posts.models import Post

# In the session from a successful save until the post's edit page shows it: [the form saved
# ("new" or the post id), the post id, the version the save made]. A few bytes, whatever the
# body: the flash and the cookie stay small.
SAVED_MARK = "editor_saved"


def sent_from_this_site() -> bool:
    """Was this POST sent by a page of this site? Browsers say so (``Sec-Fetch-Site``, or
    else ``Origin``, which every current browser sends with a POST) and no page can forge it."""
    fetch_site = request.headers.get("Sec-Fetch-Site")
    if fetch_site is not None:
        return fetch_site == "same-origin"
    return urlsplit(request.headers.get("Origin", "")).netloc == request.host


def mark_saved(form: str, post: Post) -> None:
    """``form`` ("new" or the post's id, as the URL it was posted to) was saved to ``post``."""
    session[SAVED_MARK] = [form, post.id, post.version]


def take_saved(post: Post | None) -> tuple[str, int] | None:
    """The form just saved to ``post`` and the version it made, once: on the page the save
    redirected to."""
    mark = session.get(SAVED_MARK)
    if post is None or not mark or mark[1] != post.id:
        return None
    session.pop(SAVED_MARK)
    return str(mark[0]), int(mark[2])


def autosave(post_id: int | None, saved: tuple[str, int] | None) -> dict | None:
    """The browser copy's data attributes: its key (the editor's own, so a shared computer
    never offers one editor's text to another; None without a login, and the copy made before
    the session ended stays as it is), the key of the form whose save just succeeded (that
    copy is dropped), and whether the form shows submitted text that is not saved (kept)."""
    if not current_user.is_authenticated:
        return None
    user = current_user.id
    return {
        "key": f"{user}:{post_id or 'new'}",
        "saved": f"{user}:{saved[0]}" if saved else "",
        "unsaved": request.method == "POST",
    }


def removed_report(post: Post | None, saved: tuple[str, int] | None) -> str:
    """What cleaning removed from the body just saved, from its revision ("" if nothing)."""
    revision = queries.revision(post, saved[1]) if post is not None and saved else None
    items = [item for item in revision.removed.split("\n") if item] if revision else []
    return messages.REMOVED_UNSAFE.format(items="、".join(items)) if items else ""
