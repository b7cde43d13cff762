"""The editor under 先审后发: which buttons a role sees, the 403 for what it may not do, and
where a save goes (a post, or — for an author's edit of a live post — a pending revision).
The rules are ``posts.workflow``'s; this is how the editor's views and templates ask them."""

from __future__ import annotations

from flask import flash
from flask_login import current_user

from portal import messages
from portal.posts import queries, service, workflow
from portal.posts.content import PostContent
from portal.posts.models import Post, User
from portal.posts.review_models import PendingRevision
from portal.posts.states import AWAITING_REVIEW, PostAction, PostState
from portal.timeutil import now_utc
from portal.web.errors import forbidden


def me() -> User:
    return current_user._get_current_object()


def refuse(action: str) -> None:
    """The 403 page, saying what this role may not do."""
    role = messages.ROLES[me().role]
    forbidden(messages.FORBIDDEN_ROLE.format(role=role, what=messages.FORBIDDEN_WHAT[action]))


def require(action: str, post: Post) -> None:
    if action not in actions_of(post):
        refuse(action)


def actions_of(post: Post) -> frozenset[str]:
    return workflow.actions_for(me(), post, workflow.open_pending(post))


def shown_content(post: Post) -> tuple[Post | PendingRevision, str]:
    """What the edit form opens on: the post's open pending edit if it has one (the author's
    work on a live post), else the post; and the body as last typed."""
    pending = workflow.open_pending(post)
    if pending is not None:
        return pending, pending.body_raw
    return post, service.latest_raw_body(post)


def refused_save(post: Post | None, channel_id: int, action: PostAction) -> str:
    """Why this save may not be made ("" if it may): a publish in a channel the account may
    not publish in (the form comes back as typed, 403)."""
    channel = next((row for row in queries.channels() if row.id == channel_id), None)
    pending = workflow.open_pending(post) if post is not None else None
    if channel is None or workflow.may_save(me(), post, channel, action, pending):
        return ""
    what = "publish" if post is None or workflow.may_edit(me(), post) else "edit"
    return messages.FORBIDDEN_ROLE.format(
        role=messages.ROLES[me().role], what=messages.FORBIDDEN_WHAT[what]
    )


def save(post: Post, content: PostContent, **change) -> None:
    """An edit: onto the post, or, when this account's save of this live post may not publish
    it, as its pending revision (the post stays as readers see it)."""
    if workflow.holds_edits(me(), post, workflow.open_pending(post)):
        service.propose(post, content, **change)
    else:
        service.save(post, content, **change)


def flash_review(post: Post) -> bool:
    """The news of a save under review, if it was one (True: told)."""
    pending = workflow.open_pending(post)
    if pending is not None and pending.editor_id == me().id and post.status == PostState.PUBLISHED:
        submitted = pending.stage == PostState.SUBMITTED
        flash(messages.EDIT_PENDING if submitted else messages.EDIT_PENDING_DRAFT, "success")
        return True
    if post.state is PostState.SUBMITTED:
        flash(messages.SUBMITTED, "success")
        return True
    return False


def form_context(post: Post | None) -> dict:
    """What the post form shows by role: its buttons, the pending edit, a return's comment."""
    if not current_user.is_authenticated:  # the form back as typed, after the session ended
        return {"actions": frozenset({"draft", "preview", "publish"}), "pending": None}
    if post is None:
        return {"actions": workflow.new_post_actions(me(), queries.channels()), "pending": None}
    pending = workflow.open_pending(post)
    return {
        "actions": workflow.actions_for(me(), post, pending),
        "pending": pending,
        "returned": workflow.return_comment(post, pending),
        "pending_labels": messages.POST_STATES,
    }


def dashboard_context(posts: list[Post]) -> dict:
    """The dashboard's review part: each row's actions, the 待我审核 count, what was returned
    to this account (with the comments), and each channel's days since its last public post."""
    user = me()
    waiting = {item.post.id: item for item in workflow.waiting(AWAITING_REVIEW)}
    return {
        "row_actions": {
            post.id: workflow.actions_for(user, post, _pending_of(waiting, post)) for post in posts
        },
        "waiting_edits": {post_id for post_id, item in waiting.items() if item.is_edit},
        "queue_count": len(workflow.queue_for(user)) if user.role != workflow.AUTHOR else None,
        "returned": workflow.returned_to(user),
        "freshness": queries.freshness(now_utc()),
    }


def _pending_of(waiting: dict, post: Post) -> PendingRevision | None:
    item = waiting.get(post.id)
    return item.pending if item is not None else None
