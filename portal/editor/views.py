"""The editor: dashboard, write/preview/publish, withdraw, trash, revisions — behind a login.

The views parse requests and render; every change is made by ``portal.posts.service`` (one
transaction guarded by the version the editor started from, one new revision, one signal).
Nothing an editor submits is lost: a refused form comes back as typed, and each revision keeps
the raw body.
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

from portal import messages
from portal.editor.forms import EmptyForm, PostForm
from portal.extensions import login
from portal.posts import queries, service
from portal.posts.models import Post, Revision
from portal.posts.states import PostAction, PostState
from portal.timeutil import format_site
from portal.web.params import page_number
from portal.web.presentation import site_host

bp = Blueprint("editor", __name__, url_prefix="/editor")

# The buttons of the post form: the two that save, and the preview.
SAVE_ACTIONS = {"draft": PostAction.DRAFT, "publish": PostAction.PUBLISH}
PREVIEW = "preview"


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
    post = _post_or_404(post_id)
    if post.trashed_at is not None:
        flash(messages.TRASHED_CANNOT_EDIT, "error")
        return redirect(url_for(".dashboard", state=PostState.TRASH))
    return _edit(post)


def _post_form(post: Post | None) -> PostForm:
    """On POST the form reads what was submitted; on GET it starts from the stored post."""
    form = PostForm(site_host=site_host(), channels=queries.channels())
    if post is not None and request.method == "GET":
        form.fill(post, body_raw=service.latest_raw_body(post))
    return form


def _render_form(form: PostForm, post: Post | None, status: int = 200, conflict: str = ""):
    return (
        render_template(
            "editor/form.html",
            form=form,
            post=post,
            state=post.state if post is not None else None,
            conflict=conflict,
            action_form=EmptyForm(),
        ),
        status,
    )


def _edit(post: Post | None):
    form = _post_form(post)
    if request.method == "GET":
        return _render_form(form, post)
    button = request.form.get("action", "")
    if button != PREVIEW and button not in SAVE_ACTIONS:
        abort(400)
    if not form.validate():
        flash(messages.FORM_HAS_ERRORS, "error")
        return _render_form(form, post, 400)
    content, published_at = form.content(), form.chosen_published_at(post)
    if button == PREVIEW:
        return _preview(service.preview(content, post=post, published_at=published_at))
    action = SAVE_ACTIONS[button]
    if post is None:
        post = service.create(
            content, action=action, published_at=published_at, editor=current_user
        )
    else:
        # A form without the version it was opened at cannot prove it saw the latest text:
        # treat it as a conflict, which shows the form again with the editor's text kept.
        try:
            service.save(
                post,
                content,
                action=action,
                published_at=published_at,
                expected_version=form.opened_version(),
                editor=current_user,
            )
        except service.StaleVersion:
            return _conflict(form, post_id=post.id)
    _flash_saved(post, content.removed)
    return redirect(url_for(".edit_post", post_id=post.id))


def _flash_saved(post: Post, removed: tuple[str, ...]) -> None:
    state = post.state
    if state is PostState.PUBLISHED:
        flash(messages.SAVED_PUBLISHED, "success")
    elif state is PostState.SCHEDULED:
        flash(messages.SAVED_SCHEDULED.format(time=format_site(post.published_at)), "success")
    else:
        flash(messages.SAVED_DRAFT, "success")
    if removed:
        flash(messages.REMOVED_UNSAFE.format(items="、".join(removed)), "warning")


def _conflict(form: PostForm, *, post_id: int):
    """Someone saved since this form was opened: show it, keep the editor's text, save nothing.
    The form now carries the current version, so submitting again is a deliberate overwrite
    (and the overwritten version stays in the revisions)."""
    post = _post_or_404(post_id)
    latest = next(iter(queries.revisions_of(post)), None)
    editor = latest.editor.shown_name if latest is not None and latest.editor else "他人"
    message = messages.EDIT_CONFLICT.format(
        editor=editor, time=format_site(post.updated_at), version=post.version
    )
    form.version.data = str(post.version)
    return _render_form(form, post, 409, conflict=message)


def _preview(shown: Post):
    """The public article layout with the cleaned body; nothing is saved and no view counted."""
    response = make_response(
        render_template(
            "public/article.html",
            post=shown,
            views=shown.view_count,
            preview=True,
            older=None,
            newer=None,
        )
    )
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Robots-Tag"] = "noindex"
    return response


# --- one-button changes of state -------------------------------------------------------------


def _change_state(change, post: Post, done_message: str) -> None:
    """A one-button action (withdraw, trash, restore), applied to the version just read."""
    try:
        if change(post, editor=current_user):
            flash(done_message, "success")
    except service.StaleVersion:
        flash(messages.CHANGED_MEANWHILE, "error")


@bp.post("/posts/<id:post_id>/withdraw")
def withdraw(post_id: int):
    post = _post_or_404(post_id)
    _change_state(service.withdraw, post, messages.WITHDRAWN)
    return redirect(url_for(".edit_post", post_id=post.id))


@bp.post("/posts/<id:post_id>/trash")
def trash(post_id: int):
    post = _post_or_404(post_id)
    _change_state(service.trash, post, messages.TRASHED)
    return redirect(url_for(".dashboard"))


@bp.post("/posts/<id:post_id>/restore")
def restore(post_id: int):
    post = _post_or_404(post_id)
    _change_state(service.restore, post, messages.RESTORED_FROM_TRASH)
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
    old = _revision_or_404(post, number)
    try:
        service.restore_revision(post, old, editor=current_user, site_host=site_host())
    except service.StaleVersion:
        flash(messages.CHANGED_MEANWHILE, "error")
    else:
        flash(messages.REVISION_RESTORED.format(number=number, new=post.version), "success")
    return redirect(url_for(".revisions", post_id=post.id))
