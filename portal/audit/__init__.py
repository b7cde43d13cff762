"""操作日志 (the audit log): an append-only record of every editor action — logins, logouts
and failed logins, every save and change of state of a post, deletions, channel and account
changes — who, when, from which address, what.

``record`` / ``add`` write an entry (``log``); every change to a post is recorded by the write
path's ``post_changing`` signal, in that change's transaction; ``queries`` reads the log for the
administrators' page and its CSV export (``portal/admin``). Nothing updates or deletes an entry.
"""

from __future__ import annotations

from flask import Flask

from portal.audit.log import add, post_target, record
from portal.posts.signals import post_changing

__all__ = ["add", "init_app", "post_target", "record"]


def init_app(app: Flask) -> None:
    # Every app of the process shares the signal; the receiver acts for its own app only.
    from portal.audit import log

    post_changing.connect(log.follow_posts, sender=app, weak=False)
