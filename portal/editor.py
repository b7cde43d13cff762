"""The editor: dashboard, write/preview/publish, withdraw, trash, revisions — behind a login.

Every change goes through ``_commit_change``: one conditional UPDATE guarded by the version the
editor started from (optimistic concurrency), and one new ``Revision`` numbered by the new
version, in the same transaction. Nothing an editor submits is lost: the raw body is kept.
"""

from __future__ import annotations

import re
from datetime import datetime
from urllib.parse import urlsplit

import sqlalchemy as sa
from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user
from sqlalchemy.orm.attributes import set_committed_value

from portal import messages, queries
from portal.extensions import db, login
from portal.forms import EmptyForm, PostForm, clean_text
from portal.models import Channel, Post, PostStatus, Revision
from portal.sanitize import clean
from portal.timeutil import format_site, now_utc, to_site

bp = Blueprint("editor", __name__, url_prefix="/editor")

ACTIONS = ("draft", "preview", "publish")
LOCAL_INPUT_FORMAT = "%Y-%m-%dT%H:%M"  # what a datetime-local input shows


@bp.before_request
def _require_editor():
    """Every editor URL, present and future: readers are sent to the login page (GET) or
    refused (any other method: there is no sensible page to come back to)."""
    if not current_user.is_authenticated:
        if request.method in ("GET", "HEAD"):
            return login.unauthorized()
        abort(403)


def aria_for(field, hint: str = "") -> dict:
    """ARIA attributes linking a control to its hint and its error message."""
    described = [f"{field.id}-hint"] if hint else []
    attributes = {}
    if field.errors:
        described.append(f"{field.id}-error")
        attributes["aria-invalid"] = "true"
    if described:
        attributes["aria-describedby"] = " ".join(described)
    return attributes


@bp.context_processor
def _template_helpers():
    return {
        "state_labels": messages.POST_STATES,
        "action_labels": messages.REVISION_ACTIONS,
        "aria_for": aria_for,
    }


# --- reading ---------------------------------------------------------------------------------


def state_of(post: Post, now: datetime) -> str:
    if post.trashed_at is not None:
        return "trash"
    if post.status == PostStatus.DRAFT:
        return "draft"
    return "published" if post.is_public else "scheduled"


def _post_or_404(post_id: int) -> Post:
    return db.session.get(Post, post_id) or abort(404)


def _int_arg(name: str, default: int) -> int:
    raw = request.args.get(name, "")
    if not raw:
        return default
    if not re.fullmatch(r"[0-9]{1,9}", raw) or int(raw) < 1:
        abort(400)
    return int(raw)


@bp.get("/")
def dashboard():
    state = request.args.get("state") or None
    if state is not None and state not in queries.EDITOR_STATES:
        abort(400)
    slug = request.args.get("channel") or None
    channel = queries.channel_by_slug(slug) if slug else None
    if slug and channel is None:
        abort(400)
    mine = request.args.get("mine") == "1"
    page = queries.editor_page(
        _int_arg("page", 1),
        current_app.config["POSTS_PER_PAGE"],
        state=state,
        channel_id=channel.id if channel else None,
        created_by_id=current_user.id if mine else None,
    ) or abort(404)
    now = now_utc()
    filters = {"state": state or "", "channel": slug or "", "mine": "1" if mine else ""}
    return render_template(
        "editor/dashboard.html",
        page=page,
        rows=[(post, state_of(post, now)) for post in page.items],
        channels=queries.channels(),
        filters=filters,
        page_filters={name: value for name, value in filters.items() if value},
        action_form=EmptyForm(),
    )


# --- writing ---------------------------------------------------------------------------------


def _site_host() -> str:
    base = current_app.config["SITE_URL"]
    return (urlsplit(base).hostname if base else None) or request.host.split(":")[0]


