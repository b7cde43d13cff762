"""先审后发 for reviewers: the 待我审核 queue, and each post's review page — the submitted text
against the live (or last approved) one, the steps so far, 审核通过 and 退回 (with a comment).

Who may take which step is ``posts.workflow``'s; the steps are ``posts.service.review``.
An approval names what the reviewer saw (the post's version, its pending edit): if that has
changed since, nothing is approved and the page says so.
"""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import HiddenField, TextAreaField, ValidationError

from portal import messages
from portal.extensions import login
from portal.posts import queries, service, workflow
from portal.posts.models import Post
from portal.posts.review_models import PendingRevision
from portal.posts.states import AWAITING_REVIEW, PostAction, PostState
from portal.review import diff
from portal.text import clean_text
from portal.timeutil import format_site
from portal.web.errors import forbidden
from portal.web.params import parse_int

bp = Blueprint("review", __name__, url_prefix="/editor/review")

COMMENT_MAX = 1000


class ReviewForm(FlaskForm):
    """What the reviewer saw (the post's version, its pending edit's id) and a comment."""

    version = HiddenField()
    pending = HiddenField()
    comment = TextAreaField("审核意见")

    def validate_comment(self, field: TextAreaField) -> None:
        length = len(clean_text(field.data))
        if length > COMMENT_MAX:
            raise ValidationError(messages.COMMENT_TOO_LONG.format(max=COMMENT_MAX, length=length))


@bp.before_request
def _require_editor():
    if not current_user.is_authenticated:
        if request.method in ("GET", "HEAD"):
            return login.unauthorized()
        abort(403)
    return None


@bp.context_processor
def _labels():
    return {"state_labels": messages.POST_STATES, "action_labels": messages.REVISION_ACTIONS}


def _me():
    return current_user._get_current_object()


@bp.get("/")
def queue():
    """待我审核: what waits for a step this reviewer may take, oldest first."""
    me = _me()
    if me.role == workflow.AUTHOR:
        _refuse("review")
    return render_template("review/queue.html", items=workflow.queue_for(me))


def _item(post_id: int) -> tuple[Post, PendingRevision | None, PostState]:
    """The post and what of it waits: its open pending edit (if any), and its stage."""
    post = queries.post(post_id) or abort(404)
    pending = workflow.open_pending(post)
    stage = PostState(pending.stage) if pending is not None else post.state
    return post, pending, stage


def _allowed(post: Post, pending: PendingRevision | None, action: str) -> None:
    if action not in workflow.actions_for(_me(), post, pending):
        _refuse(action)


def _refuse(action: str) -> None:
    role = messages.ROLES[_me().role]
    forbidden(messages.FORBIDDEN_ROLE.format(role=role, what=messages.FORBIDDEN_WHAT[action]))


@bp.get("/posts/<id:post_id>")
def review_page(post_id: int):
    post, pending, stage = _item(post_id)
    if stage not in AWAITING_REVIEW:
        abort(404)
    _allowed(post, pending, "review")
    form = ReviewForm()
    form.version.data = str(post.version)
    form.pending.data = str(pending.id) if pending is not None else ""
    return _page(form, post, pending, stage)


def _page(form: ReviewForm, post: Post, pending, stage, status: int = 200):
    names = {channel.id: channel.name for channel in queries.channels()}
    submitted = pending if pending is not None else post
    base = post if pending is not None else workflow.last_approved(post)
    old = diff.shown_fields(base, names) if base is not None else None
    page = render_template(
        "review/review.html",
        form=form,
        post=post,
        pending=pending,
        stage=stage,
        base=base,
        fields=diff.field_changes(old, diff.shown_fields(submitted, names)),
        lines=diff.body_diff(base.body_html if base is not None else "", submitted.body_html),
        steps=workflow.steps_of(post),
        actions=workflow.actions_for(_me(), post, pending),
    )
    return page, status


def _unchanged(form: ReviewForm, post: Post, pending: PendingRevision | None) -> bool:
    """Is what waits what the reviewer saw (same version of the post, same pending edit)?"""
    seen_pending = parse_int(form.pending.data or "")
    current = pending.id if pending is not None else None
    return parse_int(form.version.data or "") == post.version and seen_pending == current


@bp.post("/posts/<id:post_id>/approve")
def approve(post_id: int):
    return _step(post_id, PostAction.APPROVE)


@bp.post("/posts/<id:post_id>/return")
def return_to_author(post_id: int):
    return _step(post_id, PostAction.RETURN)


def _step(post_id: int, action: PostAction):
    post, pending, stage = _item(post_id)
    if stage not in AWAITING_REVIEW:
        flash(messages.NOTHING_TO_REVIEW, "error")
        return redirect(url_for("editor.dashboard"))
    form = ReviewForm()
    if not _unchanged(form, post, pending):
        flash(messages.REVIEW_CHANGED, "error")
        return redirect(url_for(".review_page", post_id=post.id))
    _allowed(post, pending, "approve" if action is PostAction.APPROVE else "review")
    comment = clean_text(form.comment.data)
    valid = form.validate()
    if action is PostAction.RETURN and not comment:
        form.comment.errors = [*form.comment.errors, messages.RETURN_COMMENT_REQUIRED]
        valid = False
    if not valid:
        flash(messages.FORM_HAS_ERRORS, "error")
        return _page(form, post, pending, stage, 400)
    try:
        service.review(
            post,
            action,
            editor=_me(),
            expected_version=post.version,
            pending=pending,
            comment=comment,
        )
    except service.StaleVersion:
        flash(messages.REVIEW_CHANGED, "error")
        return redirect(url_for(".review_page", post_id=post.id))
    flash(_done_message(post, action, edit=pending is not None), "success")
    return redirect(url_for(".queue"))


def _done_message(post: Post, action: PostAction, *, edit: bool) -> str:
    if action is PostAction.RETURN:
        return messages.RETURNED
    if post.state is PostState.SIGNOFF or workflow.open_pending(post) is not None:
        return messages.APPROVED_TO_SIGNOFF
    if edit:
        return messages.APPROVED_EDIT
    if post.state is PostState.SCHEDULED:
        return messages.APPROVED_SCHEDULED.format(time=format_site(post.published_at))
    return messages.APPROVED_PUBLISHED
