"""Accounts, for administrators: list, create (a one-time initial password, shown once), role
and channels, deactivate / activate, log out everywhere, a new initial password."""

from __future__ import annotations

import sqlalchemy as sa
from flask import abort, flash, make_response, redirect, render_template, request, url_for

from portal import messages
from portal.admin import accounts
from portal.admin.forms import AccountForm, EmptyForm
from portal.admin.views import bp
from portal.extensions import db
from portal.posts import queries
from portal.posts.models import User


def _account_or_404(user_id: int) -> User:
    return db.session.get(User, user_id) or abort(404)


@bp.get("/accounts")
def accounts_list():
    users = db.session.scalars(sa.select(User).order_by(User.username)).all()
    return render_template("admin/accounts.html", users=users, action_form=EmptyForm())


def _account_form(user: User | None) -> AccountForm:
    taken = db.session.scalars(sa.select(User.username)).all() if user is None else ()
    return AccountForm(channels=queries.channels(), taken=taken)


def _render_account_form(form: AccountForm, user: User | None, status: int = 200):
    return render_template("admin/account_form.html", form=form, user=user), status


@bp.route("/accounts/new", methods=["GET", "POST"])
def new_account():
    form = _account_form(None)
    if request.method != "POST":
        form.role.data = "author"
        return _render_account_form(form, None)
    if not form.validate():
        flash(messages.FORM_HAS_ERRORS, "error")
        return _render_account_form(form, None, 400)
    user, password = accounts.create(
        (form.username.data or "").strip(),
        (form.display_name.data or "").strip(),
        form.role.data or "",
        form.chosen_channels(),
    )
    return _password_page(user, password, created=True)


def _password_page(user: User, password: str, *, created: bool):
    """The one time the initial password is shown: in this answer only (never in a flash,
    which the session cookie would carry), and kept by no cache or browser history."""
    response = make_response(
        render_template(
            "admin/account_password.html", user=user, password=password, created=created
        )
    )
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/accounts/<id:user_id>/edit", methods=["GET", "POST"])
def edit_account(user_id: int):
    user = _account_or_404(user_id)
    form = _account_form(user)
    del form.username  # a username never changes: the log and the logins know it
    if request.method != "POST":
        form.display_name.data = user.display_name
        form.role.data = user.role
        form.review_channels.data = [str(channel.id) for channel in user.review_channels]
        return _render_account_form(form, user)
    if not form.validate():
        flash(messages.FORM_HAS_ERRORS, "error")
        return _render_account_form(form, user, 400)
    try:
        accounts.update(
            user,
            (form.display_name.data or "").strip(),
            form.role.data or "",
            form.chosen_channels(),
        )
    except accounts.LastAdmin:
        flash(messages.LAST_ADMIN, "error")
        return _render_account_form(form, user, 409)
    flash(messages.ACCOUNT_SAVED.format(username=user.username), "success")
    return redirect(url_for(".accounts_list"))


def _one_button(user_id: int, change, done: str):
    user = _account_or_404(user_id)
    try:
        change(user)
    except accounts.LastAdmin:
        flash(messages.LAST_ADMIN, "error")
    else:
        flash(done.format(username=user.username), "success")
    return redirect(url_for(".accounts_list"))


@bp.post("/accounts/<id:user_id>/deactivate")
def deactivate_account(user_id: int):
    change = lambda user: accounts.set_active(user, False)  # noqa: E731
    return _one_button(user_id, change, messages.ACCOUNT_DEACTIVATED)


@bp.post("/accounts/<id:user_id>/activate")
def activate_account(user_id: int):
    change = lambda user: accounts.set_active(user, True)  # noqa: E731
    return _one_button(user_id, change, messages.ACCOUNT_ACTIVATED)


@bp.post("/accounts/<id:user_id>/logout")
def logout_account(user_id: int):
    """Log the account out everywhere (every browser, every server; it can log in again)."""
    return _one_button(user_id, accounts.log_out_everywhere, messages.ACCOUNT_LOGGED_OUT)


@bp.post("/accounts/<id:user_id>/password")
def reset_account_password(user_id: int):
    user = _account_or_404(user_id)
    return _password_page(user, accounts.reset_password(user), created=False)
