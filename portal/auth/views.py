"""Login and logout for editors: Flask-Login wiring and the failed-login lockout."""

from __future__ import annotations

import sqlalchemy as sa
from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user, login_user, logout_user
from werkzeug.security import check_password_hash, generate_password_hash

from portal import messages
from portal.auth import loginlimit
from portal.auth.forms import LoginForm
from portal.extensions import db, login
from portal.posts.models import User
from portal.redirects import local_path
from portal.timeutil import now_utc

bp = Blueprint("auth", __name__, url_prefix="/editor")

login.login_view = "auth.login"
login.login_message = messages.LOGIN_REQUIRED
login.login_message_category = "info"

# Checked when the account does not exist, so a miss costs as much time as a wrong password.
_DUMMY_HASH = generate_password_hash("not-a-real-password")


@bp.record_once
def _setup(state) -> None:
    loginlimit.init_app(state.app)


@login.user_loader
def load_user(user_id: str) -> User | None:
    user = db.session.get(User, int(user_id)) if user_id.isdigit() else None
    return user if user is not None and user.active else None  # deactivation ends sessions


def _login_page(form: LoginForm, status: int = 200, error: str | None = None):
    return render_template("editor/login.html", form=form, error=error), status


@bp.route("/login", methods=["GET", "POST"], endpoint="login")
def login_page():
    form = LoginForm()
    if request.method == "GET":
        form.next.data = local_path(request.args.get("next")) or ""
        if current_user.is_authenticated:
            return redirect(form.next.data or url_for("editor.dashboard"))
        return _login_page(form)
    if not form.validate_on_submit():
        return _login_page(form, 400)

    # Both are required: a validated form has them (None only for a field never submitted).
    username, password = form.username.data or "", form.password.data or ""
    counter = loginlimit.counter()
    attempt = counter.begin(
        loginlimit.normalize_username(username),
        (request.remote_addr or "unknown")[: loginlimit.FIELD_MAX],
    )
    if attempt.locked:
        counter.withdraw(attempt)  # not a new failure: a locked attempt never extends the lock
        current_app.logger.warning(
            "login locked: account %r from %s", attempt.username, attempt.remote_addr
        )
        minutes = max(1, current_app.config["LOGIN_FAILURE_WINDOW"] // 60)
        response = _login_page(form, 429, messages.LOGIN_LOCKED.format(minutes=minutes))
        return (*response, {"Retry-After": str(current_app.config["LOGIN_FAILURE_WINDOW"])})

    user = db.session.scalar(sa.select(User).where(User.username == username.strip()))
    if user is None:
        check_password_hash(_DUMMY_HASH, password)
        return _login_page(form, 400, messages.LOGIN_FAILED)
    if not user.check_password(password):
        return _login_page(form, 400, messages.LOGIN_FAILED)
    if not user.active:
        return _login_page(form, 400, messages.LOGIN_INACTIVE)

    counter.succeeded(attempt)
    user.last_login_at = now_utc()
    db.session.commit()
    login_user(user)
    flash(messages.LOGGED_IN.format(name=user.shown_name), "success")
    return redirect(local_path(form.next.data) or url_for("editor.dashboard"))


@bp.post("/logout")
def logout():
    # A POST, so CSRFProtect has checked its token: no other site can log an editor out.
    logout_user()
    flash(messages.LOGGED_OUT, "info")
    return redirect(url_for("auth.login"))
