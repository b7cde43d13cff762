"""Administration under /editor/admin: 栏目管理 here, accounts (``account_views``) and the
操作日志 (``audit_views``) beside it — for administrators only (anyone else: a 403 page).

Also, for every editor page: an account whose password an administrator set must change it
before anything else (``_password_first``).
"""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user

from portal import messages
from portal.admin import channels as channel_writes
from portal.admin.forms import ChannelForm, DeleteChannelForm, EmptyForm
from portal.extensions import db, login
from portal.posts import queries
from portal.posts.models import Channel
from portal.timeutil import now_utc
from portal.web.errors import forbidden
from portal.web.security import carries_session, is_editor_path

bp = Blueprint("admin", __name__, url_prefix="/editor/admin")

# What an account that must change its password may still reach.
_BEFORE_PASSWORD = {"auth.password", "auth.logout", "auth.login", "static"}


@bp.before_app_request
def _password_first():
    """An initial password is changed at the first login, before any other editor page. Only
    editor paths of requests with a session look (a reader's request opens no session)."""
    if not is_editor_path(request.path) or not carries_session():
        return None
    if not current_user.is_authenticated or not current_user.must_change_password:
        return None
    if request.endpoint in _BEFORE_PASSWORD:
        return None
    flash(messages.MUST_CHANGE_PASSWORD, "info")
    return redirect(url_for("auth.password"))


@bp.before_request
def _require_admin():
    if not current_user.is_authenticated:
        if request.method in ("GET", "HEAD"):
            return login.unauthorized()
        abort(403)
    if not current_user.is_admin:
        forbidden(messages.ADMIN_ONLY)
    return None


@bp.context_processor
def _helpers():
    return {
        "role_labels": messages.ROLES,
        "role_hints": messages.ROLE_HINTS,
        "audit_labels": messages.AUDIT_ACTIONS,
    }


def _channel_or_404(channel_id: int) -> Channel:
    return db.session.get(Channel, channel_id) or abort(404)


# --- 栏目管理 ---------------------------------------------------------------------------------


@bp.get("/channels")
def channels():
    return render_template(
        "admin/channels.html",
        rows=queries.freshness(now_utc()),
        site_steps=_site_steps(),
        action_form=EmptyForm(),
    )


def _site_steps() -> int:
    return current_app.config["REVIEW_STEPS"]


def _channel_form(channel: Channel | None) -> ChannelForm:
    taken = [row.slug for row in queries.channels() if channel is None or row.id != channel.id]
    return ChannelForm(channel=channel, taken=taken, site_steps=_site_steps())


def _render_channel_form(form: ChannelForm, channel: Channel | None, status: int = 200):
    return render_template("admin/channel_form.html", form=form, channel=channel), status


@bp.route("/channels/new", methods=["GET", "POST"])
def new_channel():
    form = _channel_form(None)
    if request.method != "POST":
        return _render_channel_form(form, None)
    if not form.validate():
        flash(messages.FORM_HAS_ERRORS, "error")
        return _render_channel_form(form, None, 400)
    channel = channel_writes.create(form.values())
    flash(messages.CHANNEL_CREATED.format(name=channel.name), "success")
    return redirect(url_for(".channels"))


@bp.route("/channels/<id:channel_id>/edit", methods=["GET", "POST"])
def edit_channel(channel_id: int):
    channel = _channel_or_404(channel_id)
    form = _channel_form(channel)
    if request.method != "POST":
        form.fill(channel)
        return _render_channel_form(form, channel)
    if not form.validate():
        flash(messages.FORM_HAS_ERRORS, "error")
        return _render_channel_form(form, channel, 400)
    old_slug = channel.slug
    channel_writes.update(channel, form.values())
    flash(messages.CHANNEL_SAVED.format(name=channel.name), "success")
    if channel.slug != old_slug:
        flash(messages.CHANNEL_SLUG_MOVED.format(old=old_slug, new=channel.slug), "info")
    return redirect(url_for(".channels"))


@bp.post("/channels/<id:channel_id>/move")
def move_channel(channel_id: int):
    """上移 / 下移: the button's ``direction``."""
    channel = _channel_or_404(channel_id)
    step = {"up": -1, "down": 1}.get(request.form.get("direction", ""))
    if step is None:
        abort(400)
    channel_writes.move(channel, step)
    return redirect(url_for(".channels"))


@bp.post("/channels/<id:channel_id>/visibility")
def channel_visibility(channel_id: int):
    """隐藏 / 显示 in the navigation and on the home page: the button's ``shown``."""
    channel = _channel_or_404(channel_id)
    shown = {"1": True, "0": False}.get(request.form.get("shown", ""))
    if shown is None:
        abort(400)
    channel_writes.set_shown(channel, shown)
    message = messages.CHANNEL_SHOWN if shown else messages.CHANNEL_HIDDEN
    flash(message.format(name=channel.name), "success")
    return redirect(url_for(".channels"))


@bp.route("/channels/<id:channel_id>/delete", methods=["GET", "POST"])
def delete_channel(channel_id: int):
    """A channel without posts is deleted once confirmed; one with posts only after they all
    move to another channel, the confirmation saying how many."""
    channel = _channel_or_404(channel_id)
    count = channel_writes.post_count(channel)
    others = [row for row in queries.channels() if row.id != channel.id]
    form = DeleteChannelForm()
    form.target.choices = [("", "请选择栏目")] + [(str(row.id), row.name) for row in others]
    if request.method != "POST":
        form.count.data = str(count)
        return _delete_page(form, channel, count, others)
    if not form.validate():
        return _delete_page(form, channel, count, others, 400)
    into = None
    if count:
        into = next((row for row in others if str(row.id) == form.target.data), None)
        error = _delete_refused(form, count, into)
        if error:
            form.count.data = str(count)
            return _delete_page(form, channel, count, others, 400, error)
    name = channel.name
    moved = channel_writes.delete(channel, into=into, editor=current_user._get_current_object())
    if into is not None:
        flash(
            messages.CHANNEL_MOVED_AND_DELETED.format(count=moved, target=into.name, name=name),
            "success",
        )
    else:
        flash(messages.CHANNEL_DELETED.format(name=name), "success")
    return redirect(url_for(".channels"))


def _delete_refused(form: DeleteChannelForm, count: int, into: Channel | None) -> str:
    if form.count.data != str(count):
        return messages.CHANNEL_COUNT_CHANGED.format(count=count)
    if into is None:
        return messages.CHANNEL_DELETE_TARGET
    if not form.confirm.data:
        return messages.CHANNEL_DELETE_CONFIRM
    return ""


def _delete_page(form, channel, count, others, status=200, error=""):
    page = render_template(
        "admin/channel_delete.html",
        form=form,
        channel=channel,
        count=count,
        others=others,
        error=error,
    )
    return page, status