def _post_form(post: Post | None) -> PostForm:
    """On POST the form reads what was submitted; on GET it starts from the stored post."""
    data = None
    if post is not None and request.method == "GET":
        data = {
            "title": post.title,
            "channel": str(post.channel_id),
            "source": post.source,
            "author": post.author,
            "published_at": _local_input(post.published_at),
            "pinned": post.pinned,
            "summary": post.summary,
            "body": _latest_raw_body(post),
            "version": str(post.version),
        }
    form = PostForm(data=data, site_host=_site_host())
    form.channel.choices = [(str(channel.id), channel.name) for channel in queries.channels()]
    return form


def _local_input(moment: datetime | None) -> str:
    return to_site(moment).strftime(LOCAL_INPUT_FORMAT) if moment else ""


def _latest_raw_body(post: Post) -> str:
    """The editor sees what they last typed, not its cleaned form (nothing is silently lost)."""
    latest = db.session.scalar(
        sa.select(Revision.body_raw)
        .where(Revision.post_id == post.id)
        .order_by(Revision.number.desc())
        .limit(1)
    )
    return post.body_html if latest is None else latest


def _render_form(form: PostForm, post: Post | None, status: int = 200, conflict: str = ""):
    state = state_of(post, now_utc()) if post is not None else None
    return (
        render_template(
            "editor/form.html",
            form=form,
            post=post,
            state=state,
            conflict=conflict,
            action_form=EmptyForm(),
        ),
        status,
    )


def _chosen_published_at(form: PostForm, post: Post | None, action: str) -> datetime | None:
    typed = form.published_at_utc
    if typed is not None:
        # The input shows minutes only: an unchanged value keeps the stored time to the second.
        unchanged = post is not None and _local_input(post.published_at) == _local_input(typed)
        return post.published_at if unchanged else typed
    return now_utc() if action == "publish" else None  # empty means "now" when publishing


def _submitted_values(form: PostForm, post: Post | None, action: str) -> dict:
    return {
        "title": clean_text(form.title.data),
        "channel_id": form.channel_row.id,
        "source": clean_text(form.source.data),
        "author": clean_text(form.author.data),
        "summary": clean_text(form.summary.data),
        "pinned": bool(form.pinned.data),
        "body_html": form.cleaned.html,
        "status": PostStatus.PUBLISHED if action == "publish" else PostStatus.DRAFT,
        "published_at": _chosen_published_at(form, post, action),
    }


def _raw_for_storage(raw: str) -> str:
    # Kept exactly as submitted, except NUL, which PostgreSQL text cannot hold.
    return raw.replace("\x00", "")


@bp.route("/posts/new", methods=["GET", "POST"])
def new_post():
    return _edit(None)


@bp.route("/posts/<id:post_id>/edit", methods=["GET", "POST"])
def edit_post(post_id: int):
    post = _post_or_404(post_id)
    if post.trashed_at is not None:
        flash(messages.TRASHED_CANNOT_EDIT, "error")
        return redirect(url_for(".dashboard", state="trash"))
    return _edit(post)


def _edit(post: Post | None):
    form = _post_form(post)
    if request.method == "GET":
        return _render_form(form, post)
    action = request.form.get("action", "")
    if action not in ACTIONS:
        abort(400)
    if not form.validate():
        flash(messages.FORM_HAS_ERRORS, "error")
        return _render_form(form, post, 400)
    values = _submitted_values(form, post, action)
    if action == "preview":
        return _preview(post, values)
    raw = _raw_for_storage(form.body.data)
    if post is None:
        post = _create(values, raw, form.cleaned.removed, action)
    else:
        expected = int(form.version.data) if (form.version.data or "").isdigit() else None
        # A form without the version it was opened at cannot prove it saw the latest text:
        # treat it as a conflict, which shows the form again with the editor's text kept.
        if expected is None or not _commit_change(
            post, expected, values, action, raw, form.cleaned.removed
        ):
            return _conflict(form, post_id=post.id)
    _flash_saved(post, form.cleaned.removed)
    return redirect(url_for(".edit_post", post_id=post.id))


