"""The editor: dashboard, write/preview/publish, withdraw, trash, revisions — behind a login.

The views parse requests and render; every change is made by ``portal.posts.service`` (one
transaction guarded by the version the editor started from, one new revision, one signal).
Nothing an editor submits is lost: a form that cannot be saved (invalid, a conflict, the post
moved to the trash or deleted, the session or its CSRF token gone) comes back with every field
as typed and says why; the browser also keeps a copy while the editor types
(static/js/editor-autosave.js), which the server tells it to drop once a save succeeded; and
each revision keeps the raw body.
"""

from __future__ import annotations

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
from flask_wtf.csrf import CSRFError

from portal import attachments, messages
from portal.editor import recovery, roles
from portal.editor.forms import EmptyForm, PostForm
from portal.extensions import login
from portal.posts import queries, service
from portal.posts.models import Post, Revision
from portal.posts.states import PostAction, PostState
from portal.sanitize import NestingTooDeep
from portal.timeutil import format_site
from portal.web.errors import render_error
from portal.web.params import page_number
from portal.web.presentation import site_host

bp = Blueprint("editor", __name__, url_prefix="/editor")

# The buttons of the post form: the two that save, and the preview.
SAVE_ACTIONS = {name: PostAction(name) for name in ("draft", "submit", "publish")}
PREVIEW = "preview"
# The post form's two URLs: a POST to them that cannot be applied gives the form back as typed.
FORM_ENDPOINTS = ("editor.new_post", "editor.edit_post")


@bp.before_request
def _require_editor():
    """Every editor URL, present and future: readers are sent to the login page (GET) or
    refused (any other method: there is no sensible page to come back to) — except the post
    form, whose session ended while the editor typed (logged out in another tab, expired): it
    comes back as typed, so that the text can be saved after logging in again."""
    if not current_user.is_authenticated:
        if request.method in ("GET", "HEAD"):
            return login.unauthorized()
        if request.endpoint in FORM_ENDPOINTS:
            return _form_back(messages.NOT_SAVED_LOGGED_OUT, 403)
        abort(403)


@bp.errorhandler(CSRFError)
def _csrf_failed(_error: CSRFError):
    """A post form with an expired token, or one of a session that has ended, comes back as
    typed with a fresh token. Only a form this site's page sent: another site's forged POST
    gets the plain error page, never a form filled in by the forger for an editor to submit."""
    if request.endpoint in FORM_ENDPOINTS and recovery.sent_from_this_site():
        logged_in = current_user.is_authenticated
        return _form_back(messages.NOT_SAVED_CSRF if logged_in else messages.NOT_SAVED_LOGGED_OUT)
    return render_error(400, messages.CSRF_FAILED)


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
        "actions_of": roles.actions_of,  # what the account may do to a post (its buttons)
    }


def _post_or_404(post_id: int) -> Post:
    return queries.post(post_id) or abort(404)


# --- reading ---------------------------------------------------------------------------------


@bp.get("/")
def dashboard():
    state = _state_arg()
    slug = request.args.get("channel") or None
    channel = queries.channel_by_slug(slug) if slug else None
    if slug and channel is None:
        abort(400)
    mine = request.args.get("mine") == "1"
    page = queries.editor_page(
        page_number(),
        current_app.config["POSTS_PER_PAGE"],
        state=state,
        channel_id=channel.id if channel else None,
        created_by_id=current_user.id if mine else None,
    ) or abort(404)
    filters = {"state": state or "", "channel": slug or "", "mine": "1" if mine else ""}
    return render_template(
        "editor/dashboard.html",
        **roles.dashboard_context(page.items),
        page=page,
        rows=[(post, post.state) for post in page.items],
        channels=queries.channels(),
        filters=filters,
        page_filters={name: value for name, value in filters.items() if value},
        action_form=EmptyForm(),
    )


def _state_arg() -> PostState | None:
    raw = request.args.get("state") or None
    if raw is None:
        return None
    try:
        return PostState(raw)
    except ValueError:
        abort(400)


# --- writing ---------------------------------------------------------------------------------


@bp.route("/posts/new", methods=["GET", "POST"])
def new_post():
    return _edit(None)


@bp.route("/posts/<id:post_id>/edit", methods=["GET", "POST"])
def edit_post(post_id: int):
    post = queries.post(post_id)
    if post is None or post.trashed_at is not None:
        if request.method == "POST":  # deleted or moved to the trash while the editor typed
            return _gone_meanwhile(post)
        if post is None:
            abort(404)
        flash(messages.TRASHED_CANNOT_EDIT, "error")
        return redirect(url_for(".dashboard", state=PostState.TRASH))
    return _edit(post)


