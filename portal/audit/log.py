"""Writing the 操作日志: ``record`` for what a view or command does, and the write path's
``post_changing`` for every change to a post (in that change's own transaction, so a post
change and its entry commit together or not at all)."""

from __future__ import annotations

from flask import Flask, has_request_context, request
from flask_login import current_user

from portal.audit.models import TARGET_MAX, AuditEntry
from portal.extensions import db
from portal.posts.models import User
from portal.timeutil import now_utc


def _actor() -> User | None:
    """The logged-in account of this request (None from the command line, or anonymous)."""
    if not has_request_context() or not current_user.is_authenticated:
        return None
    return current_user._get_current_object()


def add(action: str, *, target: str = "", detail: str = "", user: User | None = None) -> None:
    """An entry in the current transaction (the caller commits it with its own change)."""
    actor = user if user is not None else _actor()
    address = (request.remote_addr or "") if has_request_context() else ""
    db.session.add(
        AuditEntry(
            at=now_utc(),
            user_id=actor.id if actor is not None else None,
            username=actor.username if actor is not None else "",
            remote_addr=address[:64],
            action=action,
            target=target[:TARGET_MAX],
            detail=detail,
        )
    )


def record(action: str, *, target: str = "", detail: str = "", user: User | None = None) -> None:
    """An entry of its own, committed now (call it after the change it tells of)."""
    add(action, target=target, detail=detail, user=user)
    db.session.commit()


def post_target(post_id: int | None) -> str:
    return f"post:{post_id}" if post_id is not None else ""


def follow_posts(_app: Flask, *, post=None, action, post_ids=(), **_details) -> None:
    """``post_changing`` receiver: every change to a post, by the write path."""
    if post is None:  # a bulk import (command line)
        add("post.import", detail=f"{len(list(post_ids))} 篇")
        return
    add(f"post.{action}", target=post_target(post.id), detail=f"《{post.title}》")