def _flash_saved(post: Post, removed: tuple[str, ...]) -> None:
    if post.status == PostStatus.DRAFT:
        flash(messages.SAVED_DRAFT, "success")
    elif post.is_public:
        flash(messages.SAVED_PUBLISHED, "success")
    else:
        flash(messages.SAVED_SCHEDULED.format(time=format_site(post.published_at)), "success")
    if removed:
        flash(messages.REMOVED_UNSAFE.format(items="、".join(removed)), "warning")


def _conflict(form: PostForm, *, post_id: int):
    """Someone saved since this form was opened: show it, keep the editor's text, save nothing.
    The form now carries the current version, so submitting again is a deliberate overwrite
    (and the overwritten version stays in the revisions)."""
    post = _post_or_404(post_id)
    latest = db.session.scalar(
        sa.select(Revision).where(Revision.post_id == post.id).order_by(Revision.number.desc())
    )
    editor = latest.editor.shown_name if latest is not None and latest.editor else "他人"
    message = messages.EDIT_CONFLICT.format(
        editor=editor, time=format_site(post.updated_at), version=post.version
    )
    form.version.data = str(post.version)
    return _render_form(form, post, 409, conflict=message)


def _preview(post: Post | None, values: dict):
    """The public article layout with the cleaned body; nothing is saved and no view counted."""
    channel = db.session.get(Channel, values["channel_id"])
    shown = Post(**{**values, "published_at": values["published_at"] or now_utc()})
    shown.id = post.id if post is not None else 0
    shown.view_count = post.view_count if post is not None else 0
    # Set without ORM events: a backref would tie this transient post to the session.
    set_committed_value(shown, "channel", channel)
    response = make_response(
        render_template("public/article.html", post=shown, preview=True, older=None, newer=None)
    )
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Robots-Tag"] = "noindex"
    return response


# --- saving: one conditional UPDATE plus one Revision ------------------------------------------


def _create(values: dict, raw: str, removed: tuple[str, ...], action: str) -> Post:
    now = now_utc()
    post = Post(**values, created_by_id=current_user.id, created_at=now, updated_at=now)
    post.version = 1
    db.session.add(post)
    db.session.flush()
    db.session.add(_revision(post, action, raw, removed, now))
    db.session.commit()
    return post


def _commit_change(
    post: Post, expected_version: int, values: dict, action: str, raw: str, removed=()
) -> bool:
    """Apply ``values`` only if the post is still at ``expected_version``; False otherwise.

    The WHERE on the version makes concurrent saves safe across workers: on PostgreSQL the
    second UPDATE waits for the first and then matches no row; SQLite serializes writers."""
    now = now_utc()
    updated = db.session.execute(
        sa.update(Post)
        .where(Post.id == post.id, Post.version == expected_version)
        .values(**values, updated_at=now, version=expected_version + 1)
        .execution_options(synchronize_session=False)
    ).rowcount
    if updated != 1:
        db.session.rollback()
        return False
    db.session.refresh(post)
    db.session.add(_revision(post, action, raw, removed, now))
    db.session.commit()
    return True


def _revision(post: Post, action: str, raw: str, removed, now: datetime) -> Revision:
    return Revision(
        post_id=post.id,
        number=post.version,
        editor_id=current_user.id,
        created_at=now,
        action=action,
        status=post.status,
        title=post.title,
        channel_id=post.channel_id,
        source=post.source,
        author=post.author,
        summary=post.summary,
        pinned=post.pinned,
        published_at=post.published_at,
        body_raw=raw,
        body_clean=post.body_html,
        removed="\n".join(removed),
    )


def _change_state(post: Post, action: str, values: dict, done_message: str):
    """A one-button action (withdraw, trash, restore): applied to the version just read."""
    if _commit_change(post, post.version, values, action, _latest_raw_body(post)):
        flash(done_message, "success")
    else:
        flash(messages.CHANGED_MEANWHILE, "error")