def _post_form(post: Post | None) -> PostForm:
    """On POST the form reads what was submitted; on GET it starts from the stored post."""
    form = PostForm(site_host=site_host(), channels=queries.channels())
    if post is not None and request.method == "GET":
        shown, body_raw = roles.shown_content(post)  # its pending edit, if it has one
        form.fill(shown, body_raw=body_raw)
    return form


def _render_form(
    form: PostForm,
    post: Post | None,
    status: int = 200,
    not_saved: str = "",
    *,
    post_id: int | None = None,
):
    """The post form of ``post`` (None: a new post, or — ``post_id`` — one this request may
    not show: the session has ended); ``not_saved`` says why what was submitted was not saved."""
    if post is not None:
        post_id = post.id
    saved = recovery.take_saved(post) if request.method == "GET" else None
    return (
        render_template(
            "editor/form.html",
            form=form,
            post=post,
            editing=post_id is not None,
            form_url=url_for(".edit_post", post_id=post_id) if post_id else url_for(".new_post"),
            state=post.state if post is not None else None,
            not_saved=not_saved,
            autosave=recovery.autosave(post_id, saved),
            removed_report=recovery.removed_report(post, saved),
            action_form=EmptyForm(),
            attachment_form=attachments.form_files(post),
            **roles.form_context(post),
        ),
        status,
    )


def _form_back(message: str, status: int = 400, *, post: Post | None = None, as_new=False):
    """What was submitted to the post form, shown again as typed with ``message``, when it
    cannot be saved; nothing is written. ``as_new``: the form now makes a new post. The stored
    post is shown only to a logged-in editor."""
    post_id = None if as_new else (request.view_args or {}).get("post_id")
    if post is None and post_id is not None and current_user.is_authenticated:
        post = queries.post(post_id)
    return _render_form(_post_form(None), post, status, message, post_id=post_id)


def _gone_meanwhile(post: Post | None):
    """The form back, as typed, for a post deleted forever (the text can become a new post) or
    moved to the trash (it can be saved as a new draft, or after a restore)."""
    if post is None:
        return _form_back(messages.NOT_SAVED_DELETED, 404, as_new=True)
    return _form_back(messages.NOT_SAVED_TRASHED, 409, post=post)


def _edit(post: Post | None):
    if post is not None:
        roles.require("edit", post)
    form = _post_form(post)
    if request.method == "GET":
        return _render_form(form, post)
    button = request.form.get("action", "")
    if button != PREVIEW and button not in SAVE_ACTIONS:
        abort(400)
    # The form's new files are stored first (streamed): a form sent back shows them as kept.
    files = attachments.receive()
    content = files.complete(form.content()) if form.validate() else None
    if content is None:
        flash(messages.FORM_HAS_ERRORS, "error")
        return _render_form(form, post, 400)
    form_key = str(post.id) if post is not None else "new"  # the URL it was posted to
    published_at = form.chosen_published_at(post)
    if button == PREVIEW:
        shown = service.preview(content, post=post, published_at=published_at)
        return _preview(shown, attachments.describe(content.attachments))
    action = SAVE_ACTIONS[button]
    refused = roles.refused_save(post, content.channel_id, action)
    if refused:
        return _render_form(form, post, 403, refused)
    if post is None:
        post = service.create(
            content, action=action, published_at=published_at, editor=current_user
        )
    else:
        # A form without the version it was opened at cannot prove it saw the latest text:
        # treat it as a conflict, which shows the form again with the editor's text kept.
        post_id = post.id  # read now: a refused save expires the row, which may be gone
        try:
            roles.save(
                post,
                content,
                action=action,
                published_at=published_at,
                expected_version=form.opened_version(),
                editor=current_user,
            )
        except service.StaleVersion:
            return _conflict(form, post_id=post_id)
    _flash_saved(post)
    recovery.mark_saved(form_key, post)
    return redirect(url_for(".edit_post", post_id=post.id))


def _flash_saved(post: Post) -> None:
    """The short news of a save (the flash lives in the session cookie: nothing long here)."""
    state = post.state
    if roles.flash_review(post):
        return
    if state is PostState.PUBLISHED:
        flash(messages.SAVED_PUBLISHED, "success")
    elif state is PostState.SCHEDULED:
        flash(messages.SAVED_SCHEDULED.format(time=format_site(post.published_at)), "success")
    else:
        flash(messages.SAVED_DRAFT, "success")