@bp.post("/posts/<id:post_id>/withdraw")
def withdraw(post_id: int):
    post = _post_or_404(post_id)
    if post.status == PostStatus.PUBLISHED and post.trashed_at is None:
        _change_state(post, "withdraw", {"status": PostStatus.DRAFT}, messages.WITHDRAWN)
    return redirect(url_for(".edit_post", post_id=post.id))


@bp.post("/posts/<id:post_id>/trash")
def trash(post_id: int):
    post = _post_or_404(post_id)
    if post.trashed_at is None:
        _change_state(post, "trash", {"trashed_at": now_utc()}, messages.TRASHED)
    return redirect(url_for(".dashboard"))


@bp.post("/posts/<id:post_id>/restore")
def restore(post_id: int):
    post = _post_or_404(post_id)
    if post.trashed_at is not None:
        _change_state(post, "restore", {"trashed_at": None}, messages.RESTORED_FROM_TRASH)
    return redirect(url_for(".edit_post", post_id=post.id))


@bp.route("/posts/<id:post_id>/delete", methods=["GET", "POST"])
def delete_forever(post_id: int):
    if not current_user.is_admin:
        abort(403)
    post = _post_or_404(post_id)
    if post.trashed_at is None:
        flash(messages.DELETE_NEEDS_TRASH, "error")
        return redirect(url_for(".edit_post", post_id=post.id))
    form = EmptyForm()
    if request.method == "GET":
        return render_template("editor/confirm_delete.html", post=post, form=form)
    title = post.title
    db.session.delete(post)  # its revisions go with it (ON DELETE CASCADE and the ORM cascade)
    db.session.commit()
    flash(messages.DELETED_FOREVER.format(title=title), "success")
    return redirect(url_for(".dashboard", state="trash"))


# --- revisions -------------------------------------------------------------------------------


def _revision_or_404(post: Post, number: int) -> Revision:
    return db.session.scalar(
        sa.select(Revision).where(Revision.post_id == post.id, Revision.number == number)
    ) or abort(404)


@bp.get("/posts/<id:post_id>/revisions")
def revisions(post_id: int):
    post = _post_or_404(post_id)
    rows = db.session.scalars(
        sa.select(Revision).where(Revision.post_id == post.id).order_by(Revision.number.desc())
    ).all()
    return render_template(
        "editor/revisions.html", post=post, revisions=rows, action_form=EmptyForm()
    )


@bp.get("/posts/<id:post_id>/revisions/<id:number>")
def revision(post_id: int, number: int):
    post = _post_or_404(post_id)
    shown = _revision_or_404(post, number)
    return render_template(
        "editor/revision.html",
        post=post,
        revision=shown,
        removed=[item for item in shown.removed.split("\n") if item],
        action_form=EmptyForm(),
    )


@bp.post("/posts/<id:post_id>/revisions/<id:number>/restore")
def restore_revision(post_id: int, number: int):
    """The revision's content comes back as a new revision; state and time stay as they are."""
    post = _post_or_404(post_id)
    if post.trashed_at is not None:
        abort(404)  # like editing: a post in the trash is restored from the trash first
    old = _revision_or_404(post, number)
    cleaned = clean(old.body_raw, site_host=_site_host())  # today's policy applies
    values = {
        "title": old.title,
        "channel_id": old.channel_id or post.channel_id,
        "source": old.source,
        "author": old.author,
        "summary": old.summary,
        "pinned": old.pinned,
        "body_html": cleaned.html,
    }
    if _commit_change(
        post, post.version, values, "restore_revision", old.body_raw, cleaned.removed
    ):
        flash(messages.REVISION_RESTORED.format(number=number, new=post.version), "success")
    else:
        flash(messages.CHANGED_MEANWHILE, "error")
    return redirect(url_for(".revisions", post_id=post.id))