def _conflict(form: PostForm, *, post_id: int):
    """Someone saved since this form was opened: show it, keep the editor's text, save nothing.
    The form now carries the current version, so submitting again is a deliberate overwrite
    (and the overwritten version stays in the revisions)."""
    post = queries.post(post_id)
    if post is None or post.trashed_at is not None:  # not a newer version: gone just now
        return _gone_meanwhile(post)
    latest = next(iter(queries.revisions_of(post)), None)
    editor = latest.editor.shown_name if latest is not None and latest.editor else "他人"
    message = messages.EDIT_CONFLICT.format(
        editor=editor, time=format_site(post.updated_at), version=post.version
    )
    form.version.data = str(post.version)
    return _render_form(form, post, 409, message)


def _preview(shown: Post, files=()):
    """The public article layout with the cleaned body and the form's 附件 (``files``);
    nothing is saved and no view counted."""
    response = make_response(
        render_template(
            "public/article.html",
            post=shown,
            views=shown.view_count,
            preview=True,
            older=None,
            newer=None,
            attachments=[item for item in files if item.listed],
        )
    )
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Robots-Tag"] = "noindex"
    return response


# --- one-button changes of state -------------------------------------------------------------


def _change_state(change, post: Post, done_message: str) -> None:
    """A one-button action (withdraw, trash, restore), applied to the version just read. A
    refused one leaves ``post`` expired, its row perhaps deleted: the caller redirects by the
    id in the URL, never by reading ``post`` again."""
    try:
        if change(post, editor=current_user):
            flash(done_message, "success")
    except service.StaleVersion:
        flash(messages.CHANGED_MEANWHILE, "error")


@bp.post("/posts/<id:post_id>/withdraw")
def withdraw(post_id: int):
    post = _post_or_404(post_id)
    roles.require("withdraw", post)
    _change_state(service.withdraw, post, messages.WITHDRAWN)
    return redirect(url_for(".edit_post", post_id=post_id))


@bp.post("/posts/<id:post_id>/trash")
def trash(post_id: int):
    post = _post_or_404(post_id)
    roles.require("trash", post)
    _change_state(service.trash, post, messages.TRASHED)
    return redirect(url_for(".dashboard"))


@bp.post("/posts/<id:post_id>/restore")
def restore(post_id: int):
    post = _post_or_404(post_id)
    roles.require("restore", post)
    _change_state(service.restore, post, messages.RESTORED_FROM_TRASH)
    return redirect(url_for(".edit_post", post_id=post_id))


@bp.route("/posts/<id:post_id>/delete", methods=["GET", "POST"])
def delete_forever(post_id: int):
    if not current_user.is_admin:
        roles.refuse("delete")
    post = _post_or_404(post_id)
    if post.trashed_at is None:
        flash(messages.DELETE_NEEDS_TRASH, "error")
        return redirect(url_for(".edit_post", post_id=post.id))
    form = EmptyForm()
    if request.method == "GET":
        return render_template("editor/confirm_delete.html", post=post, form=form)
    title = post.title
    service.delete_forever(post, editor=current_user)
    flash(messages.DELETED_FOREVER.format(title=title), "success")
    return redirect(url_for(".dashboard", state=PostState.TRASH))


# --- revisions -------------------------------------------------------------------------------


def _revision_or_404(post: Post, number: int) -> Revision:
    return queries.revision(post, number) or abort(404)


@bp.get("/posts/<id:post_id>/revisions")
def revisions(post_id: int):
    post = _post_or_404(post_id)
    return render_template(
        "editor/revisions.html",
        post=post,
        revisions=queries.revisions_of(post),
        action_form=EmptyForm(),
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
    roles.require("restore_revision", post)
    old = _revision_or_404(post, number)
    try:
        service.restore_revision(post, old, editor=current_user, site_host=site_host())
    except service.StaleVersion:
        flash(messages.CHANGED_MEANWHILE, "error")
    except NestingTooDeep as too_deep:  # saved before the limit: refused now, nothing changes
        flash(messages.REVISION_TOO_DEEP.format(number=number, limit=too_deep.limit), "error")
    else:
        flash(messages.REVISION_RESTORED.format(number=number, new=post.version), "success")
    return redirect(url_for(".revisions", post_id=post_id))
